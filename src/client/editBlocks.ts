/**
 * Exact search/replace edits of a file's text, as the agent's `edit_file` asks for them. A search
 * text must occur exactly once; one that does not is never applied approximately: the result says
 * why and shows the lines most like it, for the model to try again. Plain functions, no I/O.
 */
import type { EditBlock } from './agentTools';

/** Lines of the closest match shown to the model at most. */
const NEAREST_LINES = 12;

export type EditOutcome =
  | { ok: true; text: string }
  | {
      ok: false;
      /** The edit (0-based) that failed; those before it are not applied either. */
      index: number;
      reason: 'notFound' | 'ambiguous' | 'emptySearch';
      /** For `notFound`: the lines most like the search text (1-based first line). */
      nearest?: { line: number; text: string };
      /** For `ambiguous`: how many times the search text occurs. */
      count?: number;
    };

/**
 * Applies `edits` in order, each to the text the ones before it made. A file with CRLF line ends
 * keeps them: search and replace texts written with LF are matched and written as CRLF.
 */
export function applyEdits(original: string, edits: readonly EditBlock[]): EditOutcome {
  const crlf = /\r\n/.test(original);
  let text = original;
  for (const [index, edit] of edits.entries()) {
    if (edit.search === '') return { ok: false, index, reason: 'emptySearch' };
    // As written first; in a file with CRLF line ends, then with them (a file may mix both).
    let search = edit.search;
    let replace = edit.replace;
    if (crlf && !text.includes(search)) [search, replace] = [toCrlf(search), toCrlf(replace)];
    const at = text.indexOf(search);
    if (at === -1) return { ok: false, index, reason: 'notFound', nearest: nearest(text, edit.search) };
    if (text.indexOf(search, at + 1) !== -1) {
      return { ok: false, index, reason: 'ambiguous', count: occurrences(text, search) };
    }
    text = text.slice(0, at) + replace + text.slice(at + search.length);
  }
  return { ok: true, text };
}

/** What went wrong with an edit, for the model: which edit, why, and what the file holds instead. */
export function describeEditFailure(outcome: Extract<EditOutcome, { ok: false }>, path: string): string {
  const which = `Edit ${outcome.index + 1} of ${path} was not applied, and neither were the edits after it`;
  switch (outcome.reason) {
    case 'emptySearch':
      return `${which}: its search text is empty. Use create_file for a new file.`;
    case 'ambiguous':
      return `${which}: its search text occurs ${outcome.count} times. Include more lines around it so it occurs once.`;
    case 'notFound': {
      const near = outcome.nearest;
      const hint = near
        ? ` The most similar lines, from line ${near.line}:\n${near.text}\nCopy the search text exactly from the file (read_file shows it).`
        : ' Read the file again with read_file and copy the search text exactly.';
      return `${which}: its search text does not occur in the file.${hint}`;
    }
  }
}

function toCrlf(text: string): string {
  return text.replace(/\r?\n/g, '\r\n');
}

/** How often `search` occurs, counting up to 100 (to say so, not to spend time on it). */
function occurrences(text: string, search: string): number {
  let count = 0;
  for (let at = text.indexOf(search); at !== -1 && count < 100; at = text.indexOf(search, at + 1)) count++;
  return count;
}

/** Search lines looked at to find the nearest lines; a line repeated more often says nothing. */
const NEAREST_SEARCH_LINES = 200;
const NEAREST_REPEATS = 3;

/**
 * The window of lines of `text` most like `search`'s lines: the most lines equal once their
 * indentation and trailing spaces are ignored. Undefined when no line is alike.
 */
function nearest(text: string, search: string): { line: number; text: string } | undefined {
  const lines = text.split(/\r?\n/);
  const wanted = search
    .split(/\r?\n/)
    .slice(0, NEAREST_SEARCH_LINES)
    .map((line) => line.trim());
  const size = Math.min(wanted.length, lines.length);
  const index = new Map<string, number[]>();
  for (const [i, line] of wanted.entries()) {
    if (!line) continue;
    const at = index.get(line);
    if (at) at.push(i);
    else index.set(line, [i]);
  }
  // A line the search repeats (a lone brace) would cost a vote at each of its places, for nothing.
  for (const [line, at] of index) if (at.length > NEAREST_REPEATS) index.delete(line);
  // Votes for window starts: a file line equal to search line j votes for the window starting j before it.
  const votes = new Map<number, number>();
  for (const [i, line] of lines.entries()) {
    for (const j of index.get(line.trim()) ?? []) {
      const start = Math.max(0, Math.min(i - j, lines.length - size));
      votes.set(start, (votes.get(start) ?? 0) + 1);
    }
  }
  let best = -1;
  let bestVotes = 0;
  for (const [start, count] of votes) {
    if (count > bestVotes || (count === bestVotes && start < best)) [best, bestVotes] = [start, count];
  }
  if (best === -1) return undefined;
  return { line: best + 1, text: lines.slice(best, best + Math.min(size, NEAREST_LINES)).join('\n') };
}
