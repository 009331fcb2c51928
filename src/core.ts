import * as vscode from 'vscode';
import { ChatController } from './host/chat/chatController';
import { registerChatCommands } from './host/chat/chatCommands';
import { registerCompletions } from './host/completions/completionCommands';
import { ChatViewProvider } from './host/chat/chatView';
import { GenosParticipant } from './host/nativeChat/chatParticipant';
import { GenosLanguageModels } from './host/nativeChat/languageModels';
import type { NativeChatCore } from './host/nativeChat/nativeChatEntry';
import { ConnectionManager } from './host/connection/connectionManager';
import { registerConnectionCommands } from './host/connection/connectionCommands';
import { announceRecovery, ConversationStore } from './host/chat/conversationStore';
import { EditorContext } from './host/context/editorContext';
import { EditorRequests } from './host/editor/editorRequests';
import { ExplainCommand } from './host/editor/explainCommand';
import { Log } from './host/base/log';
import { RewriteCommand } from './host/editor/rewriteCommand';
import { onDidChangeSettings } from './host/connection/settings';
import { TokenStore } from './host/connection/tokenStore';
import { RequestPath } from './host/requests/requestPath';

/** What the entry (extension.ts) hands work to once the core is loaded. */
export interface Core {
  view: ChatViewProvider;
  /** GenOS in VS Code's own chat: its models and `@genos`. */
  nativeChat: NativeChatCore;
}

/**
 * Wires the features: commands, the chat view's provider, completions, GenOS in VS Code's chat
 * (`modelsChanged` tells it the models may differ after a new token). Loaded by the entry on
 * first use (a command, the chat view) or right after activation when completions are on.
 * The entry registered stand-ins for the commands and disposed them before this runs.
 */
export function start(context: vscode.ExtensionContext, modelsChanged: () => void = () => undefined): Core {
  const log = new Log();
  const tokens = new TokenStore(context.secrets);
  const connections = new ConnectionManager(context.globalState, tokens, log);
  const requests = new RequestPath(connections, log);
  const editor = new EditorContext();
  const view = new ChatViewProvider(context.extensionUri, log, editor);
  const store = new ConversationStore(vscode.Uri.joinPath(context.globalStorageUri, 'conversations'), (report) =>
    announceRecovery(report, log),
  );
  const chat = new ChatController(view, requests, store, context.globalState, log, editor);
  view.bind(chat);
  const editorRequests = new EditorRequests(requests, log);
  const completions = registerCompletions(connections, log);
  const models = new GenosLanguageModels(connections, requests, log, modelsChanged, context.globalState);

  context.subscriptions.push(
    log,
    editor,
    view,
    chat,
    editorRequests,
    new ExplainCommand(chat, view, editorRequests),
    new RewriteCommand(editorRequests),
    models,
    onDidChangeSettings(() => {
      connections.reset();
      models.reset();
    }),
    tokens.onDidChange(() => {
      connections.reset();
      completions.provider.reset();
      models.reset();
      modelsChanged();
    }),
    ...completions.disposables,
    ...registerConnectionCommands(connections, tokens, log),
    ...registerChatCommands(chat, view, connections, log, () => editorRequests.stop()),
  );
  return { view, nativeChat: { models, participant: new GenosParticipant(requests).handle } };
}
