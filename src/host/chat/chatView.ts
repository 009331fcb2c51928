import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { panelCsp } from '../../shared/panelCsp';
import { parseWebviewMessage, type HostMessage, type WebviewMessage } from '../../shared/protocol';
import { t } from '../base/l10n';
import type { ChatController, ChatSink } from './chatController';
import type { EditorContext } from '../context/editorContext';
import { runErrorAction } from '../connection/errorUi';
import type { Log } from '../base/log';

/** Messages not covered by the state `init` carries; held until the webview is ready. */
const KEEP_UNTIL_READY = new Set<HostMessage['type']>(['prefill', 'refused']);

/**
 * The chat side panel (`genos.chatView`). Holds messages until the webview says `ready`, answers
 * with the whole state, and validates every message the webview sends and hands it to the chat or
 * the editor; what does not fit the protocol is ignored. Works without retainContextWhenHidden: a re-created webview says `ready`
 * again and gets the state again.
 */
export class ChatViewProvider implements vscode.WebviewViewProvider, ChatSink, vscode.Disposable {
  static readonly viewType = 'genos.chatView';
  private view?: vscode.WebviewView;
  private ready = false;
  private queue: HostMessage[] = [];
  private controller?: ChatController;
  private readonly selection: vscode.Disposable;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly log: Log,
    private readonly editor: EditorContext,
  ) {
    this.selection = editor.onDidChangeSelection((hasSelection) => this.post({ type: 'selection', hasSelection }));
  }

  dispose(): void {
    this.selection.dispose();
  }

  /** Connects the controller (they need each other). */
  bind(controller: ChatController): void {
    this.controller = controller;
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    this.ready = false;
    view.webview.options = {
      enableScripts: true,
      localResourceRoots: [
        vscode.Uri.joinPath(this.extensionUri, 'dist'),
        vscode.Uri.joinPath(this.extensionUri, 'media'),
      ],
    };
    view.webview.html = this.html(view.webview);
    view.webview.onDidReceiveMessage((raw: unknown) => void this.receive(raw));
    view.onDidDispose(() => {
      this.view = undefined;
      this.ready = false;
    });
  }

  /** Handles one message from the webview (exposed for tests of validation). */
  async receive(raw: unknown): Promise<void> {
    const message = parseWebviewMessage(raw);
    if (!message) {
      this.log.warn(`ignored a message from the chat view that does not fit the protocol`);
      return;
    }
    if (!this.controller) return;
    if (message.type === 'ready') {
      let init: HostMessage;
      try {
        init = await this.controller.init();
      } catch (error) {
        this.log.error(
          `the chat view could not start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        );
        void vscode.window.showErrorMessage(t('The GenOS chat could not start; the log says why.'));
        return;
      }
      this.ready = true;
      void this.view?.webview.postMessage(init);
      for (const queued of this.queue.splice(0)) void this.view?.webview.postMessage(queued);
      return;
    }
    try {
      await this.dispatch(this.controller, message);
    } catch (error) {
      this.log.error(
        `chat view action ${message.type} failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  private async dispatch(chat: ChatController, message: Exclude<WebviewMessage, { type: 'ready' }>): Promise<void> {
    switch (message.type) {
      case 'send': {
        const expanded = await chat.slash.expand(message.text);
        if (expanded === 'cancelled') {
          const refused = t('Not sent: the command was cancelled. Your text is kept.');
          this.post({ type: 'refused', clientId: message.clientId, message: refused, actions: [] });
          return;
        }
        await chat.ask(expanded?.question ?? message.text, { clientId: message.clientId, mode: expanded?.mode });
        return;
      }
      case 'listCommands':
        this.post({ type: 'commands', commands: await chat.slash.list() });
        return;
      case 'stop':
        return chat.stop();
      case 'retry':
        await chat.retry(message.requestId);
        return;
      case 'action': {
        const { requestId } = message;
        if (message.action === 'continue') {
          if (requestId) await chat.continue(requestId);
          return;
        }
        return runErrorAction(message.action, this.log, {
          retry: requestId ? () => chat.retry(requestId) : undefined,
          afterToken: true,
        });
      }
      case 'newChat':
        return chat.newChat();
      case 'showHistory':
        return chat.showHistory();
      case 'openConversation':
        return chat.open(message.id);
      case 'deleteConversation':
        return chat.remove(message.id);
      case 'attach':
        await chat.attachments.attach(message.kind);
        return;
      case 'removeContext':
        return chat.attachments.remove(message.id);
      case 'copy':
        return this.editor.copy(message.text);
      case 'insert':
      case 'replaceSelection':
        return this.editor.insert(message.text, message.type === 'replaceSelection');
      case 'openLink':
        return this.editor.openLink(message.href);
      case 'selectModel':
        await vscode.commands.executeCommand('genos.selectModel');
        return;
      case 'setMode':
        return chat.setMode(message.mode);
      case 'decide':
        return chat.decide(message.requestId, message.stepId, message.decision);
      case 'openDiff':
        return chat.openDiff(message.stepId);
      case 'keepChanges':
      case 'undoChanges':
        return chat.settleChanges(message.requestId, message.type === 'undoChanges');
      case 'openRule':
        return chat.openRule(message.requestId, message.rule);
      case 'setRulesOff':
        return chat.setRulesOff(message.rulesOff);
      case 'setThinkingOff':
        return chat.setThinkingOff(message.thinkingOff);
    }
  }

  post(message: HostMessage): void {
    if (this.view && this.ready) {
      void this.view.webview.postMessage(message);
    } else if (KEEP_UNTIL_READY.has(message.type)) {
      this.queue.push(message);
    }
  }

  /** Shows the panel. */
  async reveal(): Promise<void> {
    await vscode.commands.executeCommand(`${ChatViewProvider.viewType}.focus`);
  }

  private html(webview: vscode.Webview): string {
    const nonce = randomBytes(16).toString('base64');
    const script = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview.js'));
    const style = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'chat.css'));
    const csp = panelCsp(webview.cspSource, nonce);
    return `<!DOCTYPE html>
<html lang="${vscode.env.language}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style.toString()}">
<title>GenOS</title>
</head>
<body>
<script nonce="${nonce}" src="${script.toString()}"></script>
</body>
</html>`;
  }
}
