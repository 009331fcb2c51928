import * as path from 'node:path';
import * as vscode from 'vscode';
import { buildMessages, extractCode, rewriteMessages, selectionContext, SMALL_SELECTION_LINES, SURROUNDING_LINES, type Selection } from '../client/prompts';
import { withTurnProgress } from './askCommand';
import type { ChatController, TurnOutcome } from './chatController';
import type { ChatViewProvider } from './chatView';
import type { ConnectionManager } from './connection';
import { asGenosError, showError } from './errorUi';
import { t } from './l10n';
import type { Log } from './log';
import { requestSettings } from './settings';

const REWRITE_SCHEME = 'genos-rewrite';
/** Inline explanations are redrawn at most this often while they stream. */
const INLINE_REDRAW_MS = 100;

/** What an inline explanation or a rewrite ended as, for callers and tests. */
export interface EditorOutcome {
  status: 'done' | 'stopped' | 'error' | 'cancelled';
  answer: string;
  errorKind?: string;
  /** The proposed code of a rewrite. */
  proposed?: string;
}

export interface ApplyResult {
  applied: boolean;
  reason?: 'none' | 'changed';
}

interface PendingRewrite {
  uri: vscode.Uri;
  range: vscode.Range;
  version: number;
  original: string;
  proposed: string;
  proposalUri: vscode.Uri;
}

/** The selection of an editor, with a few surrounding lines when it is small. */
export function readSelection(editor: vscode.TextEditor): Selection {
  const { document, selection } = editor;
  // A selection that ends at the start of a line does not include that line.
  const lastLine = selection.end.character === 0 && selection.end.line > selection.start.line ? selection.end.line - 1 : selection.end.line;
  let before = '';
  let after = '';
  if (lastLine - selection.start.line + 1 < SMALL_SELECTION_LINES) {
    const from = Math.max(0, selection.start.line - SURROUNDING_LINES);
    const to = Math.min(document.lineCount - 1, lastLine + SURROUNDING_LINES);
    before = document.getText(new vscode.Range(from, 0, selection.start.line, selection.start.character));
    after = document.getText(new vscode.Range(selection.end, document.lineAt(to).range.end));
  }
  return {
    code: document.getText(selection),
    language: document.languageId,
    fileName: path.basename(document.uri.path),
    startLine: selection.start.line + 1,
    endLine: lastLine + 1,
    before,
    after,
  };
}

/**
 * Explain and Rewrite Selection. Explanations go to the chat panel or inline (a comment thread
 * that updates as the answer streams); rewrites are shown as a diff and applied, as one undoable
 * edit, only when accepted and only where the original still stands.
 */
