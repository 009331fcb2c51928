/**
 * Fenced code in a streamed answer: written line by line in segments and highlighted when a frame
 * has time, after the text of every answer.
 */
import type { TextWindow } from './blocks';
import { SEGMENT_LINES } from './blocks';
import { cancelFrame, requestFrame, UnitCost, type FrameJob } from './frames';
import { canHighlight, highlightCode } from './markdown';

/** Segments per page of a code block; a page out of view is neither laid out nor painted. */
const PAGE_SEGMENTS = 5;
/** A finished code block up to this size is highlighted again whole, exactly as a single render. */
const WHOLE_BLOCK_CHARS = 8_000;

/** What highlighting costs per character, learnt by every answer for all of them. */
const highlightCost = new UnitCost();

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
export class Highlighter implements FrameJob {
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
export class CodeWriter {
  /** The part that shows the block. */
  readonly part: HTMLElement;
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
    this.part = document.createElement('div');
    this.part.className = 'part';
    const pre = document.createElement('pre');
    pre.className = 'hljs';
    this.code = document.createElement('code');
    if (this.highlighted) this.code.className = `language-${language}`;
    this.live = document.createElement('span');
    this.live.className = 'segment';
    this.code.append(this.live);
    pre.append(this.code);
    this.part.append(pre);
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
