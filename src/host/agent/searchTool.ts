/**
 * The agent's `search`: lines of the workspace files that hold a text or match a regular
 * expression. VS Code's text search API is still proposed, so it runs the ripgrep VS Code ships
 * (under `vscode.env.appRoot`) where this extension host sees the files; ripgrep's regular
 * expressions run in linear time, so no pattern a model writes can hang it. Where there is no
 * ripgrep (or the files are on another machine), plain text is searched file by file, and a
 * regular expression is refused: JavaScript's would backtrack without bound.
 * `files.exclude`, `search.exclude` and `.gitignore` are respected; files that look like secrets
 * are left out of the results. A repository's own ignore files (`.rgignore`) or an include pattern
 * cannot bring an ignored file back: every match is checked against the workspace's git rules.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AgentToolArgs } from '../../client/agentTools';
import { modelPath, secretReason } from '../../client/workspacePaths';
import { findWorkspaceFiles, ignoredTest, MAX_FILE_BYTES } from '../context/workspaceFiles';
import type { ToolOutput } from './readTools';

/** Matching lines reported at most, in all. */
export const SEARCH_MATCHES = 200;
/** Matching lines reported at most per file, so one file cannot fill the result. */
const PER_FILE = 20;
/** Characters of a matching line shown at most. */
const LINE_CHARS = 240;
/** A search that takes longer is stopped, and what it found is reported. */
const SEARCH_TIMEOUT_MS = 20_000;
/** Files the fallback reads at most. */
const FALLBACK_FILES = 5_000;

interface Match {
  file: string;
  line: number;
  text: string;
}

interface Found {
  matches: Match[];
  /** More matches than reported, or the search stopped early. */
  more: boolean;
  /**
   * Whether a match's file is one the model may not see without asking: ignored by git (by the
   * extension's own reading of .gitignore, whatever ripgrep was told) or looking like a secret.
   * Such matches are left out without a word: even a count would tell what a secret holds.
   */
  hidden(file: string): boolean;
}

/**
 * VS Code's own ripgrep: `@vscode/ripgrep` in releases up to 2025, `@vscode/ripgrep-universal`
 * (one binary per platform) in later ones; unpacked from the asar archive on some platforms.
 */
export function ripgrepPath(appRoot = vscode.env.appRoot): string | undefined {
  const exe = process.platform === 'win32' ? 'rg.exe' : 'rg';
  for (const modules of ['node_modules', 'node_modules.asar.unpacked']) {
    for (const bin of [
      path.join('@vscode', 'ripgrep', 'bin'),
      path.join('@vscode', 'ripgrep-universal', 'bin', `${process.platform}-${process.arch}`),
    ]) {
      const candidate = path.join(appRoot, modules, bin, exe);
      if (fs.existsSync(candidate)) return candidate;
    }
  }
  return undefined;
}

/** `search`: matching lines as `path:line: text`, in every workspace folder. */
export async function search(args: AgentToolArgs['search'], signal: AbortSignal): Promise<ToolOutput> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0) return { ok: false, output: 'No folder is open.' };
  if (args.include && 'error' in modelPath(args.include.replace(/[*?[\]{}!]/g, 'x'))) {
    return { ok: false, output: `The include pattern ${args.include} leads outside the workspace.` };
  }
  const rg = ripgrepPath();
  const ignored = await ignoredTest();
  const found: Found = { matches: [], more: false, hidden: () => false };
  if (rg && folders.every((folder) => folder.uri.scheme === 'file')) {
    for (const folder of folders) {
      if (found.matches.length >= SEARCH_MATCHES || signal.aborted) break;
      const prefix = folders.length > 1 ? `${folder.name}/` : '';
      found.hidden = (file) => {
        const relative = file.slice(prefix.length);
        return secretReason(relative) !== undefined || ignored(vscode.Uri.joinPath(folder.uri, ...relative.split('/')));
      };
      await ripgrep(rg, folder, args, signal, found, prefix);
    }
  } else if (args.regex) {
    return {
      ok: false,
      output: 'Regular expressions cannot be searched here (no ripgrep where the files are); search for plain text.',
    };
  } else {
    found.hidden = (file) => secretReason(file) !== undefined;
    await searchFiles(args, signal, found);
  }
  return { ok: true, output: report(args.query, found) };
}

function report(query: string, found: Found): string {
  const files = new Set(found.matches.map((match) => match.file)).size;
  const lines = found.matches.map((match) => `${match.file}:${match.line}: ${match.text}`);
  const notes: string[] = [];
  if (found.more) notes.push(`Only the first ${found.matches.length} matches; narrow the search to see others.`);
  if (found.matches.length === 0) return [`No matches for ${JSON.stringify(query)}.`, ...notes].join('\n');
  return [`${found.matches.length} matches in ${files} files:`, ...lines, ...notes].join('\n');
}

