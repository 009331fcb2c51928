/**
 * The exact words of what the user is told: placeholders, the fallbacks when a detail is missing,
 * the TLS codes sorted into what the user can do, the connection report and the retry wait. The
 * per-kind tests in errorMessages.test.ts show every failure has its own message; these hold each
 * message's details in place.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { connectionReport } from '../../../src/client/connectionReport';
import { describeError, describeRetryWait, english, errorActions } from '../../../src/client/errorMessages';
import { GenosError, tlsProblemOf, type GenosErrorInit } from '../../../src/client/errors';
import type { ProbeResult } from '../../../src/client/genosClient';

const error = (init: Partial<GenosErrorInit> & Pick<GenosErrorInit, 'kind'>) =>
  new GenosError({ message: 'log text', ...init });

describe('the English text of a message', () => {
  it('fills each {n} with its argument, keeps a placeholder that has none, and reads numbers past 9', () => {
    assert.equal(english('{0} and {1}', 'a', 'b'), 'a and b');
    assert.equal(english('{0} then {1}', 'only'), 'only then {1}');
    assert.equal(english('{10}', ...'abcdefghijk'.split('')), 'k');
    assert.equal(english('{0}{0}', 7), '77');
  });
});

describe('sorting TLS verification codes', () => {
  const table: Array<[string | undefined, string]> = [
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'selfSigned'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'untrusted'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'untrusted'],
    ['UNABLE_TO_GET_ISSUER_CERT', 'untrusted'],
    ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'untrusted'],
    ['CERT_UNTRUSTED', 'untrusted'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'hostname'],
    ['HOSTNAME_MISMATCH', 'hostname'],
    ['CERT_HAS_EXPIRED', 'expired'],
    ['CERT_NOT_YET_VALID', 'notYetValid'],
    ['CERT_REVOKED', 'other'],
    ['', 'other'],
    [undefined, 'other'],
  ];
  for (const [code, problem] of table) {
    it(`${code ?? 'no code'} → ${problem}`, () => assert.equal(tlsProblemOf(code), problem));
  }
});

describe('a GenosError', () => {
  it('is named, and keeps its cause only when there is one', () => {
    const cause = new Error('socket hang up');
    const withCause = new GenosError({ kind: 'network', message: 'm', cause });
    assert.equal(withCause.name, 'GenosError');
    assert.equal(withCause.cause, cause);
    assert.equal('cause' in new GenosError({ kind: 'network', message: 'm' }), false);
  });
});

describe('the details of error messages', () => {
  const table: Array<[string, GenosError, string]> = [
    [
      'an expired certificate without its summary',
      error({ kind: 'network', networkReason: 'tls', tlsProblem: 'expired', detail: 'CERT_HAS_EXPIRED' }),
      'The GenOS certificate (certificate details unavailable) expired on ?. Ask the GenOS administrator to renew it.',
    ],
    [
      'a TLS failure without a code',
      error({ kind: 'network', networkReason: 'tls', tlsProblem: 'other' }),
      'The secure connection to GenOS failed (TLS). The server certificate is not trusted or does not match the address.',
    ],
    [
      'a TLS code read from the detail',
      error({ kind: 'network', networkReason: 'tls', detail: 'CERT_NOT_YET_VALID' }),
      'The GenOS certificate (certificate details unavailable) is not valid yet. Check the date and time of this computer.',
    ],
    [
      'the proxy certificate without a detail',
      error({ kind: 'network', networkReason: 'proxy', tlsProblem: 'untrusted' }),
      'The certificate of the proxy was refused (TLS). Add its certificate authority to "genos.tls.caFile", or turn off "http.proxyStrictSSL" if you trust this network.',
    ],
    [
      'the proxy without a detail',
      error({ kind: 'network', networkReason: 'proxy' }),
      'The proxy did not connect to GenOS (proxy). Check "genos.proxy", "http.proxy" or the HTTPS_PROXY variable, and "http.noProxy".',
    ],
    [
      'a DNS failure',
      error({ kind: 'network', networkReason: 'dns', detail: 'ENOTFOUND' }),
      'The GenOS host name could not be found. Check "GenOS: Base Url" and your network or VPN.',
    ],
    [
      'a network failure without a detail',
      error({ kind: 'network', networkReason: 'other' }),
      'The connection to GenOS failed (network).',
    ],
    ['a 400 without a status', error({ kind: 'badRequest' }), 'GenOS refused the request (400).'],
    [
      'a 400 with a reason, without a status',
      error({ kind: 'badRequest', serverMessage: 'bad field' }),
      'GenOS refused the request (400): bad field',
    ],
    [
      'a context-window 400',
      error({
        kind: 'badRequest',
        status: 400,
        serverMessage: "This model's maximum context length is 8192 tokens. However, you requested 9000 tokens.",
      }),
      "The conversation is too long for the model's context window (8192 tokens). Retry with less context: earlier turns are left out and long attachments cut.",
    ],
    [
      'tools refused, without a server message',
      error({ kind: 'badRequest', status: 400, detail: 'toolsRefused' }),
      'This GenOS serving does not accept tools, so agent mode cannot use it (400). Use Ask mode, or ask the serving owner to turn on tool calling (vLLM: --enable-auto-tool-choice with a --tool-call-parser).',
    ],
    [
      'a 429 with Retry-After',
      error({ kind: 'rateLimited', status: 429, retryAfterSeconds: 12 }),
      'GenOS is receiving too many requests. Try again in 12 seconds.',
    ],
    [
      'a 429 without',
      error({ kind: 'rateLimited', status: 429 }),
      'GenOS is receiving too many requests. Try again in a moment.',
    ],
    [
      'a server error without a status',
      error({ kind: 'server', serverMessage: 'worker died' }),
      'GenOS had a server error (500): worker died',
    ],
    [
      'a server error, status only',
      error({ kind: 'server', status: 503 }),
      'GenOS had a server error (503). Try again; if it persists, ask the serving owner.',
    ],
    [
      'a redirect to nowhere said',
      error({ kind: 'redirect', detail: '' }),
      'GenOS answered with a redirect to ?, which is not followed so that the token stays with the address you set. Set "GenOS: Base Url" to the final address.',
    ],
  ];
  for (const [name, failure, text] of table) it(name, () => assert.equal(describeError(failure, english), text));

  it('offers less context for a 400 that says the window is full, a retry for other 400s', () => {
    assert.deepEqual(
      errorActions(
        error({
          kind: 'badRequest',
          status: 400,
          serverMessage: "This model's maximum context length is 8192 tokens. However, you requested 9000 tokens.",
        }),
      ),
      ['retryLessContext', 'showLog'],
    );
    assert.deepEqual(errorActions(error({ kind: 'badRequest', status: 400, serverMessage: 'bad field' })), [
      'retry',
      'showLog',
    ]);
  });
});

describe('what is shown while a retry waits', () => {
  const wait = (delayMs: number, init: Partial<GenosErrorInit> & Pick<GenosErrorInit, 'kind'>) => ({
    delayMs,
    attempt: 2,
    attempts: 3,
    error: error(init),
  });
  const table: Array<[string, ReturnType<typeof wait>, string]> = [
    [
      'a 429, rounded up to whole seconds',
      wait(2100, { kind: 'rateLimited', status: 429 }),
      'GenOS is busy (429). Trying again in 3 seconds…',
    ],
    [
      'a short wait, said as one second',
      wait(200, { kind: 'rateLimited', status: 429 }),
      'GenOS is busy (429). Trying again in 1 seconds…',
    ],
    [
      'a server error with its status',
      wait(4000, { kind: 'server', status: 502 }),
      'GenOS had a server error (502). Trying again in 4 seconds…',
    ],
    [
      'a server error without one',
      wait(4000, { kind: 'server' }),
      'GenOS had a server error (500). Trying again in 4 seconds…',
    ],
    [
      'a refused connection',
      wait(1000, { kind: 'network', networkReason: 'refused' }),
      'GenOS could not be reached. Trying again in 1 seconds…',
    ],
  ];
  for (const [name, w, text] of table) it(name, () => assert.equal(describeRetryWait(w, english), text));
});

describe('the connection report', () => {
  const probe = (trace: ProbeResult['trace'], models = ['Qwen3-8B', 'qwen-coder']): ProbeResult => ({
    models,
    info: [],
    trace,
    headersMs: 40.4,
    totalMs: 52.6,
  });

  it('says the path, the TLS version and issuer, the models and each step', () => {
    const report = connectionReport(
      probe({
        path: 'proxy',
        proxy: 'http://proxy:3128',
        proxySource: 'http.proxy',
        tlsVersion: 'TLSv1.3',
        verified: true,
        certificate: { subject: 'CN=genos', issuer: 'CN=Corp CA', validTo: 'x', selfSigned: false },
        connectedMs: 3.2,
        secureMs: 9.7,
      }),
      english,
    );
    assert.equal(
      report.summary,
      'Connected to GenOS in 53 ms through the proxy http://proxy:3128 (from http.proxy). TLSv1.3, certificate issued by CN=Corp CA. Models: Qwen3-8B, qwen-coder',
    );
    assert.deepEqual(report.details, [
      report.summary,
      'Steps: connected 3 ms, TLS 10 ms, response 40 ms, models read 53 ms.',
    ]);
  });

  it('says what it does not know, an unverified certificate, plain http and an empty list', () => {
    const unverified = connectionReport(probe({ path: 'direct', tlsVersion: 'TLSv1.2', verified: false }), english);
    assert.equal(
      unverified.summary,
      'Connected to GenOS in 53 ms directly. TLSv1.2; the certificate of ? was accepted WITHOUT verification. Models: Qwen3-8B, qwen-coder',
    );
    assert.equal(unverified.details[1], 'Steps: connected - ms, TLS - ms, response 40 ms, models read 53 ms.');
    const proxyUnknown = connectionReport(probe({ path: 'proxy', tlsVersion: 'TLSv1.3' }, []), english);
    assert.equal(
      proxyUnknown.summary,
      'Connected to GenOS in 53 ms through the proxy ? (from ?). TLSv1.3, certificate issued by ?. The serving lists no models.',
    );
    const plain = connectionReport(probe({ path: 'default', connectedMs: 0 }), english);
    assert.equal(
      plain.summary,
      "Connected to GenOS in 53 ms with VS Code's network settings. Plain http: the connection is not encrypted. Models: Qwen3-8B, qwen-coder",
    );
    assert.equal(plain.details[1], 'Steps: connected 0 ms, TLS - ms, response 40 ms, models read 53 ms.');
  });
});
