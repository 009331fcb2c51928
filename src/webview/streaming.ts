import { cancelFrame, requestFrame, rerenderFits, UnitCost, type FrameJob } from './frames';
import { appendItems, continuation, follow, itemCount, joinedItems, takeOver, type Join, type Joinable } from './joins';
import {
  canHighlight,
  codeLanguage,
  highlightCode,
  referenceCount,
  renderMarkdown,
  type MarkdownEnv,
} from './markdown';

/** Lines of code highlighted together: a growing code block costs per segment, never per block. */
const SEGMENT_LINES = 20;
/** Segments per page of a code block; a page out of view is neither laid out nor painted. */
const PAGE_SEGMENTS = 5;
/** Finished markdown per element that the browser skips while out of view. */
const GROUP_CHARS = 4_000;
/** A finished code block up to this size is highlighted again whole, exactly as a single render. */
const WHOLE_BLOCK_CHARS = 8_000;
/** Highlighting ranks below the text of every turn. */
const HIGHLIGHT_AFTER = 1_000_000;
/** Finished markdown blocks rendered in one call, to spare the per-call cost of many small ones. */
const MERGE_CHARS = 3_000;
/**
 * Under a burst (more than {@link BURST_CHARS} new characters since the last render, far faster
 * than a model streams) a growing answer renders at most every {@link BURST_RENDER_GAP_MS}: every
 * fifth frame at 60 Hz, still faster than anyone reads. That cuts the re-rendering of the
 * unfinished block and renders the finished ones in fewer, larger calls (a 200 KB answer streamed
 * as a burst cost a fifth less script than at every other frame, and every fifth frame about a
 * seventh less again than every third: 279-298 against 322-350 ms in the bench). At a model's pace
 * every frame renders, for the least latency.
 */
const BURST_CHARS = 256;
const BURST_RENDER_GAP_MS = 80;

/**
 * What rendering markdown and highlighting code cost per character, learnt by every answer for all
 * of them: the same renderer does the work for each.
 */
const markdownCost = new UnitCost();
const highlightCost = new UnitCost();

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

/**
 * An answer's text from the first offset still needed, addressed by offsets in the whole text.
 * What is rendered is let go, so the string searched each frame is the unfinished part, not the
 * whole answer (searching a string that grew by appends copies it whole).
 */
class TextWindow {
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

/** A part of the text that no later text can change, waiting to be rendered. */
type Piece =
  | { kind: 'markdown'; start: number; end: number; join?: Join }
  | { kind: 'code'; start: number; bodyStart: number; bodyEnd: number; language: string };

/**
 * Finished markdown rendered: its source, kept to render it again when a reference definition
 * arrives after it; the items or rows it added to the list or table before it; the block holding
 * the rest, and how many items or rows that block's last element (a list or table that later parts
 * may join) had of its own.
 */
interface Chunk {
  source: string;
  join?: Join;
  items: Element[];
  element?: HTMLElement;
  own: number;
}

/** A part's rendering: items or rows that join the list or table before it, and the rest. */
interface Part {
  items: Element[];
  rest: HTMLElement;
}

/** Code waiting for its highlighting: a segment of a block, or a small block whole. */
interface Highlight {
  target: HTMLElement;
  source: string;
  language: string;
  writer: CodeWriter;
  whole?: boolean;
}

/**
 * Highlighting comes after text: each answer queues its code here, and the queue runs in what is
 * left of a frame once every answer's text is on screen (its priority is below any text's).
 */
class Highlighter implements FrameJob {
  private readonly queue: Highlight[] = [];

  constructor(
    readonly priority: number,
    /** Marked `data-highlighting` while code waits. */
    private readonly element: HTMLElement,
  ) {}

  add(item: Highlight): void {
    if (this.queue.length === 0) this.element.dataset.highlighting = '';
    this.queue.push(item);
    requestFrame(this);
  }

