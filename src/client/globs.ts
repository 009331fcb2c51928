/**
 * Glob patterns as rules files write them (`applyTo: "**\/*.ts,**\/*.tsx"`): `*`, `**`, `?`,
 * `[abc]` and `{a,b}`, several patterns separated by commas. A pattern without a `/` matches a
 * file's name in any folder. A repository writes these, so matching never backtracks: a path is
 * matched part by part with tables the size of the pattern times the path, whatever the pattern.
 * Plain functions, no I/O.
 */

/** Patterns, alternatives of one pattern, and characters of one, taken at most. */
const MAX_PATTERNS = 20;
const MAX_ALTERNATIVES = 32;
const MAX_PATTERN = 300;
const MAX_PATH = 1024;

/** Splits `list` at the commas outside braces. */
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

/** `a{b,c}d` as `abd` and `acd` (nested braces too), at most MAX_ALTERNATIVES of them. */
function expand(glob: string): string[] {
  const open = glob.indexOf('{');
  if (open === -1) return [glob];
  let depth = 0;
  for (let i = open; i < glob.length; i++) {
    if (glob[i] === '{') depth++;
    else if (glob[i] === '}' && --depth === 0) {
      const out: string[] = [];
      for (const choice of splitRaw(glob.slice(open + 1, i))) {
        for (const rest of expand(glob.slice(0, open) + choice + glob.slice(i + 1))) {
          if (out.length >= MAX_ALTERNATIVES) return out;
          out.push(rest);
        }
      }
      return out;
    }
  }
  return [glob];
}

/** The alternatives of a brace's body, kept as written (empty ones too). */
function splitRaw(body: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const c of body) {
    if (c === '{') depth++;
    else if (c === '}') depth--;
    if (c === ',' && depth === 0) {
      out.push(current);
      current = '';
    } else current += c;
  }
  out.push(current);
  return out;
}

/** Whether one part of a path (no `/`) matches one part of a pattern: a table, no backtracking. */
function matchPart(pattern: string, text: string): boolean {
  // reach[j]: the pattern so far can match text[0..j).
  let reach = new Array<boolean>(text.length + 1).fill(false);
  reach[0] = true;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    const next = new Array<boolean>(text.length + 1).fill(false);
    if (c === '*') {
      let any = false;
      for (let j = 0; j <= text.length; j++) next[j] = any ||= reach[j];
    } else {
      let test: (ch: string) => boolean;
      if (c === '?') test = () => true;
      else if (c === '[' && pattern.indexOf(']', i + 1) > i + 1) {
        const close = pattern.indexOf(']', i + 1);
        const body = pattern.slice(i + 1, close);
        const negate = body.startsWith('!') || body.startsWith('^');
        const set = negate ? body.slice(1) : body;
        test = (ch) => classHas(set, ch) !== negate;
        i = close;
      } else test = (ch) => ch === c;
      for (let j = 0; j < text.length; j++) if (reach[j] && test(text[j])) next[j + 1] = true;
    }
    reach = next;
  }
  return reach[text.length];
}

function classHas(set: string, ch: string): boolean {
  for (let k = 0; k < set.length; k++) {
    if (set[k + 1] === '-' && k + 2 < set.length) {
      if (ch >= set[k] && ch <= set[k + 2]) return true;
      k += 2;
    } else if (set[k] === ch) return true;
  }
  return false;
}

/** Whether a path's parts match a pattern's parts, `**` standing for any number of parts. */
function matchParts(pattern: string[], path: string[]): boolean {
  // reach[j]: the pattern's parts so far can match path[0..j).
  let reach = new Array<boolean>(path.length + 1).fill(false);
  reach[0] = true;
  for (const part of pattern) {
    const next = new Array<boolean>(path.length + 1).fill(false);
    if (part === '**') {
      let any = false;
      for (let j = 0; j <= path.length; j++) next[j] = any ||= reach[j];
    } else {
      for (let j = 0; j < path.length; j++) if (reach[j] && matchPart(part, path[j])) next[j + 1] = true;
    }
    reach = next;
  }
  return reach[path.length];
}

/** Whether `path` (relative, with `/`) matches any of the comma-separated globs in `patterns`. */
export function globMatcher(patterns: string): (path: string) => boolean {
  const compiled = split(patterns)
    .slice(0, MAX_PATTERNS)
    .filter((glob) => glob.length <= MAX_PATTERN)
    .flatMap(expand)
    .slice(0, MAX_ALTERNATIVES)
    .map((glob) => {
      const parts = glob.split('/').filter(Boolean);
      // A name alone matches in any folder.
      return glob.includes('/') ? parts : ['**', ...parts];
    });
  return (path) => {
    if (path.length > MAX_PATH) return false;
    const parts = path.split('/').filter(Boolean);
    return compiled.some((pattern) => matchParts(pattern, parts));
  };
}
