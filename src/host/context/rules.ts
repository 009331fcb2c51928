/**
 * The team's rules files, read per workspace folder and applied to every request that writes or
 * explains code: `AGENTS.md` (the folder's, and the nearest one above a file the request is about),
 * `.github/copilot-instructions.md`, `.github/instructions/*.instructions.md` (only for files
 * matching their `applyTo`; without one they apply when asked for by name, as in Copilot), and
 * `.genos/rules/*.md` (`applyTo` too; without one they always apply). Read once and kept until a
 * rules file changes. Not in Restricted Mode: an untrusted repository steers nothing.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parseFrontMatter } from '../../client/frontMatter';
import { globMatcher } from '../../client/globs';
import type { RuleText } from '../../client/prompts';
import { rulesEnabled } from '../connection/settings';
import { readContainedText } from './workspaceFiles';

/** Rules files read at most from one folder of them. */
const MAX_RULE_FILES = 100;
/** A rules file's text read at most; a longer file is cut, and says so. */
const MAX_RULE_CHARS = 32_000;

/** A rules file that applies to a request. */
export interface Rule extends RuleText {
  uri: vscode.Uri;
}

/** The rules of a request, or why there are none. */
export interface AppliedRules {
  rules: Rule[];
  /** Restricted Mode: the repository's rules were not applied. */
  restricted: boolean;
}

interface RuleFile {
  uri: vscode.Uri;
  label: string;
  text: string;
  /** Files it applies to; undefined: every request. */
  applies?: (relative: string) => boolean;
}

interface FolderRules {
  /** AGENTS.md files by the folder they are in (relative, '' for the root); null: none there. */
  agents: Map<string, RuleFile | null>;
  /** copilot-instructions.md, then the instruction and .genos rules files, by name. */
  others: RuleFile[];
  /** When each file read was last changed: an edit shows as a new time, whatever the watchers saw. */
  stamps: Map<string, number>;
}

let cache: Map<string, Promise<FolderRules>> | undefined;
let watcher: vscode.Disposable | undefined;

/** When `uri` was last changed; -1 when it is gone. */
async function stamp(uri: vscode.Uri): Promise<number> {
  // Local files are stat'ed directly: this runs before every request, and the editor's file
  // service adds a round trip per file.
  if (uri.scheme === 'file') return (await fs.stat(uri.fsPath).catch(() => undefined))?.mtimeMs ?? -1;
  const stat = await Promise.resolve(vscode.workspace.fs.stat(uri)).catch(() => undefined);
  return stat ? stat.mtime : -1;
}

/** A rules file's bytes read at most. */
const MAX_RULE_BYTES = 128 * 1024;

async function readStamped(uri: vscode.Uri, stamps?: Map<string, number>): Promise<string | undefined> {
  stamps?.set(uri.toString(), await stamp(uri));
  // Only a regular file inside the workspace: a link to ~/.ssh/id_rsa, a pipe or /dev/zero is not read.
  const text = await readContainedText(uri, MAX_RULE_BYTES);
  if (text === undefined) return undefined;
  return text.length > MAX_RULE_CHARS
    ? `${text.slice(0, MAX_RULE_CHARS)}\n[… the rest of this file is left out: rules files are read up to ${MAX_RULE_CHARS} characters …]`
    : text;
}

function relativeTo(folder: vscode.WorkspaceFolder, uri: vscode.Uri): string {
  return path.posix.relative(folder.uri.path, uri.path);
}

/** The `.md` files of a folder of the workspace, sorted; none when it does not exist. */
async function markdownIn(folder: vscode.Uri, suffix: string, stamps: Map<string, number>): Promise<vscode.Uri[]> {
  // The folder's own time changes when a file is added or removed: it is stamped too.
  stamps.set(folder.toString(), await stamp(folder));
  const entries = await Promise.resolve(vscode.workspace.fs.readDirectory(folder)).catch(() => []);
  return entries
    .filter(([name, type]) => type & vscode.FileType.File && name.endsWith(suffix))
    .map(([name]) => vscode.Uri.joinPath(folder, name))
    .sort((a, b) => a.path.localeCompare(b.path))
    .slice(0, MAX_RULE_FILES);
}

/**
 * The folder's own rules: its root AGENTS.md, copilot-instructions, and the files of
 * `.github/instructions` and `.genos/rules`, read by name and by listing those two folders only
 * (never a search of the whole tree: a large repository costs the same as a small one).
 */
