/**
 * When to ask GenOS for a completion and when not to: a debounce, one request in flight at a time
 * (closed as soon as it cannot be used), and reuse of a pending or recent result while the user
 * types what it begins with. No editor and no network code: the request itself is the `fetch`
 * function it is given.
 */
import type { CursorContext } from './prompts';
import { GenosError, requestCancelled } from './errors';
import { delay } from './delay';

/** Asks the server for the raw completion at a cursor; must close its connection when `signal` aborts. */
export type CompletionFetch = (context: CursorContext, signal: AbortSignal) => Promise<string>;

export interface CompletionEngineOptions {
  /** Quiet time after a keystroke before a request is sent. */
  debounceMs: number;
  /** Recent results kept for reuse. */
  cacheSize?: number;
  /** Typed characters beyond a pending request's cursor that still wait for it. */
  maxTypeAhead?: number;
}

interface Result {
  prefix: string;
  suffix: string;
  text: string;
}

interface Pending {
  prefix: string;
  suffix: string;
  promise: Promise<string>;
  controller: AbortController;
}

/** Counts, for the status bar, tests and the benchmark. */
export interface CompletionStats {
  requests: number;
  aborted: number;
  cacheHits: number;
  pendingReuses: number;
}

/** `promise`, or a cancellation as soon as `signal` aborts (the promise itself goes on). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(requestCancelled());
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(requestCancelled());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

export class CompletionEngine {
  private readonly cache: Result[] = [];
  private pending?: Pending;
  readonly stats: CompletionStats = { requests: 0, aborted: 0, cacheHits: 0, pendingReuses: 0 };

  constructor(
    private readonly fetch: CompletionFetch,
    private readonly options: CompletionEngineOptions,
  ) {}

  /**
   * The completion at `context`, raw (the caller fits it to the line). Resolves undefined when the
   * call was cancelled (the user typed on) before a result; rejects with a GenosError when the
   * request failed.
   */
  async complete(context: CursorContext, signal: AbortSignal): Promise<string | undefined> {
    const cached = this.fromCache(context);
    if (cached !== undefined) {
      this.stats.cacheHits++;
      return cached;
    }
    try {
      const reused = await this.fromPending(context, signal);
      if (reused !== undefined) {
        this.stats.pendingReuses++;
        return reused;
      }
      if (this.options.debounceMs > 0) await delay(this.options.debounceMs, signal);
      // Another call may have brought a usable result meanwhile.
      const late = this.fromCache(context) ?? (await this.fromPending(context, signal));
      if (late !== undefined) return late;
      return await untilAborted(this.start(context), signal);
    } catch (error) {
      if (error instanceof GenosError && error.kind === 'cancelled') return undefined;
      throw error;
    }
  }

  /** Closes the request in flight, if any. */
  abort(): void {
    if (!this.pending) return;
    this.pending.controller.abort();
    this.stats.aborted++;
    this.pending = undefined;
  }

  /**
   * Closes the request in flight if it is for `context`: the cursor it was for has gone (moved
   * away, the editor lost focus, the document closed). A request for another cursor is kept.
   */
  abortFor(context: Pick<CursorContext, 'prefix' | 'suffix'>): void {
    if (this.pending?.prefix === context.prefix && this.pending.suffix === context.suffix) this.abort();
  }

  /** Forgets recent results (after the settings change, say). */
  clear(): void {
    this.abort();
    this.cache.length = 0;
  }

  /** What the user typed since `result`'s cursor, if the current cursor continues it. */
  private typedSince(result: Pick<Result, 'prefix' | 'suffix'>, context: CursorContext): string | undefined {
    if (result.suffix !== context.suffix || !context.prefix.startsWith(result.prefix)) return undefined;
    return context.prefix.slice(result.prefix.length);
  }

  /** The rest of a recent result that the user is typing along, most recent first. */
  private fromCache(context: CursorContext): string | undefined {
    for (let i = this.cache.length - 1; i >= 0; i--) {
      const result = this.cache[i];
      const typed = this.typedSince(result, context);
      if (typed === undefined || !result.text.startsWith(typed) || result.text.length <= typed.length) continue;
      // Most recently used last.
      this.cache.splice(i, 1);
      this.cache.push(result);
      return result.text.slice(typed.length);
    }
    return undefined;
  }

  /**
   * Waits for the request in flight when the cursor continues it, and returns the rest of its
   * result if the user typed along it. A request the cursor does not continue is closed.
   */
  private async fromPending(context: CursorContext, signal: AbortSignal): Promise<string | undefined> {
    const pending = this.pending;
    if (!pending) return undefined;
    const typed = this.typedSince(pending, context);
    if (typed === undefined || typed.length > (this.options.maxTypeAhead ?? 40) || typed.includes('\n')) {
      this.abort();
      return undefined;
    }
    let text: string;
    try {
      text = await untilAborted(pending.promise, signal);
    } catch (error) {
      if (error instanceof GenosError && error.kind === 'cancelled' && signal.aborted) throw error;
      return undefined;
    }
    return text.startsWith(typed) && text.length > typed.length ? text.slice(typed.length) : undefined;
  }

  private start(context: CursorContext): Promise<string> {
    this.abort();
    const controller = new AbortController();
    this.stats.requests++;
    const promise = this.fetch(context, controller.signal).then((text) => {
      this.remember({ prefix: context.prefix, suffix: context.suffix, text });
      return text;
    });
    const pending: Pending = { prefix: context.prefix, suffix: context.suffix, promise, controller };
    this.pending = pending;
    const settle = () => {
      if (this.pending === pending) this.pending = undefined;
    };
    promise.then(settle, settle);
    return promise;
  }

  private remember(result: Result): void {
    if (!result.text) return;
    this.cache.push(result);
    while (this.cache.length > (this.options.cacheSize ?? 50)) this.cache.shift();
  }
}
