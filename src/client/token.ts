/**
 * Cleans a pasted access token: surrounding whitespace and a leading `Bearer ` are dropped.
 * Returns undefined when what is left cannot travel in an HTTP header (empty, inner spaces,
 * control or non-ASCII characters).
 */
export function normalizeToken(raw: string): string | undefined {
  const token = raw.trim().replace(/^bearer(\s+|$)/i, '');
  return /^[\x21-\x7e]+$/.test(token) ? token : undefined;
}
