import { referenceCount, renderMarkdown, stableBoundary, type MarkdownEnv } from './markdown';

/** Schedules work for the next frame; `requestAnimationFrame` in the webview. */
export type Scheduler = (callback: () => void) => void;

/**
 * Under a burst (more than {@link BURST_CHARS} new characters in a frame, far faster than a model
 * streams) renders come at most every {@link BURST_RENDER_GAP_MS}: every other frame at 60 Hz.
 * That halves the re-rendering of the unfinished tail, which is most of what streaming costs
 * beyond rendering the answer once. At a model's pace every frame renders, for the least latency.
 */
const BURST_CHARS = 256;
const BURST_RENDER_GAP_MS = 30;

/**
 * Markdown that grows as an answer streams. `append` only stores text and asks for a frame; each
 * frame renders the blocks that became stable once, appending them, and re-renders only the
 * unfinished tail. The work per frame is bounded by the tail, not by the whole answer, and nothing
 * is done per delta. Reference links render as they would in the whole answer: definitions found in
 * a block are kept for the blocks after it, and when one arrives after its use, the earlier blocks
 * that could use it are rendered again (rare: once per block that brings new definitions).
 */
export class StreamingMarkdown {
  private text = '';
  private committed = 0;
  private renderedTail = '';
  private scheduled = false;
  private lastFlush = -Infinity;
  private flushedLength = 0;
  private readonly stable: HTMLElement;
  private readonly tail: HTMLElement;
  private env: MarkdownEnv = {};
  private chunks: Array<{ element: HTMLElement; source: string }> = [];

  constructor(
    readonly element: HTMLElement,
    private readonly decorate: (element: HTMLElement) => void,
    private readonly schedule: Scheduler = (callback) => requestAnimationFrame(callback),
  ) {
    this.stable = document.createElement('div');
    this.tail = document.createElement('div');
    element.append(this.stable, this.tail);
  }

  append(delta: string): void {
    if (!delta) return;
    this.text += delta;
    if (!this.scheduled) {
      this.scheduled = true;
      const run = () => {
        // A burst, and too soon after the last render: wait a frame; the text keeps accumulating.
        const burst = this.text.length - this.flushedLength > BURST_CHARS;
        if (burst && performance.now() - this.lastFlush < BURST_RENDER_GAP_MS - 2) {
          this.schedule(run);
          return;
        }
        this.scheduled = false;
        this.flush();
      };
      this.schedule(run);
    }
  }

  /**
   * Replaces the whole text and renders it now (restoring a saved conversation). Only a `complete`
   * text has its last block committed; a turn still streaming keeps it open for what follows.
   */
  reset(text: string, complete: boolean): void {
    this.text = text;
    this.committed = 0;
    this.renderedTail = '';
    this.env = {};
    this.chunks = [];
    this.stable.replaceChildren();
    this.tail.replaceChildren();
    if (complete) this.finish();
    else this.flush();
  }

  /** Renders the rest now; the text is complete, so its last block is final too. */
  finish(): void {
    this.flush();
    if (this.committed < this.text.length) {
      this.commit(this.text.length);
      this.tail.replaceChildren();
      this.renderedTail = '';
    }
  }

  /** Renders text up to `end` as a final block, which later text cannot change. */
  private commit(end: number): void {
    // Each stable chunk is its own block, so the browser can skip its layout and paint once it
    // scrolls out of view (`content-visibility` in chat.css).
    const source = this.text.slice(this.committed, end);
    const block = document.createElement('div');
    block.className = 'chunk';
    const known = referenceCount(this.env);
    block.innerHTML = renderMarkdown(source, this.env);
    this.decorate(block);
    this.stable.append(block);
    this.committed = end;
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

  /** Renders whatever is pending now. */
  flush(): void {
    this.lastFlush = performance.now();
    this.flushedLength = this.text.length;
    const boundary = stableBoundary(this.text, this.committed);
    if (boundary > this.committed) this.commit(boundary);
    const tail = this.text.slice(this.committed);
    if (tail !== this.renderedTail) {
      // A copy: a definition still being written must not be kept half-written.
      this.tail.innerHTML = tail ? renderMarkdown(tail, { references: { ...this.env.references } }) : '';
      this.decorate(this.tail);
      this.renderedTail = tail;
    }
  }
}
