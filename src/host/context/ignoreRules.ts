/**
 * Which workspace files git ignores, matched here rather than handed to the editor's search as one
 * joined glob: a joined glob breaks on a pattern with braces or commas, and cannot say "except".
 * Follows gitignore(5): `#` comments, `!` negation (the last matching rule wins), a leading or
 * inner `/` anchors to the file's folder, a trailing `/` matches folders only, `*`, `?`, `[...]`
 * and `**`. A file in an ignored folder stays ignored. Plain code (no `vscode`), tested in Node.
 */

interface Rule {
  /** The folder of the .gitignore, relative to the workspace folder, '' for its root. */
  base: string;
  regex: RegExp;
  negated: boolean;
  directoryOnly: boolean;
}

/** A glob of gitignore's flavour as a regular expression over a path relative to its base. */
function patternRegex(pattern: string, anchored: boolean): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i];
    if (char === '*') {
      if (pattern[i + 1] === '*') {
        const before = i === 0 || pattern[i - 1] === '/';
        const after = i + 2 === pattern.length || pattern[i + 2] === '/';
        if (before && after) {
          // `**/` any folders (none included); a trailing `/**` everything inside.
          if (i + 2 === pattern.length) out += '.*';
          else {
            out += '(?:.*/)?';
            i++;
          }
          i++;
          continue;
        }
      }
      out += '[^/]*';
    } else if (char === '?') {
      out += '[^/]';
    } else if (char === '[') {
      // A `]` right after `[` or `[!` is a member, not the end.
      let from = i + 1;
      const negated = pattern[from] === '!';
      if (negated) from++;
      const close = pattern.indexOf(']', pattern[from] === ']' ? from + 1 : from);
      if (close === -1) out += '\\[';
      else {
        const members = pattern.slice(from, close).replace(/[\\\]^]/g, '\\$&');
        out += negated ? `(?!/)[^${members}]` : `[${members}]`;
        i = close;
      }
    } else if (char === '\\' && i + 1 < pattern.length) {
      out += pattern[++i].replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    } else {
      out += char.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    }
  }
  return new RegExp(`^${anchored ? '' : '(?:.*/)?'}${out}$`);
}

/** The rules of one .gitignore file found in folder `base` ('' for the workspace folder's root). */
export function parseIgnoreFile(text: string, base = ''): Rule[] {
  const rules: Rule[] = [];
  for (const raw of text.split(/\r?\n/)) {
    let line = raw.replace(/(?<!\\)\s+$/, '');
    if (!line || line.startsWith('#')) continue;
    const negated = line.startsWith('!');
    if (negated) line = line.slice(1);
    if (line.startsWith('\\#') || line.startsWith('\\!')) line = line.slice(1);
    const directoryOnly = line.endsWith('/');
    line = line.replace(/\/+$/, '');
    if (!line) continue;
    const anchored = line.includes('/');
    line = line.replace(/^\//, '');
    try {
      rules.push({ base: base.replace(/^\/+|\/+$/g, ''), regex: patternRegex(line, anchored), negated, directoryOnly });
    } catch {
      // A pattern no regular expression can hold is ignored, as git ignores what it cannot parse.
    }
  }
  return rules;
}

/**
 * Decides, for paths relative to one workspace folder, whether git ignores them. Rules of deeper
 * .gitignore files come after (and so win over) those of their parents; global rules come first.
 */
export class IgnoreRules {
  private readonly rules: Rule[] = [];

  /** Adds a .gitignore's text; `base` is its folder relative to the workspace folder. */
  add(text: string, base = ''): this {
    this.rules.push(...parseIgnoreFile(text, base));
    // Deeper files last: a child's rule overrides its parent's.
    this.rules.sort((a, b) => (a.base ? a.base.split('/').length : 0) - (b.base ? b.base.split('/').length : 0));
    return this;
  }

  get size(): number {
    return this.rules.length;
  }

  /** Whether the file at `relative` ('a/b/c.txt') is ignored, itself or through a folder above it. */
  ignores(relative: string): boolean {
    const parts = relative.split('/').filter(Boolean);
    for (let depth = 1; depth <= parts.length; depth++) {
      if (this.match(parts.slice(0, depth).join('/'), depth < parts.length)) return true;
    }
    return false;
  }

  /** The verdict of the rules on one path, a folder or the file itself. */
  private match(path: string, isDirectory: boolean): boolean {
    let ignored = false;
    for (const rule of this.rules) {
      if (rule.directoryOnly && !isDirectory) continue;
      let inside = path;
      if (rule.base) {
        if (!path.startsWith(`${rule.base}/`)) continue;
        inside = path.slice(rule.base.length + 1);
      }
      if (rule.regex.test(inside)) ignored = !rule.negated;
    }
    return ignored;
  }
}
