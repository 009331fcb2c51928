/**
 * Tool calls for servings without native tool calling (vLLM without `--enable-auto-tool-choice`):
 * the prompt tells the model to write each call as a tagged block on lines of its own, and a
 * parser finds the blocks in the answer as it streams, apart from the text around them:
 *
 *     <read_file>
 *     <path>src/app.ts</path>
 *     </read_file>
 *
 * Only an offered tool's tag at the start of a line, outside fenced code, opens a block. Inside a
 * block, parameters are read one after another, so a closing tag inside a value cannot end the
 * block early; anything else between them makes the call malformed, and it is not run. Linear in
 * the length of the answer, however it is cut. Plain functions, no I/O.
 */
import type { ToolSpec } from './openai';

/** A call written in the text protocol: the tool and its parameters (a repeated one is a list). */
export interface TextCall {
  name: string;
  params: Record<string, string | string[]>;
}

/**
 * What a piece of the answer held: text to show, a call completed, or a block that is not a valid
 * call (its text is shown, and the model is told why nothing ran).
 */
export type TextPiece =
  | { type: 'text'; text: string }
  | { type: 'call'; call: TextCall }
  | { type: 'malformed'; name: string; text: string; reason: string };

/** Parameters whose value is kept exactly (code); the others are trimmed. */
const VERBATIM = new Set(['content', 'search', 'replace']);
const PARAM_OPEN = /^\s*<([a-zA-Z_][a-zA-Z0-9_]*)>/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/** The part of the system prompt that teaches the protocol for `tools`. */
export function textToolPrompt(tools: readonly ToolSpec[]): string {
  const described = tools.map((tool) => {
    const schema = (tool.parameters ?? {}) as {
      properties?: Record<string, { description?: string }>;
      required?: string[];
    };
    const params = Object.entries(schema.properties ?? {}).map(([name, spec]) => {
      const required = schema.required?.includes(name) ? 'required' : 'optional';
      return `  <${name}>…</${name}> (${required}${spec.description ? `; ${spec.description}` : ''})`;
    });
    return `## ${tool.name}\n${tool.description ?? ''}\n<${tool.name}>\n${params.join('\n')}\n</${tool.name}>`;
  });
  return [
    'You can use tools. To use one, write a block with the tool name as the tag, on a line of its own and not inside a code fence, with each parameter as a tag inside it; then stop and wait: the result comes in the next message.',
    'Write nothing after a tool block. Never write a tool result yourself.',
    'For edit_file, give "search" and "replace" in pairs, as many pairs as needed; each search text must be copied exactly from the file.',
    'Example:\n<read_file>\n<path>src/app.ts</path>\n</read_file>',
    '# Tools',
    ...described,
  ].join('\n\n');
}

/**
 * The text of an open block, kept as the pieces that arrived: a string grown by appends is copied
 * whole whenever it is searched, so a long value streamed in small pieces would cost the square of
 * its length. A search looks only at what arrived since the last one.
 */
class BlockText {
  private parts: string[] = [];
  /** Pieces that arrived since the last search. */
  private fresh: string[] = [];
  /** The search under way: where it started, how far it got, and the end of what it saw. */
  private origin = -1;
  private searched = 0;
  private carry = '';

  append(text: string): void {
    this.parts.push(text);
    this.fresh.push(text);
  }

  /** The whole text; joins the pieces (call it when a value is complete, not per piece). */
  toString(): string {
    if (this.parts.length > 1) this.parts = [this.parts.join('')];
    return this.parts[0] ?? '';
  }

  /** The first `tag` at or after `from`, or -1; looks only at what arrived since the last search. */
  find(tag: string, from: number): number {
    if (from !== this.origin) {
      this.origin = this.searched = from;
      this.carry = '';
      this.fresh = [this.toString().slice(from)];
    }
    const probe = this.carry + this.fresh.join('');
    this.fresh = [];
    const at = probe.indexOf(tag);
    if (at !== -1) return this.searched - this.carry.length + at;
    this.searched += probe.length - this.carry.length;
    this.carry = probe.slice(-(tag.length - 1));
    return -1;
  }

  /** Forgets the search under way: the next one starts afresh. */
  restart(): void {
    this.origin = -1;
  }
}

/** An open block: the tool, its text so far, the parameters read, and where reading resumes. */
interface OpenBlock {
  name: string;
  text: BlockText;
  params: Record<string, string | string[]>;
  /** Offset in `text` after the last complete parameter. */
  cursor: number;
  /** The parameter being read: its name and where its value starts. */
  param?: { name: string; start: number };
  /** Why the block is not a valid call, once known; it is then read to its end and shown. */
  malformed?: string;
}

/** Room for a tag and the spaces before it: what is looked at to recognise one. */
const TAG_WINDOW = 256;

/**
 * Finds tool blocks in a streamed answer. `push` takes each piece of text as it arrives and returns
 * the text that is certainly not part of a call (a tag still being written is held back) and the
 * calls completed; `end` returns the rest (a block never closed comes back as text).
 */
export class TextToolParser {
  /** Text outside blocks not yet shown: the end of the current line. */
  private line = '';
  /** The whole current line, shown or not, for finding fences. */
  private wholeLine = '';
  /** The current line began with text already shown: no tag can open a block in it. */
  private partialLine = false;
  /** A fence the shown text is inside (its marker), where tags are code, not calls. */
  private fence?: string;
  private open?: OpenBlock;
  private readonly names: Set<string>;
  private readonly longest: number;

