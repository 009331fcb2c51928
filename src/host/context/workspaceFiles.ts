/**
 * The workspace's files as context: the ones that may be attached (not excluded, not ignored by
 * git), and a file read with its refusals (a link out of the workspace or to an ignored file, a
 * binary or huge file).
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ContextBlock } from '../../client/prompts';
import { t } from '../base/l10n';
import { globalGitignore } from './gitConfig';
import { IgnoreRules } from './ignoreRules';
import { languageOf } from './workspaceText';

/** What one attachment holds at most. */
export const MAX_FILE_CHARS = 200_000;
/** Files the @file picker lists at most. */
const MAX_LISTED = 20_000;
/** A file larger than this is not read at all. */
export const MAX_FILE_BYTES = 2_000_000;
/**
 * `text` cut to what an attachment may hold: at the last line break before the limit, or at the
 * limit itself when there is none (a minified bundle); the label says how much was kept.
 */
export function capText(text: string, name: string): { text: string; label: string } {
  if (text.length <= MAX_FILE_CHARS) return { text, label: name };
  const lineEnd = text.lastIndexOf('\n', MAX_FILE_CHARS);
  if (lineEnd > 0) {
    const kept = text.slice(0, lineEnd);
    return { text: kept, label: `${name} (${t('first {0} lines', kept.split('\n').length)})` };
  }
  return {
    text: text.slice(0, MAX_FILE_CHARS),
    label: `${name} (${t('first {0} of {1} characters', MAX_FILE_CHARS, text.length)})`,
  };
}

/** Where `file` really is (links followed), as a workspace file; undefined when outside every folder. */
export async function realWorkspaceFile(file: string): Promise<vscode.Uri | undefined> {
  let real: string;
  try {
    real = await fs.realpath(file);
  } catch {
    return undefined;
  }
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    if (folder.uri.scheme !== 'file') continue;
    const root = await fs.realpath(folder.uri.fsPath).catch(() => folder.uri.fsPath);
    const relative = path.relative(root, real);
    if (relative === '' || (relative.split(path.sep)[0] !== '..' && !path.isAbsolute(relative))) {
      return vscode.Uri.joinPath(folder.uri, ...relative.split(path.sep));
    }
  }
  return undefined;
}

/**
 * A regular file of the workspace as text, its first `maxBytes` at most: never a link that leads
 * out of the workspace, a pipe or a device (a repository controls what its files are). Undefined
 * for anything else. For files the extension reads on its own (rules, prompt files).
 */
export async function readContainedText(uri: vscode.Uri, maxBytes: number): Promise<string | undefined> {
  if (uri.scheme === 'file') {
    const real = await realWorkspaceFile(uri.fsPath);
    if (!real) return undefined;
    const stat = await fs.stat(real.fsPath).catch(() => undefined);
    if (!stat?.isFile()) return undefined;
    const handle = await fs.open(real.fsPath, 'r').catch(() => undefined);
    if (!handle) return undefined;
    try {
      const buffer = Buffer.alloc(Math.min(stat.size, maxBytes));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      return new TextDecoder().decode(buffer.subarray(0, bytesRead));
    } finally {
      await handle.close();
    }
  }
  // Elsewhere links cannot be followed from here: a link, or anything but a file, is not read.
  const stat = await Promise.resolve(vscode.workspace.fs.stat(uri)).catch(() => undefined);
  if (!stat || stat.type !== vscode.FileType.File) return undefined;
  const bytes = await Promise.resolve(vscode.workspace.fs.readFile(uri)).catch(() => undefined);
  return bytes && new TextDecoder().decode(bytes.subarray(0, maxBytes));
}

/** A file of the workspace the user picks, as context; not ignored or excluded ones. */
export async function pickFiles(): Promise<ContextBlock[]> {
  const items = (await workspaceFiles())
    .map((uri) => {
      const relative = vscode.workspace.asRelativePath(uri, true);
      const slash = relative.lastIndexOf('/');
      return { label: relative.slice(slash + 1), description: slash > 0 ? relative.slice(0, slash) : '', uri };
    })
    .sort((a, b) => a.description.localeCompare(b.description) || a.label.localeCompare(b.label));
  const picked = await vscode.window.showQuickPick(items, {
    matchOnDescription: true,
    title: t('GenOS: Attach a File'),
    placeHolder: t('Type to search the workspace; attach more files with @file again'),
  });
  const blocks: ContextBlock[] = [];
  for (const item of picked ? [picked] : []) {
    const block = await fileBlock(item.uri);
    if (block) blocks.push(block);
  }
  return blocks;
}

/**
 * The workspace's files that may be attached: not excluded by `files.exclude` (the editor applies
 * it), nor ignored by a .gitignore of the folder, a nested one, or the user's global one. A search
 * that fails is shown, not only logged: an empty list would look like an empty workspace.
 */
export async function workspaceFiles(): Promise<vscode.Uri[]> {
  try {
    return await findWorkspaceFiles('**/*', MAX_LISTED);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    void vscode.window.showErrorMessage(t('The workspace files could not be listed: {0}', reason));
    return [];
  }
}

/**
 * The files matching `include` (a glob, or a pattern relative to one folder) that `files.exclude`
 * does not exclude and git does not ignore, at most `limit`.
 */
