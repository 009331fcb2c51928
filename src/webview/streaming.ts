import { cancelFrame, requestFrame, type FrameJob } from './frames';
import { codeLanguage, highlightCode, referenceCount, renderMarkdown, type MarkdownEnv } from './markdown';

/** Lines of code highlighted together: a growing code block costs per segment, never per block. */
const SEGMENT_LINES = 40;
/** A finished code block up to this size is highlighted again whole, exactly as a single render. */
const WHOLE_BLOCK_CHARS = 16_000;
/** Finished markdown blocks rendered in one call, to spare the per-call cost of many small ones. */
const MERGE_CHARS = 6_000;

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

/** A part of the text that no later text can change, waiting to be rendered. */
type Piece =
  | { kind: 'markdown'; start: number; end: number }
  | { kind: 'code'; start: number; bodyStart: number; bodyEnd: number; language: string };

/**
 * A fenced code block written line by line: complete lines are highlighted in segments of
 * {@link SEGMENT_LINES} as each fills, and the open segment shows as plain text until then. The
 * work for new text is bounded by a segment, however long the block is.
 */
class CodeWriter {
  readonly chunk: HTMLElement;
  private readonly code: HTMLElement;
  private readonly live = document.createTextNode('');
  private segmentStart: number;
  private segmentLines = 0;
  private segments = 0;
  /** Where the next line not yet taken starts. */
  private written: number;

  constructor(
    readonly start: number,
    private readonly bodyStart: number,
    private readonly language: string,
  ) {
    this.segmentStart = this.written = bodyStart;
    this.chunk = document.createElement('div');
    this.chunk.className = 'chunk';
    const pre = document.createElement('pre');
    pre.className = 'hljs';
    this.code = document.createElement('code');
    if (language && highlightCode('', language) !== undefined) this.code.className = `language-${language}`;
    this.code.append(this.live);
    pre.append(this.code);
    this.chunk.append(pre);
  }

  /**
   * Takes the lines of `text` up to `end` (a line start), sealing each segment that fills, until
   * `deadline`. True when every line up to `end` is taken.
   */
  write(text: string, end: number, deadline: number): boolean {
    while (this.written < end) {
      const newline = text.indexOf('\n', this.written);
      this.written = newline === -1 || newline >= end ? end : newline + 1;
      if (++this.segmentLines >= SEGMENT_LINES) {
        this.seal(text, this.written);
        if (performance.now() >= deadline) break;
      }
    }
    return this.written >= end;
  }

  /** Shows the open segment and the line being written, as plain text. */
  showLive(text: string, end: number): void {
    const live = text.slice(this.segmentStart, end);
    if (this.live.data !== live) this.live.data = live;
  }

  /** The block is complete at `bodyEnd`: the rest is highlighted, a small block again whole. */
  close(text: string, bodyEnd: number): void {
    if (this.segmentStart < bodyEnd) this.seal(text, bodyEnd);
    this.live.data = '';
    if (this.segments > 1 && bodyEnd - this.bodyStart <= WHOLE_BLOCK_CHARS) {
      const html = highlightCode(text.slice(this.bodyStart, bodyEnd), this.language);
      if (html !== undefined) {
        this.code.innerHTML = html;
        this.code.append(this.live);
      }
    }
  }

  private seal(text: string, end: number): void {
    const source = text.slice(this.segmentStart, end);
    const segment = document.createElement('span');
    const html = highlightCode(source, this.language);
    if (html === undefined) segment.textContent = source;
    else segment.innerHTML = html;
    this.code.insertBefore(segment, this.live);
    this.segmentStart = end;
    this.segmentLines = 0;
    this.segments++;
  }
}

/**
 * Markdown that grows as an answer streams, or that is restored whole. `append` only stores text
 * and asks for a frame ({@link requestFrame}); each frame scans the new complete lines once, renders
 * the parts that became final once, and re-renders only the unfinished markdown block at the end.
 * A fenced code block is written line by line ({@link CodeWriter}), so a block of thousands of lines
 * costs per frame what arrived in that frame. Work that does not fit in a frame's budget continues
 * in the next one; `data-pending` is on the element while work is left.
 *
 * Reference links render as they would in the whole answer: definitions found in a block are kept
 * for the blocks after it, and when one arrives after its use, the earlier blocks that could use it
 * are rendered again (rare: once per block that brings new definitions).
 */
