import { BlockScanner, TextWindow, type Block } from './blocks';
import { CodeWriter, Highlighter } from './codeWriter';
import { cancelFrame, requestFrame, rerenderFits, UnitCost, type FrameJob } from './frames';
import type { Join } from './joinRules';
import { appendItems, continuation, itemCount, joinedItems, takeOver } from './joins';
import { codeLanguage, referenceCount, renderMarkdown, type MarkdownEnv } from './markdown';

/** Finished markdown per group. */
const GROUP_CHARS = 4_000;
/** Highlighting ranks below the text of every turn. */
const HIGHLIGHT_AFTER = 1_000_000;
/** Finished markdown blocks rendered in one call, to spare the per-call cost of many small ones. */
const MERGE_CHARS = 3_000;
/**
 * Under a burst (more than {@link BURST_CHARS} new characters since the last render, far faster
 * than a model streams) a growing answer renders at most every {@link BURST_RENDER_GAP_MS}: every
 * fifth frame at 60 Hz, still faster than anyone reads. That cuts the re-rendering of the
 * unfinished block and renders the finished ones in fewer, larger calls (bench/README.md has the
 * figures). At a model's pace every frame renders, for the least latency.
 */
const BURST_CHARS = 256;
const BURST_RENDER_GAP_MS = 80;

/** What rendering markdown costs per character, learnt by every answer for all of them. */
const markdownCost = new UnitCost();

/**
 * Finished markdown rendered: its source, kept to render it again when a reference definition
 * arrives after it; the items or rows it added to the list or table before it; the part holding
 * the rest, and how many items or rows that part's last element (a list or table that later
 * blocks may join) had of its own.
 */
interface Part {
  source: string;
  join?: Join;
  items: Element[];
  element?: HTMLElement;
  own: number;
}

/**
 * Markdown that grows as an answer streams, or that is restored whole. `append` only stores text
 * and asks for a frame ({@link requestFrame}); each frame scans the new complete lines once, renders
 * the parts that became final once, and re-renders only the unfinished markdown block at the end.
 * A fenced code block is written line by line ({@link CodeWriter}), so a block of thousands of lines
 * costs per frame what arrived in that frame. Work that does not fit in a frame's budget continues
 * in the next one; `data-pending` is on the element while work is left.
 *
 * Its words: the scanner cuts the text into *blocks* (blocks.ts); a rendered block is a *part*
 * (`.part`), and parts sit in *groups* (`.group`) that the browser skips while out of view.
 *
 * Reference links render as they would in the whole answer: definitions found in a block are kept
 * for the blocks after it, and when one arrives after its use, the earlier blocks that could use it
 * are rendered again (rare: once per block that brings new definitions).
 */
