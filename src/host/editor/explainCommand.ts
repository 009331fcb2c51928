import * as vscode from 'vscode';
import { rulesFor } from '../context/rules';
import { explainQuestion, selectionContext, type Selection } from '../../client/prompts';
import { imagesAsLinks } from '../../shared/imageLinks';
import { withProgress } from '../base/interaction';
import { t } from '../base/l10n';
import type { ChatController } from '../chat/chatController';
import type { ChatViewProvider } from '../chat/chatView';
import { explainOutput } from '../connection/settings';
import { readSelection, selectedEditor } from '../context/selection';
import { replyOf, type RequestOutcome } from '../requests/requestPath';
import type { EditorRequests } from './editorRequests';

/** Inline explanations are redrawn at most this often while they stream. */
const INLINE_REDRAW_MS = 100;

interface Explanation {
  question: string;
  selection: Selection;
  answer: string;
  model?: string;
}

/**
 * Explain Selection: to the chat panel, or inline as a comment thread that updates as the answer
 * streams and can move to the panel for a follow-up.
 */
export class ExplainCommand implements vscode.Disposable {
  private comments?: vscode.CommentController;
  private readonly threads = new Map<vscode.CommentThread, Explanation>();
  private readonly disposables: vscode.Disposable[];

  constructor(
    private readonly chat: ChatController,
    private readonly view: ChatViewProvider,
    private readonly requests: EditorRequests,
  ) {
    this.disposables = [
      vscode.commands.registerCommand('genos.explainSelection', () => this.explain()),
      vscode.commands.registerCommand('genos.closeExplanation', (thread?: vscode.CommentThread) =>
        this.closeThread(thread),
      ),
      vscode.commands.registerCommand('genos.continueInPanel', (thread?: vscode.CommentThread) =>
        this.continueInPanel(thread),
      ),
    ];
  }

  dispose(): void {
    for (const thread of this.threads.keys()) thread.dispose();
    this.comments?.dispose();
    for (const disposable of this.disposables) disposable.dispose();
  }

  /** `genos.explainSelection`: to the panel, or inline, as `genos.explainOutput` says. */
  async explain(): Promise<RequestOutcome | undefined> {
    const editor = selectedEditor();
    if (!editor) return undefined;
    const selection = readSelection(editor);
    const question = explainQuestion(selection, t);
    if (explainOutput() === 'inline') return this.explainInline(editor, selection, question);
    await this.view.reveal();
    return withProgress(t('GenOS is explaining…'), (cancellation) =>
      this.chat.askAbout(question, selectionContext(selection), cancellation),
    );
  }

  private async explainInline(
    editor: vscode.TextEditor,
    selection: Selection,
    question: string,
  ): Promise<RequestOutcome> {
    this.comments ??= vscode.comments.createCommentController('genos.explain', 'GenOS');
    const thread = this.comments.createCommentThread(
      editor.document.uri,
      new vscode.Range(editor.selection.start, editor.selection.end),
      [],
    );
    thread.label = 'GenOS';
    thread.canReply = false;
    thread.contextValue = 'genos.explanation';
    thread.collapsibleState = vscode.CommentThreadCollapsibleState.Expanded;
    const record: Explanation = { question, selection, answer: '' };
    this.threads.set(thread, record);
    let shown = '';
    const show = (markdown: string) => {
      // Model output is untrusted: no command links, no HTML, and no image that loads.
      shown = imagesAsLinks(markdown);
      const body = new vscode.MarkdownString(shown);
      body.isTrusted = false;
      body.supportHtml = false;
      thread.comments = [{ body, mode: vscode.CommentMode.Preview, author: { name: 'GenOS' } }];
    };
    show(t('GenOS is explaining…'));
    let timer: NodeJS.Timeout | undefined;
    let latest = '';
    const { rules } = await rulesFor([editor.document.uri]);
    const outcome = await this.requests.stream(
      t('GenOS is explaining…'),
      (settings) => ({
        system: settings.systemPrompt,
        rules,
        history: [],
        question,
        context: selectionContext(selection),
      }),
      (answer) => {
        latest = answer;
        timer ??= setTimeout(() => {
          timer = undefined;
          show(latest);
        }, INLINE_REDRAW_MS);
      },
    );
    if (timer) clearTimeout(timer);
    // A serving that put its whole reply in the reasoning field: that is the explanation.
    record.answer = replyOf(outcome);
    record.model = outcome.model;
    const notes: string[] = [];
    if (outcome.status === 'stopped') notes.push(`_${t('Stopped. The text received so far is kept.')}_`);
    if (outcome.status === 'error') {
      notes.push(`_${t('The explanation stopped with an error; see the notification.')}_`);
    }
    show([record.answer, ...notes].filter(Boolean).join('\n\n') || t('No answer.'));
    return { ...outcome, shown };
  }

  private latest(thread?: vscode.CommentThread): vscode.CommentThread | undefined {
    return thread ?? [...this.threads.keys()].at(-1);
  }

  private closeThread(thread?: vscode.CommentThread): void {
    const target = this.latest(thread);
    if (!target) return;
    this.threads.delete(target);
    target.dispose();
  }

  /** Moves an inline explanation into the chat panel, where the user can ask a follow-up. */
  private async continueInPanel(thread?: vscode.CommentThread): Promise<void> {
    const target = this.latest(thread);
    const record = target && this.threads.get(target);
    if (!target || !record) return;
    await this.view.reveal();
    await this.chat.adoptTurn(record.question, selectionContext(record.selection), record.answer, record.model);
    this.closeThread(target);
  }
}
