import * as vscode from 'vscode';
import { ChatController } from './host/chatController';
import { registerChatCommands } from './host/chatCommands';
import { registerCompletions } from './host/completionCommands';
import { ChatViewProvider } from './host/chatView';
import { GenosParticipant } from './host/chatParticipant';
import { GenosLanguageModels } from './host/languageModels';
import type { NativeChatCore } from './host/nativeChatEntry';
import { ConnectionManager } from './host/connection';
import { registerConnectionCommands } from './host/connectionCommands';
import { announceRecovery, ConversationStore } from './host/conversationStore';
import { EditorContext } from './host/editorContext';
import { EditorRequests } from './host/editorRequest';
import { ExplainCommand } from './host/explainCommand';
import { Log } from './host/log';
import { RewriteCommand } from './host/rewriteCommand';
import { onDidChangeSettings } from './host/settings';
import { TokenStore } from './host/tokenStore';
import { TurnRunner } from './host/turnRunner';

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
  const runner = new TurnRunner(connections, log);
  const editor = new EditorContext();
  const view = new ChatViewProvider(context.extensionUri, log, editor);
  const store = new ConversationStore(vscode.Uri.joinPath(context.globalStorageUri, 'conversations'), (report) =>
    announceRecovery(report, log),
  );
  const chat = new ChatController(view, runner, store, context.globalState, log, editor);
  view.bind(chat);
  const editorRequests = new EditorRequests(runner, log);
  const completions = registerCompletions(connections, runner, log);
  const models = new GenosLanguageModels(connections, runner, log, modelsChanged, context.globalState);

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
    ...registerConnectionCommands(connections, runner, tokens, log),
    ...registerChatCommands(chat, view, runner, log, () => editorRequests.stop()),
  );
  return { view, nativeChat: { models, participant: new GenosParticipant(runner).handle } };
}