/** Records a match unless its file is hidden from the model; false once no more are wanted. */
function add(found: Found, match: Match): boolean {
  if (found.hidden(match.file)) return true;
  if (found.matches.length >= SEARCH_MATCHES) {
    found.more = true;
    return false;
  }
  const text = match.text.trim();
  found.matches.push({ ...match, text: text.length > LINE_CHARS ? `${text.slice(0, LINE_CHARS)}…` : text });
  return true;
}

/** The exclude globs set true in `files.exclude` and `search.exclude` for `folder`. */
function excludes(folder: vscode.WorkspaceFolder): string[] {
  const globs: string[] = [];
  for (const section of ['files', 'search']) {
    const setting = vscode.workspace.getConfiguration(section, folder.uri).get<Record<string, unknown>>('exclude');
    for (const [glob, on] of Object.entries(setting ?? {})) if (on === true && glob.trim()) globs.push(glob);
  }
  return globs;
}

function ripgrep(
  rg: string,
  folder: vscode.WorkspaceFolder,
  args: AgentToolArgs['search'],
  signal: AbortSignal,
  found: Found,
  prefix: string,
): Promise<void> {
  const argv = [
    '--no-config',
    '--no-heading',
    '--with-filename',
    '--line-number',
    '--null',
    '--color=never',
    '--no-messages',
    '--hidden',
    '--no-require-git',
    '--smart-case',
    `--max-count=${PER_FILE}`,
    '--max-columns=1000',
    '--max-filesize=1M',
    // A later glob wins in ripgrep: the include first, so it cannot bring back what is excluded.
    ...(args.include ? [`--glob=${args.include}`] : []),
    ...excludes(folder).map((glob) => `--glob=!${glob}`),
    '--glob=!.git',
    ...(args.regex ? [] : ['--fixed-strings']),
    '--regexp',
    args.query,
    '--',
    '.',
  ];
  return new Promise((resolve) => {
    const child = spawn(rg, argv, { cwd: folder.uri.fsPath, stdio: ['ignore', 'pipe', 'ignore'] });
    let pending = '';
    const stop = () => child.kill();
    const timer = setTimeout(() => {
      found.more = true;
      stop();
    }, SEARCH_TIMEOUT_MS);
    signal.addEventListener('abort', stop, { once: true });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (data: string) => {
      const lines = (pending + data).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const match = parseLine(line, prefix);
        if (match && !add(found, match)) return stop();
      }
    });
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', stop);
      resolve();
    };
    child.on('close', done);
    child.on('error', done);
  });
}

/** One line of ripgrep's output: `./path` NUL `line:text`. */
function parseLine(line: string, prefix: string): Match | undefined {
  const nul = line.indexOf('\0');
  const colon = line.indexOf(':', nul);
  if (nul === -1 || colon === -1) return undefined;
  const file =
    prefix +
    line
      .slice(0, nul)
      .replace(/^\.[\\/]/, '')
      .replace(/\\/g, '/');
  return { file, line: Number(line.slice(nul + 1, colon)), text: line.slice(colon + 1).replace(/\r$/, '') };
}

/** Without ripgrep: plain text, file by file, in the files the editor lists. */
async function searchFiles(args: AgentToolArgs['search'], signal: AbortSignal, found: Found): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  const include = args.include && folder ? new vscode.RelativePattern(folder, args.include) : '**/*';
  const files = await findWorkspaceFiles(include, FALLBACK_FILES);
  if (files.length === FALLBACK_FILES) found.more = true;
  const ignoreCase = args.query === args.query.toLowerCase();
  const query = ignoreCase ? args.query.toLowerCase() : args.query;
  for (const uri of files) {
    if (signal.aborted) return;
    const stat = await Promise.resolve(vscode.workspace.fs.stat(uri)).catch(() => undefined);
    // A link may lead out of the workspace: not followed.
    if (!stat || stat.type & vscode.FileType.SymbolicLink || stat.size > MAX_FILE_BYTES) continue;
    const bytes = await Promise.resolve(vscode.workspace.fs.readFile(uri)).catch(() => undefined);
    if (!bytes || bytes.subarray(0, 8000).includes(0)) continue;
    const file = vscode.workspace.asRelativePath(uri, (vscode.workspace.workspaceFolders?.length ?? 0) > 1);
    let perFile = 0;
    for (const [index, text] of new TextDecoder().decode(bytes).split('\n').entries()) {
      if (!(ignoreCase ? text.toLowerCase() : text).includes(query)) continue;
      if (!add(found, { file, line: index + 1, text: text.replace(/\r$/, '') })) return;
      if (++perFile >= PER_FILE) break;
    }
  }
}