  /** Drops what is queued for `writer` (it is highlighted again whole). */
  drop(writer: CodeWriter): void {
    for (let i = this.queue.length - 1; i >= 0; i--) if (this.queue[i].writer === writer) this.queue.splice(i, 1);
  }

  /** How many highlights wait for `writer`. */
  queued(writer: CodeWriter): number {
    let count = 0;
    for (const item of this.queue) if (item.writer === writer) count++;
    return count;
  }

  clear(): void {
    this.queue.length = 0;
    delete this.element.dataset.highlighting;
    cancelFrame(this);
  }

  step(deadline: number): boolean {
    while (this.queue.length > 0 && highlightCost.fits(this.queue[0].source.length, deadline)) {
      const item = this.queue.shift() as Highlight;
      const highlighted = item.target.isConnected
        ? highlightCost.measure(item.source.length, () => highlightCode(item.source, item.language))
        : undefined;
      if (highlighted) {
        item.target.replaceChildren(highlighted.nodes);
        if (highlighted.open && !item.whole) item.writer.segmentEndedOpen();
      }
    }
    if (this.queue.length > 0) return true;
    delete this.element.dataset.highlighting;
    return false;
  }
}

/**
 * A fenced code block written line by line: complete lines go in segments of
 * {@link SEGMENT_LINES}, each a block of its own (so the browser lays out only the new one), shown
 * as plain text at once and highlighted when the frame has time. The line being written shows as
 * plain text. The work for new text is bounded by a segment, however long the block is.
 *
 * A small block is highlighted again whole once complete, to be coloured as a single render
 * colours it, but only when its segments could differ from that: when one of them ended inside a
 * comment or string that goes on, or when segments still wait (one call for the whole is then
 * cheaper). Otherwise the segments already are what the whole would be, and are kept.
 */
class CodeWriter {
  readonly chunk: HTMLElement;
  private readonly code: HTMLElement;
  private page?: HTMLElement;
  private pageSegments = 0;
  private readonly live: HTMLElement;
  private readonly highlighted: boolean;
  private segmentStart: number;
  private segmentLines = 0;
  private segments = 0;
  /** Where the next line not yet taken starts. */
  private written: number;
  /** A highlighted segment ended inside a construct that goes on. */
  private open = false;
  /** The complete small block's code, kept while its segments may still call for a whole highlight. */
  private whole?: string;

  constructor(
    readonly start: number,
    private readonly bodyStart: number,
    private readonly language: string,
    private readonly highlighter: Highlighter,
  ) {
    this.segmentStart = this.written = bodyStart;
    this.highlighted = canHighlight(language);
    this.chunk = document.createElement('div');
    this.chunk.className = 'part';
    const pre = document.createElement('pre');
    pre.className = 'hljs';
    this.code = document.createElement('code');
    if (this.highlighted) this.code.className = `language-${language}`;
    this.live = document.createElement('span');
    this.live.className = 'segment';
    this.code.append(this.live);
    pre.append(this.code);
    this.chunk.append(pre);
  }

