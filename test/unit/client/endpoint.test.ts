import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { apiUrl, buildEndpoint, isInsecureRemote, isLoopbackHost } from '../../../src/client/endpoint';
import { GenosError } from '../../../src/client/errors';

function problemOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof GenosError);
    assert.equal(error.kind, 'config');
    return error.configProblem;
  }
  return undefined;
}

describe('buildEndpoint', () => {
  const cases: Array<[string, string, string]> = [
    ['https://genos.example.com', '43', 'https://genos.example.com/api/gateway/rep/serving/43'],
    ['https://genos.example.com/', '43', 'https://genos.example.com/api/gateway/rep/serving/43'],
    ['https://genos.example.com///', ' 43 ', 'https://genos.example.com/api/gateway/rep/serving/43'],
    ['  https://genos.example.com:8443/ai/  ', '7', 'https://genos.example.com:8443/ai/api/gateway/rep/serving/7'],
    ['http://127.0.0.1:8787', 'abc-1', 'http://127.0.0.1:8787/api/gateway/rep/serving/abc-1'],
    // A pasted endpoint: the serving id comes from the address.
    [
      'https://genos.example.com/api/gateway/rep/serving/43',
      '',
      'https://genos.example.com/api/gateway/rep/serving/43',
    ],
    [
      'https://genos.example.com/api/gateway/rep/serving/43/v1/',
      '43',
      'https://genos.example.com/api/gateway/rep/serving/43',
    ],
  ];
  for (const [base, id, expected] of cases) {
    it(`builds ${expected} from ${JSON.stringify(base)} + ${JSON.stringify(id)}`, () => {
      assert.equal(buildEndpoint(base, id).href, expected);
    });
  }

  it('refuses what is not an http(s) URL, before any request', () => {
    assert.equal(
      problemOf(() => buildEndpoint('', '43')),
      'missingBaseUrl',
    );
    assert.equal(
      problemOf(() => buildEndpoint('   ', '43')),
      'missingBaseUrl',
    );
    assert.equal(
      problemOf(() => buildEndpoint('genos.example.com', '43')),
      'invalidBaseUrl',
    );
    assert.equal(
      problemOf(() => buildEndpoint('javascript:alert(1)', '43')),
      'invalidBaseUrl',
    );
    assert.equal(
      problemOf(() => buildEndpoint('ftp://genos.example.com', '43')),
      'unsupportedScheme',
    );
    assert.equal(
      problemOf(() => buildEndpoint('file:///etc/passwd', '43')),
      'unsupportedScheme',
    );
    assert.equal(
      problemOf(() => buildEndpoint('https://user:pw@genos.example.com', '43')),
      'credentialsInUrl',
    );
    assert.equal(
      problemOf(() => buildEndpoint('https://:secret@genos.example.com', '43')),
      'credentialsInUrl',
    );
    assert.equal(
      problemOf(() => buildEndpoint('https://user@genos.example.com', '43')),
      'credentialsInUrl',
    );
    assert.equal(
      problemOf(() => buildEndpoint('https://genos.example.com', '')),
      'missingServingId',
    );
    assert.equal(
      problemOf(() => buildEndpoint('https://genos.example.com', '4 3')),
      'invalidServingId',
    );
    assert.equal(
      problemOf(() => buildEndpoint('https://genos.example.com', '../admin')),
      'invalidServingId',
    );
    assert.equal(
      problemOf(() => buildEndpoint('https://genos.example.com/api/gateway/rep/serving/43', '44')),
      'servingIdConflict',
    );
  });

  it('appends API paths to the endpoint', () => {
    const endpoint = buildEndpoint('https://genos.example.com/ai/', '43');
    assert.equal(
      apiUrl(endpoint, '/v1/models').href,
      'https://genos.example.com/ai/api/gateway/rep/serving/43/v1/models',
    );
  });
});

describe('loopback and clear-text checks', () => {
  it('knows which hosts are this machine', () => {
    for (const host of ['localhost', 'api.localhost', '127.0.0.1', '127.1.2.3', '[::1]', '::1']) {
      assert.ok(isLoopbackHost(host), host);
    }
    for (const host of ['::ffff:127.0.0.1', '::ffff:7f00:1', '0:0:0:0:0:0:0:1', 'LOCALHOST']) {
      assert.ok(isLoopbackHost(host), host);
    }
    for (const host of [
      'genos.example.com',
      '10.0.0.1',
      '192.168.0.1',
      'localhost.example.com',
      '128.0.0.1',
      '127.evil.example',
      '127.0.0.1.evil.example',
      '1127.0.0.1',
      '::ffff:10.0.0.1',
      '::2',
    ]) {
      assert.ok(!isLoopbackHost(host), host);
    }
  });

  it('flags plain http to another host, not https nor loopback', () => {
    assert.ok(isInsecureRemote(new URL('http://genos.example.com')));
    assert.ok(!isInsecureRemote(new URL('https://genos.example.com')));
    assert.ok(!isInsecureRemote(new URL('http://127.0.0.1:8080')));
  });
});

describe('addresses edited by hand', () => {
  it('refuses a serving id of dots, which would name another path on the host', () => {
    for (const id of ['.', '..', '...']) {
      assert.throws(
        () => buildEndpoint('https://genos.example.com', id),
        (error: GenosError) => error.configProblem === 'invalidServingId',
        id,
      );
      assert.throws(
        () => buildEndpoint(`https://genos.example.com/api/gateway/rep/serving/${id}`, ''),
        (error: GenosError) => error.kind === 'config',
        id,
      );
    }
    assert.equal(buildEndpoint('https://genos.example.com', 'v1.2').pathname, '/api/gateway/rep/serving/v1.2');
  });

  it('says the address is invalid when it ends in a broken % escape, instead of throwing URIError', () => {
    assert.throws(
      () => buildEndpoint('https://genos.example.com/api/gateway/rep/serving/4%E0%A4%A', ''),
      (error: GenosError) => error.configProblem === 'invalidBaseUrl',
    );
  });
});
