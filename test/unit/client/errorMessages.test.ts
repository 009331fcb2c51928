import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { describeError, english, errorActions, type ErrorAction } from '../../../src/client/errorMessages';
import {
  GenosError,
  type ConfigProblem,
  type GenosErrorInit,
  type NetworkReason,
  type TlsProblem,
} from '../../../src/client/errors';
import { korean } from '../../support/l10n';

const error = (init: Partial<GenosErrorInit> & Pick<GenosErrorInit, 'kind'>) =>
  new GenosError({ message: 'test', ...init });
const certificate = {
  subject: 'CN=genos.example.com',
  issuer: 'CN=Corp CA',
  validTo: 'Jan  1 00:00:00 2026 GMT',
  selfSigned: false,
};

const configProblems: ConfigProblem[] = [
  'missingBaseUrl',
  'invalidBaseUrl',
  'unsupportedScheme',
  'credentialsInUrl',
  'clearTextRefused',
  'missingServingId',
  'invalidServingId',
  'servingIdConflict',
  'missingToken',
  'invalidToken',
  'noModels',
  'invalidProxy',
  'caFileUnreadable',
  'caFileInvalid',
];
const networkReasons: NetworkReason[] = ['refused', 'dns', 'reset', 'unreachable', 'incomplete', 'other'];
const tlsProblems: TlsProblem[] = ['untrusted', 'selfSigned', 'hostname', 'expired', 'notYetValid', 'other'];

/** One error of every shape the messages tell apart, with what the user should be offered. */
const cases: Array<[string, GenosError, ErrorAction[]]> = [
  ...configProblems.map((problem): [string, GenosError, ErrorAction[]] => [
    `config ${problem}`,
    error({ kind: 'config', configProblem: problem }),
    problem === 'missingToken' || problem === 'invalidToken' ? ['setToken'] : ['openSettings'],
  ]),
  ['config, unknown problem', error({ kind: 'config' }), ['openSettings']],
  ['401', error({ kind: 'unauthorized', status: 401 }), ['setToken', 'retry']],
  ['403', error({ kind: 'unauthorized', status: 403 }), ['setToken', 'retry']],
  ['404', error({ kind: 'notFound', status: 404 }), ['openSettings', 'showLog']],
  ['400 with a reason', error({ kind: 'badRequest', status: 400, serverMessage: 'too long' }), ['retry', 'showLog']],
  ['400 without one', error({ kind: 'badRequest', status: 400 }), ['retry', 'showLog']],
  ['429 with Retry-After', error({ kind: 'rateLimited', retryAfterSeconds: 30 }), ['retry', 'showLog']],
  ['429 without', error({ kind: 'rateLimited' }), ['retry', 'showLog']],
  ['500 with a reason', error({ kind: 'server', status: 500, serverMessage: 'worker died' }), ['retry', 'showLog']],
  ['500 without one', error({ kind: 'server', status: 500 }), ['retry', 'showLog']],
  ['redirect', error({ kind: 'redirect', detail: 'https://sso.example.com' }), ['openSettings', 'showLog']],
  ...networkReasons.map((reason): [string, GenosError, ErrorAction[]] => [
    `network ${reason}`,
    error({ kind: 'network', networkReason: reason, detail: 'ECODE' }),
    reason === 'refused' || reason === 'dns' ? ['retry', 'openSettings', 'showLog'] : ['retry', 'showLog'],
  ]),
  ...tlsProblems.map((problem): [string, GenosError, ErrorAction[]] => [
    `tls ${problem}`,
    error({ kind: 'network', networkReason: 'tls', tlsProblem: problem, certificate, detail: 'CODE' }),
    ['retry', 'openSettings', 'showLog'],
  ]),
  [
    'tls without a certificate',
    error({ kind: 'network', networkReason: 'tls', tlsProblem: 'untrusted' }),
    ['retry', 'openSettings', 'showLog'],
  ],
  [
    'proxy unreachable',
    error({ kind: 'network', networkReason: 'proxy', detail: 'http://proxy:8080 ECONNREFUSED' }),
    ['retry', 'openSettings', 'showLog'],
  ],
  [
    'proxy certificate refused',
    error({ kind: 'network', networkReason: 'proxy', tlsProblem: 'untrusted', detail: 'https://proxy:8443 CERT' }),
    ['retry', 'openSettings', 'showLog'],
  ],
  ['407', error({ kind: 'proxyAuth', status: 407 }), ['openSettings', 'retry']],
  ['response timeout', error({ kind: 'timeout', timeoutPhase: 'response', timeoutSeconds: 60 }), ['retry', 'showLog']],
  ['idle timeout', error({ kind: 'timeout', timeoutPhase: 'idle', timeoutSeconds: 60 }), ['retry', 'showLog']],
  [
    'stream error with a reason',
    error({ kind: 'streamError', serverMessage: 'CUDA out of memory' }),
    ['retry', 'showLog'],
  ],
  ['stream error without one', error({ kind: 'streamError' }), ['retry', 'showLog']],
  ['malformed', error({ kind: 'malformed' }), ['retry', 'showLog']],
  ['cancelled', error({ kind: 'cancelled' }), ['retry']],
  ['internal', error({ kind: 'internal' }), ['showLog', 'retry']],
];

