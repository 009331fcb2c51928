import * as vscode from 'vscode';
import { registerAskCommand } from './host/askCommand';
import { ChatController } from './host/chatController';
import { ChatViewProvider } from './host/chatView';
import { ConnectionManager } from './host/connection';
import { registerConnectionCommands } from './host/connectionCommands';
import { ConversationStore } from './host/conversationStore';
import { EditorCommands } from './host/editorCommands';
import { showError } from './host/errorUi';
import { Log } from './host/log';
import { onDidChangeSettings } from './host/settings';
import { TokenStore } from './host/tokenStore';

/** How long activate() took, for the benchmark (read from the module, not exposed as an API). */
export const timing = { activateMs: 0 };

/** Wires the features; runs only when a GenOS command or view is first used. */
export function activate(context: vscode.ExtensionContext): void {
  const started = performance.now();
  const log = new Log();
  const tokens = new TokenStore(context.secrets);
  const connections = new ConnectionManager(context.globalState, tokens, log);
  const view = new ChatViewProvider(context.extensionUri, log);
  const store = new ConversationStore(vscode.Uri.joinPath(context.globalStorageUri, 'conversations'));
  const chat = new ChatController(view, connections, store, context.globalState, log);
  view.bind(chat);
  const editorCommands = new EditorCommands(chat, view, connections, log);

  context.subscriptions.push(
    log,
    chat,
    editorCommands,
    onDidChangeSettings(() => connections.reset()),
    tokens.onDidChange(() => connections.reset()),
    ...registerConnectionCommands(connections, tokens, log),
    vscode.window.registerWebviewViewProvider(ChatViewProvider.viewType, view),
    vscode.commands.registerCommand('genos.openChat', () => view.reveal()),
    vscode.commands.registerCommand('genos.newChat', async () => {
      await view.reveal();
      await chat.newChat();
    }),
    vscode.commands.registerCommand('genos.showHistory', async () => {
      await view.reveal();
      await chat.handle({ type: 'showHistory' });
    }),
    vscode.commands.registerCommand('genos.stop', () => {
      chat.stop();
      editorCommands.stop();
    }),
    registerAskCommand(chat, view),
    vscode.commands.registerCommand('genos.selectModel', async () => {
      try {
        return await chat.selectModel();
      } catch (error) {
        await showError(error, log);
        return undefined;
      }
    }),
  );
  timing.activateMs = performance.now() - started;
}

export function deactivate(): void {
  // Everything is owned by context.subscriptions.
}
