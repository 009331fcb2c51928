import * as path from 'node:path';
import * as vscode from 'vscode';
import { SMALL_SELECTION_LINES, SURROUNDING_LINES, type Selection } from '../../client/prompts';
import { t } from '../base/l10n';

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
