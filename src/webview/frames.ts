/**
 * One budget per frame for all rendering in the panel. Every answer that has text to render asks
 * for a frame here instead of scheduling its own: each frame, the jobs run newest turn first until
 * the budget is spent, and the rest waits for the next frame. So a burst of text, a huge answer or a
 * reopened conversation of fifty turns costs each frame the same bounded slice, and the browser
 * paints and handles input between slices.
 *
 * A frame's work runs in two tasks. In the frame itself (an animation frame callback, before the
 * browser lays out and paints) only units of work that fit in {@link IN_FRAME_MS} (and
 * {@link rerenderFits}): text arriving at a model's pace, which then shows in the frame it arrived
 * in. What is left runs in a task of
 * its own right after the frame has painted, with {@link FRAME_BUDGET_MS}, and is laid out and
 * painted in the next frame. So under a burst no task holds both a slice of script and the layout
 * and paint of what it added: each is about half as long, and input is handled between them.
 */

/** Script per frame for rendering, after the frame: leaves most of a 16 ms frame for the rest. */
export const FRAME_BUDGET_MS = 4;
/** Script in the frame itself, before it paints: enough for what a model streams in a frame. */
export const IN_FRAME_MS = 1;
/**
 * The block being written (a paragraph, a list), rendered again whole as it grows, is rendered in
 * the frame itself up to this size, whatever rendering has cost so far: text at a model's pace
 * shows in the frame it arrived in. A longer one waits for after the frame.
 */
const IN_FRAME_CHARS = 2_000;

export interface FrameJob {
  /** Higher runs first: the newest turn is the one on screen. */
  readonly priority: number;
  /**
   * Does at least one unit of work, then more while `performance.now()` is before `deadline`
   * (in the frame itself, only units that fit, if any). Returns true while work remains.
   */
  step(deadline: number): boolean;
}

/**
 * What one kind of unit (highlighting a segment, rendering markdown) has cost per character,
 * learnt as it runs, so that a unit starts only if it fits in what is left of the slice: the
 * budget then bounds a slice's script, instead of being overrun by the last unit started. The first
 * unit after a frame always runs, whatever its size, so work never stalls; in the frame itself a
 * unit runs only if it fits, and what does not waits for the task after the frame.
 */
export class UnitCost {
  private msPerChar = 0;

  /** Whether a unit of `chars` should start now, with `deadline` ending this slice's budget. */
  fits(chars: number, deadline: number): boolean {
    // In the frame, a unit of a kind not yet measured waits for after the frame: it could cost anything.
    if (inFrameSlice) return this.msPerChar > 0 && chars * this.msPerChar <= deadline - performance.now();
    return unitsThisSlice === 0 || chars * this.msPerChar <= deadline - performance.now();
  }

  /** How many characters fit before `deadline` (at least `minimum`, the work's smallest unit). */
  room(deadline: number, minimum: number): number {
    if ((unitsThisSlice === 0 && !inFrameSlice) || this.msPerChar === 0) return Infinity;
    return Math.max(minimum, Math.floor((deadline - performance.now()) / this.msPerChar));
  }

  /** Runs `unit` on `chars` characters and learns from what it cost (the worse half weighs more). */
  measure<T>(chars: number, unit: () => T): T {
    unitsThisSlice++;
    const start = performance.now();
    const result = unit();
    if (chars > 0) {
      const observed = (performance.now() - start) / chars;
      this.msPerChar =
        observed > this.msPerChar ? (this.msPerChar + observed) / 2 : this.msPerChar * 0.9 + observed * 0.1;
    }
    return result;
  }
}

/** Units measured by a {@link UnitCost} since this slice started. */
let unitsThisSlice = 0;
/** Whether the slice running is the one in the frame, before it paints. */
let inFrameSlice = false;
const jobs = new Set<FrameJob>();
/** Whether the next frame, or the task after this one, is asked for. */
let scheduled = false;
/** Posting to a port queues a task at once (a timeout of 0 may wait a few ms). */
const afterFrame = new MessageChannel();
afterFrame.port1.onmessage = () => {
  try {
    runSlice(FRAME_BUDGET_MS, false);
  } finally {
    scheduled = false;
    if (jobs.size > 0) scheduleFrame();
  }
};

function scheduleFrame(): void {
  scheduled = true;
  requestAnimationFrame(() => {
    try {
      runSlice(IN_FRAME_MS, true);
    } finally {
      // Work left goes on in a task of its own, after the browser has painted this frame.
      scheduled = jobs.size > 0;
      if (scheduled) afterFrame.port2.postMessage(null);
    }
  });
}

/**
 * Whether text of `chars` characters, rendered again whole as it grows, may be rendered now: after
 * the frame always, in the frame itself only up to {@link IN_FRAME_CHARS}.
 */
export function rerenderFits(chars: number): boolean {
  return !inFrameSlice || chars <= IN_FRAME_CHARS;
}

/** Asks for `job` to run in the next frame (once, however often it is asked). */
export function requestFrame(job: FrameJob): void {
  jobs.add(job);
  if (!scheduled) scheduleFrame();
}

/** Drops a job whose element left the page. */
export function cancelFrame(job: FrameJob): void {
  jobs.delete(job);
}

/** Runs the jobs, newest turn first, until `budget` ms of script is spent. */
function runSlice(budget: number, frame: boolean): void {
  unitsThisSlice = 0;
  inFrameSlice = frame;
  try {
    const deadline = performance.now() + budget;
    const order = [...jobs].sort((a, b) => b.priority - a.priority);
    for (const job of order) {
      if (performance.now() >= deadline) break;
      // Taken out first: a job that throws is dropped, and the others go on.
      jobs.delete(job);
      if (job.step(deadline)) jobs.add(job);
    }
  } finally {
    inFrameSlice = false;
  }
}
