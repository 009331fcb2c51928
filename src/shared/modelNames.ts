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

/**
 * Whether a model thinks before it answers, by its name: Qwen3 (not its -Instruct-2507 builds),
 * QwQ, DeepSeek-R1 and its distills, gpt-oss, and models named for thinking or reasoning. The panel
 * also learns it from a model's first reasoning.
 */
export function thinksByName(model: string): boolean {
  const name = model.toLowerCase();
  if (/qwen3/.test(name) && /instruct-2507/.test(name)) return false;
  return /qwen3|qwq|deepseek-r1|r1-distill|gpt-oss|thinking|reason/.test(name);
}