async function load(folder: vscode.WorkspaceFolder): Promise<FolderRules> {
  const rules: FolderRules = { agents: new Map(), others: [], stamps: new Map() };
  const read = (uri: vscode.Uri) => readStamped(uri, rules.stamps);
  const root = vscode.Uri.joinPath(folder.uri, 'AGENTS.md');
  const rootText = await read(root);
  if (rootText?.trim()) rules.agents.set('', { uri: root, label: 'AGENTS.md', text: rootText });
  const copilot = vscode.Uri.joinPath(folder.uri, '.github', 'copilot-instructions.md');
  const copilotText = await read(copilot);
  if (copilotText?.trim()) rules.others.push({ uri: copilot, label: relativeTo(folder, copilot), text: copilotText });
  const [instructions, genos] = await Promise.all([
    markdownIn(vscode.Uri.joinPath(folder.uri, '.github', 'instructions'), '.instructions.md', rules.stamps),
    markdownIn(vscode.Uri.joinPath(folder.uri, '.genos', 'rules'), '.md', rules.stamps),
  ]);
  for (const [uris, always] of [
    [instructions, false],
    [genos, true],
  ] as const) {
    for (const uri of uris) {
      const text = await read(uri);
      if (!text) continue;
      const { data, body } = parseFrontMatter(text);
      if (!body.trim()) continue;
      const applyTo = data.applyTo?.trim();
      // Without applyTo, an instructions file applies only when asked for (Copilot's rule), a .genos rule always.
      if (!applyTo && !always) continue;
      const applies = applyTo && applyTo !== '**' && applyTo !== '**/*' ? globMatcher(applyTo) : undefined;
      rules.others.push({ uri, label: relativeTo(folder, uri), text: body, applies });
    }
  }
  return rules;
}

/**
 * The nearest AGENTS.md above a file (in the folders between it and the root), looked up once per
 * folder and remembered (`null`: none there); a new one is seen through the watchers.
 */
async function nearestAgents(
  folder: vscode.WorkspaceFolder,
  rules: FolderRules,
  relative: string,
): Promise<RuleFile | undefined> {
  for (let dir = path.posix.dirname(relative); dir && dir !== '.'; dir = path.posix.dirname(dir)) {
    let found = rules.agents.get(dir);
    if (found === undefined) {
      const uri = vscode.Uri.joinPath(folder.uri, ...dir.split('/'), 'AGENTS.md');
      const text = (await stamp(uri)) === -1 ? undefined : await readStamped(uri, rules.stamps);
      found = text?.trim() ? { uri, label: `${dir}/AGENTS.md`, text } : null;
      rules.agents.set(dir, found);
    }
    if (found) return found;
  }
  return undefined;
}

function watch(): void {
  if (watcher) return;
  const reset = () => (cache = undefined);
  // One watcher a kind of file: a brace group that holds a path is not matched by every release.
  const watchers = [
    '**/AGENTS.md',
    '**/.github/copilot-instructions.md',
    '**/.github/instructions/*.instructions.md',
    '**/.genos/rules/*.md',
  ].map((glob) => vscode.workspace.createFileSystemWatcher(glob));
  watcher = vscode.Disposable.from(
    ...watchers,
    ...watchers.flatMap((files) => [files.onDidCreate(reset), files.onDidChange(reset), files.onDidDelete(reset)]),
    vscode.workspace.onDidChangeWorkspaceFolders(reset),
  );
}

/** Whether a file read for `rules` was changed or removed since (a few stats: fast). */
async function stale(rules: FolderRules): Promise<boolean> {
  const checks = [...rules.stamps].map(async ([uri, time]) => (await stamp(vscode.Uri.parse(uri))) !== time);
  return (await Promise.all(checks)).some(Boolean);
}

async function folderRules(folder: vscode.WorkspaceFolder): Promise<FolderRules> {
  // The watchers start after the first request's rules are read: an edit meanwhile shows in the stamps.
  if (!watcher) setImmediate(watch);
  const key = folder.uri.toString();
  const known = cache?.get(key);
  if (known && !(await stale(await known))) return known;
  const rules = load(folder);
  // A watcher may have dropped the cache while the files were checked.
  (cache ??= new Map()).set(key, rules);
  return rules;
}

/**
 * The rules for a request about `files` (the current file, the selection's, the staged files…):
 * the root AGENTS.md first, then the nearest AGENTS.md above each file, copilot-instructions, and
 * the instruction and .genos rules files that apply. None when rules are off or the workspace is
 * not trusted.
 */
export async function rulesFor(files: readonly vscode.Uri[]): Promise<AppliedRules> {
  if (!vscode.workspace.isTrusted) return { rules: [], restricted: true };
  if (!rulesEnabled()) return { rules: [], restricted: false };
  const rules: Rule[] = [];
  const add = (file: RuleFile) => {
    if (!rules.some((rule) => rule.uri.toString() === file.uri.toString())) {
      rules.push({ uri: file.uri, label: file.label, text: file.text });
    }
  };
  const folders = vscode.workspace.workspaceFolders ?? [];
  // The files' folders; without any file, the first folder (its root rules still apply).
  const concerned = new Map<vscode.WorkspaceFolder, string[]>();
  for (const uri of files) {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    if (folder) concerned.set(folder, [...(concerned.get(folder) ?? []), relativeTo(folder, uri)]);
  }
  if (concerned.size === 0 && folders[0]) concerned.set(folders[0], []);
  for (const [folder, relatives] of concerned) {
    const found = await folderRules(folder);
    const root = found.agents.get('');
    if (root) add(root);
    for (const relative of relatives) {
      const nearest = await nearestAgents(folder, found, relative);
      if (nearest) add(nearest);
    }
    for (const file of found.others) {
      if (!file.applies || relatives.some((relative) => file.applies?.(relative))) add(file);
    }
  }
  return { rules, restricted: false };
}

/** The files a request from the editor is about: the active editor's, when it is a workspace file. */
export function activeFiles(): vscode.Uri[] {
  const uri = vscode.window.activeTextEditor?.document.uri;
  return uri && vscode.workspace.getWorkspaceFolder(uri) ? [uri] : [];
}
