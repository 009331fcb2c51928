import { strict as assert } from 'node:assert';
import { getEventListeners } from 'node:events';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { GenosError } from '../../../src/client/errors';
import {
  networkReasonOf,
  openRequest,
  parseRetryAfter,
  readBody,
  readText,
  transportError,
  type HttpRequest,
} from '../../../src/client/http';
import type { ConnectionTrace } from '../../../src/client/network';
import { failure } from '../../support/collect';
import { waitUntil } from '../../support/wait';

describe('reading what the network says', () => {
  it('sorts every socket error code into the reason a user can act on', () => {
    const expected: Record<string, string> = {
      ECONNREFUSED: 'refused',
      ENOTFOUND: 'dns',
      EAI_AGAIN: 'dns',
      EAI_FAIL: 'dns',
      ECONNRESET: 'reset',
      EPIPE: 'reset',
      ERR_STREAM_PREMATURE_CLOSE: 'reset',
      ECONNABORTED: 'reset',
      ETIMEDOUT: 'unreachable',
      ENETUNREACH: 'unreachable',
      EHOSTUNREACH: 'unreachable',
      EHOSTDOWN: 'unreachable',
      CERT_HAS_EXPIRED: 'tls',
      UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'tls',
      DEPTH_ZERO_SELF_SIGNED_CERT: 'tls',
      SELF_SIGNED_CERT_IN_CHAIN: 'tls',
      ERR_TLS_CERT_ALTNAME_INVALID: 'tls',
      ERR_SSL_WRONG_VERSION_NUMBER: 'tls',
      HOSTNAME_MISMATCH: 'tls',
      ERR_CERT_X: 'tls',
      EPROTO: 'tls',
      // Only a code that starts with a TLS prefix is one.
      X_CERT_HAS_EXPIRED: 'other',
      EACCES: 'other',
    };
    for (const [code, reason] of Object.entries(expected)) assert.equal(networkReasonOf(code), reason, code);
    assert.equal(networkReasonOf(undefined), 'other');
    assert.equal(networkReasonOf(''), 'other');
  });

  it('reads Retry-After as seconds or as an HTTP date, and nothing else', () => {
    const now = Date.parse('Wed, 21 Oct 2026 07:28:00 GMT');
    assert.equal(parseRetryAfter('120', now), 120);
    assert.equal(parseRetryAfter(' 5 ', now), 5);
    assert.equal(parseRetryAfter('Wed, 21 Oct 2026 07:28:30 GMT', now), 30);
    assert.equal(parseRetryAfter('Wed, 21 Oct 2026 07:27:00 GMT', now), 0, 'a date in the past: at once');
    for (const value of ['5s', 'x5', 'soon', '', undefined]) {
      assert.equal(parseRetryAfter(value, now), undefined, String(value));
    }
  });

  it('reads a body up to its limit, the rest dropped', async () => {
    const body = Buffer.from('가'.repeat(40_000)); // 120,000 bytes, written in several chunks
    const server = http.createServer((_req, res) => {
      res.write(body.subarray(0, 70_000));
      setImmediate(() => res.end(body.subarray(70_000)));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const get = () =>
      new Promise<http.IncomingMessage>((resolve) =>
        http.get(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, resolve),
      );
    try {
      assert.equal(await readText(await get(), 5000, undefined, 90_000), body.subarray(0, 90_000).toString('utf8'));
      assert.equal(await readText(await get(), 5000, undefined, 9), '가가가');
      assert.equal(await readText(await get(), 5000), body.toString('utf8'));
    } finally {
      server.close();
    }
  });

  it('keeps dropping once past the limit, whatever the size of the later reads', async () => {
    const reads = ['12345678', 'abcdefgh', 'ABCDEFGH', 'xy'].map((text) => Buffer.from(text));
    const response = Readable.from(reads) as unknown as http.IncomingMessage;
    assert.equal(await readText(response, 0, undefined, 10), '12345678ab');
  });

  it('makes every low-level failure a GenosError that names what failed', () => {
    const known = new GenosError({ kind: 'malformed', message: 'kept' });
    assert.equal(transportError(known, AbortSignal.abort(), 1), known, 'a GenosError passes as it is');
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const stopped = transportError(reset, AbortSignal.abort(), 1);
    assert.equal(stopped.kind, 'cancelled', 'what the socket says as it is closed by Stop is not a fault');
    assert.equal(stopped.message, 'The request was cancelled.');

    const refused = transportError(
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      undefined,
      1,
    );
    assert.deepEqual(
      [refused.kind, refused.networkReason, refused.tlsProblem, refused.detail, refused.message],
      ['network', 'refused', undefined, 'ECONNREFUSED', 'Connection failed: ECONNREFUSED'],
    );
    const expired = transportError(
      Object.assign(new Error('certificate has expired'), { code: 'CERT_HAS_EXPIRED' }),
      new AbortController().signal,
      1,
    );
    assert.deepEqual([expired.networkReason, expired.tlsProblem], ['tls', 'expired']);
    // Without a code the text says what happened, even for a failure that is not an Error.
    assert.equal(transportError(new Error('boom'), undefined, 1).message, 'Connection failed: boom');
    assert.equal(transportError('bad thing', undefined, 1).message, 'Connection failed: bad thing');
    assert.equal(transportError(undefined, undefined, 1).message, 'Connection failed: undefined');
  });
});

describe("one request over the editor's own stack", () => {
  /** What the server was sent, and the responses it holds open. */
  const seen: Array<{ url: string; headers: http.IncomingHttpHeaders; body: string; closed: Promise<void> }> = [];
  let server: http.Server;
  let base: string;
  before(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        seen.push({
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          closed: new Promise((resolve) => res.once('close', () => resolve())),
        });
        if (req.url === '/hang') return;
        if (req.url === '/stall') res.write('first');
        else res.end('done');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });
  const request = (path: string, extra: Partial<HttpRequest> = {}): HttpRequest => ({
    url: new URL(path, base),
    method: 'GET',
    headers: {},
    responseTimeoutMs: 5000,
    ...extra,
  });
  const abortListeners = (signal: AbortSignal) => getEventListeners(signal, 'abort').length;
  /** Resolves once nothing listens to `signal` (a response's listener goes as it closes, just after its end). */
  const released = (signal: AbortSignal, what: string) =>
    waitUntil(() => abortListeners(signal) === 0, `no listener left ${what}`, 2000);

  it('sends a body with its length in bytes, not in chunks', async () => {
    const body = JSON.stringify({ question: '안녕하세요' });
    await readText(await openRequest(request('/body', { method: 'POST', body })), 5000);
    const sent = seen.at(-1);
    assert.equal(sent?.body, body);
    assert.equal(sent?.headers['content-length'], String(Buffer.byteLength(body)));
    assert.equal(sent?.headers['transfer-encoding'], undefined);
  });

  it('sends nothing for a signal that is already aborted', async () => {
    const before = seen.length;
    const error = await failure(openRequest(request('/never', { signal: AbortSignal.abort() })));
    assert.equal(error.kind, 'cancelled');
    assert.equal(seen.length, before);
  });

  it("leaves nothing attached to the caller's signal, however the request ends", async () => {
    const controller = new AbortController();
    const { signal } = controller;
    await readText(await openRequest(request('/ok', { signal })), 5000, signal);
    await released(signal, 'after a whole answer');
    const timedOut = await failure(openRequest(request('/hang', { signal, responseTimeoutMs: 200 })));
    assert.equal(timedOut.message, 'No response within 0.2 s.');
    await released(signal, 'after a timeout');
    const refused = await failure(openRequest({ ...request('/ok', { signal }), url: new URL('http://127.0.0.1:9/') }));
    assert.equal(refused.networkReason, 'refused');
    await released(signal, 'after a refused connection');
  });

  it('waits without limit when the timeouts are 0 (the setting\'s "no timeout")', async () => {
    const response = await openRequest(request('/ok', { responseTimeoutMs: 0 }));
    assert.equal(await readText(response, 0), 'done');
  });

  it('reports a silence within a body as an idle timeout, in seconds', async () => {
    const response = await openRequest(request('/stall'));
    const error = await failure(readText(response, 200));
    assert.deepEqual(
      [error.kind, error.timeoutPhase, error.timeoutSeconds, error.message],
      ['timeout', 'idle', 0.2, 'No data for 0.2 s.'],
    );
  });

  it('closes the connection when the reader stops early, and cancels a body being read on Stop', async () => {
    for await (const chunk of readBody(await openRequest(request('/stall')), 5000)) {
      assert.equal(chunk.toString(), 'first');
      break;
    }
    await seen.at(-1)?.closed;

    const controller = new AbortController();
    const response = await openRequest(request('/stall', { signal: controller.signal }));
    const reading = failure(readText(response, 5000, controller.signal));
    controller.abort();
    const stopped = await reading;
    assert.equal(stopped.kind, 'cancelled');
    await seen.at(-1)?.closed;
    await released(controller.signal, 'after Stop');
  });

  it('traces when the connection was made', async () => {
    const first: ConnectionTrace = { path: 'direct' };
    const started = performance.now();
    await readText(await openRequest(request('/ok', { trace: first })), 5000);
    assert.equal(first.path, 'default');
    assert.ok(
      first.connectedMs !== undefined && first.connectedMs > 0 && first.connectedMs <= performance.now() - started,
      String(first.connectedMs),
    );
    assert.equal(first.tlsVersion, undefined, 'plain http has no TLS');
  });
});
