import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { modelDisplayName, toChatMessages, toolInput } from '../../../../src/host/nativeChat/lmMessages';

// Parts shaped as VS Code's LanguageModelTextPart, LanguageModelToolCallPart and LanguageModelToolResultPart.
const text = (value: string) => ({ value });
const call = (callId: string, name: string, input: object) => ({ callId, name, input });
const result = (callId: string, content: unknown[]) => ({ callId, content });

describe('VS Code chat messages in the OpenAI shape', () => {
  it("keeps roles and text, and joins a message's text parts", () => {
    const messages = toChatMessages([
      { role: 3, content: [text('You are terse.')], name: undefined },
      { role: 1, content: [text('설명해 '), text('주세요')], name: undefined },
      { role: 2, content: [text('네.')], name: undefined },
    ]);
    assert.deepEqual(messages, [
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: '설명해 주세요' },
      { role: 'assistant', content: '네.' },
    ]);
  });

  it("sends an assistant's tool calls as tool_calls and each result as a tool message before the user's text", () => {
    const messages = toChatMessages([
      { role: 1, content: [text('Read a.ts')], name: undefined },
      {
        role: 2,
        content: [text('Reading.'), call('c1', 'readFile', { path: 'a.ts' }), call('c2', 'listFiles', {})],
        name: undefined,
      },
      {
        role: 1,
        content: [
          result('c1', [text('export const a = 1;')]),
          result('c2', [text('a.ts\nb.ts')]),
          text('Now explain.'),
        ],
        name: undefined,
      },
    ]);
    assert.deepEqual(messages, [
      { role: 'user', content: 'Read a.ts' },
      {
        role: 'assistant',
        content: 'Reading.',
        tool_calls: [
          { id: 'c1', type: 'function', function: { name: 'readFile', arguments: '{"path":"a.ts"}' } },
          { id: 'c2', type: 'function', function: { name: 'listFiles', arguments: '{}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'c1', content: 'export const a = 1;' },
      { role: 'tool', tool_call_id: 'c2', content: 'a.ts\nb.ts' },
      { role: 'user', content: 'Now explain.' },
    ]);
  });

  it('leaves out empty messages and parts it cannot send (images)', () => {
    const messages = toChatMessages([
      { role: 1, content: [{ mimeType: 'image/png', data: new Uint8Array(3) }], name: undefined },
      { role: 2, content: [], name: undefined },
      { role: 1, content: ['plain string part'], name: undefined },
    ]);
    assert.deepEqual(messages, [{ role: 'user', content: 'plain string part' }]);
  });

  it("reads a tool call's arguments as an object, and refuses what is not one", () => {
    assert.deepEqual(toolInput({ id: 'c', name: 'f', arguments: '{"a":[1,2]}' }), { a: [1, 2] });
    assert.deepEqual(toolInput({ id: 'c', name: 'f', arguments: '  ' }), {});
    assert.equal(toolInput({ id: 'c', name: 'f', arguments: '[1]' }), undefined);
    assert.equal(toolInput({ id: 'c', name: 'f', arguments: 'null' }), undefined);
    assert.equal(toolInput({ id: 'c', name: 'f', arguments: '{"a":' }), undefined);
  });

  it('names models for the picker: ids as they are, served paths shortened', () => {
    assert.equal(modelDisplayName('Qwen2.5-Coder-7B'), 'Qwen2.5-Coder-7B');
    assert.equal(modelDisplayName('/models/Qwen/Qwen3-8B'), 'Qwen/Qwen3-8B');
    assert.equal(modelDisplayName('/model/snapshots/9eb2daaa8597bf192a8b0e73f848f3a102794df5'), 'model (9eb2daa)');
  });
});
