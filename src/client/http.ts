import * as http from 'node:http';
import * as https from 'node:https';
import type * as net from 'node:net';
import * as tls from 'node:tls';
import { GenosError, requestCancelled, tlsProblemOf, type NetworkReason, type TimeoutPhase } from './errors';
import { summarizeCertificate } from './certificates';
import type { ConnectionTrace, NetworkPath } from './network';
import { socketAddress, type ProxyRoute } from './proxy';

/** One HTTP request to GenOS. Every request (models, chat, test connection) goes through here. */
export interface HttpRequest {
  url: URL;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  /** Time allowed until the response headers arrive; 0 means no limit. */
  responseTimeoutMs: number;
  /** Certificate and proxy settings; without it, or when none applies, the default stack is used. */
  network?: NetworkPath;
  /** Filled with the path the connection took and its timings. */
  trace?: ConnectionTrace;
}

/** Marks a destroy() done by a timer of this client, so the resulting stream error can be told apart. */
class LocalTimeout extends Error {
  constructor(readonly phase: TimeoutPhase) {
    super(`${phase} timeout`);
  }
}

const TLS_CODES = /^(CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|ERR_TLS_|ERR_SSL_|HOSTNAME_MISMATCH|ERR_CERT)/;

/** Maps a Node socket error code to the reason a user can act on. */
export function networkReasonOf(code: string | undefined): NetworkReason {
  if (!code) return 'other';
  if (code === 'ECONNREFUSED') return 'refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_FAIL') return 'dns';
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ECONNABORTED') {
    return 'reset';
  }
  if (code === 'ETIMEDOUT' || code === 'ENETUNREACH' || code === 'EHOSTUNREACH' || code === 'EHOSTDOWN') {
    return 'unreachable';
  }
  if (TLS_CODES.test(code) || code === 'EPROTO') return 'tls';
  return 'other';
}

/**
 * Turns a low-level failure into a GenosError. One that is already a GenosError stays as it is;
 * otherwise it is `cancelled` once `signal` is aborted (whatever the socket said as it closed),
 * `timeout` for this client's own timers, else `network`.
 */
export function transportError(error: unknown, signal: AbortSignal | undefined, timeoutSeconds: number): GenosError {
  if (error instanceof GenosError) return error;
  if (signal?.aborted) return requestCancelled();
  if (error instanceof LocalTimeout) {
    return new GenosError({
      kind: 'timeout',
      timeoutPhase: error.phase,
      timeoutSeconds,
      message:
        error.phase === 'response' ? `No response within ${timeoutSeconds} s.` : `No data for ${timeoutSeconds} s.`,
    });
  }
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const reason = networkReasonOf(code);
  const text = error instanceof Error ? error.message : String(error);
  return new GenosError({
    kind: 'network',
    networkReason: reason,
    tlsProblem: reason === 'tls' ? tlsProblemOf(code) : undefined,
    detail: code,
    message: `Connection failed: ${code ?? text}`,
    cause: error,
  });
}

/** A request over the editor's own stack (its proxy detection and system certificates). */
function defaultRequest(request: HttpRequest, headers: Record<string, string>): http.ClientRequest {
  const { url, trace } = request;
  const transport = url.protocol === 'https:' ? https : http;
  const req = transport.request(url, { method: request.method, headers });
  if (trace) {
    const started = performance.now();
    trace.path = 'default';
    req.once('socket', (socket: net.Socket) => {
      if (socket.connecting) socket.once('connect', () => (trace.connectedMs = performance.now() - started));
      if (!(socket instanceof tls.TLSSocket)) return;
      const secured = () => {
        trace.secureMs = performance.now() - started;
        trace.tlsVersion = socket.getProtocol() ?? undefined;
        trace.certificate = summarizeCertificate(socket.getPeerCertificate());
        trace.verified = socket.authorized;
      };
      // A reused TLS connection has finished its handshake and will not report it again.
      if (!socket.connecting && socket.getProtocol()) secured();
      else socket.once('secureConnect', secured);
    });
  }
  return req;
}

/**
 * A request over this client's own connection ({@link NetworkPath}). `http.ClientRequest` is used
 * directly, so no patched `http.request` can swap the connection for another one.
 */
function ownPathRequest(
  request: HttpRequest,
  network: NetworkPath,
  route: ProxyRoute,
  headers: Record<string, string>,
  connecting: AbortController,
): http.ClientRequest {
  const { url } = request;
  const started = performance.now();
  const trace: ConnectionTrace = request.trace ?? { path: 'direct' };
  // Plain http through a proxy: the request goes to the proxy with the full address as its path.
  const viaHttpProxy = route.proxy !== undefined && url.protocol === 'http:';
  const auth = viaHttpProxy && route.proxy ? network.proxyAuthorization(route) : undefined;
  if (auth) headers['Proxy-Authorization'] = auth;
  const req = new http.ClientRequest({
    host: socketAddress(url).host,
    path: viaHttpProxy ? url.href : `${url.pathname}${url.search}`,
    method: request.method,
    headers: { Host: url.host, ...headers },
    createConnection: (_options: unknown, callback: (error: Error | null, socket?: net.Socket) => void) => {
      network.connect(url, route, connecting.signal, trace, started).then(
        (socket) => callback(null, socket),
        (error: Error) => callback(error),
      );
      return undefined;
    },
  } as http.ClientRequestArgs);
  return req;
}

