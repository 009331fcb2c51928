import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { normalizeToken } from '../../../src/client/token';

describe('a pasted access token', () => {
  it('loses surrounding space and a leading Bearer, whatever its case', () => {
    assert.equal(normalizeToken('  abc.DEF-123_~+/=  '), 'abc.DEF-123_~+/=');
    assert.equal(normalizeToken('Bearer abc'), 'abc');
    assert.equal(normalizeToken('bearer\tabc'), 'abc');
    assert.equal(normalizeToken('BEARER   abc\n'), 'abc');
    assert.equal(normalizeToken('Bearerabc'), 'Bearerabc');
  });

  it('is refused when it cannot travel in an HTTP header', () => {
    for (const bad of [
      '',
      '   ',
      'Bearer ',
      'two words',
      'tab\tinside',
      'new\nline',
      '인증키',
      'é',
      'nul\u0000',
      'del\u007f',
    ]) {
      assert.equal(normalizeToken(bad), undefined, JSON.stringify(bad));
    }
  });
});
