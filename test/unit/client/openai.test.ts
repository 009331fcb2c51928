import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import {
  cleanServerText,
  errorMessageOf,
  parseChunk,
  parseCompletion,
  parseContextLimit,
  parseModelInfo,
  parseModels,
  parseTextCompletion,
  refusesTools,
  type ChunkResult,
} from '../../../src/client/openai';
import { parseRetryAfter } from '../../../src/client/http';

const seedChunk = JSON.stringify({
  id: 'chat-5a11ac760ced4c549b02b41ffac3b62b',
  object: 'chat.completion.chunk',
  created: 1737018387,
  model: '/model/snapshots/9eb2daaa8597bf192a8b0e73f848f3a102794df5',
  choices: [{ index: 0, delta: { content: ' 지내고' }, logprobs: null, finish_reason: 'stop', stop_reason: null }],
});

describe('parseChunk', () => {
  const table: Array<[string, string, string | undefined, ChunkResult]> = [
    [
      'the seed document chunk',
      seedChunk,
      undefined,
      {
        kind: 'events',
        events: [
          { type: 'content', text: ' 지내고' },
          { type: 'finish', reason: 'stop' },
        ],
      },
    ],
    ['[DONE]', '[DONE]', undefined, { kind: 'done' }],
    [
      'the role-only first chunk',
      '{"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}',
      undefined,
      { kind: 'events', events: [] },
    ],
    [
      'reasoning_content',
      '{"choices":[{"index":0,"delta":{"reasoning_content":"음"}}]}',
      undefined,
      { kind: 'events', events: [{ type: 'reasoning', text: '음' }] },
    ],
    [
      'reasoning (newer vLLM)',
      '{"choices":[{"index":0,"delta":{"reasoning":"hm"}}]}',
      undefined,
      { kind: 'events', events: [{ type: 'reasoning', text: 'hm' }] },
    ],
    [
      'the usage chunk',
      '{"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":7,"total_tokens":12}}',
      undefined,
      { kind: 'events', events: [{ type: 'usage', usage: { promptTokens: 5, completionTokens: 7, totalTokens: 12 } }] },
    ],
    ['an empty keep-alive event', '', undefined, { kind: 'events', events: [] }],
    ['a proxy ping object', '{}', 'ping', { kind: 'events', events: [] }],
    ['vLLM error, wrapped', '{"error":{"message":"boom","code":500}}', undefined, { kind: 'error', message: 'boom' }],
    [
      'vLLM error, older shape',
      '{"object":"error","message":"too long","type":"BadRequestError","code":400}',
      undefined,
      { kind: 'error', message: 'too long' },
    ],
    ['an SSE error event', 'overloaded', 'error', { kind: 'error', message: 'overloaded' }],
    ['an empty SSE error event', '', 'error', { kind: 'error', message: '' }],
    [
      'an SSE error event with a JSON error',
      '{"error":{"message":"shutting down"}}',
      'error',
      { kind: 'error', message: 'shutting down' },
    ],
    [
      'an error with a string detail',
      '{"detail":"Not authenticated"}',
      undefined,
      { kind: 'error', message: 'Not authenticated' },
    ],
    [
      'a chunk that is not JSON',
      '{"choices": [',
      undefined,
      { kind: 'malformed', message: 'A stream event is not JSON.' },
    ],
    ['a JSON array', '[1,2]', undefined, { kind: 'malformed', message: 'A stream event is not a JSON object.' }],
  ];
  for (const [name, data, event, expected] of table) {
    it(name, () => assert.deepEqual(parseChunk(data, event), expected));
  }
});

describe('whole answers and model lists', () => {
  it('reads a non-streamed completion with reasoning', () => {
    const body = JSON.stringify({
      choices: [
        { index: 0, message: { role: 'assistant', content: '안녕', reasoning_content: '생각' }, finish_reason: 'stop' },
      ],
    });
    assert.deepEqual(parseCompletion(body), {
      kind: 'events',
      events: [
        { type: 'reasoning', text: '생각' },
        { type: 'content', text: '안녕' },
        { type: 'finish', reason: 'stop' },
      ],
    });
  });

  it('reads the text of a /v1/completions answer and refuses what is not one', () => {
    assert.equal(
      parseTextCompletion(
        '{"object":"text_completion","choices":[{"index":0,"text":"a + b;","finish_reason":"stop"}]}',
      ),
      'a + b;',
    );
    assert.equal(parseTextCompletion('{"choices":[{"index":1,"text":"other"},{"index":0,"text":""}]}'), '');
    for (const bad of [
      '<html>',
      '[]',
      '{"choices":[]}',
      '{"choices":[{"index":0,"message":{"content":"x"}}]}',
      '{"data":[]}',
    ]) {
      assert.equal(parseTextCompletion(bad), undefined, bad);
    }
  });

  it('reads the models list and refuses what is not one', () => {
    assert.deepEqual(parseModels('{"object":"list","data":[{"id":"a"},{"id":"b"}]}'), ['a', 'b']);
    assert.equal(parseModels('<html>'), undefined);
    assert.equal(parseModels('{"models":[]}'), undefined);
  });
});

