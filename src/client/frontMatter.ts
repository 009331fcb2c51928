/**
 * The front matter of a rules or prompt file: `key: value` lines between `---` lines at the top,
 * as `.instructions.md`, `.prompt.md` and `.genos/rules/*.md` files write them. Only flat keys with
 * text values are read (a quoted string, a bare word, or an inline `[a, b]` list, kept as `a,b`);
 * anything else is skipped, never an error: a rules file with odd front matter still applies.
 * Plain functions, no I/O.
 */

export interface FrontMatter {
  data: Record<string, string>;
  /** The text after the front matter (the whole text when there is none). */
  body: string;
}

function unquote(value: string): string {
  const quoted = /^(["'])(.*)\1$/.exec(value);
  return quoted ? quoted[2] : value;
}

export function parseFrontMatter(text: string): FrontMatter {
  const source = text.replace(/^\uFEFF/, '');
  const data: Record<string, string> = Object.create(null) as Record<string, string>;
  const start = /^---[ \t]*\r?\n/.exec(source);
  if (!start) return { data, body: source };
  const rest = source.slice(start[0].length);
  const end = /^---[ \t]*(\r?\n|$)/m.exec(rest);
  if (!end) return { data, body: source };
  for (const line of rest.slice(0, end.index).split(/\r?\n/)) {
    // One pass over the line: no pattern here can be made to backtrack by spaces and tabs.
    const field = /^([A-Za-z][\w-]*)[ \t]*:(.*)$/.exec(line);
    if (!field) continue;
    let value = field[2].trim();
    const list = /^\[(.*)\]$/.exec(value);
    if (list) {
      value = list[1]
        .split(',')
        .map((item) => unquote(item.trim()))
        .filter(Boolean)
        .join(',');
    } else value = unquote(value);
    data[field[1]] = value;
  }
  return { data, body: rest.slice(end.index + end[0].length) };
}
