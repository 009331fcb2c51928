/**
 * Company networks against real parts: HTTPS servers with certificates openssl makes for each run,
 * and Debian's tinyproxy as the forward proxy. Nothing is mocked: the client opens real sockets.
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { getEventListeners, once } from 'node:events';
import * as https from 'node:https';
import * as path from 'node:path';
import * as tls from 'node:tls';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { after, afterEach, before, describe, it } from 'node:test';
import { buildEndpoint } from '../../../src/client/endpoint';
import { connectionReport } from '../../../src/client/connectionReport';
import { describeError, english } from '../../../src/client/errorMessages';
import { GenosError } from '../../../src/client/errors';
import { GenosClient } from '../../../src/client/genosClient';
import { parsePemCertificates, trustedCertificates } from '../../../src/client/certificates';
import { NetworkPath, proxyFailure, type NetworkSettings } from '../../../src/client/network';
import type { ChatMessage } from '../../../src/client/openai';
import { makeCertificates, nonLoopbackAddress, type TestCertificates } from '../../support/certs';
import { collect, failure } from '../../support/collect';
import { FakeGenos, splitDeltas, type FakeGenosOptions } from '../../support/genosServer';
import { korean } from '../../support/l10n';
import { startTinyproxy, type Tinyproxy } from '../../support/tinyproxy';

const question: ChatMessage[] = [{ role: 'user', content: '사내 인증서로도 잘 되나요?' }];
const answer = '네, 사내 인증 기관의 인증서로 연결했습니다. 스트리밍도 그대로입니다. ✅';

const lanAddress = nonLoopbackAddress();
let certs: TestCertificates;
const servers: FakeGenos[] = [];
const proxies: Tinyproxy[] = [];

before(() => {
  certs = makeCertificates(['127.0.0.1', 'localhost', lanAddress]);
});
after(() => fs.rmSync(certs.dir, { recursive: true, force: true }));
afterEach(async () => {
  for (const front of fronts.splice(0)) front.close();
  await Promise.all(servers.splice(0).map((server) => server.close()));
  await Promise.all(proxies.splice(0).map((proxy) => proxy.stop()));
});

async function serve(options: FakeGenosOptions = {}): Promise<FakeGenos> {
  const server = new FakeGenos(options);
  await server.start();
  servers.push(server);
  return server;
}

async function proxy(options: Parameters<typeof startTinyproxy>[0] = {}): Promise<Tinyproxy> {
  const started = await startTinyproxy(options);
  proxies.push(started);
  return started;
}

/** A client for `server`; `settings` undefined means no network settings at all (the default stack). */
function client(server: FakeGenos, settings?: NetworkSettings): GenosClient {
  return new GenosClient({
    endpoint: buildEndpoint(server.baseUrl, server.servingId),
    token: server.token,
    timeoutMs: 10_000,
    retry: { maxRetries: 0 },
    network: settings ? new NetworkPath(settings) : undefined,
  });
}

/** Queues a streamed answer cut into byte pieces, and checks it arrives whole and in order. */
async function assertStreams(server: FakeGenos, c: GenosClient): Promise<void> {
  // 37-byte writes cut Korean characters (3 bytes each) across reads without a thousand writes.
  server.chatQueue.push({ type: 'stream', content: splitDeltas(answer, 2), pieceBytes: 37, delayMs: 2 });
  const result = await collect(c.chat(question, { model: server.models[0] }));
  assert.equal(result.text, answer);
  assert.equal(result.finish, 'stop');
}

