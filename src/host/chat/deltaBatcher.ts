/** Streamed text goes to the webview at most this often: the webview renders once per frame anyway. */
const DELTA_INTERVAL_MS = 16;

/**
 * Gathers streamed answer and reasoning text and hands it on at most once per interval. The first
 * piece after a quiet spell goes at once, so a slow stream is shown without delay.
 */
export class DeltaBatcher {
  private content = '';
  private reasoning = '';
  private timer?: NodeJS.Timeout;
  private lastFlush = 0;

  constructor(private readonly send: (content: string, reasoning: string) => void) {}

  add(kind: 'content' | 'reasoning', text: string): void {
    if (kind === 'content') this.content += text;
    else this.reasoning += text;
    if (this.timer) return;
    const wait = this.lastFlush + DELTA_INTERVAL_MS - Date.now();
    if (wait <= 0) this.flush();
    else this.timer = setTimeout(() => this.flush(), wait);
  }

  /** Hands on what is gathered now (at the end of a turn, or when the interval is up). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.lastFlush = Date.now();
    if (!this.content && !this.reasoning) return;
    this.send(this.content, this.reasoning);
    this.content = '';
    this.reasoning = '';
  }
}
