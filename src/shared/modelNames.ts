/** Readable names for the model ids a serving lists; shared by the host and the panel. No `vscode`, no DOM. */

/** A name for the model picker: a served path (`/models/org/Name`) is shortened to its last parts. */
export function modelDisplayName(id: string): string {
  if (!id.includes('/')) return id;
  const parts = id.split('/').filter(Boolean);
  // vLLM serving a local snapshot lists `/model/snapshots/<hash>`: the hash says nothing.
  const snapshot = parts.indexOf('snapshots');
  if (snapshot > 0) return `${parts.slice(0, snapshot).join('/')} (${(parts[snapshot + 1] ?? '').slice(0, 7)})`;
  return parts.slice(-2).join('/');
}
