/**
 * The scanner of a streamed answer: it cuts the text, line by line as it arrives, into blocks that
 * no later text can change (finished markdown, fenced code), following fences and the lists and
 * tables whose later items may join them. No DOM: the renderer (streaming.ts) turns blocks into
 * parts on screen, and this is unit-tested in Node.
 */
import { follow, type Join, type Joinable } from './joinRules';

/** Lines of code highlighted together; a closed code block of more lines is always written as code. */
export const SEGMENT_LINES = 20;

/** A fence that opens (group 1: the marker, group 2: the info string) or closes a code block. */
const FENCE = /^ {0,3}(`{3,}|~{3,})(.*)$/;
const CLOSING_FENCE = /^ {0,3}(`{3,}|~{3,})\s*$/;

function closes(line: string, marker: string): boolean {
  const match = CLOSING_FENCE.exec(line);
  return !!match && match[1][0] === marker[0] && match[1].length >= marker.length;
}

/** A fence line, unless its info string holds a backtick (then it is inline code, not a fence). */
function fence(line: string): RegExpExecArray | undefined {
  const match = FENCE.exec(line);
  if (!match || (match[1][0] === '`' && match[2].includes('`'))) return undefined;
  return match;
}

/** The language of a code fence's info string: its first word, lower-cased. */
export type LanguageOf = (info: string) => string;

/**
 * An answer's text from the first offset still needed, addressed by offsets in the whole text.
 * What is rendered is let go, so the string searched each frame is the unfinished part, not the
 * whole answer (searching a string that grew by appends copies it whole).
 */
export class TextWindow {
  private base = 0;
  private buffer = '';

  get end(): number {
    return this.base + this.buffer.length;
  }

  append(delta: string): void {
    this.buffer += delta;
  }

  reset(text: string): void {
    this.base = 0;
    this.buffer = text;
  }

  slice(start: number, end = this.end): string {
    return this.buffer.slice(start - this.base, end - this.base);
  }

  indexOf(search: string, from: number): number {
    const index = this.buffer.indexOf(search, from - this.base);
    return index === -1 ? -1 : index + this.base;
  }

  /** Forgets the text before `offset`. */
  release(offset: number): void {
    if (offset > this.base) {
      this.buffer = this.buffer.slice(offset - this.base);
      this.base = offset;
    }
  }
}

/** A block of the text that no later text can change, waiting to be rendered. */
export type Block =
  | { kind: 'markdown'; start: number; end: number; join?: Join }
  | { kind: 'code'; start: number; bodyStart: number; bodyEnd: number; language: string };

/** A fenced code block at the margin, not yet closed, and how many of its lines were scanned. */
export interface OpenCode {
  start: number;
  bodyStart: number;
  marker: string;
  language: string;
  lines: number;
}

export class BlockScanner {
  /** Blocks scanned and not yet taken by the renderer, in order. */
  blocks: Block[] = [];
  /** Where the next unscanned line starts. */
  scanned = 0;
  /** Where the markdown not yet cut into a block starts, and whether it joins the list or table before. */
  blockStart = 0;
  blockJoin?: Join;
  /** A fenced code block at the margin that is still open. */
  open?: OpenCode;
  private previousBlank = false;
  /** A fence inside a markdown block (indented, as in a list item): blank lines in it do not cut. */
  private innerFence?: string;
  /** The list or table being written, which a block may join; the line before, if it began the block. */
  private joinable?: Joinable;
  private previousLine?: string;

  constructor(
    private readonly text: TextWindow,
    private readonly languageOf: LanguageOf,
  ) {}

