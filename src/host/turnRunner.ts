import type * as vscode from 'vscode';
import { GenosError } from '../client/errors';
import type { ClientConfig, RetryWait } from '../client/genosClient';
import { parseContextLimit, type Usage } from '../client/openai';
import type { Connection, ConnectionManager } from './connection';
import { fitToWindow, outputReserve, TokenCalibration, type FittedPrompt, type PromptParts } from './contextBudget';
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
  /** A connection made before with the same settings, to use instead of connecting again. */
  reuse?: Connection;
}

/** One request for a streamed answer. */
export interface TurnSpec extends Cancellation {
  /** What to send, built once the settings are read; it is fitted into the model's window. */
  prompt(settings: RequestSettings): PromptParts;
  /** The model to ask instead of the configured one (a model picked in VS Code's chat). */
  model?: string;
  /** What was sent, once it was fitted: tokens, turns left out, attachments cut. */
  onFitted?(fitted: FittedPrompt, window: number): void;
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
  /** Why the model stopped (`length`: cut off at the token limit). */
  finishReason?: string;
}

/** Tokens kept for the answer when `genos.maxTokens` is not set: a quarter of the window, at most this. */
export const DEFAULT_RESERVE = 1024;

/**
 * The one path every request takes: connect, choose the model, read the request settings, stream,
 * turn a cancellation token or Stop into the abort signal, and convert failures once. Chat,
 * explain, rewrite, ask and Test Connection all go through it.
 */
export class TurnRunner {
  readonly calibration = new TokenCalibration();

  constructor(
    private readonly connections: ConnectionManager,
    private readonly log: Log,
  ) {}

  /** The key a serving's calibration is kept under. */
  static calibrationKey(connection: Connection, model: string): string {
    return `${connection.endpoint.href} ${model}`;
  }

  /**
   * Connects and hands the client to `work` with one abort signal that any of the cancellation
   * sources fires. Every failure comes out as a GenosError.
   */
  async withConnection<T>(
    cancel: Cancellation,
    work: (connection: Connection, signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const controller = new AbortController();
    const abort = () => controller.abort();
    if (cancel.signal?.aborted || cancel.token?.isCancellationRequested) abort();
    cancel.signal?.addEventListener('abort', abort, { once: true });
    const subscription = cancel.token?.onCancellationRequested(abort);
    try {
      const connection =
        cancel.reuse ??
        (await this.connections.connect(cancel.interactive ?? true, {
          servingId: cancel.servingId,
          retry: cancel.retry,
        }));
      return await work(connection, controller.signal);
    } catch (error) {
      throw asGenosError(error, this.log);
    } finally {
      subscription?.dispose();
      cancel.signal?.removeEventListener('abort', abort);
    }
  }

  /** The model to ask on `connection`: `chosen`, or the provisioned one, or the first the serving lists. */
  model(connection: Connection, signal: AbortSignal, chosen?: string): Promise<string> {
    return this.connections.model(connection, signal, chosen ?? '');
  }

  /** The serving's models (and what they say of their windows). */
  listModels(connection: Connection, signal: AbortSignal): Promise<string[]> {
    return this.connections.listModels(connection, signal);
  }

  /** Streams one answer. Never throws: a stop or failure is in the result, with the text so far. */
  async run(spec: TurnSpec): Promise<TurnResult> {
    const result: TurnResult = { status: 'done', answer: '', reasoning: '', connected: false };
    try {
      await this.withConnection(spec, async (connection, signal) => {
        result.connected = true;
        await spec.onConnected?.();
        const model = spec.model ?? (await this.connections.model(connection, signal));
        result.model = model;
        spec.onModel?.(model);
        const settings = requestSettings();
        const window = await this.connections.contextWindow(connection, model, signal);
        const key = TurnRunner.calibrationKey(connection, model);
        const { reserve, maxTokens } = outputReserve(settings.maxTokens, window, DEFAULT_RESERVE);
        const fitted = fitToWindow(spec.prompt(settings), { window, reserve, factor: this.calibration.factor(key) });
        spec.onFitted?.(fitted, window);
        const options = { model, temperature: settings.temperature, maxTokens, onRetryWait: spec.onRetryWait };
        try {
          for await (const event of connection.client.chat(fitted.messages, options, signal)) {
            if (event.type === 'content') result.answer += event.text;
            else if (event.type === 'reasoning') result.reasoning += event.text;
            else if (event.type === 'usage') result.usage = event.usage;
            else if (event.type === 'finish') result.finishReason = event.reason;
            if (event.type === 'content' || event.type === 'reasoning') spec.onText?.(event.type, event.text);
          }
        } catch (error) {
          // Refused as too long: learn the real window and count, so a retry fits.
          const limit =
            error instanceof GenosError && error.kind === 'badRequest'
              ? parseContextLimit(error.serverMessage)
              : undefined;
          if (limit) {
            this.connections.learnWindow(connection, model, limit.window);
            const actual =
              limit.promptTokens ?? (limit.requested !== undefined ? limit.requested - (maxTokens ?? 0) : undefined);
            if (actual) this.calibration.observe(key, fitted.rawTokens, actual, true);
            this.log.warn(
              `the request was too long for ${model}: window ${limit.window}, ${actual ?? '?'} prompt tokens against ${fitted.tokens} estimated`,
            );
          }
          throw error;
        }
        if (result.usage?.promptTokens) this.calibration.observe(key, fitted.rawTokens, result.usage.promptTokens);
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
