import * as path from 'node:path';
import * as vscode from 'vscode';
import { describeError, errorActions } from '../client/errorMessages';
import { GenosError } from '../client/errors';
import { buildMessages, type ContextBlock } from '../client/prompts';
import type { ChatAction, ContextChip, HostMessage, TurnView, WebviewMessage, WebviewStrings } from '../shared/protocol';
import { isOpenableLink } from '../shared/protocol';
import type { ConnectionManager } from './connection';
import type { Conversation, ConversationStore, StoredTurn } from './conversationStore';
import { actionLabel, asGenosError, showError } from './errorUi';
import { t } from './l10n';
import type { Log } from './log';
import { openSettings, requestSettings, saveModel } from './settings';

/** Where the controller's messages go: the chat view, which holds them until the webview is ready. */
export interface ChatSink {
  post(message: HostMessage): void;
}

/** Context waiting to be sent with the next question. */
interface PendingContext {
  chip: ContextChip;
  block: ContextBlock;
}

/** How a turn ended, for commands that start one. */
export interface TurnOutcome {
  requestId: string;
  status: 'done' | 'stopped' | 'error';
  answer: string;
  errorKind?: string;
}

const ACTIVE_CONVERSATION = 'genos.activeConversation';
const MAX_FILE_CHARS = 200_000;
/** Deltas are sent to the webview at most this often: the webview renders once per frame anyway. */
const DELTA_INTERVAL_MS = 16;

let counter = 0;
const newId = (prefix: string) => `${prefix}${Date.now().toString(36)}${(counter++).toString(36)}${Math.random().toString(36).slice(2, 6)}`;

function emptyConversation(): Conversation {
  const now = Date.now();
  return { id: newId('conv'), title: '', createdAt: now, updatedAt: now, turns: [] };
}

/** The user-facing strings of the webview, in the user's language. */
export function webviewStrings(): WebviewStrings {
  return {
    placeholder: t('Ask GenOS… (Enter to send, Shift+Enter for a new line)'),
    send: t('Send'),
    stop: t('Stop'),
    history: t('History'),
    attachSelection: t('+ Selection'),
    attachFile: t('+ File'),
    removeContext: t('Remove'),
    thinking: t('Thinking'),
    noSeparateAnswer: t('The model gave no separate answer; its thinking is shown above.'),
    stopped: t('Stopped. The text received so far is kept.'),
    copy: t('Copy'),
    copied: t('Copied'),
    insert: t('Insert'),
    replaceSelection: t('Replace Selection'),
    tokens: t('{0} prompt + {1} answer tokens'),
    modelLabel: t('Model'),
    chooseModel: t('Choose the model'),
    noModel: t('the serving default'),
    emptyTitle: t('Ask your GenOS model'),
    emptyHint: t('Questions and code go only to the GenOS serving in your settings.'),
    historyEmpty: t('No saved conversations yet.'),
    open: t('Open'),
    delete: t('Delete'),
    close: t('Close'),
    you: t('You'),
    assistant: t('GenOS'),
    actions: { setToken: actionLabel('setToken'), openSettings: actionLabel('openSettings'), retry: actionLabel('retry'), showLog: actionLabel('showLog') },
  };
}

/**
 * The chat's state and behaviour, apart from any view: the conversation, pending context, the
 * request in flight. The panel and the editor commands both drive it.
 */
