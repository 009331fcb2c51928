/**
 * Prompt files as slash commands: a file's front matter may give `description`, `mode` (ask or
 * agent) and `model`; its body may use `${selection}`, `${file}` (the current file's path),
 * `${fileContent}` and `${input:name}` (or `${input:name:placeholder}`), asked for when the command
 * runs. Plain functions, no I/O.
 */
import { parseFrontMatter } from './frontMatter';

export interface PromptFile {
  /** The command's name: the file's name without `.prompt.md` or `.md`. */
  name: string;
  description?: string;
  mode?: 'ask' | 'agent';
  model?: string;
  body: string;
}

/** A command's name from a file's name, or undefined when it cannot be one. */
export function commandName(fileName: string): string | undefined {
  const name = fileName.replace(/\.prompt\.md$/i, '').replace(/\.md$/i, '');
  return /^[\p{L}\p{N}][\p{L}\p{N}_.-]{0,63}$/u.test(name) ? name : undefined;
}

export function parsePromptFile(fileName: string, text: string): PromptFile | undefined {
  const name = commandName(fileName);
  if (!name) return undefined;
  const { data, body } = parseFrontMatter(text);
  if (!body.trim()) return undefined;
  const mode = data.mode === 'agent' || data.mode === 'ask' ? data.mode : undefined;
  return { name, description: data.description || undefined, mode, model: data.model || undefined, body: body.trim() };
}

/** The `${input:…}` variables of a body, each once, in order: what to ask the user for. */
export function inputsOf(body: string): Array<{ name: string; placeholder?: string }> {
  const found = new Map<string, string | undefined>();
  for (const match of body.matchAll(/\$\{input:([\p{L}\p{N}_-]+)(?::([^}]*))?\}/gu)) {
    if (!found.has(match[1])) found.set(match[1], match[2]);
  }
  return [...found].map(([name, placeholder]) => ({ name, placeholder }));
}

export interface PromptValues {
  selection?: string;
  file?: string;
  fileContent?: string;
  /** The answers to `${input:…}`, by name. */
  inputs: ReadonlyMap<string, string>;
}

/** The body with its variables filled in; an unknown variable is left as written. */
export function fillPrompt(body: string, values: PromptValues): string {
  return body.replace(
    /\$\{(selection|file|fileContent|input:([\p{L}\p{N}_-]+)(?::[^}]*)?)\}/gu,
    (whole, key, input) => {
      if (input !== undefined) return values.inputs.get(input) ?? whole;
      const value = values[key as 'selection' | 'file' | 'fileContent'];
      return value ?? '';
    },
  );
}
