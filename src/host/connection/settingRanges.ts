/**
 * The ranges package.json declares for the numeric settings, enforced where they are read: a
 * settings.json edited by hand can hold any number, and none may reach the server or break every
 * request. Plain code (no `vscode`), tested in Node.
 */

/** Node keeps a timer of at most 2^31-1 ms; a longer one fires after 1 ms. */
export const MAX_TIMEOUT_SECONDS = Math.floor(2_147_483_647 / 1000);

/** `value` when it is a finite number within [min, max] (rounded when `whole`), else undefined. */
export function withinRange(
  value: unknown,
  min: number,
  max = Number.POSITIVE_INFINITY,
  whole = false,
): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  const number = whole ? Math.round(value) : value;
  return number >= min && number <= max ? number : undefined;
}

/** Seconds to wait for GenOS: 0 (no limit) up to what a timer can hold; `fallback` when not a number. */
export function timeoutSeconds(value: unknown, fallback: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) return fallback;
  return Math.min(Math.max(0, value), MAX_TIMEOUT_SECONDS);
}
