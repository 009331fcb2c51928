import { renderMarkdown, stableBoundary } from './markdown';

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
 * is done per delta.
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

  /** Replaces the whole text and renders it now (restoring a saved conversation). */
  reset(text: string): void {
    this.text = text;
    this.committed = 0;
    this.renderedTail = '';
    this.stable.replaceChildren();
    this.tail.replaceChildren();
    this.flush();
  }

  /** Renders whatever is pending now. */
  flush(): void {
    this.lastFlush = performance.now();
    this.flushedLength = this.text.length;
    const boundary = stableBoundary(this.text, this.committed);
    if (boundary > this.committed) {
      // Each stable chunk is its own block, so the browser can skip its layout and paint once it
      // scrolls out of view (`content-visibility` in chat.css).
      const block = document.createElement('div');
      block.className = 'chunk';
      block.innerHTML = renderMarkdown(this.text.slice(this.committed, boundary));
      this.decorate(block);
      this.stable.append(block);
      this.committed = boundary;
    }
    const tail = this.text.slice(this.committed);
    if (tail !== this.renderedTail) {
      this.tail.innerHTML = tail ? renderMarkdown(tail) : '';
      this.decorate(this.tail);
      this.renderedTail = tail;
    }
  }
}
