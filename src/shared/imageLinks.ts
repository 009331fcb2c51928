/**
 * Model output shown by VS Code's own markdown renderer (an inline explanation's comment thread,
 * `@genos` in the chat) loads `![](https://…)` images even from untrusted strings, so a prompt
 * injected through a cloned file could send code out in an image's URL. This turns every image
 * into a plain link: `![alt](url)` becomes `\![alt](url)`, which renders as "!" and a link that
 * loads nothing until clicked. Code blocks and code spans are left as written. Plain code (no
 * `vscode`, no DOM); it works on a whole text or on a stream of pieces.
 */
export class ImageLinks {
  /** The open fence (its backticks or tildes), while inside a fenced code block. */
  private fence?: string;
  /** The line so far, to tell at its end whether it opened or closed a fence. */
  private line = '';
  /** Backticks of the open code span on this line, if one is open. */
  private span = 0;
  /** A `!` at the end of the last piece, not yet written: it may start an image. */
  private bang = false;
  /** Backticks in a row so far. */
  private ticks = 0;

  /** The safe form of `piece`; a few characters may be held back until the next piece. */
  push(piece: string): string {
    let out = '';
    for (const char of piece) out += this.next(char);
    return out;
  }

  /** What was held back, at the end of the text. */
  end(): string {
    const rest = this.bang ? '!' : '';
    this.bang = false;
    return rest;
  }

  private next(char: string): string {
    let out = '';
    if (this.bang) {
      this.bang = false;
      out += this.fence === undefined && this.span === 0 && char === '[' ? '\\!' : '!';
    }
    if (char === '\n') {
      this.endLine();
      return `${out}\n`;
    }
    this.line += char;
    if (char === '`' && this.fence === undefined) {
      this.ticks++;
      return out + char;
    }
    if (this.ticks > 0 && this.fence === undefined) this.closeTicks();
    if (char === '!' && this.fence === undefined && this.span === 0) {
      this.bang = true;
      return out;
    }
    return out + char;
  }

  /** Backticks in a row just ended: they open or close a code span. */
  private closeTicks(): void {
    if (this.span === 0) this.span = this.ticks;
    else if (this.span === this.ticks) this.span = 0;
    this.ticks = 0;
  }

  private endLine(): void {
    if (this.ticks > 0) this.closeTicks();
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(this.line)?.[1];
    if (this.fence === undefined) {
      if (marker && !(marker[0] === '`' && this.line.slice(this.line.indexOf(marker) + marker.length).includes('`'))) this.fence = marker;
    } else if (marker && marker[0] === this.fence[0] && marker.length >= this.fence.length && this.line.trim() === marker) {
      this.fence = undefined;
    }
    // A code span does not run past a paragraph; on one line is what matters here.
    this.span = 0;
    this.line = '';
  }
}

/** `markdown` with every image turned into a link (see {@link ImageLinks}). */
export function imagesAsLinks(markdown: string): string {
  const links = new ImageLinks();
  return links.push(markdown) + links.end();
}