export class ChatController implements vscode.Disposable {
  private conversation: Conversation = emptyConversation();
  private loaded?: Promise<void>;
  private pending: PendingContext[] = [];
  private active?: { requestId: string; controller: AbortController; done: Promise<TurnOutcome> };
  private lastModel = '';
  private lastEditor?: vscode.TextEditor;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly sink: ChatSink,
    private readonly connections: ConnectionManager,
    private readonly store: ConversationStore,
    private readonly state: vscode.Memento,
    private readonly log: Log,
  ) {
    this.lastEditor = vscode.window.activeTextEditor;
    this.disposables.push(
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        if (editor) this.lastEditor = editor;
        this.postSelection();
      }),
      vscode.window.onDidChangeTextEditorSelection((event) => {
        if (event.textEditor === vscode.window.activeTextEditor) this.postSelection();
      }),
    );
  }

  dispose(): void {
    this.active?.controller.abort();
    for (const disposable of this.disposables) disposable.dispose();
  }

  /** The conversation shown, restored from storage on first use. */
  private async current(): Promise<Conversation> {
    this.loaded ??= (async () => {
      const id = this.state.get<string>(ACTIVE_CONVERSATION);
      const saved = id ? await this.store.load(id) : undefined;
      if (saved) {
        // A turn that was streaming when the window closed ended there.
        for (const turn of saved.turns) if (turn.status === 'streaming') turn.status = 'stopped';
        this.conversation = saved;
      }
    })();
    await this.loaded;
    return this.conversation;
  }

  private editor(): vscode.TextEditor | undefined {
    return vscode.window.activeTextEditor ?? this.lastEditor;
  }

  private hasSelection(): boolean {
    const editor = this.editor();
    return !!editor && !editor.selection.isEmpty;
  }

  private selectionTimer?: NodeJS.Timeout;
  private postSelection(): void {
    if (this.selectionTimer) clearTimeout(this.selectionTimer);
    this.selectionTimer = setTimeout(() => this.sink.post({ type: 'selection', hasSelection: this.hasSelection() }), 200);
  }

  private chips(): ContextChip[] {
    return this.pending.map((p) => p.chip);
  }

  /** The whole state, for a webview that just said `ready`. */
  async init(): Promise<HostMessage> {
    const conversation = await this.current();
    return {
      type: 'init',
      strings: webviewStrings(),
      turns: conversation.turns.map(toView),
      model: requestSettings().model || this.lastModel,
      context: this.chips(),
      hasSelection: this.hasSelection(),
    };
  }

  /** Acts on a validated message from the webview. */
  async handle(message: WebviewMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        return;
      case 'send':
        await this.ask(message.text, { clientId: message.clientId });
        return;
      case 'stop':
        this.stop();
        return;
      case 'retry':
        await this.retry(message.requestId);
        return;
      case 'action':
        await this.runAction(message.action, message.requestId);
        return;
      case 'newChat':
        await this.newChat();
        return;
      case 'showHistory':
        this.sink.post({ type: 'history', conversations: await this.store.list() });
        return;
      case 'openConversation':
        await this.open(message.id);
        return;
      case 'deleteConversation':
        await this.remove(message.id);
        return;
      case 'attach':
        if (message.kind === 'selection') this.attachSelection();
        else this.attachFile();
        return;
      case 'removeContext':
        this.pending = this.pending.filter((p) => p.chip.id !== message.id);
        this.sink.post({ type: 'context', context: this.chips() });
        return;
      case 'copy':
        await vscode.env.clipboard.writeText(message.text);
        return;
      case 'insert':
      case 'replaceSelection':
        await this.insert(message.text, message.type === 'replaceSelection');
        return;
      case 'openLink':
        if (isOpenableLink(message.href)) await vscode.env.openExternal(vscode.Uri.parse(message.href));
        return;
      case 'selectModel':
        await vscode.commands.executeCommand('genos.selectModel');
        return;
    }
  }

  /** Attaches the current selection; says so when there is none. Returns whether it attached. */
  attachSelection(): boolean {
    const editor = this.editor();
    if (!editor || editor.selection.isEmpty) {
      void vscode.window.showInformationMessage(t('Select some code in an editor first.'));
      return false;
    }
    const { selection, document } = editor;
    const name = path.basename(document.fileName);
    const label = selection.start.line === selection.end.line ? `${name}:${selection.start.line + 1}` : `${name}:${selection.start.line + 1}-${selection.end.line + 1}`;
    this.addContext('selection', { label, language: document.languageId, text: document.getText(selection) });
    return true;
  }

  /** Attaches the current file. */
  attachFile(): boolean {
    const document = this.editor()?.document;
    if (!document) {
      void vscode.window.showInformationMessage(t('Open a file in an editor first.'));
      return false;
    }
    const text = document.getText();
    if (text.length > MAX_FILE_CHARS) {
      void vscode.window.showWarningMessage(t('The file is too large to attach ({0} characters; the limit is {1}). Attach a selection instead.', text.length, MAX_FILE_CHARS));
      return false;
    }
    this.addContext('file', { label: path.basename(document.fileName), language: document.languageId, text });
    return true;
  }

  private addContext(kind: ContextChip['kind'], block: ContextBlock): void {
    this.pending = [...this.pending.filter((p) => p.chip.label !== block.label), { chip: { id: newId('ctx'), kind, label: block.label }, block }];
    this.sink.post({ type: 'context', context: this.chips() });
  }

  /** Asks a question about the given context (for example a selection), as a new turn. */
  askAbout(question: string, blocks: ContextBlock[]): Promise<TurnOutcome | undefined> {
    const context = blocks.map((block) => ({ chip: { id: newId('ctx'), kind: 'selection' as const, label: block.label }, block }));
    return this.ask(question, { context });
  }

  /** Adds an exchange that happened elsewhere (an inline explanation) so the user can follow up. */
  async adoptTurn(question: string, blocks: ContextBlock[], answer: string, model?: string): Promise<void> {
    const conversation = await this.current();
    const turn: StoredTurn = {
      id: newId('turn'),
      question,
      context: blocks.map((block) => ({ id: newId('ctx'), kind: 'selection', label: block.label })),
      contextBlocks: blocks,
      answer,
      reasoning: '',
      status: 'done',
      model,
    };
    conversation.turns.push(turn);
    conversation.title ||= question.split('\n')[0].slice(0, 80);
    conversation.updatedAt = Date.now();
    await this.state.update(ACTIVE_CONVERSATION, conversation.id);
    await this.store.save(conversation);
    this.sink.post({ type: 'turnStarted', turn: toView({ ...turn, answer: '', status: 'streaming' }) });
    this.sink.post({ type: 'delta', requestId: turn.id, content: answer, reasoning: '' });
    this.sink.post({ type: 'turnDone', requestId: turn.id, status: 'done', model });
  }

  /** Stops the answer being generated, if any. */
  stop(): void {
    this.active?.controller.abort();
  }

  async newChat(): Promise<void> {
    this.stop();
    await this.active?.done;
    await this.current();
    this.conversation = emptyConversation();
    await this.state.update(ACTIVE_CONVERSATION, this.conversation.id);
    this.sink.post(await this.init());
  }

  private async open(id: string): Promise<void> {
    const conversation = await this.store.load(id);
    if (!conversation) return;
    this.stop();
    await this.active?.done;
    for (const turn of conversation.turns) if (turn.status === 'streaming') turn.status = 'stopped';
    this.conversation = conversation;
    await this.state.update(ACTIVE_CONVERSATION, id);
    this.sink.post(await this.init());
  }

  private async remove(id: string): Promise<void> {
    await this.store.delete(id);
    if (id === this.conversation.id) await this.newChat();
    this.sink.post({ type: 'history', conversations: await this.store.list() });
  }

  private async runAction(action: ChatAction, requestId?: string): Promise<void> {
    switch (action) {
      case 'setToken':
        if ((await vscode.commands.executeCommand('genos.setToken')) && requestId) await this.retry(requestId);
        return;
      case 'openSettings':
        await openSettings();
        return;
      case 'showLog':
        this.log.show();
        return;
      case 'retry':
        if (requestId) await this.retry(requestId);
        return;
    }
  }

  /** Sends a turn again: the same question and context, in place of its failed answer. */
  async retry(requestId: string): Promise<TurnOutcome | undefined> {
    const conversation = await this.current();
    const turn = conversation.turns.find((t) => t.id === requestId);
    if (!turn || turn.status === 'streaming' || this.active) return undefined;
    return this.ask(turn.question, { context: turn.contextBlocks.map((block) => ({ chip: { id: newId('ctx'), kind: 'selection', label: block.label }, block })), replace: turn });
  }

  /** Asks the model a question in the current conversation, with the pending context. */
  async ask(question: string, options: { clientId?: string; context?: PendingContext[]; replace?: StoredTurn } = {}): Promise<TurnOutcome | undefined> {
    const text = question.trim();
    if (!text) return undefined;
    if (this.active) {
      if (options.clientId) this.sink.post({ type: 'refused', clientId: options.clientId, message: t('Wait for the current answer, or stop it first.'), actions: [] });
      return undefined;
    }
    let connection;
    try {
      connection = await this.connections.connect(true);
    } catch (error) {
      const failure = asGenosError(error, this.log);
      const message = describeError(failure, t);
      if (options.clientId) this.sink.post({ type: 'refused', clientId: options.clientId, message, actions: errorActions(failure).filter((a) => a !== 'retry') });
      else void showError(failure, this.log);
      return { requestId: '', status: 'error', answer: '', errorKind: failure.kind };
    }

    const conversation = await this.current();
    const context = options.context ?? this.pending;
    if (!options.context) this.pending = [];
    const history = conversation.turns.filter((turn) => turn !== options.replace && (turn.status === 'done' || turn.status === 'stopped'));
    const turn: StoredTurn = options.replace ?? { id: newId('turn'), question: text, context: [], answer: '', reasoning: '', status: 'streaming', contextBlocks: [] };
    Object.assign(turn, { question: text, context: context.map((c) => c.chip), contextBlocks: context.map((c) => c.block), answer: '', reasoning: '', status: 'streaming', error: undefined, usage: undefined });
    if (!options.replace) conversation.turns.push(turn);
    conversation.title ||= text.split('\n')[0].slice(0, 80);
    conversation.updatedAt = Date.now();
    await this.state.update(ACTIVE_CONVERSATION, conversation.id);
    // The question is saved before anything is sent: nothing the user typed is lost.
    await this.store.save(conversation);
    this.sink.post({ type: 'turnStarted', turn: toView(turn), clientId: options.clientId });
    if (!options.context) this.sink.post({ type: 'context', context: [] });

    const controller = new AbortController();
    const done = this.stream(connection, conversation, turn, history, controller.signal);
    this.active = { requestId: turn.id, controller, done };
    try {
      return await done;
    } finally {
      this.active = undefined;
    }
  }

  private async stream(
    connection: Awaited<ReturnType<ConnectionManager['connect']>>,
    conversation: Conversation,
    turn: StoredTurn,
    history: StoredTurn[],
    signal: AbortSignal,
  ): Promise<TurnOutcome> {
    let content = '';
    let reasoning = '';
    let timer: NodeJS.Timeout | undefined;
    let lastFlush = 0;
    const flush = () => {
      timer = undefined;
      lastFlush = Date.now();
      if (!content && !reasoning) return;
      this.sink.post({ type: 'delta', requestId: turn.id, content, reasoning });
      content = '';
      reasoning = '';
    };
    try {
      const model = await this.connections.model(connection, signal);
      turn.model = model;
      if (model !== this.lastModel) {
        this.lastModel = model;
        this.sink.post({ type: 'model', model });
      }
      const settings = requestSettings();
      const past = history.map((h) => ({ question: h.question, context: h.contextBlocks, answer: h.answer }));
      const messages = buildMessages(settings.systemPrompt, past, turn.question, turn.contextBlocks);
      for await (const event of connection.client.chat(messages, { model, temperature: settings.temperature, maxTokens: settings.maxTokens }, signal)) {
        if (event.type === 'content') {
          turn.answer += event.text;
          content += event.text;
        } else if (event.type === 'reasoning') {
          turn.reasoning += event.text;
          reasoning += event.text;
        } else if (event.type === 'usage') {
          turn.usage = event.usage;
          continue;
        } else {
          continue;
        }
        // At most one message per interval; the first delta after a quiet spell goes at once.
        if (!timer) {
          const wait = lastFlush + DELTA_INTERVAL_MS - Date.now();
          if (wait <= 0) flush();
          else timer = setTimeout(flush, wait);
        }
      }
      if (timer) clearTimeout(timer);
      flush();
      turn.status = 'done';
      this.sink.post({ type: 'turnDone', requestId: turn.id, status: 'done', usage: turn.usage, model });
      return { requestId: turn.id, status: 'done', answer: turn.answer };
    } catch (error) {
      if (timer) clearTimeout(timer);
      flush();
      const failure = asGenosError(error, this.log);
      if (failure instanceof GenosError && failure.kind === 'cancelled') {
        turn.status = 'stopped';
        this.sink.post({ type: 'turnDone', requestId: turn.id, status: 'stopped', usage: turn.usage, model: turn.model });
        return { requestId: turn.id, status: 'stopped', answer: turn.answer };
      }
      turn.status = 'error';
      turn.error = { message: describeError(failure, t), actions: errorActions(failure) };
      this.sink.post({ type: 'turnError', requestId: turn.id, message: turn.error.message, actions: turn.error.actions, status: 'error' });
      return { requestId: turn.id, status: 'error', answer: turn.answer, errorKind: failure.kind };
    } finally {
      conversation.updatedAt = Date.now();
      await this.store.save(conversation);
    }
  }

  private async insert(text: string, replaceSelection: boolean): Promise<void> {
    const editor = this.editor();
    if (!editor) {
      void vscode.window.showInformationMessage(t('Open a file in an editor first.'));
      return;
    }
    await editor.edit((edit) => {
      if (replaceSelection) edit.replace(editor.selection, text);
      else edit.insert(editor.selection.active, text);
    });
    await vscode.window.showTextDocument(editor.document, editor.viewColumn);
  }

  /** Lets the user choose the model from the serving's list; saves it in user settings. */
  async selectModel(): Promise<string | undefined> {
    const connection = await this.connections.connect(true);
    const models = await connection.client.listModels();
    const current = requestSettings().model || this.lastModel;
    const picked = await vscode.window.showQuickPick(
      models.map((id) => ({ label: id, description: id === current ? t('current') : undefined })),
      { title: t('GenOS: Select Model'), placeHolder: t('Choose the model to ask') },
    );
    if (!picked) return undefined;
    await saveModel(picked.label);
    this.lastModel = picked.label;
    this.sink.post({ type: 'model', model: picked.label });
    return picked.label;
  }

  /** For tests and commands: the request in flight. */
  get activeRequest(): Promise<TurnOutcome> | undefined {
    return this.active?.done;
  }
}

function toView(turn: StoredTurn): TurnView {
  return { id: turn.id, question: turn.question, context: turn.context, answer: turn.answer, reasoning: turn.reasoning, status: turn.status, model: turn.model, usage: turn.usage, error: turn.error };
}
