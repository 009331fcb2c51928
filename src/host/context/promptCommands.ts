/**
 * The prompt files a team keeps as slash commands: `.github/prompts/*.prompt.md` and
 * `.genos/prompts/*.md` in each workspace folder, and `*.prompt.md` / `*.md` in the user's own
 * folder (`genos.promptFiles.userFolder`). Read when the `/` menu is asked for; a repository's
 * files are not offered in Restricted Mode.
 */
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parsePromptFile, type PromptFile } from '../../client/promptFiles';
import { promptFilesFolder } from '../connection/settings';
import { readContainedText } from './workspaceFiles';

/** A prompt file found, with where it is. */
export interface FoundPrompt extends PromptFile {
  uri: vscode.Uri;
}

const MAX_PROMPT_BYTES = 64 * 1024;
const decoder = new TextDecoder();

async function readPrompt(uri: vscode.Uri, own: boolean): Promise<FoundPrompt | undefined> {
  try {
    // A repository's prompt file only when it is a regular file inside the workspace.
    const text = own
      ? decoder.decode((await vscode.workspace.fs.readFile(uri)).subarray(0, MAX_PROMPT_BYTES))
      : await readContainedText(uri, MAX_PROMPT_BYTES);
    const file = text === undefined ? undefined : parsePromptFile(path.posix.basename(uri.path), text);
    return file && { ...file, uri };
  } catch {
    return undefined;
  }
}

/** Every prompt file, the user's own first; a later one of the same name is left out. */
export async function promptFiles(): Promise<FoundPrompt[]> {
  const uris: Array<{ uri: vscode.Uri; own: boolean }> = [];
  const folder = promptFilesFolder().replace(/^~(?=$|[\\/])/, os.homedir());
  if (folder && path.isAbsolute(folder)) {
    const names = await fs.readdir(folder).catch(() => [] as string[]);
    for (const name of names.filter((n) => n.endsWith('.md')).sort()) {
      uris.push({ uri: vscode.Uri.file(path.join(folder, name)), own: true });
    }
  }
  if (vscode.workspace.isTrusted) {
    for (const glob of ['.github/prompts/*.prompt.md', '.genos/prompts/*.md']) {
      const found = await vscode.workspace.findFiles(glob, undefined, 200);
      uris.push(...found.sort((a, b) => a.path.localeCompare(b.path)).map((uri) => ({ uri, own: false })));
    }
  }
  const prompts: FoundPrompt[] = [];
  for (const { uri, own } of uris) {
    const prompt = await readPrompt(uri, own);
    if (prompt && !prompts.some((known) => known.name === prompt.name)) prompts.push(prompt);
  }
  return prompts;
}
