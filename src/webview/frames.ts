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
