import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ContextBlock } from '../client/prompts';
import { isOpenableLink } from '../shared/protocol';
import { t } from './l10n';

const MAX_FILE_CHARS = 200_000;
/** Selection changes are reported after this quiet time, not on every cursor move. */
const SELECTION_QUIET_MS = 200;

/**
 * What the chat panel reads from and does to the editor: the selection and file it attaches, the
 * code it inserts, and the clipboard and links. Remembers the last text editor, because focusing
 * the panel leaves no active one.
 */
export class EditorContext implements vscode.Disposable {
  private lastEditor = vscode.window.activeTextEditor;
  private selectionTimer?: NodeJS.Timeout;
  private readonly selectionChanged = new vscode.EventEmitter<boolean>();
  /** Whether there is a selection, after it settles. */
  readonly onDidChangeSelection = this.selectionChanged.event;
  private readonly disposables: vscode.Disposable[] = [this.selectionChanged];

  constructor() {
    this.disposables.push(
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        if (editor) this.lastEditor = editor;
        this.selectionMoved();
      }),
      vscode.window.onDidChangeTextEditorSelection((event) => {
        if (event.textEditor === vscode.window.activeTextEditor) this.selectionMoved();
      }),
    );
  }

  dispose(): void {
    if (this.selectionTimer) clearTimeout(this.selectionTimer);
    for (const disposable of this.disposables) disposable.dispose();
  }

  private editor(): vscode.TextEditor | undefined {
    return vscode.window.activeTextEditor ?? this.lastEditor;
  }

  private selectionMoved(): void {
    if (this.selectionTimer) clearTimeout(this.selectionTimer);
    this.selectionTimer = setTimeout(() => this.selectionChanged.fire(this.hasSelection()), SELECTION_QUIET_MS);
  }

  hasSelection(): boolean {
    const editor = this.editor();
    return !!editor && !editor.selection.isEmpty;
  }

  /** The current selection as context; says so and returns undefined when there is none. */
  selection(): ContextBlock | undefined {
    const editor = this.editor();
    if (!editor || editor.selection.isEmpty) {
      void vscode.window.showInformationMessage(t('Select some code in an editor first.'));
      return undefined;
    }
    const { selection, document } = editor;
    const name = path.basename(document.fileName);
    const label = selection.start.line === selection.end.line ? `${name}:${selection.start.line + 1}` : `${name}:${selection.start.line + 1}-${selection.end.line + 1}`;
    return { label, language: document.languageId, text: document.getText(selection) };
  }

  /** The current file as context; says why and returns undefined when there is none or it is too large. */
  file(): ContextBlock | undefined {
    const document = this.editor()?.document;
    if (!document) {
      void vscode.window.showInformationMessage(t('Open a file in an editor first.'));
      return undefined;
    }
    const text = document.getText();
    if (text.length > MAX_FILE_CHARS) {
      void vscode.window.showWarningMessage(t('The file is too large to attach ({0} characters; the limit is {1}). Attach a selection instead.', text.length, MAX_FILE_CHARS));
      return undefined;
    }
    return { label: path.basename(document.fileName), language: document.languageId, text };
  }

  /** Inserts code at the cursor, or in place of the selection. */
  async insert(text: string, replaceSelection: boolean): Promise<void> {
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

  copy(text: string): Thenable<void> {
    return vscode.env.clipboard.writeText(text);
  }

  /** Opens an http(s) link from an answer in the browser; anything else is ignored. */
  async openLink(href: string): Promise<void> {
    if (isOpenableLink(href)) await vscode.env.openExternal(vscode.Uri.parse(href));
  }
}
