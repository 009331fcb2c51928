import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ContextBlock } from '../../client/prompts';
import { isOpenableLink } from '../../shared/protocol';
import { t } from '../base/l10n';
import { problemLines } from './problems';
import { capText, MAX_FILE_CHARS } from './workspaceFiles';
import { plainTerminalText, type ShellEvents, type ShellExecutionEvent, type TerminalCommand } from './workspaceText';

/** Diagnostics attached at most, most severe first. */
const MAX_PROBLEMS = 100;
/** Output kept of the last terminal command (its end, where the result and errors are). */
const MAX_TERMINAL_CHARS = 20_000;
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

  /** The last command of each terminal, when shell integration reports it. */
  private readonly commands = new Map<vscode.Terminal, TerminalCommand>();

  constructor() {
    const shell = vscode.window as unknown as ShellEvents;
    if (shell.onDidStartTerminalShellExecution) {
      this.disposables.push(
        shell.onDidStartTerminalShellExecution((event) => void this.capture(event)),
        vscode.window.onDidCloseTerminal((terminal) => this.commands.delete(terminal)),
      );
    }
    if (shell.onDidEndTerminalShellExecution) {
      this.disposables.push(
        shell.onDidEndTerminalShellExecution((event) => {
          const command = this.commands.get(event.terminal);
          if (command && command.command === event.execution.commandLine.value) {
            Object.assign(command, { exitCode: event.exitCode, done: true });
          }
        }),
      );
    }
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
    const where =
      selection.start.line === selection.end.line
        ? `${name}:${selection.start.line + 1}`
        : `${name}:${selection.start.line + 1}-${selection.end.line + 1}`;
    const { text, label } = capText(document.getText(selection), where);
    return { label, language: document.languageId, text, firstLine: selection.start.line + 1 };
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
      void vscode.window.showWarningMessage(
        t(
          'The file is too large to attach ({0} characters; the limit is {1}). Attach a selection instead.',
          text.length,
          MAX_FILE_CHARS,
        ),
      );
      return undefined;
    }
    return { label: path.basename(document.fileName), language: document.languageId, text, firstLine: 1 };
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

  /** Reads a command's output as it runs, keeping its end. */
  private async capture(event: ShellExecutionEvent): Promise<void> {
    const command: TerminalCommand = {
      terminal: event.terminal,
      command: event.execution.commandLine.value,
      output: '',
      done: false,
    };
    this.commands.set(event.terminal, command);
    try {
      for await (const data of event.execution.read()) {
        command.output = (command.output + data).slice(-MAX_TERMINAL_CHARS * 2);
      }
    } catch {
      // The terminal went away: what was read is kept.
    }
  }

  /** Diagnostics of the current file (or every file), with the line each points at. */
  problems(scope: 'file' | 'workspace'): ContextBlock | undefined {
    const document = this.editor()?.document;
    const entries =
      scope === 'file'
        ? document
          ? [[document.uri, vscode.languages.getDiagnostics(document.uri)] as const]
          : []
        : vscode.languages.getDiagnostics();
    const lines = problemLines(entries, MAX_PROBLEMS);
    if (lines.length === 0) {
      void vscode.window.showInformationMessage(
        scope === 'file'
          ? t('The current file has no problems to attach.')
          : t('The workspace has no problems to attach.'),
      );
      return undefined;
    }
    const label =
      scope === 'file' && document
        ? t('Problems in {0}', path.basename(document.fileName))
        : t('Problems in the workspace');
    return { label, language: 'text', text: lines.join('\n') };
  }

  /** What the visible editors show, each as its own block. */
  editors(): ContextBlock[] {
    const blocks = vscode.window.visibleTextEditors
      .filter((editor) => editor.document.uri.scheme === 'file' || editor.document.uri.scheme === 'untitled')
      .map((editor) => {
        const range = editor.visibleRanges.reduce(
          (all, r) => all.union(r),
          editor.visibleRanges[0] ?? new vscode.Range(0, 0, 0, 0),
        );
        const full = new vscode.Range(
          range.start.line,
          0,
          range.end.line,
          editor.document.lineAt(Math.min(range.end.line, editor.document.lineCount - 1)).text.length,
        );
        const name = path.basename(editor.document.fileName);
        return {
          label: `${name}:${full.start.line + 1}-${full.end.line + 1}`,
          language: editor.document.languageId,
          text: editor.document.getText(full),
          firstLine: full.start.line + 1,
        };
      });
    if (blocks.length === 0) void vscode.window.showInformationMessage(t('Open a file in an editor first.'));
    return blocks;
  }

  /** The last command run in the active terminal and its output, when shell integration reports it. */
  terminal(): ContextBlock | undefined {
    const terminal = vscode.window.activeTerminal;
    const command = terminal ? this.commands.get(terminal) : [...this.commands.values()].at(-1);
    if (!command) {
      void vscode.window.showInformationMessage(
        t(
          "No terminal command to attach: run one in a terminal with shell integration (VS Code's default for bash, zsh, fish and PowerShell), then attach it.",
        ),
      );
      return undefined;
    }
    const output = plainTerminalText(command.output).slice(-MAX_TERMINAL_CHARS);
    const status = command.done
      ? command.exitCode === undefined
        ? ''
        : ` (exit code ${command.exitCode})`
      : ' (still running)';
    return {
      label: t('Terminal: {0}', command.command.slice(0, 60)),
      language: 'shell',
      text: `$ ${command.command}${status}\n${output}`,
    };
  }

  copy(text: string): Thenable<void> {
    return vscode.env.clipboard.writeText(text);
  }

  /** Opens an http(s) link from an answer in the browser; anything else is ignored. */
  async openLink(href: string): Promise<void> {
    if (isOpenableLink(href)) await vscode.env.openExternal(vscode.Uri.parse(href));
  }
}
