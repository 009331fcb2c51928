/**
 * Model output shown by VS Code's own markdown renderer (an inline explanation's comment thread,
 * `@genos` in the chat) loads `![](https://…)` images even from untrusted strings, so a prompt
 * injected through a cloned file could send code out in an image's URL. This turns every image
 * into a plain link: `![alt](url)` becomes `\![alt](url)`, which renders as "!" and a link that
 * loads nothing until clicked. Fenced code blocks are left as written (a code span is not: markdown
 * may not take it for one, so it gets the backslash too). Plain code (no
 * `vscode`, no DOM); it works on a whole text or on a stream of pieces.
 */
export class ImageLinks {
  /** The open fence (its backticks or tildes), while inside a fenced code block. */
  private fence?: string;
  /** The line so far, to tell at its end whether it opened or closed a fence. */
  private line = '';
  /** Inside an HTML block (a line starting with `<`, up to a blank line): no fence opens there. */
  private html = false;
  /** A `!` at the end of the last piece, not yet written: it may start an image. */
  private bang = false;
  /** Backslashes in a row just before this character: an odd count escapes it. */
  private backslashes = 0;
  /** The last character was `\r`: a `\n` right after it ends no second line. */
  private carriage = false;

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
      // Only outside fenced code; inside a code span too (markdown may not see the span as one).
      out += this.fence === undefined && char === '[' ? '\\!' : '!';
    }
    const afterCarriage = this.carriage;
    this.carriage = char === '\r';
    if (char === '\n' || char === '\r') {
      if (!(char === '\n' && afterCarriage)) this.endLine();
      this.backslashes = 0;
      return out + char;
    }
    this.line += char;
    const escaped = this.backslashes % 2 === 1;
    this.backslashes = char === '\\' ? this.backslashes + 1 : 0;
    // An escaped `!` is already literal: `\![x](u)` is a link, and adding a backslash would undo that.
    if (char === '!' && !escaped && this.fence === undefined) {
      this.bang = true;
      return out;
    }
    return out + char;
  }

  private endLine(): void {
    const line = this.line;
    this.line = '';
    if (this.fence !== undefined) {
      const marker = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(line)?.[1];
      if (marker && marker[0] === this.fence[0] && marker.length >= this.fence.length) this.fence = undefined;
      return;
    }
    if (line.trim() === '') {
      this.html = false;
      return;
    }
    if (/^ {0,3}</.test(line)) this.html = true;
    if (this.html) return;
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker && !(marker[0] === '`' && line.slice(line.indexOf(marker) + marker.length).includes('`'))) {
      this.fence = marker;
    }
  }
}

/** `markdown` with every image turned into a link (see {@link ImageLinks}). */
export function imagesAsLinks(markdown: string): string {
  const links = new ImageLinks();
  return links.push(markdown) + links.end();
}
