/**
 * One budget per frame for all rendering in the panel. Every answer that has text to render asks
 * for a frame here instead of scheduling its own: each frame, the jobs run newest turn first until
 * {@link FRAME_BUDGET_MS} of script is spent, and the rest waits for the next frame. So a burst of
 * text, a huge answer or a reopened conversation of fifty turns costs each frame the same bounded
 * slice, and the browser paints and handles input between slices.
 */

/** Script time per frame for rendering: leaves most of a 16 ms frame for style, layout and paint. */
export const FRAME_BUDGET_MS = 4;

export interface FrameJob {
  /** Higher runs first: the newest turn is the one on screen. */
  readonly priority: number;
  /**
   * Does at least one unit of work, then more while `performance.now()` is before `deadline`.
   * Returns true while work remains.
   */
  step(deadline: number): boolean;
}

/**
 * What one kind of unit (highlighting a segment, rendering markdown) has cost per character,
 * learnt as it runs, so that a unit starts only if it fits in what is left of the frame: the
 * budget then bounds a frame's script, instead of being overrun by the last unit started. The first
 * unit of a frame always runs, whatever its size, so work never stalls.
 */
export class UnitCost {
  private msPerChar = 0;

  /** Whether a unit of `chars` should start now, with `deadline` ending this frame's budget. */
  fits(chars: number, deadline: number): boolean {
    return unitsThisFrame === 0 || chars * this.msPerChar <= deadline - performance.now();
  }

  /** How many characters fit before `deadline` (at least `minimum`, the work's smallest unit). */
  room(deadline: number, minimum: number): number {
    if (unitsThisFrame === 0 || this.msPerChar === 0) return Infinity;
    return Math.max(minimum, Math.floor((deadline - performance.now()) / this.msPerChar));
  }

  /** Runs `unit` on `chars` characters and learns from what it cost (the worse half weighs more). */
  measure<T>(chars: number, unit: () => T): T {
    unitsThisFrame++;
    const start = performance.now();
    const result = unit();
    if (chars > 0) {
      const observed = (performance.now() - start) / chars;
      this.msPerChar = observed > this.msPerChar ? (this.msPerChar + observed) / 2 : this.msPerChar * 0.9 + observed * 0.1;
    }
    return result;
  }
}

/** Units measured by a {@link UnitCost} since this frame started. */
let unitsThisFrame = 0;
const jobs = new Set<FrameJob>();
let scheduled = false;

/** Asks for `job` to run in the next frame (once, however often it is asked). */
export function requestFrame(job: FrameJob): void {
  jobs.add(job);
  if (!scheduled) {
    scheduled = true;
    requestAnimationFrame(runFrame);
  }
}

/** Drops a job whose element left the page. */
export function cancelFrame(job: FrameJob): void {
  jobs.delete(job);
}

function runFrame(): void {
  scheduled = false;
  unitsThisFrame = 0;
  const deadline = performance.now() + FRAME_BUDGET_MS;
  const order = [...jobs].sort((a, b) => b.priority - a.priority);
  for (const job of order) {
    if (performance.now() >= deadline) break;
    jobs.delete(job);
    if (job.step(deadline)) jobs.add(job);
  }
  if (jobs.size > 0 && !scheduled) {
    scheduled = true;
    requestAnimationFrame(runFrame);
  }
}