describe('private certificate authorities', () => {
  it('refuses a server signed by an unknown CA before sending anything, naming the certificate and the fix', async () => {
    const server = await serve({ tls: certs.server });
    for (const settings of [undefined, {}]) {
      const error = await failure(client(server, settings).listModels());
      assert.equal(error.kind, 'network');
      assert.equal(error.networkReason, 'tls');
      assert.equal(error.certificate?.subject, 'genos.test (GenOS Test)');
      assert.equal(error.certificate?.issuer, 'GenOS Test Root CA (GenOS Test)');
      const text = describeError(error, english);
      assert.match(text, /not signed by an authority this computer trusts/);
      assert.match(text, /genos\.tls\.caFile/);
      assert.match(text, /GenOS Test Root CA/);
      assert.match(describeError(error, korean()), /신뢰하는 인증 기관.*genos\.tls\.caFile/);
    }
    assert.equal(server.requests.length, 0, 'no request (and so no token) reached the untrusted server');
  });

  it('trusts the CA from genos.tls.caFile, with models and streaming intact', async () => {
    const server = await serve({ tls: certs.server });
    const c = client(server, { caPem: certs.caCert });
    const probe = await c.probe();
    assert.deepEqual(probe.models, server.models);
    assert.equal(probe.trace.path, 'direct');
    assert.match(probe.trace.tlsVersion ?? '', /^TLSv1\.[23]$/);
    assert.equal(probe.trace.certificate?.issuer, 'GenOS Test Root CA (GenOS Test)');
    assert.equal(probe.trace.verified, true);
    assert.ok((probe.trace.connectedMs ?? -1) >= 0 && (probe.trace.secureMs ?? -1) >= (probe.trace.connectedMs ?? 0));
    assert.ok(probe.headersMs >= (probe.trace.secureMs ?? 0) && probe.totalMs >= probe.headersMs);
    const report = connectionReport(probe, english);
    assert.match(
      report.summary,
      /^Connected to GenOS in \d+ ms directly\. TLSv1\.[23], certificate issued by GenOS Test Root CA \(GenOS Test\)\. Models: \/model\//,
    );
    assert.match(report.details[1], /^Steps: connected \d+ ms, TLS \d+ ms, response \d+ ms, models read \d+ ms\.$/);
    assert.match(
      connectionReport(probe, korean()).summary,
      /^GenOS에 직접 연결했습니다 \(\d+ ms\)\. TLSv1\.[23], 인증서 발급자 GenOS Test Root CA/,
    );
    await assertStreams(server, c);
    assert.equal(server.requests.at(-1)?.headers.authorization, `Bearer ${server.token}`);
  });

  it('adds the file to the trusted set instead of replacing it (NODE_EXTRA_CA_CERTS still counts)', async () => {
    // The server is signed by the test CA, trusted only through NODE_EXTRA_CA_CERTS; caFile holds
    // an unrelated certificate. Were caFile to replace the default set, this would fail.
    const server = await serve({ tls: certs.server });
    const result = await runClientProcess(
      { baseUrl: server.baseUrl, servingId: server.servingId, token: server.token, caPem: certs.selfSigned.cert },
      certs.caCertFile,
    );
    assert.deepEqual(result, {
      ok: true,
      models: server.models,
      path: 'direct',
      tlsVersion: result.tlsVersion,
      text: result.text,
    });
    assert.ok(String(result.text).length > 0);
  });

  it('leaves a trusted direct HTTPS server on the default path, unchanged', async () => {
    const server = await serve({ tls: certs.server });
    const result = await runClientProcess(
      { baseUrl: server.baseUrl, servingId: server.servingId, token: server.token },
      certs.caCertFile,
    );
    assert.equal(result.ok, true, String(result.message));
    assert.equal(result.path, 'default');
    assert.match(String(result.tlsVersion), /^TLSv1\.[23]$/);
  });

  it('traces TLS on the default path too, for a new connection and for one reused', async () => {
    // The default stack's agent trusts the test CA here, as the editor's does a company CA.
    const previous = https.globalAgent.options.ca;
    https.globalAgent.options.ca = certs.caCert;
    try {
      const server = await serve({ tls: certs.server });
      // Network settings that change nothing leave the request on the default stack.
      const c = client(server, { noProxy: ['example.com'] });
      const first = await c.probe();
      assert.equal(first.trace.path, 'default');
      assert.match(String(first.trace.tlsVersion), /^TLSv1\.[23]$/);
      assert.equal(first.trace.verified, true);
      assert.equal(first.trace.certificate?.subject, 'genos.test (GenOS Test)');
      const { connectedMs, secureMs } = first.trace;
      assert.ok(
        connectedMs !== undefined &&
          secureMs !== undefined &&
          connectedMs > 0 &&
          connectedMs <= secureMs &&
          secureMs <= first.headersMs,
        `${connectedMs} ${secureMs} ${first.headersMs}`,
      );
      // The agent keeps the connection: the next request is sent on it and still says how it is secured.
      const second = await c.probe();
      assert.match(String(second.trace.tlsVersion), /^TLSv1\.[23]$/);
      assert.equal(second.trace.certificate?.subject, 'genos.test (GenOS Test)');
      assert.equal(second.trace.connectedMs, undefined, 'no new connection was made');
      // Certificate settings are about TLS: a plain http address stays on the default stack too.
      const plain = await serve({ host: lanAddress });
      for (const settings of [{ caPem: certs.caCert }, { allowSelfSigned: true }]) {
        assert.equal(
          (await client(plain, settings).probe()).trace.path,
          'default',
          JSON.stringify(Object.keys(settings)),
        );
      }
    } finally {
      https.globalAgent.options.ca = previous;
      https.globalAgent.destroy();
    }
  });

  it('looks at the certificate only for a TLS failure, not for a connection that broke after it', async () => {
    const server = await serve({ tls: certs.server });
    server.chatQueue.push({ type: 'reset' });
    const reset = await failure(
      collect(client(server, { caPem: certs.caCert }).chat(question, { model: server.models[0] })),
    );
    assert.equal(reset.networkReason, 'reset');
    assert.equal(reset.certificate, undefined);
  });

  it('reads several certificates from one file and refuses a file without any', () => {
    assert.throws(() => new NetworkPath({ caPem: 'garbage' }), GenosError);
    assert.equal(parsePemCertificates(`${certs.caCert}\n${certs.selfSigned.cert}`).length, 2);
    for (const bad of ['', 'not a certificate', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----']) {
      assert.throws(
        () => parsePemCertificates(bad),
        (error: unknown) => error instanceof GenosError && error.configProblem === 'caFileInvalid',
      );
    }
  });
});

describe('self-signed servers', () => {
  it('refuses a self-signed certificate and says which setting accepts it', async () => {
    const server = await serve({ tls: { key: certs.selfSigned.key, cert: certs.selfSigned.cert } });
    const error = await failure(client(server, {}).listModels());
    assert.equal(error.tlsProblem, 'selfSigned');
    assert.equal(error.certificate?.selfSigned, true);
    const text = describeError(error, english);
    assert.match(text, /self-signed/);
    assert.match(text, /genos\.tls\.allowSelfSigned/);
    assert.match(text, /genos-self-signed/);
    assert.equal(server.requests.length, 0);
  });

  it('accepts it with genos.tls.allowSelfSigned, or with the certificate itself as caFile', async () => {
    const server = await serve({ tls: { key: certs.selfSigned.key, cert: certs.selfSigned.cert } });
    const allowed = client(server, { allowSelfSigned: true });
    const probe = await allowed.probe();
    assert.equal(probe.trace.verified, false, 'the trace says the chain was not verified');
    assert.match(
      connectionReport(probe, english).summary,
      /the certificate of genos-self-signed \(GenOS Self\) was accepted WITHOUT verification/,
    );
    await assertStreams(server, allowed);
    assert.equal((await client(server, { caPem: certs.selfSigned.cert }).probe()).trace.verified, true);
  });

  it('still refuses a certificate for another host, or an expired one, when self-signed ones are allowed', async () => {
    const other = await serve({ tls: certs.otherHost });
    const wrongHost = await failure(client(other, { allowSelfSigned: true }).listModels());
    assert.equal(wrongHost.tlsProblem, 'hostname');
    assert.match(describeError(wrongHost, english), /not issued for the host/);
    const expired = await serve({ tls: certs.expired });
    const old = await failure(client(expired, { allowSelfSigned: true }).listModels());
    assert.equal(old.tlsProblem, 'expired');
    assert.match(describeError(old, english), /expired on/);
    assert.equal(other.requests.length + expired.requests.length, 0);
  });

  it('says a certificate is not valid yet, not that it expired, whether or not self-signed ones are allowed', async () => {
    const future = await serve({ tls: certs.notYetValid });
    for (const settings of [{ allowSelfSigned: true }, { caPem: certs.caCert }]) {
      const error = await failure(client(future, settings).listModels());
      assert.equal(error.tlsProblem, 'notYetValid', JSON.stringify(Object.keys(settings)));
      assert.match(describeError(error, english), /not valid yet\. Check the date and time/);
    }
    assert.equal(future.requests.length, 0);
  });

  it("keeps Node's own roots, the system's and NODE_EXTRA_CA_CERTS when a CA file is added", () => {
    const extra = path.join(certs.dir, 'extra.pem');
    fs.writeFileSync(extra, certs.selfSigned.cert);
    const trusted = trustedCertificates(certs.caCert, {
      systemCertificates: false,
      env: { NODE_EXTRA_CA_CERTS: extra },
    });
    const set = new Set(trusted);
    for (const root of tls.rootCertificates) assert.ok(set.has(root.trim()), 'a public root was dropped');
    assert.ok(set.has(certs.caCert.trim()), 'the CA file');
    assert.ok(set.has(certs.selfSigned.cert.trim()), 'NODE_EXTRA_CA_CERTS');
    assert.equal(trusted.length, set.size, 'no duplicates');
    const withSystem = trustedCertificates(certs.caCert, { systemCertificates: true, env: {} });
    assert.ok(withSystem.length >= tls.rootCertificates.length + 1);
  });
});

describe('through a forward proxy (tinyproxy)', () => {
  it('sends models and a streamed chat to an http GenOS through http.proxy, as the proxy log shows', async () => {
    const server = await serve({ host: lanAddress });
    const tiny = await proxy();
    const c = client(server, { httpProxy: tiny.url });
    const probe = await c.probe();
    assert.deepEqual(probe.models, server.models);
    assert.equal(probe.trace.path, 'proxy');
    assert.equal(tiny.relayed().length, 1, 'the proxy relayed the models request');
    assert.equal(probe.trace.proxy, tiny.url);
    assert.equal(probe.trace.proxySource, 'http.proxy');
    assert.match(
      connectionReport(probe, english).summary,
      new RegExp(
        `in \\d+ ms through the proxy ${tiny.url.replace(/\./g, '\\.')} \\(from http\\.proxy\\)\\. Plain http: the connection is not encrypted\\.`,
      ),
    );
    await assertStreams(server, c);
    const log = tiny.log();
    assert.match(
      log,
      new RegExp(`GET http://${lanAddress.replace(/\./g, '\\.')}:${server.port}/api/gateway/rep/serving/43/v1/models`),
    );
    assert.match(
      log,
      new RegExp(
        `POST http://${lanAddress.replace(/\./g, '\\.')}:${server.port}/api/gateway/rep/serving/43/v1/chat/completions`,
      ),
    );
    assert.equal(server.requests.at(-1)?.headers.authorization, `Bearer ${server.token}`);
  });

  it('tunnels to an https GenOS with CONNECT from HTTPS_PROXY, verifying the certificate end to end', async () => {
    const server = await serve({ host: lanAddress, tls: certs.server });
    const tiny = await proxy();
    const c = client(server, { caPem: certs.caCert, env: { HTTPS_PROXY: tiny.url } });
    const probe = await c.probe();
    assert.equal(probe.trace.path, 'proxy');
    assert.equal(probe.trace.proxySource, 'HTTPS_PROXY');
    assert.equal(probe.trace.verified, true);
    await assertStreams(server, c);
    const connects =
      tiny.log().match(new RegExp(`CONNECT ${lanAddress.replace(/\./g, '\\.')}:${server.port}`, 'g')) ?? [];
    assert.equal(connects.length, 2, 'one tunnel for the models, one for the chat');
    // Without the CA the tunnel is made, but the certificate check still refuses the server.
    const error = await failure(client(server, { env: { HTTPS_PROXY: tiny.url } }).listModels());
    assert.equal(error.tlsProblem, 'untrusted');
  });

  it('delivers a streamed answer through the proxy as it is written, not buffered to the end', async () => {
    for (const tls of [undefined, certs.server]) {
      const server = await serve({ host: lanAddress, tls });
      const tiny = await proxy();
      const written: number[] = [];
      server.chatQueue.push({
        type: 'stream',
        content: ['첫 ', '번째 ', '조각', ' 다음', ' 조각', ' 끝'],
        delayMs: 150,
        onWrite: (index, at) => (written[index] = at),
      });
      let firstAt = 0;
      const result = await collect(
        client(server, { caPem: certs.caCert, httpProxy: tiny.url }).chat(question, { model: server.models[0] }),
        (event) => {
          if (event.type === 'content' && !firstAt) firstAt = performance.timeOrigin + performance.now();
        },
      );
      assert.equal(result.text, '첫 번째 조각 다음 조각 끝');
      assert.ok(
        firstAt > 0 && firstAt < written[5],
        `the first text arrived ${Math.round(firstAt - written[5])} ms relative to the last write`,
      );
      assert.ok(firstAt < written[3], 'the first text arrived before the server had written half the answer');
    }
  });

  it('goes direct for hosts in NO_PROXY or http.noProxy, and for loopback, leaving the proxy log empty', async () => {
    const tiny = await proxy();
    const lan = await serve({ host: lanAddress });
    const viaEnv = await client(lan, { env: { HTTP_PROXY: tiny.url, NO_PROXY: `example.com,${lanAddress}` } }).probe();
    assert.equal(
      viaEnv.trace.path,
      'default',
      'with the proxy bypassed nothing else applies, so the default stack is used',
    );
    const viaSetting = await client(lan, { httpProxy: tiny.url, noProxy: [`${lanAddress}/24`] }).probe();
    assert.equal(viaSetting.trace.path, 'default');
    const local = await serve();
    const loopback = await client(local, { genosProxy: tiny.url }).probe();
    assert.equal(loopback.trace.path, 'default');
    await assertStreams(local, client(local, { genosProxy: tiny.url }));
    assert.deepEqual(tiny.relayed(), [], 'the proxy relayed nothing');
  });

  it('reports 407 from a proxy that wants credentials, and passes with them', async () => {
    const tiny = await proxy({ basicAuth: { user: 'dev', password: 's3cret' } });
    const http = await serve({ host: lanAddress });
    const https = await serve({ host: lanAddress, tls: certs.server });
    for (const server of [http, https]) {
      const error = await failure(client(server, { caPem: certs.caCert, httpProxy: tiny.url }).listModels());
      assert.equal(error.kind, 'proxyAuth', server.baseUrl);
      assert.match(describeError(error, english), /proxy requires a user name and password \(407\)/);
      assert.match(describeError(error, korean()), /407/);
      const withCredentials = tiny.url.replace('http://', 'http://dev:s3cret@');
      assert.deepEqual(
        await client(server, { caPem: certs.caCert, httpProxy: withCredentials }).listModels(),
        server.models,
      );
    }
    // Wrong credentials: tinyproxy answers CONNECT with 401, which only the proxy can have sent.
    const wrong = await failure(
      client(https, { caPem: certs.caCert, httpProxy: tiny.url.replace('http://', 'http://dev:wrong@') }).listModels(),
    );
    assert.equal(wrong.kind, 'proxyAuth');
    assert.equal(https.requests.length, 1, 'only the authorized tunnel reached the server');
    // The credentials are for the proxy: inside the tunnel GenOS never sees them.
    assert.equal(https.requests[0].headers['proxy-authorization'], undefined);
    const viaSetting = await client(https, {
      caPem: certs.caCert,
      httpProxy: tiny.url,
      proxyAuthorization: `Basic ${Buffer.from('dev:s3cret').toString('base64')}`,
    }).listModels();
    assert.deepEqual(viaSetting, https.models);
    assert.equal(https.requests[1].headers['proxy-authorization'], undefined);
    assert.equal(http.requests.length, 1);
  });

  it('speaks TLS to an https:// proxy, checking its certificate unless http.proxyStrictSSL is off', async () => {
    const tiny = await proxy();
    const server = await serve({ host: lanAddress, tls: certs.server });
    const trusted = await tlsFront(tiny, certs.server);
    const probe = await client(server, { caPem: certs.caCert, httpProxy: trusted }).probe();
    assert.equal(probe.trace.proxy, trusted);
    assert.equal(probe.trace.verified, true);
    await assertStreams(server, client(server, { caPem: certs.caCert, httpProxy: trusted }));

    const selfSignedProxy = await tlsFront(tiny, { key: certs.selfSigned.key, cert: certs.selfSigned.cert });
    const refused = await failure(client(server, { caPem: certs.caCert, httpProxy: selfSignedProxy }).listModels());
    assert.equal(refused.networkReason, 'proxy');
    assert.equal(refused.tlsProblem, 'selfSigned');
    assert.match(describeError(refused, english), /certificate of the proxy was refused .*"http\.proxyStrictSSL"/);
    assert.match(describeError(refused, korean()), /프록시의 인증서/);
    // Off, as with a company proxy that re-signs TLS: neither the proxy's nor GenOS's certificate is checked.
    const lax = await client(server, { httpProxy: selfSignedProxy, proxyStrictSsl: false }).probe();
    assert.equal(lax.trace.verified, false);
    assert.equal(tiny.relayed().filter((line) => line.includes('CONNECT')).length, 3);
    // Direct connections keep their checks whatever http.proxyStrictSSL says.
    const direct = await failure(client(server, { proxyStrictSsl: false, genosProxy: 'direct' }).listModels());
    assert.equal(direct.tlsProblem, 'untrusted');
  });

  it("takes the proxy's credentials from its address first, else from http.proxyAuthorization for http.proxy alone", () => {
    const basic = `Basic ${Buffer.from('dev:s3cret').toString('base64')}`;
    const path = new NetworkPath({ proxyAuthorization: `  ${basic}\n` });
    const via = (url: string, source: 'genos.proxy' | 'http.proxy' | 'HTTPS_PROXY' | 'HTTP_PROXY' = 'http.proxy') => ({
      proxy: new URL(url),
      source,
    });
    assert.equal(path.proxyAuthorization(via('http://proxy.example:3128')), basic);
    assert.equal(
      path.proxyAuthorization(via('http://ops:pw@proxy.example:3128')),
      `Basic ${Buffer.from('ops:pw').toString('base64')}`,
    );
    assert.equal(
      new NetworkPath({ proxyAuthorization: ' \t ' }).proxyAuthorization(via('http://proxy.example:3128')),
      undefined,
      'a blank setting is no header',
    );
    // VS Code's credential is for its own proxy setting: another proxy never receives it.
    for (const source of ['genos.proxy', 'HTTPS_PROXY', 'HTTP_PROXY'] as const) {
      assert.equal(path.proxyAuthorization(via('http://other.example:3128', source)), undefined, source);
      assert.equal(
        path.proxyAuthorization(via('http://ops:pw@other.example:3128', source)),
        `Basic ${Buffer.from('ops:pw').toString('base64')}`,
        `${source} with its own credentials`,
      );
    }
  });

  it('never sends http.proxyAuthorization to a proxy set in genos.proxy or the environment', async () => {
    const seen: Array<string | undefined> = [];
    const front = net.createServer((socket) => {
      socket.once('data', (head) => {
        seen.push(/^Proxy-Authorization: (.*)$/im.exec(head.toString('latin1'))?.[1]);
        socket.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n');
      });
    });
    fronts.push(front);
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    const address = `http://127.0.0.1:${(front.address() as net.AddressInfo).port}`;
    const server = await serve({ host: lanAddress, tls: certs.server });
    const header = `Basic ${Buffer.from('dev:s3cret').toString('base64')}`;
    await failure(
      client(server, { caPem: certs.caCert, genosProxy: address, proxyAuthorization: header }).listModels(),
    );
    await failure(
      client(server, { caPem: certs.caCert, env: { HTTPS_PROXY: address }, proxyAuthorization: header }).listModels(),
    );
    await failure(client(server, { caPem: certs.caCert, httpProxy: address, proxyAuthorization: header }).listModels());
    assert.deepEqual(seen, [undefined, undefined, header]);
  });

  it('sends http.proxyAuthorization to a proxy whose address has no credentials', async () => {
    const tiny = await proxy({ basicAuth: { user: 'dev', password: 's3cret' } });
    const server = await serve({ host: lanAddress, tls: certs.server });
    const header = `Basic ${Buffer.from('dev:s3cret').toString('base64')}`;
    assert.deepEqual(
      await client(server, { caPem: certs.caCert, httpProxy: tiny.url, proxyAuthorization: header }).listModels(),
      server.models,
    );
  });

  it('keeps timeouts and Stop working through the tunnel: the server sees the connection close', async () => {
    const tiny = await proxy();
    const server = await serve({ host: lanAddress, tls: certs.server });
    const settings = { caPem: certs.caCert, httpProxy: tiny.url };
    server.chatQueue.push({ type: 'hang' });
    const hung = await failure(
      collect(
        new GenosClient({
          endpoint: buildEndpoint(server.baseUrl, server.servingId),
          token: server.token,
          timeoutMs: 300,
          retry: { maxRetries: 0 },
          network: new NetworkPath(settings),
        }).chat(question, { model: 'm' }),
      ),
    );
    assert.equal(hung.kind, 'timeout');
    assert.equal(hung.timeoutPhase, 'response');

    server.chatQueue.push({ type: 'stream', content: splitDeltas(answer, 2), delayMs: 50 });
    const controller = new AbortController();
    const stopped = await failure(
      collect(client(server, settings).chat(question, { model: 'm' }, controller.signal), (_event, sofar) => {
        if (sofar.text.length >= 4) controller.abort();
      }),
    );
    assert.equal(stopped.kind, 'cancelled');
    assert.ok(stopped.partialText.length >= 4, 'the partial answer is kept');
    const request = server.chatRequests.at(-1);
    await request?.closed;
    assert.equal(request?.closedEarly, true);
  });

  it('stops at once, or times out, while the proxy is still connecting', async () => {
    // A proxy that accepts connections and never says a word: as a plain http proxy it never
    // answers CONNECT; as an https proxy its TLS handshake never completes.
    const seen: Array<{ socket: net.Socket; data: boolean }> = [];
    const silent = net.createServer((socket) => {
      const entry = { socket, data: false };
      seen.push(entry);
      socket.on('data', () => (entry.data = true));
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as net.AddressInfo).port;
    /** Resolves once the proxy holds a new connection (and, if asked, has read from it). */
    const connected = async (count: number, withData: boolean) => {
      while (seen.length < count || (withData && !seen[count - 1].data)) {
        await new Promise((resolve) => setImmediate(resolve));
      }
    };
    try {
      const server = await serve({ host: lanAddress, tls: certs.server });
      const endpoint = buildEndpoint(server.baseUrl, server.servingId);
      const through = (httpProxy: string, timeoutMs = 30_000) =>
        new GenosClient({
          endpoint,
          token: server.token,
          timeoutMs,
          retry: { maxRetries: 0 },
          network: new NetworkPath({ caPem: certs.caCert, httpProxy, proxyStrictSsl: false }),
        });

      for (const [name, proxyUrl, waitForData] of [
        ['while CONNECT is unanswered', `http://127.0.0.1:${port}`, true],
        ['while the TLS handshake with an https proxy is unfinished', `https://127.0.0.1:${port}`, false],
      ] as const) {
        const controller = new AbortController();
        const pending = failure(through(proxyUrl).listModels(controller.signal));
        await connected(seen.length + 1, waitForData);
        controller.abort();
        const stopped = await pending;
        assert.equal(stopped.kind, 'cancelled', `Stop ${name}: ${stopped.message}`);
        assert.equal(describeError(stopped, english), 'Stopped.');

        const timedOut = await failure(through(proxyUrl, 300).listModels());
        assert.equal(timedOut.kind, 'timeout', `timeout ${name}: ${timedOut.message}`);
        assert.equal(timedOut.timeoutPhase, 'response');
        assert.match(describeError(timedOut, english), /did not answer within 0.3 seconds/);
      }
    } finally {
      for (const { socket } of seen) socket.destroy();
      silent.close();
    }
  });

  it('says the proxy refused the tunnel when it answers CONNECT with 403', async () => {
    const connects: string[] = [];
    const refusing = net.createServer((socket) => {
      socket.once('data', (head) => {
        connects.push(head.toString('latin1').split('\r\n')[0]);
        socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
      });
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
    try {
      const server = await serve({ host: lanAddress, tls: certs.server });
      const proxyUrl = `http://127.0.0.1:${(refusing.address() as net.AddressInfo).port}`;
      const error = await failure(client(server, { caPem: certs.caCert, httpProxy: proxyUrl }).listModels());
      assert.equal(error.kind, 'network');
      assert.equal(error.networkReason, 'proxy');
      assert.equal(error.status, 403);
      assert.equal(
        describeError(error, english),
        `The proxy did not connect to GenOS (${proxyUrl} 403). Check "genos.proxy", "http.proxy" or the HTTPS_PROXY variable, and "http.noProxy".`,
      );
      assert.equal(
        error.message,
        `The proxy ${proxyUrl} refused the tunnel to ${lanAddress}:${server.port} (HTTP 403).`,
      );
      assert.deepEqual(connects, [`CONNECT ${lanAddress}:${new URL(server.baseUrl).port} HTTP/1.1`]);
      assert.equal(server.requests.length, 0);
      // An IPv6 address is bracketed in CONNECT, as in a URL (the proxy refuses before it connects).
      const v6 = await failure(
        new GenosClient({
          endpoint: buildEndpoint('https://[fd00::43]:8443', server.servingId),
          token: server.token,
          timeoutMs: 10_000,
          retry: { maxRetries: 0 },
          network: new NetworkPath({ httpProxy: proxyUrl }),
        }).listModels(),
      );
      assert.equal(v6.status, 403);
      assert.equal(connects[1], 'CONNECT [fd00::43]:8443 HTTP/1.1');
    } finally {
      refusing.close();
    }
  });

  it("reads a proxy's answer to CONNECT exactly, whatever the proxy sends", async () => {
    // A proxy that answers each CONNECT as the test says, and tunnels to the target on 200.
    const answers: Array<(socket: net.Socket, target: string) => void> = [];
    const sockets: net.Socket[] = [];
    const tunnelTo = (head: string) => (socket: net.Socket, target: string) => {
      const [host, port] = [
        target.slice(0, target.lastIndexOf(':')),
        Number(target.slice(target.lastIndexOf(':') + 1)),
      ];
      const upstream = net.connect({ host, port }, () => {
        sockets.push(upstream);
        socket.write(head);
        socket.pipe(upstream).pipe(socket);
      });
      upstream.on('error', () => socket.destroy());
    };
    const scripted = net.createServer((socket) => {
      sockets.push(socket);
      socket.on('error', () => undefined);
      socket.once('data', (head) => {
        const target = head.toString('latin1').split('\r\n')[0].split(' ')[1];
        (answers.shift() as (socket: net.Socket, target: string) => void)(socket, target);
      });
    });
    await new Promise<void>((resolve) => scripted.listen(0, '127.0.0.1', resolve));
    const proxyUrl = `http://127.0.0.1:${(scripted.address() as net.AddressInfo).port}`;
    try {
      const server = await serve({ host: lanAddress, tls: certs.server });
      const authority = `${lanAddress}:${new URL(server.baseUrl).port}`;
      const models = () => client(server, { caPem: certs.caCert, httpProxy: proxyUrl }).listModels();
      // Status lines as proxies write them: HTTP/1.0, HTTP/2 without a minor version, two spaces.
      for (const head of [
        'HTTP/1.0 200 Connection established\r\n\r\n',
        'HTTP/2 200\r\n\r\n',
        'HTTP/1.1  200 OK\r\nProxy-Agent: x\r\n\r\n',
      ]) {
        answers.push(tunnelTo(head));
        assert.deepEqual(await models(), server.models, JSON.stringify(head));
      }
      // What is not a status line is no 200, however it ends.
      answers.push(tunnelTo('garbage HTTP/1.1 200 OK\r\n\r\n'));
      const garbled = await failure(models());
      assert.equal(garbled.networkReason, 'proxy');
      assert.equal(garbled.message, `The proxy ${proxyUrl} refused the tunnel to ${authority} (HTTP ?).`);
      assert.equal(garbled.detail, `${proxyUrl} ?`);
      // An answer that is only the blank line ending a head has no status line either.
      answers.push((socket) => socket.end('\r\n\r\n'));
      assert.equal(
        (await failure(models())).message,
        `The proxy ${proxyUrl} refused the tunnel to ${authority} (HTTP ?).`,
      );
      // A head that comes in pieces is read to its end (a proxy writing its status line first).
      answers.push((socket, target) =>
        socket.write('HTTP/1.1 200 Connection established\r\n', () =>
          setImmediate(() => tunnelTo('Proxy-Agent: x\r\n\r\n')(socket, target)),
        ),
      );
      assert.deepEqual(await models(), server.models);
      answers.push((socket) => socket.end('HTTP/1.1 407 Proxy Authentication Required\r\n\r\n'));
      const auth = await failure(models());
      assert.equal(auth.kind, 'proxyAuth');
      assert.equal(auth.message, `The proxy ${proxyUrl} requires authentication (407).`);
      // Bytes after the head belong to the tunnel: TLS reads them (and here refuses them).
      answers.push(tunnelTo('HTTP/1.1 200 OK\r\n\r\nnot TLS'));
      const extra = await failure(models());
      assert.equal(extra.kind, 'network');
      assert.notEqual(extra.networkReason, 'proxy');
      // A head that never ends, and a proxy that hangs up before answering: the proxy's failure,
      // named as such (they were reported as a TLS failure of GenOS).
      answers.push((socket) => socket.write(Buffer.alloc(70 * 1024, 'x')));
      const endless = await failure(models());
      assert.equal(endless.networkReason, 'proxy');
      assert.equal(endless.message, `The proxy ${proxyUrl} failed: EPROTO.`);
      answers.push((socket) => socket.end());
      const hungUp = await failure(models());
      assert.equal(hungUp.networkReason, 'proxy');
      assert.equal(hungUp.message, `The proxy ${proxyUrl} failed: ECONNRESET.`);
    } finally {
      for (const socket of sockets) socket.destroy();
      scripted.close();
    }
  });

  it('refuses a proxy setting that is not an address before sending anything', async () => {
    const server = await serve({ host: lanAddress });
    const error = await failure(client(server, { genosProxy: 'socks5://proxy.example:1080' }).listModels());
    assert.equal(error.kind, 'config');
    assert.equal(error.configProblem, 'invalidProxy');
    assert.equal(server.requests.length, 0);
  });

  it('hands on a connection carrying none of its own listeners, and leaves none on the signal', async () => {
    const tiny = await proxy();
    const server = await serve({ host: lanAddress, tls: certs.server });
    const plain = await serve({ host: lanAddress });
    const counts = (socket: net.Socket | undefined) =>
      Object.fromEntries((socket?.eventNames() ?? []).map((name) => [String(name), socket?.listenerCount(name)]));
    const parent = (socket: net.Socket) => (socket as net.Socket & { _parent?: net.Socket })._parent;
    // The same connections opened by hand: what Node itself attaches to them.
    const raw = net.connect({ host: lanAddress, port: server.port });
    await once(raw, 'connect');
    const secured = tls.connect({ socket: raw, rejectUnauthorized: false });
    await once(secured, 'secureConnect');
    const rawPlain = net.connect({ host: lanAddress, port: plain.port });
    await once(rawPlain, 'connect');
    const opened: net.Socket[] = [raw, secured, rawPlain];
    try {
      for (const [target, settings] of [
        [server.baseUrl, { caPem: certs.caCert, genosProxy: 'direct' }],
        [server.baseUrl, { caPem: certs.caCert, httpProxy: tiny.url }],
        [plain.baseUrl, { genosProxy: 'direct' }],
        [plain.baseUrl, { httpProxy: tiny.url }],
      ] as const) {
        const url = new URL(target);
        const network = new NetworkPath(settings);
        const controller = new AbortController();
        const socket = await network.connect(
          url,
          network.route(url),
          controller.signal,
          { path: 'direct' },
          performance.now(),
        );
        opened.push(socket);
        const name = `${target} ${JSON.stringify(settings)}`;
        if (url.protocol === 'https:') {
          assert.deepEqual(counts(socket), counts(secured), name);
          assert.deepEqual(counts(parent(socket)), counts(parent(secured)), `${name}: the socket under TLS`);
        } else {
          assert.deepEqual(counts(socket), counts(rawPlain), name);
        }
        assert.equal(getEventListeners(controller.signal, 'abort').length, 0, name);
      }
    } finally {
      for (const socket of opened) socket.destroy();
    }
  });

  it('sends a plain http request direct in origin form, as servers expect it from a client', async () => {
    const tiny = await proxy();
    const server = await serve({ host: lanAddress });
    const probe = await client(server, { httpProxy: tiny.url, genosProxy: 'direct' }).probe();
    assert.equal(probe.trace.path, 'direct');
    assert.equal(server.requests[0].path, `/api/gateway/rep/serving/${server.servingId}/v1/models`);
  });

  it('names the proxy in every failure of its own, and a TLS one as such', () => {
    const proxyUrl = new URL('http://proxy.example:3128');
    const coded = (code: string) => proxyFailure(Object.assign(new Error(code), { code }), proxyUrl);
    const refused = coded('ECONNREFUSED');
    assert.deepEqual(
      [refused.kind, refused.networkReason, refused.tlsProblem, refused.detail, refused.message],
      [
        'network',
        'proxy',
        undefined,
        'http://proxy.example:3128 ECONNREFUSED',
        'The proxy http://proxy.example:3128 failed: ECONNREFUSED.',
      ],
    );
    assert.equal(coded('DEPTH_ZERO_SELF_SIGNED_CERT').tlsProblem, 'selfSigned');
    assert.equal(coded('ERR_SSL_WRONG_VERSION_NUMBER').tlsProblem, 'other', 'a TLS failure without a named problem');
    assert.equal(coded('CERT_REVOKED').tlsProblem, 'other');
    assert.equal(coded('PROXY_CERT_STORE').tlsProblem, undefined, 'only a code that starts like a TLS one is one');
    assert.equal(
      proxyFailure(new Error('no code'), proxyUrl).message,
      'The proxy http://proxy.example:3128 failed: ERROR.',
    );
    assert.equal(proxyFailure(undefined, proxyUrl).detail, 'http://proxy.example:3128 ERROR');
    const known = new GenosError({ kind: 'proxyAuth', message: 'kept' });
    assert.equal(proxyFailure(known, proxyUrl), known);
  });

  it('opens nothing for a signal already aborted, and fails with its reason', async () => {
    const tiny = await proxy();
    const server = await serve({ host: lanAddress, tls: certs.server });
    const reason = new GenosError({ kind: 'cancelled', message: 'stopped before it began' });
    const url = new URL(server.baseUrl);
    for (const settings of [
      { caPem: certs.caCert, genosProxy: 'direct' },
      { caPem: certs.caCert, httpProxy: tiny.url },
    ]) {
      const network = new NetworkPath(settings);
      await assert.rejects(
        network.connect(url, network.route(url), AbortSignal.abort(reason), { path: 'direct' }, performance.now()),
        (error) => error === reason,
      );
    }
    assert.deepEqual(tiny.relayed(), []);
    assert.equal(server.requests.length, 0);
  });

  it('names the proxy when it cannot be reached', async () => {
    const server = await serve({ host: lanAddress, tls: certs.server });
    const error = await failure(client(server, { caPem: certs.caCert, genosProxy: 'http://127.0.0.1:9' }).listModels());
    assert.equal(error.networkReason, 'proxy');
    assert.match(
      describeError(error, english),
      /The proxy did not connect to GenOS \(http:\/\/127\.0\.0\.1:9 ECONNREFUSED\)/,
    );
  });

  it('honours genos.proxy "direct" even when http.proxy and HTTPS_PROXY point at a proxy', async () => {
    const tiny = await proxy();
    const server = await serve({ host: lanAddress, tls: certs.server });
    const probe = await client(server, {
      caPem: certs.caCert,
      genosProxy: 'direct',
      httpProxy: tiny.url,
      env: { HTTPS_PROXY: tiny.url },
    }).probe();
    assert.equal(probe.trace.path, 'direct');
    assert.deepEqual(tiny.relayed(), []);
  });
});

/**
 * An https:// proxy: TLS with the given certificate in front of tinyproxy, as a company proxy that
 * speaks TLS to its clients. Resolves with its URL.
 */
async function tlsFront(upstream: Tinyproxy, identity: { key: string; cert: string }): Promise<string> {
  const front = tls.createServer(identity, (socket) => {
    const relay = net.connect(upstream.port, '127.0.0.1');
    socket.pipe(relay).pipe(socket);
    const end = () => {
      socket.destroy();
      relay.destroy();
    };
    socket.on('error', end);
    relay.on('error', end);
  });
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  fronts.push(front);
  return `https://127.0.0.1:${(front.address() as net.AddressInfo).port}`;
}
const fronts: net.Server[] = [];

/** Runs test/support/clientProcess in a child process with NODE_EXTRA_CA_CERTS set. */
function runClientProcess(input: object, extraCaFile: string): Promise<Record<string, unknown>> {
  const script = path.join(__dirname, '..', '..', 'support', 'clientProcess.js');
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_EXTRA_CA_CERTS: extraCaFile };
  delete env.HTTPS_PROXY;
  delete env.https_proxy;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [script, JSON.stringify(input)], { env, timeout: 20_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout) as Record<string, unknown>);
    });
  });
}
