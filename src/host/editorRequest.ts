import * as path from 'node:path';
import * as vscode from 'vscode';
import { describeRetryWait } from '../client/errorMessages';
import { SMALL_SELECTION_LINES, SURROUNDING_LINES, type Selection } from '../client/prompts';
import { withProgress } from './interaction';
import { showError } from './errorUi';
import { t } from './l10n';
import type { Log } from './log';
import type { TurnRunner, TurnSpec } from './turnRunner';

/** What an inline explanation or a rewrite ended as, for callers and tests. */
export interface EditorOutcome {
  status: 'done' | 'stopped' | 'error' | 'cancelled';
  answer: string;
  errorKind?: string;
  /** The proposed code of a rewrite. */
  proposed?: string;
  /** The markdown an inline explanation shows last, as given to the editor's renderer. */
  shown?: string;
  model?: string;
}

/** The active editor when it has a selection; otherwise says so and returns undefined. */
export function selectedEditor(): vscode.TextEditor | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.selection.isEmpty) {
    void vscode.window.showInformationMessage(t('Select some code in an editor first.'));
    return undefined;
  }
  return editor;
}

/** The selection of an editor, with a few surrounding lines when it is small. */
export function readSelection(editor: vscode.TextEditor): Selection {
  const { document, selection } = editor;
  // A selection that ends at the start of a line does not include that line.
  const lastLine =
    selection.end.character === 0 && selection.end.line > selection.start.line
      ? selection.end.line - 1
      : selection.end.line;
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
 * Requests made from the editor outside the chat (inline explanations, rewrites): each runs with a
 * cancellable progress notification, and `stop()` ends them all. Failures are shown as notifications.
 */
export class EditorRequests implements vscode.Disposable {
  private readonly controllers = new Set<AbortController>();

  constructor(
    private readonly runner: TurnRunner,
    private readonly log: Log,
  ) {}

  stop(): void {
    for (const controller of this.controllers) controller.abort();
  }

  dispose(): void {
    this.stop();
  }

  /** Streams an answer; `onAnswer` gets the answer so far each time it grows. */
  async stream(title: string, prompt: TurnSpec['prompt'], onAnswer?: (answer: string) => void): Promise<EditorOutcome> {
    const controller = new AbortController();
    this.controllers.add(controller);
    try {
      let answer = '';
      const result = await withProgress(title, (token, progress) =>
        this.runner.run({
          token,
          signal: controller.signal,
          prompt,
          onRetryWait: (wait) => progress.report({ message: describeRetryWait(wait, t) }),
          onText: (kind, text) => {
            if (kind !== 'content') return;
            answer += text;
            onAnswer?.(answer);
          },
        }),
      );
      if (result.error) void showError(result.error, this.log);
      return { status: result.status, answer: result.answer, errorKind: result.error?.kind, model: result.model };
    } finally {
      this.controllers.delete(controller);
    }
  }
}