  /**
   * Cuts the new complete lines of the text into blocks; when the text is `complete`, the rest too.
   * `written(start)` says whether the code block at `start` is already being written as code: a
   * small block that arrived whole before any of it was shown stays in the markdown around it.
   */
  scan(complete: boolean, written: (start: number) => boolean): void {
    const text = this.text;
    while (this.scanned < text.end) {
      const newline = text.indexOf('\n', this.scanned);
      if (newline === -1 && !complete) break; // The last line is still being written.
      const lineEnd = newline === -1 ? text.end : newline;
      const next = newline === -1 ? text.end : newline + 1;
      const line = text.slice(this.scanned, lineEnd);
      if (this.open) this.scanCodeLine(line, next, written);
      else if (this.innerFence) {
        if (closes(line, this.innerFence)) this.innerFence = undefined;
      } else this.scanLine(line, next);
      this.scanned = next;
    }
    if (complete && this.scanned >= text.end) {
      if (this.open) {
        // A fence never closed: the block runs to the end, as markdown-it renders it.
        const { start, bodyStart, language } = this.open;
        this.cut(start);
        this.blocks.push({ kind: 'code', start, bodyStart, bodyEnd: text.end, language });
        this.open = undefined;
        this.blockStart = text.end;
      } else {
        this.cut(text.end);
      }
    }
    // A code block still open is written as it arrives: what came before it is final.
    if (this.open) this.cut(this.open.start);
  }

  /**
   * The first offset of the text still needed: the first block not taken, the markdown not cut,
   * the code block open; `writer` (the code block being written) may need its start.
   */
  needed(writer?: { start: number; needed(): number }): number {
    let needed = Math.min(this.scanned, this.blocks[0]?.start ?? Infinity);
    if (this.open) needed = Math.min(needed, writer?.start === this.open.start ? writer.needed() : this.open.start);
    else needed = Math.min(needed, this.blockStart);
    return writer ? Math.min(needed, writer.needed()) : needed;
  }

  private scanCodeLine(line: string, next: number, written: (start: number) => boolean): void {
    const open = this.open as OpenCode;
    if (!closes(line, open.marker)) {
      open.lines++;
      return;
    }
    const { start, bodyStart, language, lines } = open;
    // A small block that arrived whole, before any of it was shown, stays in the markdown around
    // it: one render for all of it, as a single render does, instead of a render call and a
    // highlight call each (under a burst, most of the cost of many small blocks).
    if (written(start) || lines > SEGMENT_LINES) {
      this.cut(start);
      this.blocks.push({ kind: 'code', start, bodyStart, bodyEnd: this.scanned, language });
      this.blockStart = next;
    }
    this.open = undefined;
    this.previousBlank = false;
  }

  private scanLine(line: string, next: number): void {
    const marker = fence(line);
    const lineStart = this.scanned;
    if (marker && !/^\s/.test(line)) {
      // A fence at the margin starts a block of its own, whatever came before it (what came
      // before is cut from it once it is known to be written as a block).
      this.open = {
        start: lineStart,
        bodyStart: next,
        marker: marker[1],
        language: this.languageOf(marker[2]),
        lines: 0,
      };
    } else if (marker) {
      this.innerFence = marker[1];
    } else if (this.previousBlank && line.trim() !== '' && !/^\s/.test(line)) {
      // A block that starts at the margin after a blank line: what came before is final.
      this.cut(lineStart);
    }
    if (!marker) {
      // Follows a list or table through the line, and cuts before it when a block may start there.
      const followed = follow(this.joinable, line, lineStart, this.blockStart, this.previousLine);
      this.joinable = followed.joinable;
      if (followed.cut) this.cut(lineStart, followed.cut);
    } else if (!/^\s/.test(line)) this.joinable = undefined;
    this.previousLine = !marker && lineStart === this.blockStart ? line : undefined;
    this.previousBlank = !marker && line.trim() === '';
  }

  /**
   * Makes the markdown from the last cut to `end` a block, if it holds anything; `next` says
   * whether the markdown after it continues its list or table.
   */
  private cut(end: number, next?: Join): void {
    if (this.text.slice(this.blockStart, end).trim() !== '') {
      this.blocks.push({ kind: 'markdown', start: this.blockStart, end, join: this.blockJoin });
    }
    this.blockStart = end;
    this.blockJoin = next;
  }
}
