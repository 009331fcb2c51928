/**
 * Where a long list or table being written may be cut into parts that join it (see joins.ts):
 * recognised line by line as markdown-it would. No DOM, so it is unit-tested in Node.
 */

/** A table being scanned, or a part that continues one: the part is rendered under its head. */
type Table = { kind: 'table'; head: string };

/** A part that continues the list or table before it. */
export type Join = { kind: 'list' } | Table;

/** The list or table being scanned, whose later items or rows may start a part that joins it. */
export type Joinable = { kind: 'list'; marker: string; loose: boolean } | Table;

/**
 * A list or table is cut when the part being written reaches this many characters: the part is
 * rendered again as it grows, in the frame its text arrived in (bench/README.md: why not more).
 */
const JOIN_CHARS = 500;

const LIST_ITEM = /^(?:([-+*])|(\d{1,9})([.)]))[ \t]+\S/;
const DELIMITER_CELL = /^:?-+:?$/;

/**
 * A list item at the margin with text in it: the kind of list it belongs to (its bullet, or its
 * number's delimiter) and whether it may start a list right after a paragraph (a bullet, or 1).
 */
function listItem(line: string): { marker: string; interrupts: boolean } | undefined {
  const match = LIST_ITEM.exec(line);
  if (!match) return undefined;
  return match[1]
    ? { marker: match[1], interrupts: true }
    : { marker: `1${match[3]}`, interrupts: Number(match[2]) === 1 };
}

/** A table line's cells as markdown-it splits them: at pipes not escaped, empty ends left out. */
function cells(line: string): string[] {
  const list = line.trim().split(/(?<!\\)\|/);
  if (list.length > 0 && list[0] === '') list.shift();
  if (list.length > 0 && list[list.length - 1] === '') list.pop();
  return list;
}

/** Whether `head` and `delimiter`, two lines at the margin, start a table (markdown-it's rule). */
function startsTable(head: string, delimiter: string): boolean {
  if (/^\s/.test(head) || /^\s/.test(delimiter) || !head.includes('|')) return false;
  if (!/^[|:-][|:\-\s]*$/.test(delimiter) || /^-\s/.test(delimiter)) return false;
  const columns = delimiter.split('|');
  let count = 0;
  for (let i = 0; i < columns.length; i++) {
    const cell = columns[i].trim();
    if (!cell) {
      if (i === 0 || i === columns.length - 1) continue;
      return false;
    }
    if (!DELIMITER_CELL.test(cell)) return false;
    count++;
  }
  return count > 0 && cells(head).length === count;
}

/**
 * Follows the list or table being written through one more line outside code (`start` is where
 * the line starts, `blockStart` where the block being written starts, `previous` the line before
 * when that line began the part). Returns the state after it, and the join to cut with before
 * this line when a part starts there.
 */
export function follow(
  joinable: Joinable | undefined,
  line: string,
  start: number,
  blockStart: number,
  previous: string | undefined,
): { joinable?: Joinable; cut?: Join } {
  if (line.trim() === '') {
    // A blank line ends a table, and a list that goes on after one is loose (its items are
    // paragraphs, those before it too): no later part may join it.
    return joinable?.kind === 'list' ? { joinable: { ...joinable, loose: true } } : {};
  }
  const long = start - blockStart >= JOIN_CHARS;
  if (previous !== undefined && startsTable(previous, line)) {
    return { joinable: { kind: 'table', head: `${previous}\n${line}\n` } };
  }
  // An indented line is an item's content, or a row not cut at.
  if (/^\s/.test(line)) return { joinable };
  const item = listItem(line);
  if (joinable?.kind === 'list' && item?.marker === joinable.marker) {
    return { joinable, cut: long && !joinable.loose ? { kind: 'list' } : undefined };
  }
  // A new list: after a paragraph only where markdown-it lets one start there.
  if (item) {
    return {
      joinable:
        item.interrupts || start === blockStart ? { kind: 'list', marker: item.marker, loose: false } : undefined,
    };
  }
  if (joinable?.kind === 'table' && line.startsWith('|')) return { joinable, cut: long ? joinable : undefined };
  // Anything else at the margin ends the list or table, or continues it lazily: not cut after.
  return {};
}