describe('server text and Retry-After', () => {
  it('keeps a JSON error message, drops HTML, redacts the token', () => {
    assert.equal(
      cleanServerText('{"object":"error","message":"out of memory"}', 'application/json', 'tok-123456'),
      'out of memory',
    );
    assert.equal(cleanServerText('<html><body>502 Bad Gateway</body></html>', 'text/html', 'tok-123456'), undefined);
    assert.equal(cleanServerText('{"detail":"bad token sk-SECRET"}', 'application/json', 'sk-SECRET'), 'bad token ***');
    assert.equal(cleanServerText('x'.repeat(1000), 'application/json', 'tok-123456'), undefined);
    assert.equal(
      cleanServerText(JSON.stringify({ message: 'y'.repeat(1000) }), 'application/json', 'tok-123456')?.length,
      300,
    );
  });

  it('shows a server message as one clean line: no control characters, no runs of space', () => {
    const noisy = JSON.stringify({ message: 'line one\n\tline\u0007two\u001b[31m red\u007f  end  ' });
    assert.equal(cleanServerText(noisy, 'application/json', 'tok-123456'), 'line one line two [31m red end');
    assert.equal(cleanServerText('plain text\r\nfrom a proxy', 'text/plain', 'tok-123456'), 'plain text from a proxy');
    assert.equal(cleanServerText('  \u0000\u0001  ', 'text/plain', 'tok-123456'), undefined);
    assert.equal(cleanServerText('', 'application/json', 'tok-123456'), undefined);
    assert.equal(cleanServerText('<!DOCTYPE html><p>x</p>', undefined, 'tok-123456'), undefined);
  });

  it('parses seconds and HTTP dates', () => {
    assert.equal(parseRetryAfter('30'), 30);
    assert.equal(parseRetryAfter(undefined), undefined);
    assert.equal(parseRetryAfter('soon'), undefined);
    const now = Date.parse('2026-01-01T00:00:00Z');
    assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', now), 10);
    assert.equal(parseRetryAfter(' 7 '), 7);
    assert.equal(parseRetryAfter('Wed, 31 Dec 2025 23:59:00 GMT', now), 0, 'a date in the past means now');
    assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:00 GMT', now - 1500), 2, 'rounded up');
  });
});

