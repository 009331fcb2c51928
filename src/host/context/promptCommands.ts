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

/** A prompt file found, with where it is. */
export interface FoundPrompt extends PromptFile {
  uri: vscode.Uri;
}

const MAX_PROMPT_BYTES = 64 * 1024;
const decoder = new TextDecoder();

async function readPrompt(uri: vscode.Uri): Promise<FoundPrompt | undefined> {
  try {
    const bytes = await vscode.workspace.fs.readFile(uri);
    if (bytes.length > MAX_PROMPT_BYTES) return undefined;
    const file = parsePromptFile(path.posix.basename(uri.path), decoder.decode(bytes));
    return file && { ...file, uri };
  } catch {
    return undefined;
  }
}

/** Every prompt file, the user's own first; a later one of the same name is left out. */
export async function promptFiles(): Promise<FoundPrompt[]> {
  const uris: vscode.Uri[] = [];
  const folder = promptFilesFolder().replace(/^~(?=$|[\\/])/, os.homedir());
  if (folder && path.isAbsolute(folder)) {
    const names = await fs.readdir(folder).catch(() => [] as string[]);
    for (const name of names.filter((n) => n.endsWith('.md')).sort()) {
      uris.push(vscode.Uri.file(path.join(folder, name)));
    }
  }
  if (vscode.workspace.isTrusted) {
    for (const glob of ['.github/prompts/*.prompt.md', '.genos/prompts/*.md']) {
      const found = await vscode.workspace.findFiles(glob, undefined, 200);
      uris.push(...found.sort((a, b) => a.path.localeCompare(b.path)));
    }
  }
  const prompts: FoundPrompt[] = [];
  for (const uri of uris) {
    const prompt = await readPrompt(uri);
    if (prompt && !prompts.some((known) => known.name === prompt.name)) prompts.push(prompt);
  }
  return prompts;
}
