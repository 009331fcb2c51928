import * as vscode from 'vscode';
import type { TestConnectionResult } from '../../src/host/connection/connectionCommands';
import type { FakeGenos } from '../support/genosServer';

export const EXTENSION_ID = 'genos.genos-vscode';

export function genosConfig(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration('genos');
}

/** Points the user settings at a server, as a user would in Settings. */
export async function useServer(server: FakeGenos): Promise<void> {
  await genosConfig().update('baseUrl', server.baseUrl, vscode.ConfigurationTarget.Global);
  await genosConfig().update('servingId', server.servingId, vscode.ConfigurationTarget.Global);
}

export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Runs Set Access Token with `token` as its argument, as a link or another extension would, and
 * confirms the password box it fills, as the user must: a token is never stored without that.
 */
export function confirmToken(token: string): Promise<unknown> {
  return answerUntilSettled(
    vscode.commands.executeCommand('genos.setToken', token),
    () => vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem'),
    'the token confirmed',
  );
}

export function testConnection(): Thenable<TestConnectionResult> {
  return vscode.commands.executeCommand<TestConnectionResult>('genos.testConnection');
}

/**
 * Repeats a user's action (accepting or closing a quick pick) until `pending` settles, and returns
 * its value: until the quick pick is open, such an action does nothing, so no fixed wait is needed.
 */
export async function answerUntilSettled<T>(
  pending: Thenable<T>,
  act: () => Thenable<unknown>,
  what: string,
): Promise<T> {
  let settled = false;
  const result = Promise.resolve(pending).finally(() => (settled = true));
  await waitFor(async () => {
    await act();
    return settled;
  }, what);
  return result;
}