export class StreamingMarkdown implements FrameJob {
  private text = '';
  private complete = false;
  /** Scanning: where the next unscanned line starts, and what is open there. */
  private scanned = 0;
  private pieceStart = 0;
  private previousBlank = false;
  /** A fence inside a markdown block (indented, as in a list item): blank lines in it do not cut. */
  private innerFence?: string;
  private openCode?: { start: number; bodyStart: number; marker: string; language: string };
  private pieces: Piece[] = [];
  /** Rendering. */
  private writer?: CodeWriter;
  private renderedTail = '';
  private env: MarkdownEnv = {};
  private chunks: Array<{ element: HTMLElement; source: string }> = [];
  private readonly stable: HTMLElement;
  private readonly tail: HTMLElement;
  private pending = false;

  constructor(
    readonly element: HTMLElement,
    private readonly decorate: (element: HTMLElement) => void,
    readonly priority = 0,
  ) {
    this.stable = document.createElement('div');
    this.tail = document.createElement('div');
    element.append(this.stable, this.tail);
  }

  append(delta: string): void {
    if (!delta) return;
    this.text += delta;
    this.request();
  }

  /**
   * Replaces the whole text (restoring a saved conversation); it renders over the next frames.
   * Only a `complete` text has its last block final; a turn still streaming keeps it open.
   */
  reset(text: string, complete: boolean): void {
    this.text = text;
    this.complete = complete;
    this.scanned = this.pieceStart = 0;
    this.previousBlank = false;
    this.innerFence = this.openCode = this.writer = undefined;
    this.pieces = [];
    this.renderedTail = '';
    this.env = {};
    this.chunks = [];
    this.stable.replaceChildren();
    this.tail.replaceChildren();
    this.request();
  }

  /** The text is complete: its last block is final too. */
  finish(): void {
    this.complete = true;
    this.request();
  }

  /** Renders everything now, whatever it costs (warming up the rendering path). */
  flushNow(): void {
    cancelFrame(this);
    while (this.step(Infinity));
  }

  /** Stops rendering: the element left the page. */
  dispose(): void {
    cancelFrame(this);
  }

  private request(): void {
    if (!this.pending) {
      this.pending = true;
      this.element.dataset.pending = '';
    }
    requestFrame(this);
  }

  step(deadline: number): boolean {
    this.scan();
    while (this.pieces.length > 0) {
      this.renderPiece(deadline);
      if (performance.now() >= deadline) break;
    }
    if (this.pieces.length > 0) {
      // What the tail showed is now (partly) in pieces not yet rendered: show it again later.
      if (this.renderedTail) this.showTail('');
    } else if (this.openCode) {
      this.showTail('');
      const writer = this.writerFor(this.openCode.start, this.openCode.bodyStart, this.openCode.language);
      if (writer.write(this.text, this.scanned, deadline)) writer.showLive(this.text, this.text.length);
      else return true;
    } else {
      this.showTail(this.text.slice(this.pieceStart));
    }
    if (this.pieces.length > 0) return true;
    this.pending = false;
    delete this.element.dataset.pending;
    return false;
  }

