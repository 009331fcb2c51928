/** Workspace text helpers for attachments: ignore files, terminal output, file languages. */
import * as path from 'node:path';
import type * as vscode from 'vscode';

/** The shell-integration API (VS Code 1.93+), looked up at run time: 1.90 does not have it. */
export interface ShellExecution {
  commandLine: { value: string };
  read(): AsyncIterable<string>;
}
export interface ShellExecutionEvent {
  terminal: vscode.Terminal;
  execution: ShellExecution;
  exitCode?: number;
}
export type ShellEvents = {
  onDidStartTerminalShellExecution?: vscode.Event<ShellExecutionEvent>;
  onDidEndTerminalShellExecution?: vscode.Event<ShellExecutionEvent>;
};

/** What was run last in a terminal, as shell integration reported it. */
export interface TerminalCommand {
  terminal: vscode.Terminal;
  command: string;
  output: string;
  exitCode?: number;
  done: boolean;
}

/** Strips terminal escape sequences (colours, cursor moves) from captured output. */
export function plainTerminalText(text: string): string {
  return text
    .replace(/\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-Z\\-_]/g, '')
    .replace(/\r(?!\n)/g, '');
}

/** A language id for a file not open in an editor, from its extension, for the code fence. */
export function languageOf(name: string): string {
  const extension = path.extname(name).slice(1).toLowerCase();
  const known: Record<string, string> = {
    ts: 'typescript',
    tsx: 'typescript',
    js: 'javascript',
    jsx: 'javascript',
    py: 'python',
    rs: 'rust',
    go: 'go',
    java: 'java',
    kt: 'kotlin',
    cs: 'csharp',
    cpp: 'cpp',
    cc: 'cpp',
    h: 'c',
    c: 'c',
    md: 'markdown',
    json: 'json',
    yml: 'yaml',
    yaml: 'yaml',
    sh: 'bash',
    sql: 'sql',
    html: 'html',
    css: 'css',
  };
  return known[extension] ?? extension;
}
