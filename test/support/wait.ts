/** How often a condition is checked again while a test waits for it. */
const POLL_MS = 20;

/** Resolves once `check` holds; fails after `timeoutMs` naming what was awaited. No fixed waits. */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
