/**
 * Where the agent may read and write: a path the model names is resolved in a workspace folder,
 * and refused when it leads outside every folder (also through a symbolic link). Files that look
 * like secrets, and files git ignores, are refused too unless the user approves that one access.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { modelPath, secretReason } from '../../client/workspacePaths';
import { isIgnored, realWorkspaceFile } from '../context/workspaceFiles';

/** A path the agent may use: the file, its folder, and the path as the model and the user see it. */
export interface AgentTarget {
  uri: vscode.Uri;
  folder: vscode.WorkspaceFolder;
  /** Relative to the workspace folder (with the folder's name first in a multi-root workspace). */
  display: string;
}

/** A refusal, in words for the model and the user; `approvable`: the user may allow this one access. */
export interface Refusal {
  refused: string;
  approvable: boolean;
  /** For a refusal the user may lift: what the path reaches. */
  target?: AgentTarget;
}

/**
 * Resolves `input` (a path the model wrote) in the workspace. In a workspace of several folders, a
 * path may start with a folder's name; otherwise it is in the first folder.
 */
export async function resolveForAgent(input: string): Promise<{ target: AgentTarget } | Refusal> {
  const normalized = modelPath(input);
  if ('error' in normalized) return { refused: normalized.error, approvable: false };
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0) {
    return { refused: 'No folder is open, so there is no workspace to work in.', approvable: false };
  }
  const [first, ...rest] = normalized.path.split('/');
  const named = folders.length > 1 ? folders.find((folder) => folder.name === first) : undefined;
  const folder = named ?? folders[0];
  const relative = named ? rest.join('/') || '.' : normalized.path;
  const uri = relative === '.' ? folder.uri : vscode.Uri.joinPath(folder.uri, ...relative.split('/'));
  const display = folders.length > 1 ? `${folder.name}/${relative}` : relative;
  // What the path really reaches, once symbolic links are followed: the name given and the file
  // reached are both checked, so a link named notes.md cannot lead to .env.
  const real = uri.scheme === 'file' ? await realTarget(uri.fsPath) : await throughNoLink(folder.uri, relative, uri);
  if (!real) return { refused: `${display} leads outside the workspace (a symbolic link).`, approvable: false };
  const realRelative = vscode.workspace.asRelativePath(real, false);
  const target = { uri, folder, display };
  const secret = secretReason(relative) ?? secretReason(realRelative);
  if (secret) return { refused: `${display} looks like ${secret}.`, approvable: true, target };
  if ((await isIgnored(uri)) || (real.toString() !== uri.toString() && (await isIgnored(real)))) {
    return { refused: `${display} is ignored by git (.gitignore).`, approvable: true, target };
  }
  return { target };
}

/**
 * Where `file` really is once symbolic links are followed, as a workspace file: for a file yet to be
 * created, its nearest existing folder is followed and the rest of the path kept. Undefined when
 * that leads outside every workspace folder.
 */
async function realTarget(file: string): Promise<vscode.Uri | undefined> {
  const missing: string[] = [];
  for (let current = file; ; current = path.dirname(current)) {
    const exists = await fs.lstat(current).then(
      () => true,
      () => false,
    );
    if (exists) {
      const real = await realWorkspaceFile(current);
      return real && (missing.length ? vscode.Uri.joinPath(real, ...missing.reverse()) : real);
    }
    if (path.dirname(current) === current) return undefined;
    missing.push(path.basename(current));
  }
}

/**
 * A workspace on another machine (`vscode-remote:`), where links cannot be followed from here:
 * `uri` when no part of the path below the folder is a symbolic link, else undefined (refused).
 */
async function throughNoLink(root: vscode.Uri, relative: string, uri: vscode.Uri): Promise<vscode.Uri | undefined> {
  let current = root;
  for (const part of relative === '.' ? [] : relative.split('/')) {
    current = vscode.Uri.joinPath(current, part);
    const stat = await Promise.resolve(vscode.workspace.fs.stat(current)).catch(() => undefined);
    if (!stat) break;
    if (stat.type & vscode.FileType.SymbolicLink) return undefined;
  }
  return uri;
}
