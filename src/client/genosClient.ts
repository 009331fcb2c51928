import type * as http from 'node:http';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import {
  attempts,
  DEFAULT_RETRY,
  send,
  type ClientLog,
  type RetryPolicy,
  type RetryWait,
  type Target,
} from './attempts';
import { GenosError } from './errors';
import { DEFAULT_STREAM_LIMITS, StreamAssembler, streamTooLarge, type StreamLimits } from './streamAssembler';
import { readBody, readText } from './http';
import type { ConnectionTrace, NetworkPath } from './network';
import {
  parseChunk,
  parseCompletion,
  parseModelInfo,
  parseTextCompletion,
  refusesTools,
  type ModelInfo,
  type ChatEvent,
  type ChatMessage,
  type ToolSpec,
} from './openai';

export type { ClientLog, RetryPolicy, RetryWait } from './attempts';

/** What a chat stream yields: the answer's events, and a wait before the request is tried again. */
export type ChatStreamEvent = ChatEvent | { type: 'retryWait'; wait: RetryWait };

/** Everything a client needs to talk to one serving. */
export interface ClientConfig {
  /** The serving's endpoint, from {@link buildEndpoint}. */
  endpoint: URL;
  token: string;
  /** Sent as `x-genos-user-id` when set, to tag GenOS usage logs. */
  userId?: string;
  /** Limit for the response headers and for each silence in a stream; 0 means no limit. */
  timeoutMs: number;
  retry?: Partial<RetryPolicy>;
  log?: ClientLog;
  /** Certificate and proxy settings; absent means the default network stack. */
  network?: NetworkPath;
  /** How much one stream may bring; the defaults suit any real answer. */
  streamLimits?: Partial<StreamLimits>;
}

/** What a connection test found: the models and how the connection was made, step by step. */
export interface ProbeResult {
  models: string[];
  /** The same models with what the server says of them (context window). */
  info: ModelInfo[];
  trace: ConnectionTrace;
  /** Milliseconds from the start: response headers received, and the whole list read. */
  headersMs: number;
  totalMs: number;
}

/** Options of one text completion (`/v1/completions`). */
export interface CompletionOptions {
  model: string;
  maxTokens: number;
  temperature: number;
  /** Where the model must stop: the prompt format's special tokens. */
  stop: string[];
}

/** Options of one chat request. */
export interface ChatOptions {
  model: string;
  temperature?: number;
  maxTokens?: number;
  /** Tools the model may call; their calls come back as `toolCall` events before `finish`. */
  tools?: ToolSpec[];
  /** `required`: the model must call a tool; `auto` (the server's default with tools): it may. */
  toolChoice?: 'auto' | 'required';
  /** False: ask a model that thinks (Qwen3, and others by vLLM's convention) not to. */
  thinking?: boolean;
}

/** A token count waits at most this long: the estimate is there when it does not come. */
const TOKENIZE_TIMEOUT_MS = 3000;

/** Tools as the API takes them. */
function wireTools(tools: readonly ToolSpec[]): object[] {
  return tools.map((tool) => ({
    type: 'function',
    function: {
      name: tool.name,
      description: tool.description ?? '',
      parameters: tool.parameters ?? { type: 'object', properties: {} },
    },
  }));
}

/** A client for one GenOS serving: the OpenAI-compatible API of vLLM behind the GenOS gateway. */
export class GenosClient {
  private readonly target: Target;

  constructor(private readonly config: ClientConfig) {
    this.target = { ...config, retry: { ...DEFAULT_RETRY, ...config.retry } };
  }

  /** Lists the ids of the models the serving offers (`GET /v1/models`). */
  async listModels(signal?: AbortSignal): Promise<string[]> {
    return (await this.probe(signal)).models;
  }

