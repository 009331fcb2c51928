/**
 * Edges of the pure rules the other unit tests show working: how prompts are laid out, how a token
 * and an address are read, and what the log is told when an address is refused.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { apiUrl, buildEndpoint, isLoopbackHost } from '../../../src/client/endpoint';
import type { GenosError } from '../../../src/client/errors';
import { rewriteQuestion, selectionContext, userContent, type Selection } from '../../../src/client/prompts';
import { normalizeToken } from '../../../src/client/token';

const selection: Selection = {
  code: 'x = 1\n',
  language: 'python',
  fileName: 'a.py',
  startLine: 3,
  endLine: 3,
  before: '',
  after: '',
};

describe('prompt layout', () => {
  it('separates several context blocks by a blank line', () => {
    const blocks = [
      { label: 'a.py:1', language: 'python', text: 'a = 1' },
      { label: 'b.py:2', language: 'python', text: 'b = 2' },
    ];
    assert.equal(userContent('q', blocks), 'a.py:1:\n```python\na = 1\n```\n\nb.py:2:\n```python\nb = 2\n```\n\nq');
  });

  it('sends the lines around a selection when only those before or only those after were taken', () => {
    assert.equal(
      selectionContext({ ...selection, before: 'import os' })[1].text,
      'import os\n<<< the selected code is here >>>',
    );
    assert.equal(
      selectionContext({ ...selection, after: 'print(x)' })[1].text,
      '<<< the selected code is here >>>\nprint(x)',
    );
    assert.equal(
      selectionContext({ ...selection, after: 'print(x)' })[1].label,
      'Lines around it in a.py, for context only',
    );
  });

  it('asks for a rewrite in these words', () => {
    assert.equal(
      rewriteQuestion(selection, ' add types '),
      'Rewrite the selected python code from a.py as asked. Answer with the complete replacement for the selection only, in a single fenced code block, with no explanation before or after it. Keep the indentation of the original.\n\nRequest: add types',
    );
  });
});

describe('reading a pasted token', () => {
  it('drops only a leading Bearer', () => {
    assert.equal(normalizeToken('tokenbearer'), 'tokenbearer');
    assert.equal(normalizeToken('Bearer abc'), 'abc');
    assert.equal(normalizeToken('bearerabc'), 'bearerabc');
  });
});

describe('reading the GenOS address, at the edges', () => {
  const refused = (base: string, id: string): GenosError => {
    try {
      buildEndpoint(base, id);
    } catch (error) {
      return error as GenosError;
    }
    throw new Error(`${base} was accepted`);
  };

  it('tells the log why an address was refused', () => {
    const table: Array<[string, string, string, string]> = [
      ['  ', 'x', 'missingBaseUrl', 'The GenOS address is not set.'],
      [
        'genos.example.com/?next=https://x',
        'x',
        'invalidBaseUrl',
        'The GenOS address must start with https:// or http://.',
      ],
      ['ftp://genos.example.com', 'x', 'unsupportedScheme', 'The GenOS address uses ftp:; only https: and http: work.'],
      [
        'https://:secret@genos.example.com',
        'x',
        'credentialsInUrl',
        'The GenOS address contains a user name or password.',
      ],
      [
        'https://genos.example.com/api/gateway/rep/serving/abc',
        'other',
        'servingIdConflict',
        'The GenOS address names a different serving than the serving id setting.',
      ],
      ['https://genos.example.com', ' ', 'missingServingId', 'The serving id is not set.'],
      [
        'https://genos.example.com',
        'a/b',
        'invalidServingId',
        'The serving id may contain only letters, digits, ".", "_", "~" and "-".',
      ],
    ];
    for (const [base, id, problem, message] of table) {
      const error = refused(base, id);
      assert.equal(error.configProblem, problem, base);
      assert.equal(error.message, message, base);
    }
    const unparsable = refused('https://genos example.com', 'x');
    assert.equal(unparsable.configProblem, 'invalidBaseUrl');
    assert.match(unparsable.message, /^The GenOS address is not a valid URL \(TypeError.*\)\.$/);
  });

  it('takes a pasted serving path only when the address ends with it', () => {
    assert.equal(
      buildEndpoint('https://g.example.com/api/gateway/rep/serving/abc/v1', '').pathname,
      '/api/gateway/rep/serving/abc',
    );
    assert.equal(
      buildEndpoint('https://g.example.com/api/gateway/rep/serving/abc/v1/extra', 'x').pathname,
      '/api/gateway/rep/serving/abc/v1/extra/api/gateway/rep/serving/x',
    );
  });

  it('appends an API path after every trailing slash of the endpoint', () => {
    assert.equal(apiUrl(new URL('https://g.example.com/a/b//'), '/v1/models').pathname, '/a/b/v1/models');
  });

  it('takes only IPv4-mapped loopback for loopback, not an address that merely contains it', () => {
    assert.equal(isLoopbackHost('[::ffff:7f00:1]'), true);
    assert.equal(isLoopbackHost('[fe80::ffff:7f00:1]'), false);
  });
});
