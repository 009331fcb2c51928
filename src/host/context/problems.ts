import * as vscode from 'vscode';

/**
 * Diagnostics as lines, most severe first, at most `max`: `file:line:column severity: message`,
 * with the line of code it points at when the file is open.
 */
export function problemLines(
  entries: ReadonlyArray<readonly [vscode.Uri, readonly vscode.Diagnostic[]]>,
  max: number,
): string[] {
  const all = entries
    .flatMap(([uri, diagnostics]) => diagnostics.map((diagnostic) => ({ uri, diagnostic })))
    .sort((a, b) => a.diagnostic.severity - b.diagnostic.severity);
  return all.slice(0, max).map(({ uri, diagnostic }) => {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    const line = diagnostic.range.start.line;
    const code = open && line < open.lineCount ? open.lineAt(line).text.trim() : '';
    const severity = ['error', 'warning', 'info', 'hint'][diagnostic.severity] ?? 'info';
    const where = `${vscode.workspace.asRelativePath(uri, false)}:${line + 1}:${diagnostic.range.start.character + 1}`;
    return `${where} ${severity}: ${diagnostic.message.replace(/\s+/g, ' ')}${code ? `\n    ${code}` : ''}`;
  });
}