  /**
   * Takes the lines of `text` up to `end` (a line start), sealing each segment that fills, until
   * `deadline`. True when every line up to `end` is taken.
   */
  write(text: TextWindow, end: number, deadline: number): boolean {
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
  showLive(text: TextWindow, end: number): void {
    const live = text.slice(this.segmentStart, end);
    if (this.live.textContent !== live) this.live.textContent = live;
  }

  /** The block is complete at `bodyEnd`: the rest is sealed, and a small block highlighted whole. */
  close(text: TextWindow, bodyEnd: number): void {
    if (this.segmentStart < bodyEnd) this.seal(text, bodyEnd);
    this.live.remove();
    if (this.highlighted && this.segments > 1 && bodyEnd - this.bodyStart <= WHOLE_BLOCK_CHARS) {
      this.whole = text.slice(this.bodyStart, bodyEnd);
      // Besides the last segment, sealed just now, others still wait: highlight once, whole.
      if (this.open || this.highlighter.queued(this) > 1) this.highlightWhole();
    }
  }

  /** A segment's highlighting ended inside a comment or string: the rest of the block is off. */
  segmentEndedOpen(): void {
    this.open = true;
    if (this.whole !== undefined) this.highlightWhole();
  }

  private highlightWhole(): void {
    if (this.whole === undefined) return;
    this.highlighter.drop(this);
    this.highlighter.add({ target: this.code, source: this.whole, language: this.language, writer: this, whole: true });
    this.whole = undefined;
  }

  /** The first offset of the text this block still needs: all of it while it may be highlighted whole. */
  needed(): number {
    return this.written - this.bodyStart <= WHOLE_BLOCK_CHARS ? this.bodyStart : this.segmentStart;
  }

  private seal(text: TextWindow, end: number): void {
    const source = text.slice(this.segmentStart, end);
    const segment = document.createElement('span');
    segment.className = 'segment';
    segment.textContent = source;
    if (!this.page || this.pageSegments >= PAGE_SEGMENTS) {
      this.page = document.createElement('span');
      this.page.className = 'page';
      this.code.insertBefore(this.page, this.live);
      this.pageSegments = 0;
    }
    this.page.append(segment);
    this.pageSegments++;
    if (this.highlighted) this.highlighter.add({ target: segment, source, language: this.language, writer: this });
    this.live.textContent = '';
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
  private readonly text = new TextWindow();
  private complete = false;
  /** Scanning: where the next unscanned line starts, and what is open there. */
  private scanned = 0;
  private pieceStart = 0;
  private previousBlank = false;
  /** A fence inside a markdown block (indented, as in a list item): blank lines in it do not cut. */
  private innerFence?: string;
  /** The list or table being written, which a part may join; the line before, if it began the part. */
  private joinable?: Joinable;
  private previousLine?: string;
  /** The markdown from `pieceStart` continues the list or table before it. */
  private pieceJoin?: Join;
  /** A fenced code block at the margin, not yet closed, and how many lines of it were scanned. */
  private openCode?: { start: number; bodyStart: number; marker: string; language: string; lines: number };
  private pieces: Piece[] = [];
  /** Rendering. */
  private writer?: CodeWriter;
  private renderedTail = '';
  private env: MarkdownEnv = {};
  private chunks: Chunk[] = [];
  /** The list or table last rendered, at the end of what is shown, that a part may join. */
  private joinTarget?: Element;
  /** The items or rows the unfinished part at the end added to it. */
  private live: Element[] = [];
  private readonly stable: HTMLElement;
  private readonly tail: HTMLElement;
  private pending = false;
  private readonly highlighter: Highlighter;
  private group?: HTMLElement;
  private groupChars = 0;
  private lastRender = -Infinity;
  private renderedEnd = 0;

  constructor(
    readonly element: HTMLElement,
    private readonly decorate: (element: HTMLElement) => void,
    readonly priority = 0,
  ) {
    this.stable = document.createElement('div');
    this.tail = document.createElement('div');
    element.append(this.stable, this.tail);
    this.highlighter = new Highlighter(priority - HIGHLIGHT_AFTER, element);
  }

  append(delta: string): void {
    if (!delta) return;
    this.text.append(delta);
    this.request();
  }

  /**
   * Replaces the whole text (restoring a saved conversation); it renders over the next frames.
   * Only a `complete` text has its last block final; a turn still streaming keeps it open.
   */
  reset(text: string, complete: boolean): void {
    this.text.reset(text);
    this.complete = complete;
    this.group = undefined;
    this.scanned = this.pieceStart = 0;
    this.previousBlank = false;
    this.innerFence = this.openCode = this.writer = undefined;
    this.joinable = this.previousLine = this.pieceJoin = this.joinTarget = undefined;
    this.live = [];
    this.pieces = [];
    this.highlighter.clear();
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
    this.pending = true;
    while (this.step(Infinity));
    cancelFrame(this.highlighter);
    while (this.highlighter.step(Infinity));
  }

  /** Stops rendering: the element left the page. */
  dispose(): void {
    cancelFrame(this);
    this.pending = false;
    this.highlighter.clear();
  }

  /** Queues this text's rendering once: while pending it is queued, so a delta costs nothing more. */
  private request(): void {
    if (this.pending) return;
    this.pending = true;
    this.element.dataset.pending = '';
    requestFrame(this);
  }

  step(deadline: number): boolean {
    // A burst, and too soon after the last render: wait a frame while the text accumulates.
    const now = performance.now();
    if (
      !this.complete &&
      this.text.end - this.renderedEnd > BURST_CHARS &&
      now - this.lastRender < BURST_RENDER_GAP_MS - 2
    ) {
      return true;
    }
    const last = { at: this.lastRender, end: this.renderedEnd };
    // Only a render of new text counts (the first one of a turn, of no text, must not hold back
    // the first burst).
    if (this.text.end > this.renderedEnd) {
      this.lastRender = now;
      this.renderedEnd = this.text.end;
    }
    this.scan();
    let rendered = false;
    while (this.pieces.length > 0) {
      const piece = this.pieces[0];
      if (piece.kind === 'markdown' && !markdownCost.fits(piece.end - piece.start, deadline)) break;
      this.renderPiece(deadline);
      rendered = true;
      if (performance.now() >= deadline) break;
    }
    // The unfinished block at the end, rendered again whole: it may have to wait (in the frame itself).
    const tail = this.pieces.length === 0 && !this.openCode ? this.text.slice(this.pieceStart) : undefined;
    const tailWaits = tail !== undefined && tail !== this.renderedTail && !rerenderFits(tail.length);
    if (this.pieces.length > 0 || tailWaits) {
      if (!rendered) {
        // Nothing fitted (in the frame itself, or after another job): the panel shows what it
        // showed, and the last render is still the one before.
        this.lastRender = last.at;
        this.renderedEnd = last.end;
        return true;
      }
      // What the tail showed is now (partly) in pieces rendered or still waiting: show it again later.
      if (this.renderedTail) this.showTail('');
    } else if (this.openCode) {
      this.showTail('');
      const writer = this.writerFor(this.openCode.start, this.openCode.bodyStart, this.openCode.language);
      if (writer.write(this.text, this.scanned, deadline)) writer.showLive(this.text, this.text.end);
      else return true;
    } else if (tail !== undefined) {
      this.showTail(tail);
    }
    this.release();
    if (this.pieces.length > 0 || tailWaits) return true;
    this.pending = false;
    delete this.element.dataset.pending;
    return false;
  }

  /** Cuts the new complete lines into pieces; at the end of a complete text, the rest too. */
  private scan(): void {
    const text = this.text;
    while (this.scanned < text.end) {
      const newline = text.indexOf('\n', this.scanned);
      if (newline === -1 && !this.complete) break; // The last line is still being written.
      const lineEnd = newline === -1 ? text.end : newline;
      const next = newline === -1 ? text.end : newline + 1;
      const line = text.slice(this.scanned, lineEnd);
      if (this.openCode) {
        if (closes(line, this.openCode.marker)) {
          const { start, bodyStart, language, lines } = this.openCode;
          // A small block that arrived whole, before any of it was shown, stays in the markdown
          // around it: one render for all of it, as a single render does, instead of a render
          // call and a highlight call each (under a burst, most of the cost of many small blocks).
          if (this.writer?.start === start || lines > SEGMENT_LINES) {
            this.cut(start);
            this.pieces.push({ kind: 'code', start, bodyStart, bodyEnd: this.scanned, language });
            this.pieceStart = next;
          }
          this.openCode = undefined;
          this.previousBlank = false;
        } else {
          this.openCode.lines++;
        }
      } else if (this.innerFence) {
        if (closes(line, this.innerFence)) this.innerFence = undefined;
      } else {
        const marker = fence(line);
        const lineStart = this.scanned;
        if (marker && !/^\s/.test(line)) {
          // A fence at the margin starts a block of its own, whatever came before it (what came
          // before is cut from it once it is known to be written as a block, below).
          this.openCode = {
            start: this.scanned,
            bodyStart: next,
            marker: marker[1],
            language: codeLanguage(marker[2]),
            lines: 0,
          };
        } else if (marker) {
          this.innerFence = marker[1];
        } else if (this.previousBlank && line.trim() !== '' && !/^\s/.test(line)) {
          // A block that starts at the margin after a blank line: what came before is final.
          this.cut(this.scanned);
        }
        if (!marker) this.followBlock(line, lineStart);
        else if (!/^\s/.test(line)) this.joinable = undefined;
        this.previousLine = !marker && lineStart === this.pieceStart ? line : undefined;
        this.previousBlank = !marker && line.trim() === '';
      }
      this.scanned = next;
    }
    if (this.complete && this.scanned >= text.end) {
      if (this.openCode) {
        // A fence never closed: the block runs to the end, as markdown-it renders it.
        const { start, bodyStart, language } = this.openCode;
        this.cut(start);
        this.pieces.push({ kind: 'code', start, bodyStart, bodyEnd: text.end, language });
        this.openCode = undefined;
        this.pieceStart = text.end;
      } else {
        this.cut(text.end);
      }
    }
    // A block still open is written as it arrives: what came before it is final.
    if (this.openCode) this.cut(this.openCode.start);
  }

  /** Lets go of the text that nothing still needs: before the first piece, line or block not done. */
  private release(): void {
    let needed = Math.min(this.scanned, this.pieces[0]?.start ?? Infinity);
    if (this.openCode) {
      needed = Math.min(
        needed,
        this.writer?.start === this.openCode.start ? this.writer.needed() : this.openCode.start,
      );
    } else needed = Math.min(needed, this.pieceStart);
    if (this.writer) needed = Math.min(needed, this.writer.needed());
    this.text.release(needed);
  }

  /** Follows a list or table through a line, and cuts before the line when a part may start there. */
  private followBlock(line: string, start: number): void {
    const next = follow(this.joinable, line, start, this.pieceStart, this.previousLine);
    this.joinable = next.joinable;
    if (next.cut) this.cut(start, next.cut);
  }

  /**
   * Makes the markdown from the last cut to `end` a piece, if it holds anything; `next` says
   * whether the markdown after it continues its list or table.
   */
  private cut(end: number, next?: Join): void {
    if (this.text.slice(this.pieceStart, end).trim() !== '') {
      this.pieces.push({ kind: 'markdown', start: this.pieceStart, end, join: this.pieceJoin });
    }
    this.pieceStart = end;
    this.pieceJoin = next;
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
    // Adjacent finished markdown blocks go to the renderer together, up to a size and what fits.
    const limit = Math.min(MERGE_CHARS, markdownCost.room(deadline, piece.end - piece.start));
    let count = 1;
    while (count < this.pieces.length) {
      const next = this.pieces[count];
      if (next.kind !== 'markdown' || next.end - piece.start > limit) break;
      count++;
    }
    const last = this.pieces[count - 1] as { end: number };
    this.pieces.splice(0, count);
    const source = this.text.slice(piece.start, last.end);
    markdownCost.measure(source.length, () => this.commitMarkdown(source, piece.join));
  }

  private writerFor(start: number, bodyStart: number, language: string): CodeWriter {
    if (this.writer?.start !== start) {
      this.writer = new CodeWriter(start, bodyStart, language, this.highlighter);
      this.place(this.writer.chunk, 0);
      this.decorate(this.writer.chunk);
      this.joinTarget = undefined;
    }
    return this.writer;
  }

  /**
   * Renders finished markdown, which later text cannot change: the items or rows of a part that
   * continues a list or table go into it, the rest is a block of its own.
   */
  private commitMarkdown(source: string, join?: Join): void {
    // The unfinished part's items or rows leave first: this part's go before them.
    if (this.live.length > 0) this.showTail('');
    const known = referenceCount(this.env);
    const { items, rest } = this.renderPart(source, join, this.joinTarget, this.env);
    const chunk: Chunk = { source, join, items, own: 0 };
    if (items.length > 0) this.join(items, source.length);
    if (rest.childElementCount > 0) {
      this.place(rest, source.length);
      chunk.element = rest;
      this.joinTarget = rest.lastElementChild ?? undefined;
      chunk.own = this.joinTarget ? itemCount(this.joinTarget) : 0;
    }
    if (referenceCount(this.env) > known) {
      // A definition arrived after blocks that may use it: render those again with it.
      for (const earlier of this.chunks) if (earlier.source.includes('[')) this.renderAgain(earlier);
    }
    this.chunks.push(chunk);
  }

  /**
   * Adds items or rows (of `chars` finished characters) to the list or table at the end; a full
   * one goes on in an element below it, in a new group once the group is full.
   */
  private join(items: Element[], chars: number): void {
    const next = continuation(this.joinTarget as Element);
    if (next) {
      const part = document.createElement('div');
      part.className = 'part';
      part.append(next);
      this.place(part, 0);
      this.joinTarget = next;
    }
    appendItems(this.joinTarget as Element, items);
    this.groupChars += chars;
  }

  /**
   * Renders `source`: when it continues a list or table (`join`) like `target`, its first element's
   * items or rows are taken apart to join it, and the rest stays in a block of its own.
   */
  private renderPart(source: string, join: Join | undefined, target: Element | undefined, env: MarkdownEnv): Part {
    const rest = document.createElement('div');
    rest.className = 'part';
    rest.append(renderMarkdown(join?.kind === 'table' ? join.head + source : source, env));
    this.decorate(rest);
    const first = rest.firstElementChild;
    const items = join ? joinedItems(first, target) : undefined;
    if (!items) return { items: [], rest };
    first?.remove();
    return { items, rest };
  }

  /** Renders a chunk again in place, with a reference definition that arrived after it. */
  private renderAgain(chunk: Chunk): void {
    const target = chunk.items[0]?.parentElement?.closest('ul, ol, table') ?? undefined;
    const { items, rest } = this.renderPart(chunk.source, chunk.join, target, this.env);
    // A definition changes links, never blocks: the same items come back.
    if (items.length !== chunk.items.length) return;
    chunk.items.forEach((old, i) => old.replaceWith(items[i]));
    chunk.items = items;
    if (!chunk.element) return;
    const last = chunk.element.lastElementChild;
    const next = rest.lastElementChild;
    // Items or rows that later parts added to this block's list or table move to its new rendering.
    if (last && next && last.tagName === next.tagName) takeOver(last, chunk.own, next);
    chunk.element.replaceChildren(...rest.childNodes);
    if (last && this.joinTarget === last) this.joinTarget = next ?? undefined;
  }

  /**
   * Adds a finished part to the current group, which the browser can skip in layout and paint
   * once it scrolls out of view (`content-visibility` in chat.css). Groups of several KB, not one
   * per block: the browser checks each such element's visibility every frame.
   */
  private place(part: HTMLElement, chars: number): void {
    if (!this.group || this.groupChars >= GROUP_CHARS) {
      this.group = document.createElement('div');
      this.group.className = 'chunk';
      this.stable.append(this.group);
      this.groupChars = 0;
    }
    this.group.append(part);
    this.groupChars += chars;
  }

  /**
   * The unfinished block at the end, rendered again whenever it changed; the items or rows of one
   * that continues a list or table are shown in it.
   */
  private showTail(tail: string): void {
    if (tail === this.renderedTail) return;
    for (const item of this.live) item.remove();
    this.live = [];
    if (tail) {
      // A copy: a definition still being written must not be kept half-written.
      const { items, rest } = this.renderPart(tail, this.pieceJoin, this.joinTarget, {
        references: { ...this.env.references },
      });
      if (items.length > 0) this.join(items, 0);
      this.live = items;
      this.tail.replaceChildren(...rest.childNodes);
    } else {
      this.tail.replaceChildren();
    }
    this.renderedTail = tail;
  }
}