/** The request over this client's own connection when a setting applies, else over the editor's stack. */
function newRequest(
  request: HttpRequest,
  headers: Record<string, string>,
  connecting: AbortController,
): http.ClientRequest {
  const { network, url } = request;
  if (!network) return defaultRequest(request, headers);
  const route = network.route(url);
  return network.usesDefault(url, route)
    ? defaultRequest(request, headers)
    : ownPathRequest(request, network, route, headers, connecting);
}

/**
 * Sends a request and resolves with the response once its headers arrive, whatever the status.
 * Redirects are returned, never followed. Aborting the signal destroys the socket at once, so the
 * server sees the connection close; so does the response timeout.
 */
export function openRequest(request: HttpRequest): Promise<http.IncomingMessage> {
  const { signal } = request;
  const timeoutSeconds = request.responseTimeoutMs / 1000;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(requestCancelled());
      return;
    }
    const headers: Record<string, string> = { ...request.headers };
    // Ends a connection still being opened by this client (proxy tunnel, TLS check): a request
    // without a socket yet would otherwise wait for it before reporting its own end.
    const connecting = new AbortController();
    let req: http.ClientRequest;
    try {
      req = newRequest(request, headers, connecting);
    } catch (error) {
      reject(transportError(error, signal, timeoutSeconds));
      return;
    }
    const end = (reason: Error) => {
      connecting.abort(reason);
      req.destroy(reason);
    };
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => end(requestCancelled());
    const cleanup = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    if (request.responseTimeoutMs > 0) {
      timer = setTimeout(() => end(new LocalTimeout('response')), request.responseTimeoutMs);
    }
    req.on('response', (response) => {
      cleanup();
      // From here the caller owns the response; cancelling must still close the socket.
      if (signal) {
        // Destroyed without a reason: the reader's error is then a premature close, which
        // transportError reports as cancelled because the signal is aborted.
        const onLateAbort = () => response.destroy();
        signal.addEventListener('abort', onLateAbort, { once: true });
        response.once('close', () => signal.removeEventListener('abort', onLateAbort));
      }
      resolve(response);
    });
    req.on('error', (error) => {
      cleanup();
      reject(transportError(error, signal, timeoutSeconds));
    });
    // A body given whole to end() is sent with its Content-Length (Node counts it), never chunked.
    req.end(request.body);
  });
}

/**
 * Reads a response body as it arrives. Ends with a `timeout` error when no data comes for
 * `idleTimeoutMs` (0: no limit) while the reader waits; time the caller spends between reads does
 * not count.
 */
export async function* readBody(
  response: http.IncomingMessage,
  idleTimeoutMs: number,
  signal?: AbortSignal,
): AsyncGenerator<Buffer> {
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    if (idleTimeoutMs > 0) timer = setTimeout(() => response.destroy(new LocalTimeout('idle')), idleTimeoutMs);
  };
  const iterator = response[Symbol.asyncIterator]();
  try {
    for (;;) {
      arm();
      let next: IteratorResult<Buffer>;
      try {
        next = await iterator.next();
      } catch (error) {
        throw transportError(error, signal, idleTimeoutMs / 1000);
      } finally {
        clearTimeout(timer);
      }
      if (next.done) return;
      yield next.value;
    }
  } finally {
    // Closes the connection when the reader stops early; a response read to its end is left as
    // it is (destroying it then does not touch the connection, which may be reused).
    response.destroy();
  }
}

/**
 * Reads a whole (small) body as text, up to `limit` bytes: once that many arrived the connection is
 * closed and the rest never read, so a body that never ends cannot hold the request open. With
 * `totalMs` (above 0) the whole body must arrive within that time, or it fails as a timeout.
 */
export async function readText(
  response: http.IncomingMessage,
  idleTimeoutMs: number,
  signal?: AbortSignal,
  limit = 1 << 20,
  totalMs = 0,
): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  const deadline = totalMs > 0 ? setTimeout(() => response.destroy(new LocalTimeout('response')), totalMs) : undefined;
  try {
    for await (const chunk of readBody(response, idleTimeoutMs, signal)) {
      parts.push(chunk.subarray(0, limit - size));
      size += chunk.length;
      if (size >= limit) break;
    }
  } finally {
    clearTimeout(deadline);
  }
  return Buffer.concat(parts).toString('utf8');
}

/** Seconds to wait from a `Retry-After` header (seconds or an HTTP date), or undefined. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - now) / 1000));
}