export class StreamingMarkdown implements FrameJob {
  private readonly text = new TextWindow();
  private scanner = new BlockScanner(this.text, codeLanguage);
  private complete = false;
  private writer?: CodeWriter;
  private renderedTail = '';
  private env: MarkdownEnv = {};
  private parts: Part[] = [];
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
    this.scanner = new BlockScanner(this.text, codeLanguage);
    this.writer = this.joinTarget = undefined;
    this.live = [];
    this.highlighter.clear();
    this.renderedTail = '';
    this.env = {};
    this.parts = [];
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
    this.scanner.scan(this.complete, (start) => this.writer?.start === start);
    const blocks = this.scanner.blocks;
    const open = this.scanner.open;
    let rendered = false;
    while (blocks.length > 0) {
      const block = blocks[0];
      if (block.kind === 'markdown' && !markdownCost.fits(block.end - block.start, deadline)) break;
      this.renderBlock(deadline);
      rendered = true;
      if (performance.now() >= deadline) break;
    }
    // The unfinished block at the end, rendered again whole: it may have to wait (in the frame itself).
    const tail = blocks.length === 0 && !open ? this.text.slice(this.scanner.blockStart) : undefined;
    const tailWaits = tail !== undefined && tail !== this.renderedTail && !rerenderFits(tail.length);
    if (blocks.length > 0 || tailWaits) {
      if (!rendered) {
        // Nothing fitted (in the frame itself, or after another job): the panel shows what it
        // showed, and the last render is still the one before.
        this.lastRender = last.at;
        this.renderedEnd = last.end;
        return true;
      }
      // What the tail showed is now (partly) in blocks rendered or still waiting: show it again later.
      if (this.renderedTail) this.showTail('');
    } else if (open) {
      this.showTail('');
      const writer = this.writerFor(open.start, open.bodyStart, open.language);
      if (writer.write(this.text, this.scanner.scanned, deadline)) writer.showLive(this.text, this.text.end);
      else return true;
    } else if (tail !== undefined) {
      this.showTail(tail);
    }
    // Lets go of the text that nothing still needs.
    this.text.release(this.scanner.needed(this.writer));
    if (blocks.length > 0 || tailWaits) return true;
    this.pending = false;
    delete this.element.dataset.pending;
    return false;
  }

  private renderBlock(deadline: number): void {
    const blocks = this.scanner.blocks;
    const block = blocks[0];
    if (block.kind === 'code') {
      const writer = this.writerFor(block.start, block.bodyStart, block.language);
      if (!writer.write(this.text, block.bodyEnd, deadline)) return;
      writer.close(this.text, block.bodyEnd);
      this.writer = undefined;
      blocks.shift();
      return;
    }
    // Adjacent finished markdown blocks go to the renderer together, up to a size and what fits.
    const limit = Math.min(MERGE_CHARS, markdownCost.room(deadline, block.end - block.start));
    let count = 1;
    while (count < blocks.length) {
      const next = blocks[count];
      if (next.kind !== 'markdown' || next.end - block.start > limit) break;
      count++;
    }
    const last = blocks[count - 1] as Extract<Block, { kind: 'markdown' }>;
    blocks.splice(0, count);
    const source = this.text.slice(block.start, last.end);
    markdownCost.measure(source.length, () => this.commitMarkdown(source, block.join));
  }

  private writerFor(start: number, bodyStart: number, language: string): CodeWriter {
    if (this.writer?.start !== start) {
      this.writer = new CodeWriter(start, bodyStart, language, this.highlighter);
      this.place(this.writer.part, 0);
      this.decorate(this.writer.part);
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
    const { items, rest } = this.renderPart(source, join, this.joinTarget);
    const part: Part = { source, join, items, own: 0 };
    if (items.length > 0) this.join(items, source.length);
    if (rest.childElementCount > 0) {
      this.place(rest, source.length);
      part.element = rest;
      this.joinTarget = rest.lastElementChild ?? undefined;
      part.own = this.joinTarget ? itemCount(this.joinTarget) : 0;
    }
    if (referenceCount(this.env) > known) {
      // A definition arrived after blocks that may use it: render those again with it.
      for (const earlier of this.parts) if (earlier.source.includes('[')) this.renderAgain(earlier);
    }
    this.parts.push(part);
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
  private renderPart(source: string, join: Join | undefined, target: Element | undefined, env = this.env) {
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

  /** Renders a part again in place, with a reference definition that arrived after it. */
  private renderAgain(part: Part): void {
    const target = part.items[0]?.parentElement?.closest('ul, ol, table') ?? undefined;
    const { items, rest } = this.renderPart(part.source, part.join, target);
    // A definition changes links, never blocks: the same items come back.
    if (items.length !== part.items.length) return;
    part.items.forEach((old, i) => old.replaceWith(items[i]));
    part.items = items;
    if (!part.element) return;
    const last = part.element.lastElementChild;
    const next = rest.lastElementChild;
    // Items or rows that later parts added to this block's list or table move to its new rendering.
    if (last && next && last.tagName === next.tagName) takeOver(last, part.own, next);
    part.element.replaceChildren(...rest.childNodes);
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
      this.group.className = 'group';
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
      const { items, rest } = this.renderPart(tail, this.scanner.blockJoin, this.joinTarget, {
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
