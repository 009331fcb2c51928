/**
 * Where and as whom to connect, from the user's own settings. Apart from settings.ts so the entry
 * (src/extension.ts) can read it at activation without bundling the rest.
 */
import * as vscode from 'vscode';

export const SECTION = 'genos';

/** Where and as whom to connect. Read from user settings only, never from a workspace. */
export interface ConnectionSettings {
  baseUrl: string;
  servingId: string;
  userId: string;
}

export function config(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration(SECTION);
}

/**
 * A value from the user's own settings (or the default), ignoring workspace and folder values.
 * A repository's `.vscode/settings.json` must not be able to send the token to another host; the
 * `machine` scope in package.json already says so, and this holds even where a host would not
 * enforce the scope.
 */
export function userValue<T>(key: string, fallback: T): T {
  const inspected = config().inspect<T>(key);
  return inspected?.globalValue ?? inspected?.defaultValue ?? fallback;
}

export function connectionSettings(): ConnectionSettings {
  return {
    baseUrl: String(userValue('baseUrl', '')),
    servingId: String(userValue<string | number>('servingId', '')),
    userId: String(userValue<string | number>('userId', '')).trim(),
  };
}
