import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { isOpenableLink, parseWebviewMessage } from '../../../src/shared/protocol';

describe('messages from the webview', () => {
  it('accepts each well-formed message, typed, without extra fields', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'ready' }), { type: 'ready' });
    assert.deepEqual(parseWebviewMessage({ type: 'send', clientId: 'c1', text: '안녕', extra: 'dropped' }), {
      type: 'send',
      clientId: 'c1',
      text: '안녕',
    });
    assert.deepEqual(parseWebviewMessage({ type: 'action', action: 'setToken' }), {
      type: 'action',
      action: 'setToken',
      requestId: undefined,
    });
    assert.deepEqual(parseWebviewMessage({ type: 'attach', kind: 'file' }), { type: 'attach', kind: 'file' });
    assert.deepEqual(parseWebviewMessage({ type: 'openLink', href: 'https://x' }), {
      type: 'openLink',
      href: 'https://x',
    });
  });

  it('refuses what does not fit', () => {
    for (const bad of [
      null,
      undefined,
      'ready',
      [],
      { type: 'send', text: 'x' },
      { type: 'send', clientId: 'c', text: 1 },
      { type: 'action', action: 'exec' },
      { type: 'retry' },
      { type: 'attach', kind: 'url' },
      { type: 'unknown' },
      { type: 'copy', text: 'x'.repeat(1_000_001) },
    ]) {
      assert.equal(parseWebviewMessage(bad), undefined, JSON.stringify(bad)?.slice(0, 80));
    }
  });

  it('opens only http(s) and mailto links', () => {
    assert.ok(isOpenableLink('https://genos.example.com/docs'));
    assert.ok(isOpenableLink('mailto:dev@example.com'));
    assert.ok(isOpenableLink('http://127.0.0.1:8080'));
    for (const bad of [
      'javascript:alert(1)',
      'file:///etc/passwd',
      'command:workbench.action.terminal.new',
      'vscode://x',
      'data:text/html,x',
      'not a url',
    ]) {
      assert.ok(!isOpenableLink(bad), bad);
    }
  });
});
