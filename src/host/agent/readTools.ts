/**
 * The agent's tools that only read: a file (a page at a time) and the list of files. Each path
 * goes through the workspace boundary first; what is refused comes back to the model as words,
 * with whether the user may approve it.
 */
import * as vscode from 'vscode';
import type { AgentToolArgs } from '../../client/agentTools';
import { modelPath } from '../../client/workspacePaths';
import { problemLines } from '../context/problems';
import { findWorkspaceFiles, MAX_FILE_BYTES, realWorkspaceFile } from '../context/workspaceFiles';
import { resolveForAgent, type AgentTarget } from './workspaceBoundary';

/** What a tool gives back to the model; `approvable`: a refusal the user may lift for this call. */
export interface ToolOutput {
  ok: boolean;
  output: string;
  approvable?: boolean;
}

/** Lines and characters of a file read at most in one call; the model asks for the next page. */
export const PAGE_LINES = 400;
const PAGE_CHARS = 24_000;
/** Files listed at most. */
export const LISTED_FILES = 500;
/** Problems reported at most. */
const PROBLEMS = 200;

/**
 * `read_file`: the lines asked for (or the first page), as the editor holds them (unsaved changes
 * included), under a line that says which lines of how many they are. `approved`: the user allowed
 * this one read of a file the boundary would refuse for approval.
 */
export async function readFile(args: AgentToolArgs['read_file'], approved = false): Promise<ToolOutput> {
  const resolved = await resolveForAgent(args.path);
  // A refusal stands unless the user approved this read and the refusal is one they may lift.
  if ('refused' in resolved && !(approved && resolved.target)) {
    return { ok: false, output: resolved.refused, approvable: resolved.approvable };
  }
  const { uri, display } = resolved.target as AgentTarget;
  let text: string;
  const open = vscode.workspace.textDocuments.find((document) => document.uri.toString() === uri.toString());
  if (open) text = open.getText();
  else {
    const stat = await Promise.resolve(vscode.workspace.fs.stat(uri)).catch(() => undefined);
    if (!stat) return { ok: false, output: `${display} does not exist.` };
    if (stat.type & vscode.FileType.Directory) return { ok: false, output: `${display} is a folder: use list_files.` };
    if (stat.size > MAX_FILE_BYTES) {
      return {
        ok: false,
        output: `${display} is too large to read (${Math.round(stat.size / 1024)} KB); search it instead.`,
      };
    }
    const bytes = await vscode.workspace.fs.readFile(uri);
    if (bytes.subarray(0, 8000).includes(0)) return { ok: false, output: `${display} is a binary file.` };
    text = new TextDecoder().decode(bytes);
  }
  const lines = text.split(/\r?\n/);
  // A last line break ends the last line; it does not start another.
  if (lines.length > 1 && lines.at(-1) === '') lines.pop();
  const first = Math.min(args.startLine ?? 1, lines.length);
  let last = Math.min(args.endLine ?? first + PAGE_LINES - 1, lines.length, first + PAGE_LINES - 1);
  let page = lines.slice(first - 1, last).join('\n');
  if (page.length > PAGE_CHARS) {
    // Long lines: fewer of them, whole.
    const kept = page.slice(0, PAGE_CHARS).split('\n');
    if (kept.length > 1) kept.pop();
    last = first + kept.length - 1;
    page = kept.join('\n');
  }
  const more = last < lines.length ? ` Read on with startLine ${last + 1}.` : '';
  return { ok: true, output: `${display}, lines ${first}-${last} of ${lines.length}.${more}\n${page}` };
}

/**
 * `list_files`: the workspace's files (matching `pattern`, a glob relative to the first folder),
 * not excluded and not ignored by git, as relative paths.
 */
export async function listFiles(args: AgentToolArgs['list_files']): Promise<ToolOutput> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) return { ok: false, output: 'No folder is open.' };
  const pattern = args.pattern?.trim() || '**/*';
  // A glob is a path too: it must not start outside the folder.
  const checked = modelPath(pattern.replace(/[*?[\]{}!]/g, 'x'));
  if ('error' in checked) return { ok: false, output: `The pattern ${pattern} leads outside the workspace.` };
  const listed = await findWorkspaceFiles(new vscode.RelativePattern(folder, pattern), LISTED_FILES + 1);
  // The editor's file search follows links to folders: what lies outside the workspace is left out.
  const found =
    folder.uri.scheme === 'file'
      ? (
          await Promise.all(listed.map(async (uri) => ((await realWorkspaceFile(uri.fsPath)) ? uri : undefined)))
        ).filter((uri): uri is vscode.Uri => uri !== undefined)
      : listed;
  const names = found
    .slice(0, LISTED_FILES)
    .map((uri) => vscode.workspace.asRelativePath(uri, false))
    .sort();
  if (names.length === 0) return { ok: true, output: `No files match ${pattern}.` };
  const more =
    found.length > LISTED_FILES ? `\n(The first ${LISTED_FILES}; give a narrower pattern to see others.)` : '';
  return { ok: true, output: names.join('\n') + more };
}

/**
 * `problems`: the errors and warnings the editor reports for one file (through the boundary), or
 * for every file of the workspace folders.
 */
export async function problems(args: AgentToolArgs['problems']): Promise<ToolOutput> {
  let entries: ReadonlyArray<readonly [vscode.Uri, readonly vscode.Diagnostic[]]>;
  let where = 'the workspace';
  if (args.path) {
    const resolved = await resolveForAgent(args.path);
    if ('refused' in resolved) return { ok: false, output: resolved.refused, approvable: resolved.approvable };
    entries = [[resolved.target.uri, vscode.languages.getDiagnostics(resolved.target.uri)]];
    where = resolved.target.display;
  } else {
    entries = vscode.languages.getDiagnostics().filter(([uri]) => vscode.workspace.getWorkspaceFolder(uri));
  }
  const lines = problemLines(entries, PROBLEMS);
  return { ok: true, output: lines.length ? lines.join('\n') : `No problems in ${where}.` };
}
