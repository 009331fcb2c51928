import type * as http from 'node:http';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { apiUrl } from './endpoint';
import { configError, GenosError, requestCancelled } from './errors';
import { peekCertificate } from './certificates';
import { DEFAULT_STREAM_LIMITS, StreamAssembler, streamTooLarge, type StreamLimits } from './streamAssembler';
import { openRequest, parseRetryAfter, readBody, readText, type HttpRequest } from './http';
import type { ConnectionTrace, NetworkPath } from './network';
import {
  cleanServerText,
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

/** Where request lines go; the client never passes it a token or message contents. */
export interface ClientLog {
  info(line: string): void;
  warn(line: string): void;
}

/** When and how often to try a request again. */
export interface RetryPolicy {
  /** Further attempts after the first. */
  maxRetries: number;
  /** Wait before the first retry; doubled each time. */
  baseDelayMs: number;
  /** A longer `Retry-After` than this is reported instead of waited for. */
  maxDelayMs: number;
}

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

/** A pause before trying a request again, for a surface to show while it lasts. */
export interface RetryWait {
  /** How long the client waits before the next attempt. */
  delayMs: number;
  /** The attempt that comes next (2 for the first retry) and how many there are at most. */
  attempt: number;
  attempts: number;
  /** Why: the failure that will be retried (a 429, a 5xx, a refused connection). */
  error: GenosError;
}

/** Options of one chat request. */
export interface ChatOptions {
  model: string;
  temperature?: number;
  maxTokens?: number;
  /** Called when the client waits before trying again (after a 429's Retry-After, or a 5xx). */
  onRetryWait?: (wait: RetryWait) => void;
  /** Tools the model may call; their calls come back as `toolCall` events before `finish`. */
  tools?: ToolSpec[];
  /** `required`: the model must call a tool; `auto` (the server's default with tools): it may. */
  toolChoice?: 'auto' | 'required';
}

const DEFAULT_RETRY: RetryPolicy = { maxRetries: 2, baseDelayMs: 500, maxDelayMs: 10_000 };
const RETRY_STATUSES = new Set<number | undefined>([429, 502, 503, 504]);

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(requestCancelled());
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(requestCancelled());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The origin a redirect points at, or '' when it names none. */
function redirectOrigin(location: string | undefined, base: URL): string {
  if (!location) return '';
  try {
    return new URL(location, base).origin;
  } catch {
    return '';
  }
}

/**
 * A client for one GenOS serving: the OpenAI-compatible API of vLLM behind the GenOS gateway.
 * (Just over 300 lines with its option types: models, chat and completion share one send-and-retry
 * loop and one error reading, which are clearer in one place than spread over files.)
 */
export class GenosClient {
  private readonly retry: RetryPolicy;

  constructor(private readonly config: ClientConfig) {
    this.retry = { ...DEFAULT_RETRY, ...config.retry };
  }

  /** Lists the ids of the models the serving offers (`GET /v1/models`). */
  async listModels(signal?: AbortSignal): Promise<string[]> {
    return (await this.probe(signal)).models;
  }

  /** Lists the models and reports the path the connection took, with the time of each step. */
  async probe(signal?: AbortSignal): Promise<ProbeResult> {
    const started = performance.now();
    const trace: ConnectionTrace = { path: 'default' };
    const response = await this.send('GET', '/v1/models', undefined, signal, trace);
    const headersMs = performance.now() - started;
    const body = await readText(response, this.config.timeoutMs, signal);
    const info = parseModelInfo(body);
    if (!info) throw new GenosError({ kind: 'malformed', message: 'The models list is not in the OpenAI format.' });
    return { models: info.map((model) => model.id), info, trace, headersMs, totalMs: performance.now() - started };
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
    const response = await this.send('POST', '/v1/completions', body, signal, undefined, undefined, 'application/json');
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
  async *chat(messages: ChatMessage[], options: ChatOptions, signal?: AbortSignal): AsyncGenerator<ChatEvent> {
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
      body.tools = options.tools.map((tool) => ({
        type: 'function',
        function: {
          name: tool.name,
          description: tool.description ?? '',
          parameters: tool.parameters ?? { type: 'object', properties: {} },
        },
      }));
      body.tool_choice = options.toolChoice ?? 'auto';
    }

    const started = Date.now();
    let response: http.IncomingMessage;
    try {
      response = await this.send(
        'POST',
        '/v1/chat/completions',
        JSON.stringify(body),
        signal,
        undefined,
        options.onRetryWait,
      );
    } catch (error) {
      // A serving started without tool calling refuses any request that carries tools: say that.
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

  private headers(accept: string, hasBody: boolean): Record<string, string> {
    const headers: Record<string, string> = { Authorization: `Bearer ${this.config.token}`, Accept: accept };
    if (hasBody) headers['Content-Type'] = 'application/json';
    if (this.config.userId) {
      // Only visible ASCII travels in a header: anything else would fail every request obscurely.
      if (!/^[\x21-\x7e]+$/.test(this.config.userId)) {
        throw configError('invalidUserId', 'genos.userId holds characters that cannot be sent in a header.');
      }
      headers['x-genos-user-id'] = this.config.userId;
    }
    return headers;
  }

  /** Sends a request; retries (before any content) where that is safe; resolves with a 2xx response. */
  private async send(
    method: 'GET' | 'POST',
    path: string,
    body: string | undefined,
    signal?: AbortSignal,
    trace?: ConnectionTrace,
    onRetryWait?: (wait: RetryWait) => void,
    accept = body === undefined ? 'application/json' : 'text/event-stream',
  ): Promise<http.IncomingMessage> {
    const url = apiUrl(this.config.endpoint, path);
    const request: HttpRequest = {
      url,
      method,
      body,
      signal,
      headers: this.headers(accept, body !== undefined),
      responseTimeoutMs: this.config.timeoutMs,
      network: this.config.network,
      trace,
    };
    for (let attempt = 0; ; attempt++) {
      const started = Date.now();
      let error: GenosError;
      try {
        const response = await openRequest(request);
        const status = response.statusCode ?? 0;
        this.config.log?.info(`${method} ${url.pathname} ${status} ${Date.now() - started} ms`);
        if (status >= 200 && status < 300) return response;
        error = await this.errorFromResponse(response, signal);
      } catch (caught) {
        if (!(caught instanceof GenosError)) throw caught;
        error = caught;
        if (error.networkReason === 'tls' && !error.certificate && url.protocol === 'https:') {
          // The default stack does not say which certificate it refused; look without trusting it.
          error.certificate = await peekCertificate(url);
        }
        if (error.kind !== 'cancelled') this.config.log?.warn(`${method} ${url.pathname} failed: ${error.message}`);
      }
      const retryable = RETRY_STATUSES.has(error.status) || error.networkReason === 'refused';
      if (!retryable || attempt >= this.retry.maxRetries) throw error;
      const delay =
        error.retryAfterSeconds !== undefined ? error.retryAfterSeconds * 1000 : this.retry.baseDelayMs * 2 ** attempt;
      if (delay > this.retry.maxDelayMs) throw error;
      this.config.log?.info(`retrying in ${delay} ms (attempt ${attempt + 2} of ${this.retry.maxRetries + 1})`);
      onRetryWait?.({ delayMs: delay, attempt: attempt + 2, attempts: this.retry.maxRetries + 1, error });
      await sleep(delay, signal);
    }
  }

  /** Classifies a non-2xx response, reading a bounded amount of its body for the server's message. */
  private async errorFromResponse(response: http.IncomingMessage, signal?: AbortSignal): Promise<GenosError> {
    const status = response.statusCode ?? 0;
    let body = '';
    try {
      // At most 64 KB, and within the request's time limit: an error body that never ends is cut.
      body = await readText(response, this.config.timeoutMs, signal, 64 * 1024, this.config.timeoutMs);
    } catch (error) {
      if (error instanceof GenosError && error.kind === 'cancelled') throw error;
    }
    const serverMessage = cleanServerText(body, response.headers['content-type'], this.config.token);
    const base = { status, serverMessage };
    if (status >= 300 && status < 400) {
      const target = redirectOrigin(response.headers.location, this.config.endpoint);
      return new GenosError({
        ...base,
        kind: 'redirect',
        detail: target,
        message: `HTTP ${status} redirect to ${target || 'an unknown address'}, not followed.`,
      });
    }
    if (status === 407) {
      return new GenosError({ ...base, kind: 'proxyAuth', message: 'HTTP 407: the proxy requires authentication.' });
    }
    if (status === 401 || status === 403) {
      return new GenosError({ ...base, kind: 'unauthorized', message: `HTTP ${status}: the token was refused.` });
    }
    if (status === 404) {
      // vLLM's 404 for a model it does not serve ("The model `x` does not exist."): name the model.
      const model = serverMessage && /model [`'"]?(.+?)[`'"]? does not exist/i.exec(serverMessage)?.[1];
      if (model) {
        return new GenosError({
          ...base,
          serverMessage: model,
          kind: 'notFound',
          detail: 'model',
          message: 'HTTP 404: the serving has no such model.',
        });
      }
      return new GenosError({
        ...base,
        serverMessage: undefined,
        kind: 'notFound',
        message: 'HTTP 404: no serving at this address.',
      });
    }
    if (status === 429) {
      const retryAfterSeconds = parseRetryAfter(response.headers['retry-after']);
      return new GenosError({ ...base, kind: 'rateLimited', retryAfterSeconds, message: 'HTTP 429: rate limited.' });
    }
    if (status >= 500) return new GenosError({ ...base, kind: 'server', message: `HTTP ${status}: server error.` });
    return new GenosError({ ...base, kind: 'badRequest', message: `HTTP ${status}: request refused.` });
  }
}