describe('error messages and next steps', () => {
  it('gives every kind of failure its own message, in English and Korean', () => {
    const seen = new Map<string, string>();
    for (const [name, failure] of cases) {
      const en = describeError(failure, english);
      const ko = describeError(failure, korean());
      assert.ok(en.length > 5, `${name}: ${en}`);
      assert.match(ko, /[가-힣]/, `${name} is not in Korean: ${ko}`);
      assert.doesNotMatch(en, /\{\d\}/, `${name} has an unfilled placeholder: ${en}`);
      assert.ok(!seen.has(en), `${name} says the same as ${seen.get(en)}: ${en}`);
      seen.set(en, name);
    }
  });

  it('offers the next steps that fit each failure, most useful first', () => {
    for (const [name, failure, actions] of cases) assert.deepEqual(errorActions(failure), actions, name);
  });

  it('names what the user must check: values from the failure appear in the message', () => {
    const text = (init: Partial<GenosErrorInit> & Pick<GenosErrorInit, 'kind'>) => describeError(error(init), english);
    assert.match(
      text({ kind: 'badRequest', status: 422, serverMessage: 'field required' }),
      /\(422\): field required$/,
    );
    assert.match(text({ kind: 'rateLimited', retryAfterSeconds: 30 }), /in 30 seconds/);
    assert.match(text({ kind: 'server', status: 503 }), /\(503\)/);
    assert.match(
      text({ kind: 'redirect', detail: 'https://sso.example.com' }),
      /redirect to https:\/\/sso\.example\.com/,
    );
    assert.match(text({ kind: 'timeout', timeoutPhase: 'idle', timeoutSeconds: 45 }), /no data for 45 seconds/);
    assert.match(text({ kind: 'timeout', timeoutPhase: 'response', timeoutSeconds: 45 }), /within 45 seconds/);
    assert.match(text({ kind: 'network', networkReason: 'other', detail: 'EWEIRD' }), /\(EWEIRD\)/);
    assert.match(
      text({ kind: 'network', networkReason: 'tls', tlsProblem: 'expired', certificate }),
      /CN=genos\.example\.com, issuer CN=Corp CA\) expired on Jan {2}1 00:00:00 2026 GMT/,
    );
    assert.match(
      text({ kind: 'network', networkReason: 'tls', tlsProblem: 'other', detail: 'ERR_SSL_WRONG_VERSION_NUMBER' }),
      /\(ERR_SSL_WRONG_VERSION_NUMBER\)/,
    );
    assert.match(
      text({ kind: 'network', networkReason: 'tls', detail: 'DEPTH_ZERO_SELF_SIGNED_CERT' }),
      /self-signed/,
      'the problem is read from the code when not given',
    );
    assert.match(
      text({ kind: 'network', networkReason: 'proxy', detail: 'http://proxy:8080 ECONNREFUSED' }),
      /\(http:\/\/proxy:8080 ECONNREFUSED\)/,
    );
    assert.match(text({ kind: 'streamError', serverMessage: 'CUDA out of memory' }), /: CUDA out of memory$/);
  });

  it('says the text received so far is kept, except when the user stopped', () => {
    const partial = error({ kind: 'network', networkReason: 'reset' }).withPartial('부분', '');
    assert.match(describeError(partial, english), /The text received so far is kept\.$/);
    assert.equal(
      describeError(error({ kind: 'network', networkReason: 'reset' }), english),
      'The connection to GenOS was closed unexpectedly.',
    );
    assert.equal(describeError(error({ kind: 'cancelled' }).withPartial('부분', ''), english), 'Stopped.');
    const first = error({ kind: 'server' }).withPartial('first', 'r1').withPartial('second', 'r2');
    assert.deepEqual([first.partialText, first.partialReasoning], ['first', 'r1'], 'the first attachment wins');
  });
});
