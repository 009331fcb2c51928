/**
 * The one path every request for an answer takes: connect, choose the model, read the request
 * settings, fit the prompt into the model's window, stream, and learn from a refusal as too long.
 * It yields what happens as events, in order; the panel, the editor commands, `@genos`, VS Code's
 * chat and the agent loop each consume them, and nothing calls back into them.
 */
import { GenosError } from '../../client/errors';
import type { ChatStreamEvent } from '../../client/genosClient';
import { parseContextLimit, type ChatMessage, type ToolSpec, type Usage } from '../../client/openai';
import type { Log } from '../base/log';
import { linkAbort } from '../connection/cancellation';
import type { Connection, ConnectionManager, ConnectOptions } from '../connection/connectionManager';
import { asGenosError } from '../connection/errorUi';
import { modelKey } from '../connection/servingCache';
import { requestSettings, type RequestSettings } from '../connection/settings';
import { estimateTokens } from '../../shared/tokens';
import { fitToWindow, outputReserve, TokenCalibration, type FittedPrompt, type PromptParts } from './contextBudget';

/** One request for a streamed answer. */
export interface RequestSpec extends ConnectOptions {
  /** What to send, built from the settings and fitted into the model's window. */
  prompt?(settings: RequestSettings): PromptParts;
  /** Or messages sent as they are (VS Code's chat fits its own to the window it was told). */
  messages?: ChatMessage[];
  /** The model to ask instead of the configured one (a model picked in VS Code's chat). */
  model?: string;
  tools?: ToolSpec[];
  toolChoice?: 'auto' | 'required';
  /** False: the model is asked not to think (a serving that refuses the switch is not asked again). */
  thinking?: boolean;
}

/** What happens during a request, in order: connected, model, fitted, then the stream's events. */
export type RequestEvent =
  | { type: 'connected'; connection: Connection }
  | { type: 'model'; model: string; window: number }
  | { type: 'fitted'; fitted: FittedPrompt; window: number }
  | ChatStreamEvent;

/**
 * How a request ended, for the surface that made it and for tests. Text received before a stop or
 * failure is kept. The commands that end in the panel or the editor add what they became.
 */
export interface RequestOutcome {
  /** `cancelled`: the user declined before anything was sent (a rewrite's instruction box). */
  status: 'done' | 'stopped' | 'error' | 'cancelled';
  answer: string;
  reasoning: string;
  model?: string;
  usage?: Usage;
  /** The failure, when status is `error`. */
  error?: GenosError;
  /** Its kind, or a command's own reason (a rewrite whose answer holds no code: `noCode`). */
  errorKind?: string;
  /** Why the model stopped (`length`: cut off at the token limit). */
  finishReason?: string;
  /** The panel's turn the request became. */
  requestId?: string;
  /** The proposed code of a rewrite. */
  proposed?: string;
  /** The markdown an inline explanation shows last, as given to the editor's renderer. */
  shown?: string;
}

/**
 * What the model said: its answer, or, when a serving put the whole reply in the reasoning field
 * (some GenOS servings do), that reasoning. The one rule for every surface that shows a reply.
 */
export function replyOf(outcome: Pick<RequestOutcome, 'answer' | 'reasoning'>): string {
  return outcome.answer || outcome.reasoning;
}

/** A prompt estimated above this share of the room it has is counted exactly, where the serving can. */
const NEAR_EDGE = 0.85;
/** The same, for a serving whose answers have measured the estimate. */
const AT_EDGE = 0.97;

export class RequestPath {
  readonly calibration = new TokenCalibration();
  /** Servings and models (by model key) that refused the thinking switch. */
  private readonly noThinkingSwitch = new Set<string>();

  constructor(
    private readonly connections: ConnectionManager,
    private readonly log: Log,
  ) {}

