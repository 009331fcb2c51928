/**
 * One request to a serving, tried again where that is safe: the headers it carries, the attempts
 * with their waits, and what a non-2xx response means.
 */
import type * as http from 'node:http';
import { peekCertificate } from './certificates';
import { delay } from './delay';
import { apiUrl } from './endpoint';
import { configError, GenosError } from './errors';
import { openRequest, parseRetryAfter, readText, type HttpRequest } from './http';
import type { ConnectionTrace, NetworkPath } from './network';
import { cleanServerText } from './openai';

/** When and how often to try a request again. */
export interface RetryPolicy {
  /** Further attempts after the first. */
  maxRetries: number;
  /** Wait before the first retry; doubled each time. */
  baseDelayMs: number;
  /** A longer `Retry-After` than this is reported instead of waited for. */
  maxDelayMs: number;
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

/** Where request lines go; the client never passes it a token or message contents. */
export interface ClientLog {
  info(line: string): void;
  warn(line: string): void;
}

/** What every request to one serving shares. */
export interface Target {
  endpoint: URL;
  token: string;
  userId?: string;
  timeoutMs: number;
  retry: RetryPolicy;
  log?: ClientLog;
  network?: NetworkPath;
}

/** One request: a GET without a body, or a POST of JSON. */
export interface SendOptions {
  method: 'GET' | 'POST';
  path: string;
  body?: string;
  /** Default: JSON for a GET, server-sent events for a POST. */
  accept?: string;
  signal?: AbortSignal;
  trace?: ConnectionTrace;
}

export const DEFAULT_RETRY: RetryPolicy = { maxRetries: 2, baseDelayMs: 500, maxDelayMs: 10_000 };
const RETRY_STATUSES = new Set<number | undefined>([429, 502, 503, 504]);

/**
 * Sends a request and returns its 2xx response. Before each retry (a 429, a 502-504, a refused
 * connection, before any content) it yields the wait, then waits; aborting the signal ends the
 * wait at once. Any other failure is thrown as a GenosError.
 */
export async function* attempts(target: Target, options: SendOptions): AsyncGenerator<RetryWait, http.IncomingMessage> {
  const { method, path, body, signal, trace } = options;
  const url = apiUrl(target.endpoint, path);
  const accept = options.accept ?? (body === undefined ? 'application/json' : 'text/event-stream');
  const request: HttpRequest = {
    url,
    method,
    body,
    signal,
    headers: headers(target, accept, body !== undefined),
    responseTimeoutMs: target.timeoutMs,
    network: target.network,
    trace,
  };
  const { retry, log } = target;
  for (let attempt = 0; ; attempt++) {
    const started = Date.now();
    let error: GenosError;
    try {
      const response = await openRequest(request);
      const status = response.statusCode ?? 0;
      log?.info(`${method} ${url.pathname} ${status} ${Date.now() - started} ms`);
      if (status >= 200 && status < 300) return response;
      error = await errorFromResponse(target, response, signal);
    } catch (caught) {
      if (!(caught instanceof GenosError)) throw caught;
      error = caught;
      if (error.networkReason === 'tls' && !error.certificate && url.protocol === 'https:') {
        // The default stack does not say which certificate it refused; look without trusting it.
        error.certificate = await peekCertificate(url);
      }
      if (error.kind !== 'cancelled') log?.warn(`${method} ${url.pathname} failed: ${error.message}`);
    }
    const retryable = RETRY_STATUSES.has(error.status) || error.networkReason === 'refused';
    if (!retryable || attempt >= retry.maxRetries) throw error;
    const wait =
      error.retryAfterSeconds !== undefined ? error.retryAfterSeconds * 1000 : retry.baseDelayMs * 2 ** attempt;
    if (wait > retry.maxDelayMs) throw error;
    log?.info(`retrying in ${wait} ms (attempt ${attempt + 2} of ${retry.maxRetries + 1})`);
    yield { delayMs: wait, attempt: attempt + 2, attempts: retry.maxRetries + 1, error };
    await delay(wait, signal);
  }
}

/** {@link attempts} for a caller that shows no waits. */
export async function send(target: Target, options: SendOptions): Promise<http.IncomingMessage> {
  const tries = attempts(target, options);
  for (let step = await tries.next(); ; step = await tries.next()) if (step.done) return step.value;
}

function headers(target: Target, accept: string, hasBody: boolean): Record<string, string> {
  const result: Record<string, string> = { Authorization: `Bearer ${target.token}`, Accept: accept };
  if (hasBody) result['Content-Type'] = 'application/json';
  if (target.userId) {
    // Only visible ASCII travels in a header: anything else would fail every request obscurely.
    if (!/^[\x21-\x7e]+$/.test(target.userId)) {
      throw configError('invalidUserId', 'genos.userId holds characters that cannot be sent in a header.');
    }
    result['x-genos-user-id'] = target.userId;
  }
  return result;
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

/** Classifies a non-2xx response, reading a bounded amount of its body for the server's message. */
async function errorFromResponse(
  target: Target,
  response: http.IncomingMessage,
  signal?: AbortSignal,
): Promise<GenosError> {
  const status = response.statusCode ?? 0;
  let body = '';
  try {
    // At most 64 KB, and within the request's time limit: an error body that never ends is cut.
    body = await readText(response, target.timeoutMs, signal, 64 * 1024, target.timeoutMs);
  } catch (error) {
    if (error instanceof GenosError && error.kind === 'cancelled') throw error;
  }
  const serverMessage = cleanServerText(body, response.headers['content-type'], target.token);
  const base = { status, serverMessage };
  if (status >= 300 && status < 400) {
    const origin = redirectOrigin(response.headers.location, target.endpoint);
    const message = `HTTP ${status} redirect to ${origin || 'an unknown address'}, not followed.`;
    return new GenosError({ ...base, kind: 'redirect', detail: origin, message });
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
      const message = 'HTTP 404: the serving has no such model.';
      return new GenosError({ ...base, serverMessage: model, kind: 'notFound', detail: 'model', message });
    }
    const message = 'HTTP 404: no serving at this address.';
    return new GenosError({ ...base, serverMessage: undefined, kind: 'notFound', message });
  }
  if (status === 429) {
    const retryAfterSeconds = parseRetryAfter(response.headers['retry-after']);
    return new GenosError({ ...base, kind: 'rateLimited', retryAfterSeconds, message: 'HTTP 429: rate limited.' });
  }
  if (status >= 500) return new GenosError({ ...base, kind: 'server', message: `HTTP ${status}: server error.` });
  return new GenosError({ ...base, kind: 'badRequest', message: `HTTP ${status}: request refused.` });
}
