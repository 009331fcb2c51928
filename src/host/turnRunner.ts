import type * as vscode from 'vscode';
import type { GenosError } from '../client/errors';
import type { ClientConfig, RetryWait } from '../client/genosClient';
import type { ChatMessage, Usage } from '../client/openai';
import type { Connection, ConnectionManager } from './connection';
import { asGenosError } from './errorUi';
import type { Log } from './log';
import { requestSettings, type RequestSettings } from './settings';

/** What can stop a request: a progress notification's Cancel, the panel's Stop, or both. */
export interface Cancellation {
  token?: vscode.CancellationToken;
  signal?: AbortSignal;
  /** Ask the user for a missing token (and plain-http consent); otherwise fail. Default: true. */
  interactive?: boolean;
  /** Another serving at the same GenOS address (completions may have their own). */
  servingId?: string;
  /** How often to retry; completions do not, since a later keystroke asks again anyway. */
  retry?: ClientConfig['retry'];
}

/** One request for a streamed answer. */
export interface TurnSpec extends Cancellation {
  /** The messages to send, built once the settings are read. */
  messages(settings: RequestSettings): ChatMessage[];
  /** Runs once connected, before anything is sent (the chat saves the question here). */
  onConnected?(): Promise<void> | void;
  /** The model this turn asks. */
  onModel?(model: string): void;
  /** Text as it arrives, answer or reasoning. */
  onText?(kind: 'content' | 'reasoning', text: string): void;
  /** The client waits before trying again (GenOS busy, a server error); Stop still ends it. */
  onRetryWait?(wait: RetryWait): void;
}

/** How a turn ended. Text received before a stop or failure is kept. */
export interface TurnResult {
  status: 'done' | 'stopped' | 'error';
  answer: string;
  reasoning: string;
  model?: string;
  usage?: Usage;
  /** The failure, when status is `error`. */
  error?: GenosError;
  /** False when the turn failed before it could connect: nothing was sent. */
  connected: boolean;
}

/**
 * The one path every request takes: connect, choose the model, read the request settings, stream,
 * turn a cancellation token or Stop into the abort signal, and convert failures once. Chat,
 * explain, rewrite, ask and Test Connection all go through it.
 */
export class TurnRunner {
  constructor(
    private readonly connections: ConnectionManager,
    private readonly log: Log,
  ) {}

  /**
   * Connects and hands the client to `work` with one abort signal that any of the cancellation
   * sources fires. Every failure comes out as a GenosError.
   */
  async withConnection<T>(cancel: Cancellation, work: (connection: Connection, signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const abort = () => controller.abort();
    if (cancel.signal?.aborted || cancel.token?.isCancellationRequested) abort();
    cancel.signal?.addEventListener('abort', abort, { once: true });
    const subscription = cancel.token?.onCancellationRequested(abort);
    try {
      const connection = await this.connections.connect(cancel.interactive ?? true, { servingId: cancel.servingId, retry: cancel.retry });
      return await work(connection, controller.signal);
    } catch (error) {
      throw asGenosError(error, this.log);
    } finally {
      subscription?.dispose();
      cancel.signal?.removeEventListener('abort', abort);
    }
  }

  /** The model to ask on `connection`: `chosen`, or the first the serving lists. */
  model(connection: Connection, signal: AbortSignal, chosen?: string): Promise<string> {
    return this.connections.model(connection, signal, chosen || undefined);
  }

  /** Streams one answer. Never throws: a stop or failure is in the result, with the text so far. */
  async run(spec: TurnSpec): Promise<TurnResult> {
    const result: TurnResult = { status: 'done', answer: '', reasoning: '', connected: false };
    try {
      await this.withConnection(spec, async (connection, signal) => {
        result.connected = true;
        await spec.onConnected?.();
        const model = await this.connections.model(connection, signal);
        result.model = model;
        spec.onModel?.(model);
        const settings = requestSettings();
        const options = { model, temperature: settings.temperature, maxTokens: settings.maxTokens, onRetryWait: spec.onRetryWait };
        for await (const event of connection.client.chat(spec.messages(settings), options, signal)) {
          if (event.type === 'content') result.answer += event.text;
          else if (event.type === 'reasoning') result.reasoning += event.text;
          else if (event.type === 'usage') result.usage = event.usage;
          if (event.type === 'content' || event.type === 'reasoning') spec.onText?.(event.type, event.text);
        }
      });
    } catch (error) {
      const failure = error as GenosError;
      if (failure.kind === 'cancelled') {
        result.status = 'stopped';
      } else {
        result.status = 'error';
        result.error = failure;
      }
    }
    return result;
  }
}
