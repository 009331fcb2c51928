/**
 * Code completion at the cursor: where a suggestion may go, and the clean-up of what the model
 * returns (its prompts are in prompts.ts). Plain functions, no I/O.
 */
import { CURSOR_MARKER, type CursorContext } from './prompts';

/** Where the text after the cursor on its line allows a suggestion: nothing, or only closers. */
export function allowsCompletion(restOfLine: string): boolean {
  return /^[\s)\]}'"`;,.:>]*$/.test(restOfLine);
}

/**
 * Makes a model's text fit at the cursor: the chat format's stray fence and marker are dropped,
 * a single line is kept when `multiline` is false (text follows the cursor on its line), trailing
 * blank lines go, and what already follows the cursor is not repeated: the closers after the
 * cursor on its line, and whole lines the suffix already starts with.
 */
export function fitCompletion(
  text: string,
  context: Pick<CursorContext, 'prefix' | 'suffix'>,
  multiline: boolean,
): string {
  let result = text.replace(/\r\n/g, '\n');
  const fenced = /^\s*```[^\n]*\n([\s\S]*?)(?:\n```\s*)?$/.exec(result);
  if (fenced) result = fenced[1];
  result = result.split(CURSOR_MARKER).join('');
  if (!multiline) result = result.split('\n')[0];
  result = result.replace(/\s+$/, (space) => (space.includes('\n') ? '' : space));
  if (!result.trim()) return '';

  const suffixLines = context.suffix.split('\n');
  const restOfLine = suffixLines[0];
  // Whole lines the suffix already has (the closing brace of the block, say) are not repeated.
  if (multiline) {
    const lines = result.split('\n');
    const following = suffixLines.slice(1).filter((line) => line.trim() !== '');
    let drop = 0;
    for (let m = Math.min(lines.length - 1, following.length); m > 0; m--) {
      const tail = lines.slice(-m).map((line) => line.trim());
      if (tail.every((line, i) => line !== '' && line === following[i].trim())) {
        drop = m;
        break;
      }
    }
    if (drop > 0) result = lines.slice(0, -drop).join('\n');
  }
  // The closers after the cursor (a quote, a bracket, a semicolon) are not typed twice: a
  // completion that ends with them, unbalanced, repeats what the line already has.
  const closers = restOfLine.trim();
  if (closers) {
    const lastNewline = result.lastIndexOf('\n');
    const last = result.slice(lastNewline + 1).trimEnd();
    for (let k = closers.length; k > 0; k--) {
      const candidate = closers.slice(0, k);
      if (last.endsWith(candidate) && repeatsClosers(result, candidate)) {
        result = result.slice(0, lastNewline + 1) + last.slice(0, last.length - k);
        break;
      }
    }
  }
  return result.trim() ? result : '';
}

const OPENER: Record<string, string> = { ')': '(', ']': '[', '}': '{' };

/** True when each bracket in `closers` closes nothing opened in `text`, and each quote is unpaired there. */
function repeatsClosers(text: string, closers: string): boolean {
  const count = (ch: string) => text.split(ch).length - 1;
  for (const ch of new Set(closers)) {
    if (ch in OPENER && count(ch) <= count(OPENER[ch])) return false;
    if (/['"`]/.test(ch) && count(ch) % 2 === 0) return false;
  }
  return true;
}