  /** Cuts the new complete lines into pieces; at the end of a complete text, the rest too. */
  private scan(): void {
    const text = this.text;
    while (this.scanned < text.length) {
      const newline = text.indexOf('\n', this.scanned);
      if (newline === -1 && !this.complete) break; // The last line is still being written.
      const lineEnd = newline === -1 ? text.length : newline;
      const next = newline === -1 ? text.length : newline + 1;
      const line = text.slice(this.scanned, lineEnd);
      if (this.openCode) {
        if (closes(line, this.openCode.marker)) {
          const { start, bodyStart, language } = this.openCode;
          this.pieces.push({ kind: 'code', start, bodyStart, bodyEnd: this.scanned, language });
          this.openCode = undefined;
          this.pieceStart = next;
          this.previousBlank = false;
        }
      } else if (this.innerFence) {
        if (closes(line, this.innerFence)) this.innerFence = undefined;
      } else {
        const marker = fence(line);
        if (marker && !/^\s/.test(line)) {
          // A fence at the margin starts a block of its own, whatever came before it.
          this.cut(this.scanned);
          this.openCode = { start: this.scanned, bodyStart: next, marker: marker[1], language: codeLanguage(marker[2]) };
        } else if (marker) {
          this.innerFence = marker[1];
        } else if (this.previousBlank && line.trim() !== '' && !/^\s/.test(line)) {
          // A block that starts at the margin after a blank line: what came before is final.
          this.cut(this.scanned);
        }
        this.previousBlank = !marker && line.trim() === '';
      }
      this.scanned = next;
    }
    if (this.complete && this.scanned >= text.length) {
      if (this.openCode) {
        // A fence never closed: the block runs to the end, as markdown-it renders it.
        const { start, bodyStart, language } = this.openCode;
        this.pieces.push({ kind: 'code', start, bodyStart, bodyEnd: text.length, language });
        this.openCode = undefined;
        this.pieceStart = text.length;
      } else {
        this.cut(text.length);
      }
    }
  }

  /** Makes the markdown from the last cut to `end` a piece, if it holds anything. */
  private cut(end: number): void {
    if (this.text.slice(this.pieceStart, end).trim() !== '') this.pieces.push({ kind: 'markdown', start: this.pieceStart, end });
    this.pieceStart = end;
  }

  private renderPiece(deadline: number): void {
    const piece = this.pieces[0];
    if (piece.kind === 'code') {
      const writer = this.writerFor(piece.start, piece.bodyStart, piece.language);
      if (!writer.write(this.text, piece.bodyEnd, deadline)) return;
      writer.close(this.text, piece.bodyEnd);
      this.writer = undefined;
      this.pieces.shift();
      return;
    }
    // Adjacent finished markdown blocks go to the renderer together, up to a size.
    let count = 1;
    while (count < this.pieces.length) {
      const next = this.pieces[count];
      if (next.kind !== 'markdown' || next.end - piece.start > MERGE_CHARS) break;
      count++;
    }
    const last = this.pieces[count - 1] as { end: number };
    this.pieces.splice(0, count);
    this.commitMarkdown(this.text.slice(piece.start, last.end));
  }

  private writerFor(start: number, bodyStart: number, language: string): CodeWriter {
    if (this.writer?.start !== start) {
      this.writer = new CodeWriter(start, bodyStart, language);
      this.stable.append(this.writer.chunk);
      this.decorate(this.writer.chunk);
    }
    return this.writer;
  }

  /** Renders finished markdown as a block of its own, which later text cannot change. */
  private commitMarkdown(source: string): void {
    // Each block is its own element, so the browser can skip its layout and paint once it scrolls
    // out of view (`content-visibility` in chat.css).
    const block = document.createElement('div');
    block.className = 'chunk';
    const known = referenceCount(this.env);
    block.innerHTML = renderMarkdown(source, this.env);
    this.decorate(block);
    this.stable.append(block);
    if (referenceCount(this.env) > known) {
      // A definition arrived after blocks that may use it: render those again with it.
      for (const chunk of this.chunks) {
        if (!chunk.source.includes('[')) continue;
        chunk.element.innerHTML = renderMarkdown(chunk.source, this.env);
        this.decorate(chunk.element);
      }
    }
    this.chunks.push({ element: block, source });
  }

  /** The unfinished block at the end, rendered again whenever it changed. */
  private showTail(tail: string): void {
    if (tail === this.renderedTail) return;
    // A copy: a definition still being written must not be kept half-written.
    this.tail.innerHTML = tail ? renderMarkdown(tail, { references: { ...this.env.references } }) : '';
    this.decorate(this.tail);
    this.renderedTail = tail;
  }
}
