import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { GenosError } from '../../../src/client/errors';
import { isLoopbackHost } from '../../../src/client/endpoint';
import {
  displayProxy,
  matchesNoProxy,
  parseProxyUrl,
  proxyAuthorization,
  resolveProxy,
  socketAddress,
} from '../../../src/client/proxy';

const genos = new URL('https://genos.corp.example:8443/api/gateway/rep/serving/43');
const plain = new URL('http://10.1.2.3/api/gateway/rep/serving/43');

describe('choosing the proxy', () => {
  it('reaches a loopback address directly, whatever is configured', () => {
    for (const host of ['localhost', 'api.localhost', '127.0.0.1', '127.8.9.10', '[::1]', '[::ffff:127.0.0.1]']) {
      const target = new URL(`https://${host}:8443/x`);
      assert.ok(isLoopbackHost(target.hostname), host);
      assert.deepEqual(
        resolveProxy(target, {
          genosProxy: 'http://proxy:3128',
          httpProxy: 'http://proxy:3128',
          env: { HTTPS_PROXY: 'http://proxy:3128' },
        }),
        { bypass: 'loopback' },
      );
    }
    assert.equal(isLoopbackHost('128.0.0.1'), false);
    assert.equal(isLoopbackHost('localhost.example.com'), false);
  });

  it('prefers genos.proxy, then http.proxy, then the environment', () => {
    const env = { HTTPS_PROXY: 'http://env-proxy:3128' };
    assert.equal(
      resolveProxy(genos, { genosProxy: 'http://own:1', httpProxy: 'http://editor:2', env }).proxy?.host,
      'own:1',
    );
    assert.equal(resolveProxy(genos, { genosProxy: 'http://own:1' }).source, 'genos.proxy');
    assert.equal(resolveProxy(genos, { httpProxy: 'http://editor:2', env }).source, 'http.proxy');
    assert.equal(resolveProxy(genos, { env }).proxy?.host, 'env-proxy:3128');
    assert.deepEqual(resolveProxy(genos, {}), {});
  });

  it('lets genos.proxy say "direct" to skip every other proxy for GenOS', () => {
    assert.deepEqual(
      resolveProxy(genos, { genosProxy: ' DIRECT ', httpProxy: 'http://editor:2', env: { HTTPS_PROXY: 'http://p:1' } }),
      { bypass: 'genos.proxy' },
    );
  });

  it('reads the environment as VS Code does: lower case first, https falling back to HTTP_PROXY', () => {
    assert.equal(
      resolveProxy(genos, { env: { https_proxy: 'http://lower:1', HTTPS_PROXY: 'http://upper:2' } }).proxy?.host,
      'lower:1',
    );
    const fallback = resolveProxy(genos, { env: { HTTP_PROXY: 'http://only-http:3' } });
    assert.equal(fallback.proxy?.host, 'only-http:3');
    assert.equal(fallback.source, 'HTTP_PROXY');
    assert.equal(
      resolveProxy(plain, { env: { HTTPS_PROXY: 'http://secure-only:4' } }).proxy,
      undefined,
      'HTTPS_PROXY is not for http:// addresses',
    );
    assert.equal(resolveProxy(genos, { env: { HTTPS_PROXY: '  ' } }).proxy, undefined);
  });

  it('skips the proxy for hosts in http.noProxy or NO_PROXY', () => {
    const proxied = (entries: string[], target = genos) =>
      resolveProxy(target, { httpProxy: 'http://p:1', noProxy: entries }).proxy !== undefined;
    assert.equal(proxied(['genos.corp.example']), false);
    assert.equal(proxied(['corp.example']), false, 'a domain covers its subdomains');
    assert.equal(proxied(['.corp.example']), false);
    assert.equal(proxied(['*.corp.example']), false);
    assert.equal(proxied(['*']), false);
    assert.equal(proxied(['genos.corp.example:8443']), false);
    assert.equal(proxied(['genos.corp.example:443']), true, 'another port does not match');
    assert.equal(proxied(['rp.example']), true, 'a partial label does not match');
    assert.equal(proxied(['10.0.0.0/8'], plain), false);
    assert.equal(proxied(['10.1.2.3'], plain), false);
    assert.equal(proxied(['10.1.2.3:80'], plain), false, 'the default port counts');
    assert.equal(proxied(['192.168.0.0/16', '10.1.2.4'], plain), true);
    assert.equal(proxied(['fd00::/8'], new URL('http://[fd00::2]:8000/')), false);
    assert.equal(proxied(['[fd00::2]:8000'], new URL('http://[fd00::2]:8000/')), false);
    assert.equal(
      resolveProxy(genos, { env: { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'other.example, corp.example' } }).bypass,
      'noProxy',
    );
    assert.equal(
      resolveProxy(genos, { env: { HTTPS_PROXY: 'http://p:1', no_proxy: 'other.example genos.corp.example' } }).bypass,
      'noProxy',
    );
    assert.equal(matchesNoProxy(genos, ['', '  ']), false);
  });

  it('reads no-proxy entries exactly: case and spaces, brackets and ports, ranges, nothing more', () => {
    const v6 = new URL('http://[fd00::1:2]:8000/');
    const cases: Array<[URL, string, boolean]> = [
      [genos, ' Genos.CORP.example ', true],
      [new URL('https://genos.corp.example./x'), '', false],
      [new URL('https://genos.corp.example./x'), ' ', false],
      [v6, '[fd00::1:2]', true],
      [v6, '[fd00::1:2]:8000', true],
      [v6, '[fd00::1:2]:8001', false],
      [v6, 'x[fd00::1:2]', false],
      [v6, '[fd00::1:2]:8000x', false],
      [v6, 'fd00::1:2', true],
      [v6, 'fd00::/16', true],
      [v6, '10.0.0.0/8', false],
      [plain, 'fd00::/8', false],
      [plain, '10.0.0.0/40', false],
      [plain, '10.0.0.0/8x', false],
      [plain, '10.1.2.3/32', true],
      [plain, '10.1.2', false],
      [genos, 'genos.corp.example:8443:8443', false],
    ];
    for (const [target, entry, matched] of cases) {
      assert.equal(matchesNoProxy(target, [entry]), matched, `${target.host} / ${JSON.stringify(entry)}`);
    }
  });

  it('ignores blank proxy settings and reads set ones with spaces around them', () => {
    assert.equal(resolveProxy(genos, { httpProxy: '  ', env: { HTTPS_PROXY: 'http://env:1' } }).proxy?.host, 'env:1');
    assert.equal(
      resolveProxy(genos, { env: { HTTPS_PROXY: '  ', HTTP_PROXY: ' http://fallback:2 ' } }).proxy?.host,
      'fallback:2',
    );
    assert.equal(resolveProxy(genos, { env: { HTTPS_PROXY: 'http://p:1', NO_PROXY: ' ' } }).proxy?.host, 'p:1');
    assert.equal(parseProxyUrl(' https://secure.proxy:8443 ', 'http.proxy').href, 'https://secure.proxy:8443/');
    // A bare host whose path holds a URL is still a bare host.
    assert.equal(parseProxyUrl('proxy.corp:3128/?next=https://x', 'http.proxy').host, 'proxy.corp:3128');
  });

  it('connects to the host without IPv6 brackets, on the port the scheme implies', () => {
    assert.deepEqual(socketAddress(new URL('https://genos.corp.example/x')), { host: 'genos.corp.example', port: 443 });
    assert.deepEqual(socketAddress(new URL('http://genos.corp.example/x')), { host: 'genos.corp.example', port: 80 });
    assert.deepEqual(socketAddress(new URL('https://[fd00::2]:8443/x')), { host: 'fd00::2', port: 8443 });
  });

  it('names the setting that holds a bad proxy, for the log', () => {
    const message = (value: string, settings: Parameters<typeof resolveProxy>[1]) => {
      try {
        resolveProxy(genos, settings);
      } catch (error) {
        return (error as Error).message;
      }
      return `no error for ${value}`;
    };
    assert.equal(message('bad', { genosProxy: 'http://[bad' }), 'genos.proxy is not a valid proxy URL.');
    assert.equal(message('socks', { httpProxy: 'socks5://p:1' }), 'http.proxy must be an http:// or https:// proxy.');
    assert.equal(
      message('env', { env: { HTTPS_PROXY: 'ftp://p:21' } }),
      'HTTPS_PROXY must be an http:// or https:// proxy.',
    );
  });

  it('never applies no-proxy lists to genos.proxy, which is set for GenOS on purpose', () => {
    assert.equal(resolveProxy(genos, { genosProxy: 'http://own:1', noProxy: ['*'] }).proxy?.host, 'own:1');
  });

  it('reads a bare host:port as an http proxy and refuses what is not a proxy', () => {
    assert.equal(parseProxyUrl('proxy.corp:3128', 'http.proxy').href, 'http://proxy.corp:3128/');
    for (const bad of ['socks5://proxy:1080', 'http://', 'ftp://proxy:21']) {
      assert.throws(
        () => parseProxyUrl(bad, 'genos.proxy'),
        (error: unknown) => error instanceof GenosError && error.configProblem === 'invalidProxy',
        bad,
      );
    }
    assert.throws(() => resolveProxy(genos, { httpProxy: 'socks5://p:1' }), GenosError);
  });

  it('keeps proxy credentials out of what is shown and sends them as Basic authorization', () => {
    const proxy = parseProxyUrl('http://j%C3%BCrgen:p%40ss@proxy.corp:3128', 'http.proxy');
    assert.equal(displayProxy(proxy), 'http://proxy.corp:3128');
    assert.equal(proxyAuthorization(proxy), `Basic ${Buffer.from('jürgen:p@ss').toString('base64')}`);
    assert.equal(proxyAuthorization(parseProxyUrl('http://proxy.corp:3128', 'x')), undefined);
    assert.equal(
      proxyAuthorization(parseProxyUrl('http://alone@proxy.corp:3128', 'x')),
      `Basic ${Buffer.from('alone:').toString('base64')}`,
    );
    assert.equal(
      proxyAuthorization(parseProxyUrl('http://:only-secret@proxy.corp:3128', 'x')),
      `Basic ${Buffer.from(':only-secret').toString('base64')}`,
    );
  });
});