  constructor(tools: readonly ToolSpec[]) {
    this.names = new Set(tools.map((tool) => tool.name));
    this.longest = Math.max(0, ...[...this.names].map((name) => name.length + 2));
  }

  push(text: string): TextPiece[] {
    const pieces: TextPiece[] = [];
    let rest = text;
    while (rest) {
      if (this.open) {
        rest = this.readBlock(rest, pieces);
        continue;
      }
      const newline = rest.indexOf('\n');
      const chunk = newline === -1 ? rest : rest.slice(0, newline + 1);
      rest = newline === -1 ? '' : rest.slice(newline + 1);
      this.line += chunk;
      this.wholeLine += chunk;
      const opened = this.fence ? undefined : this.opening();
      if (opened) {
        const before = this.line.slice(0, opened.at);
        if (before) pieces.push({ type: 'text', text: before });
        const after = this.line.slice(opened.at + opened.name.length + 2);
        this.line = this.wholeLine = '';
        const params = Object.create(null) as Record<string, string | string[]>;
        this.open = { name: opened.name, text: new BlockText(), params, cursor: 0 };
        rest = after + rest;
        continue;
      }
      if (this.line.endsWith('\n')) {
        this.trackFence(this.wholeLine);
        pieces.push({ type: 'text', text: this.line });
        this.line = this.wholeLine = '';
      } else if (!this.mayOpen()) {
        pieces.push({ type: 'text', text: this.line });
        this.line = '';
        this.partialLine = true;
      }
    }
    return merge(pieces);
  }

  /** The end of the answer: text held back, and a block never closed, as its text. */
  end(): { text: string; unclosed?: string } {
    const open = this.open;
    const text = open ? `<${open.name}>${open.text.toString()}` : this.line;
    this.line = this.wholeLine = '';
    this.open = undefined;
    this.partialLine = false;
    return open ? { text, unclosed: open.name } : { text };
  }

  /** An offered tool's tag opening the current line (after spaces). */
  private opening(): { name: string; at: number } | undefined {
    if (this.partialLine) return undefined;
    const match = /^[ \t]*<([a-z_][a-z0-9_]*)>/.exec(this.line);
    if (!match || !this.names.has(match[1])) return undefined;
    return { name: match[1], at: match[0].length - match[1].length - 2 };
  }

  /** Whether the current line, unfinished, may still turn out to open a block. */
  private mayOpen(): boolean {
    if (this.fence || this.partialLine) return false;
    const tag = /^[ \t]*(<[a-z0-9_]*>?)?$/.exec(this.line);
    if (!tag) return false;
    const partial = tag[1] ?? '';
    if (partial.length > this.longest) return false;
    for (const name of this.names) if (`<${name}>`.startsWith(partial)) return true;
    return false;
  }

  /** Follows fenced code through a complete line of shown text. */
  private trackFence(line: string): void {
    this.partialLine = false;
    const marker = FENCE.exec(line)?.[1];
    if (!marker) return;
    if (!this.fence) this.fence = marker;
    else if (marker[0] === this.fence[0] && marker.length >= this.fence.length && line.trim() === marker) {
      this.fence = undefined;
    }
  }

  /** Reads `text` into the open block; returns what follows the block once it closes. */
  private readBlock(text: string, pieces: TextPiece[]): string {
    const block = this.open as OpenBlock;
    block.text.append(text);
    const close = `</${block.name}>`;
    for (;;) {
      if (block.malformed) {
        const end = block.text.find(close, block.cursor);
        if (end === -1) return '';
        const whole = block.text.toString();
        const shown = `<${block.name}>${whole.slice(0, end + close.length)}`;
        pieces.push({ type: 'malformed', name: block.name, text: shown, reason: block.malformed });
        this.open = undefined;
        return whole.slice(end + close.length);
      }
      if (block.param) {
        const { name, start } = block.param;
        const end = block.text.find(`</${name}>`, start);
        if (end === -1) return '';
        const raw = block.text.toString().slice(start, end);
        // Code keeps its spaces; only the line breaks that frame the value in the block are dropped.
        const value = VERBATIM.has(name) ? raw.replace(/^\r?\n/, '').replace(/\r?\n$/, '') : raw.trim();
        const known = block.params[name];
        block.params[name] = known === undefined ? value : ([] as string[]).concat(known, value);
        block.cursor = end + name.length + 3;
        block.param = undefined;
        continue;
      }
      const whole = block.text.toString();
      const head = whole.slice(block.cursor, block.cursor + TAG_WINDOW);
      const spaces = /^\s*/.exec(head)?.[0].length ?? 0;
      if (head.startsWith(close, spaces)) {
        pieces.push({ type: 'call', call: { name: block.name, params: block.params } });
        this.open = undefined;
        return whole.slice(block.cursor + spaces + close.length);
      }
      const param = PARAM_OPEN.exec(head);
      if (param) {
        block.param = { name: param[1], start: block.cursor + param[0].length };
        block.text.restart();
        continue;
      }
      // Something other than a parameter or the closing tag: wait while it may still become one.
      if (head.length < TAG_WINDOW && /^\s*(<\/?[a-zA-Z0-9_]*)?$/.test(head)) return '';
      block.malformed = 'it holds text outside its parameters';
      block.text.restart();
    }
  }
}

/** Adjacent text pieces as one. */
function merge(pieces: TextPiece[]): TextPiece[] {
  const merged: TextPiece[] = [];
  for (const piece of pieces) {
    const last = merged.at(-1);
    if (piece.type === 'text' && last?.type === 'text') last.text += piece.text;
    else if (piece.type !== 'text' || piece.text) merged.push(piece);
  }
  return merged;
}
