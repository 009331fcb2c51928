/**
 * Glob patterns as rules files write them (`applyTo: "**\/*.ts,**\/*.tsx"`): `*`, `**`, `?`,
 * `[abc]` and `{a,b}`, several patterns separated by commas. A pattern without a `/` matches a
 * file's name in any folder. A repository writes these, so a pattern is compiled only when it is
 * short and has few wildcards: the match stays fast on any path. Plain functions, no I/O.
 */

const MAX_PATTERN = 300;
const MAX_WILDCARDS = 12;

/** The regular expression of one glob, or undefined when it is too long or too wild to trust. */
function compile(glob: string): RegExp | undefined {
  if (glob.length > MAX_PATTERN || (glob.match(/[*?]/g)?.length ?? 0) > MAX_WILDCARDS) return undefined;
  const anywhere = !glob.includes('/');
  let source = '';
  let braces = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        const slash = glob[i + 2] === '/';
        source += slash ? '(?:[^/]*/)*' : '.*';
        i += slash ? 2 : 1;
      } else source += '[^/]*';
    } else if (c === '?') source += '[^/]';
    else if (c === '[') {
      const close = glob.indexOf(']', i + 1);
      if (close === -1) source += '\\[';
      else {
        const body = glob
          .slice(i + 1, close)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\');
        source += `[${body}]`;
        i = close;
      }
    } else if (c === '{') {
      braces++;
      source += '(?:';
    } else if (c === '}' && braces > 0) {
      braces--;
      source += ')';
    } else if (c === ',' && braces > 0) source += '|';
    else source += c.replace(/[.+^$()|\\]/g, '\\$&');
  }
  if (braces > 0) return undefined;
  try {
    return new RegExp(`^${anywhere ? '(?:.*/)?' : ''}${source}$`);
  } catch {
    return undefined;
  }
}

/** Splits `a,b` at the commas outside braces. */
function split(list: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const c of list) {
    if (c === '{') depth++;
    else if (c === '}') depth = Math.max(0, depth - 1);
    if (c === ',' && depth === 0) {
      out.push(current);
      current = '';
    } else current += c;
  }
  out.push(current);
  return out.map((glob) => glob.trim().replace(/^\.\//, '')).filter(Boolean);
}

/** Whether `path` (relative, with `/`) matches any of the comma-separated globs in `patterns`. */
export function globMatcher(patterns: string): (path: string) => boolean {
  const compiled = split(patterns)
    .map(compile)
    .filter((re): re is RegExp => re !== undefined);
  return (path) => compiled.some((re) => re.test(path));
}