  /** Lists the models and reports the path the connection took, with the time of each step. */
  async probe(signal?: AbortSignal): Promise<ProbeResult> {
    const started = performance.now();
    const trace: ConnectionTrace = { path: 'default' };
    const response = await send(this.target, { method: 'GET', path: '/v1/models', signal, trace });
    const headersMs = performance.now() - started;
    const body = await readText(response, this.config.timeoutMs, signal);
    const info = parseModelInfo(body);
    if (!info) throw new GenosError({ kind: 'malformed', message: 'The models list is not in the OpenAI format.' });
    return { models: info.map((model) => model.id), info, trace, headersMs, totalMs: performance.now() - started };
  }

  /**
   * Counts the prompt tokens of `messages` exactly, as the model's chat template and tokenizer make
   * them (vLLM's `POST /tokenize`, beside `/v1`). Undefined when the serving does not offer it (404
   * or 405: a gateway that does not forward it); other failures throw.
   */
  async tokenize(
    model: string,
    messages: ChatMessage[],
    signal?: AbortSignal,
    tools?: ToolSpec[],
  ): Promise<number | undefined> {
    // The tools' schemas are part of the prompt the template makes: counted with it.
    const body = JSON.stringify({ model, messages, ...(tools?.length && { tools: wireTools(tools) }) });
    let response: http.IncomingMessage;
    // One quick try: a count is an improvement, never worth a wait.
    const target = { ...this.target, timeoutMs: TOKENIZE_TIMEOUT_MS, retry: { ...this.target.retry, maxRetries: 0 } };
    try {
      response = await send(target, {
        method: 'POST',
        path: '/tokenize',
        body,
        signal,
        accept: 'application/json',
      });
    } catch (error) {
      if (error instanceof GenosError && (error.status === 404 || error.status === 405)) return undefined;
      throw error;
    }
    const parsed = JSON.parse(await readText(response, TOKENIZE_TIMEOUT_MS, signal)) as { count?: unknown };
    if (typeof parsed.count !== 'number' || !Number.isFinite(parsed.count)) {
      throw new GenosError({ kind: 'malformed', message: "The token count is not in vLLM's format." });
    }
    return parsed.count;
  }

  /**
   * Completes a prompt (`POST /v1/completions`, not streamed: a completion is short and is shown
   * whole). Resolves with the model's text; aborting `signal` closes the connection.
   */
  async complete(prompt: string, options: CompletionOptions, signal?: AbortSignal): Promise<string> {
    const body = JSON.stringify({
      model: options.model,
      prompt,
      max_tokens: options.maxTokens,
      temperature: options.temperature,
      stop: options.stop,
      stream: false,
    });
    const path = '/v1/completions';
    const response = await send(this.target, { method: 'POST', path, body, signal, accept: 'application/json' });
    const text = parseTextCompletion(await readText(response, this.config.timeoutMs, signal));
    if (text === undefined) {
      throw new GenosError({ kind: 'malformed', message: 'The completion is not in the OpenAI format.' });
    }
    return text;
  }

