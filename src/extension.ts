import * as vscode from 'vscode';
import { ConnectionManager } from './host/connection';
import { registerConnectionCommands } from './host/connectionCommands';
import { Log } from './host/log';
import { onDidChangeSettings } from './host/settings';
import { TokenStore } from './host/tokenStore';

/** Wires the features; runs only when a GenOS command or view is first used. */
export function activate(context: vscode.ExtensionContext): void {
  const log = new Log();
  const tokens = new TokenStore(context.secrets);
  const connections = new ConnectionManager(context.globalState, tokens, log);
  context.subscriptions.push(
    log,
    onDidChangeSettings(() => connections.reset()),
    tokens.onDidChange(() => connections.reset()),
    ...registerConnectionCommands(connections, tokens, log),
  );
}

export function deactivate(): void {
  // Everything is owned by context.subscriptions.
}