describe('every shape a server or gateway sends, field by field', () => {
  it('finds the error message in each format, and nothing where there is none', () => {
    const cases: Array<[unknown, string | undefined]> = [
      [{ error: 'plain text' }, 'plain text'],
      [{ error: { message: 'nested' } }, 'nested'],
      [{ error: { code: 500 } }, undefined],
      [{ object: 'error', message: 'vllm' }, 'vllm'],
      [{ object: 'other', message: 'kept only without choices', choices: [] }, undefined],
      [{ object: 'error', message: 42 }, undefined],
      [{ detail: 'fastapi' }, 'fastapi'],
      [{ detail: [{ msg: 'field required' }] }, 'field required'],
      [{ detail: [{ loc: ['body'] }] }, undefined],
      [{ detail: [] }, undefined],
      [{ message: 'bare' }, 'bare'],
      [{ message: 'a chunk', choices: [] }, undefined],
      // A shape that does not hold a message lets the next one be looked for.
      [{ error: { code: 500 }, detail: 'from detail' }, 'from detail'],
      [{ detail: [{ loc: ['body'] }], message: 'from message' }, 'from message'],
      [{ object: 'error', message: 'vllm beside choices', choices: [] }, 'vllm beside choices'],
      ['a string', undefined],
      [null, undefined],
      [['error'], undefined],
    ];
    for (const [value, expected] of cases) assert.equal(errorMessageOf(value), expected, JSON.stringify(value));
  });

  it('takes choice 0 (or the one without an index), skipping others and junk', () => {
    const chunk = (choices: unknown) => parseChunk(JSON.stringify({ choices }));
    assert.deepEqual(
      chunk([{ index: 1, delta: { content: 'second' } }, null, 'x', { index: 0, delta: { content: 'first' } }]),
      { kind: 'events', events: [{ type: 'content', text: 'first' }] },
    );
    assert.deepEqual(chunk([{ delta: { content: 'no index' } }]), {
      kind: 'events',
      events: [{ type: 'content', text: 'no index' }],
    });
    assert.deepEqual(chunk([{ index: 1, delta: { content: 'only 1' } }]), { kind: 'events', events: [] });
    assert.deepEqual(chunk('not a list'), { kind: 'events', events: [] });
    // Empty or non-string fields make no event.
    assert.deepEqual(
      chunk([{ index: 0, delta: { content: '', reasoning_content: '', reasoning: 5 }, finish_reason: '' }]),
      { kind: 'events', events: [] },
    );
    assert.deepEqual(chunk([{ index: 0, delta: { content: 7 }, finish_reason: 3 }]), { kind: 'events', events: [] });
  });

  it("reads tool calls piece by piece, numbering a whole message's calls by position, skipping junk", () => {
    const delta = (calls: unknown) =>
      parseChunk(JSON.stringify({ choices: [{ index: 0, delta: { tool_calls: calls } }] }));
    assert.deepEqual(
      delta([null, 'x', { index: 3, id: 'call_1', type: 'function', function: { name: 'read', arguments: '{"a"' } }]),
      {
        kind: 'events',
        events: [{ type: 'toolCallDelta', index: 3, id: 'call_1', name: 'read', arguments: '{"a"' }],
      },
    );
    // Empty or non-string fields are left out, not passed on.
    assert.deepEqual(
      delta([
        { index: 0, id: '', function: { name: '', arguments: '' } },
        { index: 1, id: 5, function: { name: 7, arguments: {} } },
        { index: 2, function: 'read' },
      ]),
      {
        kind: 'events',
        events: [
          { type: 'toolCallDelta', index: 0 },
          { type: 'toolCallDelta', index: 1 },
          { type: 'toolCallDelta', index: 2 },
        ],
      },
    );
    const whole = parseCompletion(
      JSON.stringify({
        choices: [
          {
            message: {
              tool_calls: [
                { id: 'a', function: { name: 'f', arguments: '{}' } },
                { id: 'b', function: { name: 'g', arguments: '[]' } },
              ],
            },
          },
        ],
      }),
    );
    assert.deepEqual(whole, {
      kind: 'events',
      events: [
        { type: 'toolCallDelta', index: 0, id: 'a', name: 'f', arguments: '{}' },
        { type: 'toolCallDelta', index: 1, id: 'b', name: 'g', arguments: '[]' },
      ],
    });
    assert.deepEqual(parseChunk('{"choices":[{"index":0,"delta":{"reasoning":5}}]}'), { kind: 'events', events: [] });
  });

  it('knows a refusal of tools in the words vLLM and gateways use, and nothing else', () => {
    for (const message of [
      '"auto" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set',
      'Unknown parameter: toolChoice',
      'tool_calls are not allowed here',
      'Tool is not supported for this model',
      'Tools are not enabled on this serving',
      'This model does not support tools',
    ]) {
      assert.equal(refusesTools(message), true, message);
    }
    for (const message of [undefined, '', 'The prompt is too long', 'toolbox error']) {
      assert.equal(refusesTools(message), false, String(message));
    }
  });

  it('reads usage, adding the total when missing, and ignores usage that is not numbers', () => {
    const usage = (value: unknown) => parseChunk(JSON.stringify({ choices: [], usage: value }));
    assert.deepEqual(usage({ prompt_tokens: 10, completion_tokens: 5 }), {
      kind: 'events',
      events: [{ type: 'usage', usage: { promptTokens: 10, completionTokens: 5, totalTokens: 15 } }],
    });
    assert.deepEqual(usage({ prompt_tokens: 10, completion_tokens: 5, total_tokens: 99 }), {
      kind: 'events',
      events: [{ type: 'usage', usage: { promptTokens: 10, completionTokens: 5, totalTokens: 99 } }],
    });
    for (const bad of [
      { prompt_tokens: 'x', completion_tokens: 1 },
      { prompt_tokens: 1, completion_tokens: 'y' },
      { prompt_tokens: 1, completion_tokens: 1, total_tokens: 'z' },
      'usage',
      null,
    ]) {
      assert.deepEqual(usage(bad), { kind: 'events', events: [] }, JSON.stringify(bad));
    }
  });

  it('tells [DONE], empty pings, error events and errors beside choices apart', () => {
    assert.deepEqual(parseChunk('  [DONE]\n'), { kind: 'done' });
    assert.deepEqual(parseChunk('  '), { kind: 'events', events: [] });
    assert.deepEqual(parseChunk('{"message":"overloaded"}', 'error'), { kind: 'error', message: 'overloaded' });
    assert.deepEqual(parseChunk('{}', 'error'), { kind: 'error', message: 'The server reported an error.' });
    assert.deepEqual(parseChunk('{"error":{"message":"boom"}}'), { kind: 'error', message: 'boom' });
    // A chunk that has choices is an answer even when it carries a message field.
    assert.deepEqual(parseChunk('{"message":"note","choices":[{"index":0,"delta":{"content":"ok"}}]}'), {
      kind: 'events',
      events: [{ type: 'content', text: 'ok' }],
    });
  });

  it('reads whole answers and refuses what is not one, saying which', () => {
    assert.deepEqual(parseCompletion('not json'), { kind: 'malformed', message: 'The answer is not JSON.' });
    assert.deepEqual(parseCompletion('{"id":"x"}'), { kind: 'malformed', message: 'The answer has no choices.' });
    assert.deepEqual(parseCompletion('[1]'), { kind: 'malformed', message: 'The answer has no choices.' });
    assert.deepEqual(parseCompletion('{"object":"error","message":"bad model"}'), {
      kind: 'error',
      message: 'bad model',
    });
    assert.deepEqual(
      parseCompletion('{"choices":[{"index":0,"message":{"content":"whole"},"finish_reason":"stop"}]}'),
      {
        kind: 'events',
        events: [
          { type: 'content', text: 'whole' },
          { type: 'finish', reason: 'stop' },
        ],
      },
    );
    assert.equal(parseTextCompletion('{"choices":[{"index":1,"text":"b"},{"index":0,"text":"a"}]}'), 'a');
    assert.equal(parseTextCompletion('{"choices":[{"index":0,"text":5}]}'), undefined);
    assert.equal(parseTextCompletion('{"choices":[{"text":"no index"}]}'), 'no index');
    assert.equal(parseTextCompletion('{"choices":[]}'), undefined);
    assert.equal(parseTextCompletion('{'), undefined);
  });

  it('lists models with a window only when it is a positive whole number', () => {
    const data = [
      { id: 'a', max_model_len: 8192 },
      { id: 'b', max_model_len: 0 },
      { id: 'c', max_model_len: -1 },
      { id: 'd', max_model_len: 1.5 },
      { id: 'e', max_model_len: '8192' },
      { id: 7 },
      null,
      { id: 'f', max_model_len: 1 },
    ];
    assert.deepEqual(parseModelInfo(JSON.stringify({ data })), [
      { id: 'a', maxModelLen: 8192 },
      { id: 'b' },
      { id: 'c' },
      { id: 'd' },
      { id: 'e' },
      { id: 'f', maxModelLen: 1 },
    ]);
  });

  it('cleans server text: JSON read, HTML and long text dropped, 300 characters at most, token hidden', () => {
    const token = 'secret-token';
    assert.equal(cleanServerText('', 'text/plain', token), undefined);
    assert.equal(cleanServerText('   ', 'text/plain', token), undefined);
    assert.equal(cleanServerText('{"message":"from json"}', undefined, token), 'from json');
    assert.equal(cleanServerText('  {"message":"spaced json"}', 'text/plain', token), 'spaced json');
    assert.equal(cleanServerText('{broken', 'application/json', token), undefined);
    assert.equal(cleanServerText('plain words', 'text/html', token), undefined);
    assert.equal(cleanServerText('<!DOCTYPE html><p>x</p>', 'text/plain', token), undefined);
    assert.equal(cleanServerText('  <html>x</html>', undefined, token), undefined);
    assert.equal(cleanServerText('a <b>tag</b> inside text', 'text/plain', token), 'a <b>tag</b> inside text');
    assert.equal(cleanServerText('quota exceeded {limit 42}', 'text/plain', token), 'quota exceeded {limit 42}');
    assert.equal(cleanServerText('see the <html> page', 'text/plain', token), 'see the <html> page');
    assert.equal(cleanServerText('["not an object"]', 'application/json', token), undefined);
    assert.equal(cleanServerText('x'.repeat(300), 'text/plain', token), 'x'.repeat(300));
    assert.equal(cleanServerText('x'.repeat(301), 'text/plain', token), undefined);
    assert.equal(
      cleanServerText(JSON.stringify({ message: 'y'.repeat(300) }), 'application/json', token),
      'y'.repeat(300),
    );
    assert.equal(
      cleanServerText(JSON.stringify({ message: 'y'.repeat(301) }), 'application/json', token),
      `${'y'.repeat(299)}…`,
    );
    assert.equal(cleanServerText(`bad ${token} and ${token}`, 'text/plain', token), 'bad *** and ***');
    assert.equal(cleanServerText('tab\there\u0007bell\u007fdel', 'text/plain', ''), 'tab here bell del');
    assert.equal(cleanServerText('\u0001\u0002', 'text/plain', ''), undefined);
    assert.equal(parseContextLimit(undefined), undefined);
    assert.equal(parseContextLimit(''), undefined);
  });
});