  /**
   * Asks for a streamed answer (`POST /v1/chat/completions`, `stream: true`). Yields content,
   * reasoning, usage and finish events as they arrive. Throws a GenosError that keeps the text
   * received so far. Ending the iteration early, or aborting `signal`, closes the connection.
   */
  async *chat(messages: ChatMessage[], options: ChatOptions, signal?: AbortSignal): AsyncGenerator<ChatStreamEvent> {
    // Options left undefined are left out: JSON has no undefined.
    const body: Record<string, unknown> = {
      model: options.model,
      messages,
      stream: true,
      stream_options: { include_usage: true },
      temperature: options.temperature,
      max_tokens: options.maxTokens,
    };
    if (options.tools?.length) {
      body.tools = wireTools(options.tools);
      body.tool_choice = options.toolChoice ?? 'auto';
    }
    if (options.thinking === false) body.chat_template_kwargs = { enable_thinking: false };

    const started = Date.now();
    let response: http.IncomingMessage;
    try {
      const tries = attempts(this.target, {
        method: 'POST',
        path: '/v1/chat/completions',
        body: JSON.stringify(body),
        signal,
      });
      let step = await tries.next();
      for (; !step.done; step = await tries.next()) yield { type: 'retryWait', wait: step.value };
      response = step.value;
    } catch (error) {
      // A serving started without tool calling refuses any request that carries tools: say that.
      // A serving (or a gateway) that does not take the thinking switch: say that, so it is not sent again.
      if (
        body.chat_template_kwargs &&
        error instanceof GenosError &&
        error.kind === 'badRequest' &&
        /chat_template_kwargs/i.test(error.serverMessage ?? '')
      ) {
        throw new GenosError({
          kind: 'badRequest',
          status: error.status,
          serverMessage: error.serverMessage,
          detail: 'thinkingSwitchRefused',
          message: `HTTP ${error.status}: the serving does not take chat_template_kwargs.`,
        });
      }
      if (
        options.tools?.length &&
        error instanceof GenosError &&
        error.kind === 'badRequest' &&
        refusesTools(error.serverMessage)
      ) {
        throw new GenosError({
          kind: 'badRequest',
          status: error.status,
          serverMessage: error.serverMessage,
          detail: 'toolsRefused',
          message: `HTTP ${error.status}: the serving does not accept tools.`,
        });
      }
      throw error;
    }
    const limits = { ...DEFAULT_STREAM_LIMITS, ...this.config.streamLimits };
    const answer = new StreamAssembler(limits, this.config.token);
    try {
      // A loop, not yield* over the array: an error the consumer throws in then arrives as itself.
      const emit = function* (batch: { events: ChatEvent[]; failure?: GenosError }): Generator<ChatEvent> {
        for (const event of batch.events) yield event;
        if (batch.failure) throw batch.failure;
      };

      if (!String(response.headers['content-type']).includes('text/event-stream')) {
        yield* emit(answer.collect([parseCompletion(await readText(response, this.config.timeoutMs, signal))]));
        answer.done = true;
      } else {
        const pending: EventSourceMessage[] = [];
        // A line that never ends, or data lines with no blank line between them, stop the stream.
        let overflow = false;
        const parser = createParser({
          onEvent: (event) => pending.push(event),
          onError: (error) => (overflow ||= error.type === 'max-buffer-size-exceeded'),
          maxBufferSize: limits.eventChars,
        });
        const feed = (text: string) => {
          if (!overflow) parser.feed(text);
          if (overflow) throw streamTooLarge('eventChars', limits.eventChars);
        };
        // Keeps a UTF-8 character cut between two network reads until its last byte arrives.
        const decoder = new TextDecoder('utf-8');
        const parsed = () => pending.splice(0).map((event) => parseChunk(event.data, event.event));
        for await (const chunk of readBody(response, this.config.timeoutMs, signal)) {
          feed(decoder.decode(chunk, { stream: true }));
          yield* emit(answer.collect(parsed()));
          if (answer.done) break;
        }
        if (!answer.done) {
          feed(`${decoder.decode()}\n\n`);
          yield* emit(answer.collect(parsed()));
        }
      }
      if (!answer.done && !answer.finished) {
        throw new GenosError({
          kind: 'network',
          networkReason: 'incomplete',
          message: 'The stream ended before the answer was complete.',
        });
      }
      this.config.log?.info(
        `stream complete: ${answer.text.length} chars, ${answer.reasoning.length} reasoning chars in ${Date.now() - started} ms`,
      );
    } catch (error) {
      const failure =
        error instanceof GenosError
          ? error
          : new GenosError({ kind: 'internal', message: `Unexpected stream failure: ${String(error)}`, cause: error });
      this.config.log?.warn(`stream failed: ${failure.kind} after ${answer.text.length} chars (${failure.message})`);
      throw failure.withPartial(answer.text, answer.reasoning);
    }
    // The response is closed by readBody whichever way its loop ends (early stops included).
  }
}
