/**
 * The user's global gitignore, as git finds it: `core.excludesFile` in ~/.gitconfig (or
 * $XDG_CONFIG_HOME/git/config), else $XDG_CONFIG_HOME/git/ignore (default ~/.config/git/ignore).
 * Read on the machine the extension host runs on, which is where the workspace is. Plain Node.
 */
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';

/** `core.excludesFile` in a git config file's text, or undefined. */
export function excludesFileOf(config: string): string | undefined {
  let section = '';
  let found: string | undefined;
  for (const raw of config.split(/\r?\n/)) {
    const line = raw.replace(/^\s+/, '');
    const header = /^\[\s*([^\]\s"]+)/.exec(line);
    if (header) {
      section = header[1].toLowerCase();
      continue;
    }
    const entry = /^excludesfile\s*=\s*(.*?)\s*$/i.exec(line);
    // The last one wins, as in git.
    if (section === 'core' && entry) found = entry[1].replace(/^"(.*)"$/, '$1');
  }
  return found;
}

const readText = (file: string) =>
  fs.readFile(file, 'utf8').then(
    (text) => text,
    () => '',
  );

/** The global gitignore's text; empty when there is none. */
export async function globalGitignore(env: NodeJS.ProcessEnv = process.env, home = os.homedir()): Promise<string> {
  const xdg = env.XDG_CONFIG_HOME || path.join(home, '.config');
  let configured: string | undefined;
  // git reads the XDG file first and ~/.gitconfig after it: the later one wins.
  for (const file of [path.join(xdg, 'git', 'config'), path.join(home, '.gitconfig')]) {
    configured = excludesFileOf(await readText(file)) ?? configured;
  }
  const file = configured ? configured.replace(/^~(?=$|\/)/, home) : path.join(xdg, 'git', 'ignore');
  return readText(path.isAbsolute(file) ? file : path.join(home, file));
}