export async function findWorkspaceFiles(include: vscode.GlobPattern, limit: number): Promise<vscode.Uri[]> {
  const found = await vscode.workspace.findFiles(include, undefined, limit * 3);
  const rules = await ignoreRules();
  return found.filter((uri) => !ignored(uri, rules)).slice(0, limit);
}

/** Whether git ignores `uri` (or it is inside a .git folder), by the rules of its workspace folder. */
function ignored(uri: vscode.Uri, rules: Map<string, IgnoreRules>): boolean {
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  if (!folder) return false;
  const relative = path.posix.relative(folder.uri.path, uri.path);
  if (relative.split('/').some((part) => part.toLowerCase() === '.git')) return true;
  return rules.get(folder.uri.toString())?.ignores(relative) ?? false;
}

/** Rules read less than this long ago are used again, unless a .gitignore changed since. */
const RULES_TTL_MS = 30_000;
let cachedRules: { rules: Promise<Map<string, IgnoreRules>>; at: number } | undefined;
let rulesWatcher: vscode.Disposable | undefined;

/**
 * The ignore rules, read again when a .gitignore or the folders change (and at least every 30 s,
 * for the global file): the agent asks for them at every search and read, and finding the
 * .gitignore files of a large repository takes a tenth of a second.
 */
function ignoreRules(): Promise<Map<string, IgnoreRules>> {
  if (!rulesWatcher) {
    const reset = () => (cachedRules = undefined);
    const watcher = vscode.workspace.createFileSystemWatcher('**/.gitignore');
    rulesWatcher = vscode.Disposable.from(
      watcher,
      watcher.onDidCreate(reset),
      watcher.onDidChange(reset),
      watcher.onDidDelete(reset),
      vscode.workspace.onDidChangeWorkspaceFolders(reset),
    );
  }
  if (!cachedRules || Date.now() - cachedRules.at > RULES_TTL_MS) {
    const rules = readIgnoreRules();
    cachedRules = { rules, at: Date.now() };
    rules.catch(() => (cachedRules = undefined));
  }
  return cachedRules.rules;
}

/** Each workspace folder's ignore rules: the global file first, then its .gitignore files, parents before children. */
async function readIgnoreRules(): Promise<Map<string, IgnoreRules>> {
  const global = await globalGitignore();
  const rules = new Map<string, IgnoreRules>();
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    rules.set(folder.uri.toString(), new IgnoreRules().add(global));
  }
  // Not inside dependencies' folders: their .gitignore files would crowd out the project's own.
  for (const file of await vscode.workspace.findFiles('**/.gitignore', '{**/node_modules/**,**/.git/**}', 10_000)) {
    const folder = vscode.workspace.getWorkspaceFolder(file);
    if (!folder) continue;
    try {
      const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(file));
      rules
        .get(folder.uri.toString())
        ?.add(text, path.posix.dirname(path.posix.relative(folder.uri.path, file.path)).replace(/^\.$/, ''));
    } catch {
      // Unreadable: its rules are not known.
    }
  }
  return rules;
}

/** A workspace file as context; a binary or very large one is refused with a message. */
export async function fileBlock(uri: vscode.Uri): Promise<ContextBlock | undefined> {
  const name = vscode.workspace.asRelativePath(uri, false);
  // A repository can ship a link to a file outside it (~/.aws/credentials): that is not attached.
  if (uri.scheme === 'file') {
    const real = await realWorkspaceFile(uri.fsPath);
    if (!real) {
      void vscode.window.showWarningMessage(
        t('{0} leads outside the workspace (a symbolic link), so it is not attached.', name),
      );
      return undefined;
    }
    // A link to a file git ignores (../.env, .git/config) is no way around the ignore rules.
    if (real.toString() !== uri.toString() && ignored(real, await ignoreRules())) {
      void vscode.window.showWarningMessage(
        t('{0} leads to a file the workspace ignores, so it is not attached.', name),
      );
      return undefined;
    }
  }
  const stat = await vscode.workspace.fs.stat(uri);
  if (stat.size > MAX_FILE_BYTES) {
    void vscode.window.showWarningMessage(
      t('{0} is too large to attach ({1} KB). Attach a selection of it instead.', name, Math.round(stat.size / 1024)),
    );
    return undefined;
  }
  const bytes = await vscode.workspace.fs.readFile(uri);
  if (bytes.subarray(0, 8000).includes(0)) {
    void vscode.window.showWarningMessage(t('{0} is a binary file, so it cannot be attached.', name));
    return undefined;
  }
  const { text, label } = capText(new TextDecoder().decode(bytes), name);
  const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  return { label, language: document?.languageId ?? languageOf(name), text, firstLine: 1 };
}

/** Whether git ignores `uri` (or it is inside a .git folder), by the ignore rules read now. */
export async function isIgnored(uri: vscode.Uri): Promise<boolean> {
  return ignored(uri, await ignoreRules());
}

/** Whether git ignores a file, by rules read once: for many files at a time (search results). */
export async function ignoredTest(): Promise<(uri: vscode.Uri) => boolean> {
  const rules = await ignoreRules();
  return (uri) => ignored(uri, rules);
}
