/**
 * The team's rules files, read per workspace folder and applied to every request that writes or
 * explains code: `AGENTS.md` (the folder's, and the nearest one above a file the request is about),
 * `.github/copilot-instructions.md`, `.github/instructions/*.instructions.md` (only for files
 * matching their `applyTo`; without one they apply when asked for by name, as in Copilot), and
 * `.genos/rules/*.md` (`applyTo` too; without one they always apply). Read once and kept until a
 * rules file changes. Not in Restricted Mode: an untrusted repository steers nothing.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parseFrontMatter } from '../../client/frontMatter';
import { globMatcher } from '../../client/globs';
import type { RuleText } from '../../client/prompts';
import { rulesEnabled } from '../connection/settings';

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
  /** AGENTS.md files by the folder they are in (relative, '' for the root). */
  agents: Map<string, RuleFile>;
  /** copilot-instructions.md, then the instruction and .genos rules files, by name. */
  others: RuleFile[];
  /** When each file read was last changed: an edit shows as a new time, whatever the watchers saw. */
  stamps: Map<string, number>;
}

const decoder = new TextDecoder();
let cache: Map<string, Promise<FolderRules>> | undefined;
let watcher: vscode.Disposable | undefined;

/** When `uri` was last changed; -1 when it is gone. */
async function stamp(uri: vscode.Uri): Promise<number> {
  const stat = await Promise.resolve(vscode.workspace.fs.stat(uri)).catch(() => undefined);
  return stat ? stat.mtime : -1;
}

async function readStamped(uri: vscode.Uri, stamps?: Map<string, number>): Promise<string | undefined> {
  stamps?.set(uri.toString(), await stamp(uri));
  try {
    const text = decoder.decode(await vscode.workspace.fs.readFile(uri));
    return text.length > MAX_RULE_CHARS
      ? `${text.slice(0, MAX_RULE_CHARS)}\n[… the rest of this file is left out: rules files are read up to ${MAX_RULE_CHARS} characters …]`
      : text;
  } catch {
    return undefined;
  }
}

function relativeTo(folder: vscode.WorkspaceFolder, uri: vscode.Uri): string {
  return path.posix.relative(folder.uri.path, uri.path);
}

async function load(folder: vscode.WorkspaceFolder): Promise<FolderRules> {
  const rules: FolderRules = { agents: new Map(), others: [], stamps: new Map() };
  const read = (uri: vscode.Uri) => readStamped(uri, rules.stamps);
  const pattern = (glob: string) => new vscode.RelativePattern(folder, glob);
  const [agents, instructions, genos] = await Promise.all([
    vscode.workspace.findFiles(pattern('**/AGENTS.md'), '**/node_modules/**', 1000),
    vscode.workspace.findFiles(pattern('.github/instructions/*.instructions.md'), undefined, 200),
    vscode.workspace.findFiles(pattern('.genos/rules/*.md'), undefined, 200),
  ]);
  await Promise.all(
    agents.map(async (uri) => {
      const text = await read(uri);
      const relative = relativeTo(folder, uri);
      if (text?.trim()) {
        rules.agents.set(path.posix.dirname(relative).replace(/^\.$/, ''), { uri, label: relative, text });
      }
    }),
  );
  const copilot = vscode.Uri.joinPath(folder.uri, '.github', 'copilot-instructions.md');
  const copilotText = await read(copilot);
  if (copilotText?.trim()) rules.others.push({ uri: copilot, label: relativeTo(folder, copilot), text: copilotText });
  const sorted = (uris: vscode.Uri[]) => [...uris].sort((a, b) => a.path.localeCompare(b.path));
  for (const [uris, always] of [
    [sorted(instructions), false],
    [sorted(genos), true],
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
  watch();
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
      for (let dir = path.posix.dirname(relative); dir && dir !== '.'; dir = path.posix.dirname(dir)) {
        const nearest = found.agents.get(dir);
        if (nearest) {
          add(nearest);
          break;
        }
      }
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