export class EditorCommands implements vscode.Disposable, vscode.TextDocumentContentProvider {
  private comments?: vscode.CommentController;
  private readonly threads = new Map<vscode.CommentThread, { question: string; selection: Selection; answer: string; model?: string }>();
  private pending?: PendingRewrite;
  private readonly proposals = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly requests = new Set<AbortController>();
  private lastInstruction = '';
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly chat: ChatController,
    private readonly view: ChatViewProvider,
    private readonly connections: ConnectionManager,
    private readonly log: Log,
  ) {
    this.disposables.push(
      vscode.workspace.registerTextDocumentContentProvider(REWRITE_SCHEME, this),
      vscode.commands.registerCommand('genos.explainSelection', () => this.explain()),
      vscode.commands.registerCommand('genos.rewriteSelection', (instruction?: unknown) => this.rewrite(instruction)),
      vscode.commands.registerCommand('genos.acceptRewrite', () => this.accept()),
      vscode.commands.registerCommand('genos.rejectRewrite', () => this.reject()),
      vscode.commands.registerCommand('genos.closeExplanation', (thread?: vscode.CommentThread) => this.closeThread(thread)),
      vscode.commands.registerCommand('genos.continueInPanel', (thread?: vscode.CommentThread) => this.continueInPanel(thread)),
      this.changed,
    );
  }

  dispose(): void {
    this.stop();
    for (const thread of this.threads.keys()) thread.dispose();
    this.comments?.dispose();
    for (const disposable of this.disposables) disposable.dispose();
  }

  /** Stops any explanation or rewrite being generated. */
  stop(): void {
    for (const request of this.requests) request.abort();
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.proposals.get(uri.toString()) ?? '';
  }

  private selectedEditor(): vscode.TextEditor | undefined {
    const editor = vscode.window.activeTextEditor;
    if (!editor || editor.selection.isEmpty) {
      void vscode.window.showInformationMessage(t('Select some code in an editor first.'));
      return undefined;
    }
    return editor;
  }

  private explainQuestion(selection: Selection): string {
    return t('Explain the selected {0} code in {1}: what it does, how it works, and anything surprising or risky in it. Be concise.', selection.language, selection.fileName);
  }

  /** `genos.explainSelection`: to the panel, or inline, as `genos.explainOutput` says. */
  async explain(): Promise<TurnOutcome | EditorOutcome | undefined> {
    const editor = this.selectedEditor();
    if (!editor) return undefined;
    const selection = readSelection(editor);
    const question = this.explainQuestion(selection);
    if (vscode.workspace.getConfiguration('genos').get('explainOutput') === 'inline') return this.explainInline(editor, selection, question);
    await this.view.reveal();
    return withTurnProgress(t('GenOS is explaining…'), this.chat, () => this.chat.askAbout(question, selectionContext(selection)));
  }

  /** Streams a request outside the chat, with a cancellable progress notification. */
  private async stream(title: string, build: (model: string) => Parameters<import('../client/genosClient').GenosClient['chat']>[0], onText: (answer: string) => void): Promise<EditorOutcome & { model?: string }> {
    let connection;
    try {
      connection = await this.connections.connect(true);
    } catch (error) {
      const failure = asGenosError(error, this.log);
      void showError(failure, this.log);
      return { status: 'error', answer: '', errorKind: failure.kind };
    }
    const controller = new AbortController();
    this.requests.add(controller);
    let answer = '';
    let model: string | undefined;
    try {
      return await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (_progress, cancellation) => {
        const subscription = cancellation.onCancellationRequested(() => controller.abort());
        try {
          model = await this.connections.model(connection, controller.signal);
          const settings = requestSettings();
          for await (const event of connection.client.chat(build(model), { model, temperature: settings.temperature, maxTokens: settings.maxTokens }, controller.signal)) {
            if (event.type === 'content') {
              answer += event.text;
              onText(answer);
            }
          }
          return { status: 'done' as const, answer, model };
        } finally {
          subscription.dispose();
        }
      });
    } catch (error) {
      const failure = asGenosError(error, this.log);
      if (failure.kind === 'cancelled') return { status: 'stopped', answer, model };
      void showError(failure, this.log);
      return { status: 'error', answer, errorKind: failure.kind, model };
    } finally {
      this.requests.delete(controller);
    }
  }

  private async explainInline(editor: vscode.TextEditor, selection: Selection, question: string): Promise<EditorOutcome> {
    this.comments ??= vscode.comments.createCommentController('genos.explain', 'GenOS');
    const thread = this.comments.createCommentThread(editor.document.uri, new vscode.Range(editor.selection.start, editor.selection.end), []);
    thread.label = 'GenOS';
    thread.canReply = false;
    thread.contextValue = 'genos.explanation';
    thread.collapsibleState = vscode.CommentThreadCollapsibleState.Expanded;
    const record = { question, selection, answer: '' as string, model: undefined as string | undefined };
    this.threads.set(thread, record);
    const show = (markdown: string) => {
      // Model output is untrusted: no command links, no HTML.
      const body = new vscode.MarkdownString(markdown);
      body.isTrusted = false;
      body.supportHtml = false;
      thread.comments = [{ body, mode: vscode.CommentMode.Preview, author: { name: 'GenOS' } }];
    };
    show(t('GenOS is explaining…'));
    let timer: NodeJS.Timeout | undefined;
    let latest = '';
    const outcome = await this.stream(
      t('GenOS is explaining…'),
      () => buildMessages(requestSettings().systemPrompt, [], question, selectionContext(selection)),
      (answer) => {
        latest = answer;
        timer ??= setTimeout(() => {
          timer = undefined;
          show(latest);
        }, INLINE_REDRAW_MS);
      },
    );
    if (timer) clearTimeout(timer);
    record.answer = outcome.answer;
    record.model = outcome.model;
    const notes: string[] = [];
    if (outcome.status === 'stopped') notes.push(`_${t('Stopped. The text received so far is kept.')}_`);
    if (outcome.status === 'error') notes.push(`_${t('The explanation stopped with an error; see the notification.')}_`);
    show([outcome.answer, ...notes].filter(Boolean).join('\n\n') || t('No answer.'));
    return outcome;
  }

  private closeThread(thread?: vscode.CommentThread): void {
    const target = thread ?? [...this.threads.keys()].at(-1);
    if (!target) return;
    this.threads.delete(target);
    target.dispose();
  }

  /** Moves an inline explanation into the chat panel, where the user can ask a follow-up. */
  private async continueInPanel(thread?: vscode.CommentThread): Promise<void> {
    const target = thread ?? [...this.threads.keys()].at(-1);
    const record = target && this.threads.get(target);
    if (!target || !record) return;
    await this.view.reveal();
    await this.chat.adoptTurn(record.question, selectionContext(record.selection), record.answer, record.model);
    this.closeThread(target);
  }

  /** `genos.rewriteSelection`: asks what to change, streams new code, shows it as a diff. */
  async rewrite(instruction?: unknown): Promise<EditorOutcome | undefined> {
    const editor = this.selectedEditor();
    if (!editor) return undefined;
    const asked =
      typeof instruction === 'string'
        ? instruction
        : await vscode.window.showInputBox({
            title: t('GenOS: Rewrite Selection'),
            prompt: t('What should change? Leave empty to improve the code.'),
            placeHolder: t('For example: handle errors, or use async/await'),
            value: this.lastInstruction,
            ignoreFocusOut: true,
          });
    if (asked === undefined) return { status: 'cancelled', answer: '' };
    // Kept until the rewrite is shown, so a failure never loses what the user asked for.
    this.lastInstruction = asked;
    const { document } = editor;
    const range = new vscode.Range(editor.selection.start, editor.selection.end);
    const version = document.version;
    const selection = readSelection(editor);
    const outcome = await this.stream(t('GenOS is rewriting the selection…'), () => rewriteMessages(requestSettings().systemPrompt, selection, asked), () => undefined);
    if (outcome.status !== 'done') return outcome;
    const proposed = extractCode(outcome.answer, selection.code);
    if (!proposed.trim()) {
      void vscode.window.showWarningMessage(t('GenOS answered without any code, so there is nothing to apply.'));
      return { ...outcome, status: 'error', errorKind: 'noCode' };
    }
    this.lastInstruction = '';
    await this.propose(document, range, version, selection.code, proposed);
    return { ...outcome, proposed };
  }

  private async propose(document: vscode.TextDocument, range: vscode.Range, version: number, original: string, proposed: string): Promise<void> {
    if (this.pending) this.proposals.delete(this.pending.proposalUri.toString());
    const proposalUri = vscode.Uri.from({ scheme: REWRITE_SCHEME, path: document.uri.path, query: `v=${Date.now()}` });
    const text = document.getText();
    const whole = text.slice(0, document.offsetAt(range.start)) + proposed + text.slice(document.offsetAt(range.end));
    this.proposals.set(proposalUri.toString(), whole);
    this.changed.fire(proposalUri);
    this.pending = { uri: document.uri, range, version, original, proposed, proposalUri };
    await vscode.commands.executeCommand('vscode.diff', document.uri, proposalUri, t('GenOS rewrite of {0}: original ↔ proposed', path.basename(document.uri.path)), { preview: true });
    const accept = t('Accept');
    const reject = t('Reject');
    void vscode.window.showInformationMessage(t('Review the rewrite, then accept or reject it.'), accept, reject).then((choice) => {
      if (choice === accept) void vscode.commands.executeCommand('genos.acceptRewrite');
      else if (choice === reject) void vscode.commands.executeCommand('genos.rejectRewrite');
    });
  }

  private async closeProposal(pending: PendingRewrite): Promise<void> {
    this.proposals.delete(pending.proposalUri.toString());
    const tabs = vscode.window.tabGroups.all.flatMap((group) => group.tabs).filter((tab) => tab.input instanceof vscode.TabInputTextDiff && tab.input.modified.toString() === pending.proposalUri.toString());
    if (tabs.length) await vscode.window.tabGroups.close(tabs);
  }

  /** `genos.acceptRewrite`: applies the proposal to exactly the original range, as one edit. */
  async accept(): Promise<ApplyResult> {
    const pending = this.pending;
    if (!pending) {
      void vscode.window.showInformationMessage(t('There is no rewrite to accept.'));
      return { applied: false, reason: 'none' };
    }
    this.pending = undefined;
    const document = await vscode.workspace.openTextDocument(pending.uri);
    await this.closeProposal(pending);
    if (document.version !== pending.version && document.getText(pending.range) !== pending.original) {
      void vscode.window.showWarningMessage(t('The code changed while GenOS was rewriting it, so the rewrite was not applied. Run Rewrite Selection again.'));
      return { applied: false, reason: 'changed' };
    }
    const edit = new vscode.WorkspaceEdit();
    edit.replace(pending.uri, pending.range, pending.proposed);
    const applied = await vscode.workspace.applyEdit(edit);
    await vscode.window.showTextDocument(document);
    return { applied };
  }

  /** `genos.rejectRewrite`: discards the proposal; the file is untouched. */
  async reject(): Promise<ApplyResult> {
    const pending = this.pending;
    this.pending = undefined;
    if (pending) await this.closeProposal(pending);
    return { applied: false, reason: pending ? undefined : 'none' };
  }
}
