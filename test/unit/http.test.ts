import { strict as assert } from 'node:assert';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { networkReasonOf, parseRetryAfter, readText } from '../../src/client/http';

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
    for (const value of ['5s', 'x5', 'soon', '', undefined]) assert.equal(parseRetryAfter(value, now), undefined, String(value));
  });

  it('reads a body up to its limit, the rest dropped', async () => {
    const body = Buffer.from('가'.repeat(40_000)); // 120,000 bytes, written in several chunks
    const server = http.createServer((_req, res) => {
      res.write(body.subarray(0, 70_000));
      setImmediate(() => res.end(body.subarray(70_000)));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const get = () => new Promise<http.IncomingMessage>((resolve) => http.get(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, resolve));
    try {
      assert.equal(await readText(await get(), 5000, undefined, 90_000), body.subarray(0, 90_000).toString('utf8'));
      assert.equal(await readText(await get(), 5000, undefined, 9), '가가가');
      assert.equal(await readText(await get(), 5000), body.toString('utf8'));
    } finally {
      server.close();
    }
  });
});