  /**
   * Streams one request's events. Throws a GenosError: `cancelled` when stopped, with the text
   * received so far on the error. Ending the iteration early closes the connection.
   */
  async *stream(spec: RequestSpec): AsyncGenerator<RequestEvent> {
    // One abort signal for the whole request, whichever source stops it.
    const abort = linkAbort(spec);
    const signal = abort.signal;
    try {
      const connection = spec.reuse ?? (await this.connections.connect(spec.interactive ?? true, spec));
      yield { type: 'connected', connection };
      const model = spec.model ?? (await this.connections.servings.model(connection, signal));
      const window = await this.connections.servings.contextWindow(connection, model, signal);
      yield { type: 'model', model, window };
      const settings = requestSettings();
      const { reserve, maxTokens } = outputReserve(settings.maxTokens, window);
      const key = modelKey(connection.endpoint, model);
      let fitted: FittedPrompt | undefined;
      let messages = spec.messages ?? [];
      if (spec.prompt) {
        // A chat template writes the tools' schemas into the prompt: they take room too.
        const tools = spec.tools?.length ? estimateTokens(JSON.stringify(spec.tools)) : 0;
        const factor = this.calibration.factor(key);
        const parts = spec.prompt(settings);
        const budget = { window, reserve: reserve + Math.ceil(tools * factor), factor };
        fitted = fitToWindow(parts, budget);
        // Near the window's edge the estimate is checked with the serving's own count, where it
        // gives one: a prompt the estimate fitted but the tokenizer would not is fitted again. Once
        // answers have measured the serving, only at the very edge: the count costs a round trip,
        // and an agent's every step runs near the edge.
        const room = window - budget.reserve;
        const edge = this.calibration.known(key) ? AT_EDGE : NEAR_EDGE;
        if (fitted.tokens > edge * room) {
          const exact = await this.connections.servings.countTokens(
            connection,
            model,
            fitted.messages,
            signal,
            spec.tools,
          );
          if (exact !== undefined) {
            this.calibration.observe(key, fitted.rawTokens, exact, exact > room);
            if (exact > room) fitted = fitToWindow(parts, { ...budget, factor: this.calibration.factor(key) });
          }
        }
        messages = fitted.messages;
        yield { type: 'fitted', fitted, window };
      }
      let usage: Usage | undefined;
      for (;;) {
        const options = {
          model,
          temperature: settings.temperature,
          maxTokens,
          tools: spec.tools,
          toolChoice: spec.toolChoice,
          thinking: spec.thinking === false && !this.noThinkingSwitch.has(key) ? false : undefined,
        };
        try {
          for await (const event of connection.client.chat(messages, options, signal)) {
            if (event.type === 'usage') usage = event.usage;
            yield event;
          }
          break;
        } catch (error) {
          if (options.thinking === false && error instanceof GenosError && error.detail === 'thinkingSwitchRefused') {
            // Refused before anything streamed: asked again without the switch, which this serving
            // and model are not sent again.
            this.noThinkingSwitch.add(key);
            this.log.warn(`${model} does not take chat_template_kwargs; thinking cannot be switched off there`);
            continue;
          }
          if (fitted) this.learnFromRefusal(error, connection, model, fitted, maxTokens);
          throw error;
        }
      }
      if (fitted && usage?.promptTokens) this.calibration.observe(key, fitted.rawTokens, usage.promptTokens);
    } catch (error) {
      throw asGenosError(error, this.log);
    } finally {
      abort.dispose();
    }
  }

  /**
   * The exact prompt tokens of `messages` for the configured serving and model, where the serving
   * counts them; undefined otherwise. Never asks the user for anything (for the gauge).
   */
  async count(messages: ChatMessage[], signal?: AbortSignal): Promise<number | undefined> {
    try {
      const connection = await this.connections.connect(false);
      const model = await this.connections.servings.model(connection, signal);
      return await this.connections.servings.countTokens(connection, model, messages, signal);
    } catch {
      return undefined;
    }
  }

  /**
   * Runs one request to its end and says how it ended; never throws. `onEvent` sees each event
   * first (and is awaited: the panel saves the question when `connected` comes).
   */
  async run(spec: RequestSpec, onEvent?: (event: RequestEvent) => Promise<void> | void): Promise<RequestOutcome> {
    const outcome: RequestOutcome = { status: 'done', answer: '', reasoning: '' };
    try {
      for await (const event of this.stream(spec)) {
        if (event.type === 'model') outcome.model = event.model;
        else if (event.type === 'content') outcome.answer += event.text;
        else if (event.type === 'reasoning') outcome.reasoning += event.text;
        else if (event.type === 'usage') outcome.usage = event.usage;
        else if (event.type === 'finish') outcome.finishReason = event.reason;
        await onEvent?.(event);
      }
    } catch (error) {
      const failure = asGenosError(error, this.log);
      outcome.status = failure.kind === 'cancelled' ? 'stopped' : 'error';
      if (failure.kind !== 'cancelled') {
        outcome.error = failure;
        outcome.errorKind = failure.kind;
      }
    }
    return outcome;
  }

  /** Refused as too long: learn the real window and count, so a retry fits. */
  private learnFromRefusal(
    error: unknown,
    connection: Connection,
    model: string,
    fitted: FittedPrompt,
    maxTokens: number | undefined,
  ): void {
    const limit =
      error instanceof GenosError && error.kind === 'badRequest' ? parseContextLimit(error.serverMessage) : undefined;
    if (!limit) return;
    this.connections.servings.learnWindow(connection, model, limit.window);
    const actual =
      limit.promptTokens ?? (limit.requested !== undefined ? limit.requested - (maxTokens ?? 0) : undefined);
    if (actual) this.calibration.observe(modelKey(connection.endpoint, model), fitted.rawTokens, actual, true);
    this.log.warn(
      `the request was too long for ${model}: window ${limit.window}, ${actual ?? '?'} prompt tokens against ${fitted.tokens} estimated`,
    );
  }
}
