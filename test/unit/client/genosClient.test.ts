import { strict as assert } from 'node:assert';
import { getEventListeners } from 'node:events';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { buildEndpoint } from '../../../src/client/endpoint';
import { describeError, describeRetryWait, english, errorActions } from '../../../src/client/errorMessages';
import { GenosError } from '../../../src/client/errors';
import { GenosClient, type ClientConfig } from '../../../src/client/genosClient';
import type { ChatMessage } from '../../../src/client/openai';
import { collect, failure } from '../../support/collect';
import { FakeGenos, splitDeltas } from '../../support/genosServer';
import { korean } from '../../support/l10n';
import { waitUntil } from '../../support/wait';

const question: ChatMessage[] = [
  { role: 'system', content: '당신은 유용한 어시스턴트입니다.' },
  { role: 'user', content: '안녕하세요, 잘 지내고 있나요?' },
];
const answer = '안녕하세요! 저는 잘 지내고 있습니다. 무엇이든 물어보세요!';

let server: FakeGenos;
let logLines: string[];

function client(overrides: Partial<ClientConfig> = {}): GenosClient {
  return new GenosClient({
    endpoint: buildEndpoint(server.baseUrl, server.servingId),
    token: server.token,
    timeoutMs: 5_000,
    retry: { maxRetries: 2, baseDelayMs: 10, maxDelayMs: 2_000 },
    log: { info: (line) => logLines.push(line), warn: (line) => logLines.push(line) },
    ...overrides,
  });
}

const chat = (c: GenosClient, signal?: AbortSignal) => collect(c.chat(question, { model: server.models[0] }, signal));

beforeEach(async () => {
  server = new FakeGenos({ prefix: '/genos' });
  await server.start();
  logLines = [];
});
afterEach(async () => {
  await server.close();
  // The token must never reach the log, whatever happened in the test.
  for (const line of logLines) assert.ok(!line.includes(server.token), `token in log line: ${line}`);
});

describe('the protocol', () => {
  it('lists models through the gateway path with the bearer token', async () => {
    server.models = ['Qwen3-8B', 'gemma'];
    assert.deepEqual(await client().listModels(), ['Qwen3-8B', 'gemma']);
    const request = server.requests[0];
    assert.equal(request.path, '/genos/api/gateway/rep/serving/43/v1/models');
    assert.equal(request.headers.authorization, `Bearer ${server.token}`);
    // A GET asks for JSON and, having no body, says nothing of one.
    assert.equal(request.headers.accept, 'application/json');
    assert.equal(request.headers['content-type'], undefined);
  });

  it('times a connection test: the headers first, then the whole list', async () => {
    const started = performance.now();
    const probe = await client().probe();
    const elapsed = performance.now() - started;
    assert.ok(
      probe.headersMs > 0 && probe.headersMs <= probe.totalMs && probe.totalMs <= elapsed,
      `${probe.headersMs} ${probe.totalMs} ${elapsed}`,
    );
  });

  it('streams an answer, asking for usage, and reports usage and finish', async () => {
    server.chatQueue.push({ type: 'stream', content: splitDeltas(answer, 3) });
    const result = await chat(client({ userId: '653' }));
    assert.equal(result.text, answer);
    assert.equal(result.finish, 'stop');
    const prompt = server.countTokens(question);
    assert.deepEqual(result.usage, {
      promptTokens: prompt,
      completionTokens: splitDeltas(answer, 3).length,
      totalTokens: prompt + splitDeltas(answer, 3).length,
    });
    const request = server.chatRequests[0];
    assert.deepEqual(request.body, {
      model: server.models[0],
      messages: question,
      stream: true,
      stream_options: { include_usage: true },
    });
    assert.equal(request.headers['x-genos-user-id'], '653');
    assert.equal(request.headers.accept, 'text/event-stream');
    assert.equal(request.headers['content-type'], 'application/json');
  });

  it('reads the last event of a stream that ends without a blank line after it', async () => {
    const delta = (content: string) =>
      `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;
    const finish = `data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}`;
    server.chatQueue.push({ type: 'raw', parts: [delta('끝까지 '), delta('읽기'), finish] });
    const result = await chat(client());
    assert.equal(result.text, '끝까지 읽기');
    assert.equal(result.finish, 'stop');
  });

  it('ignores what follows [DONE] in the same read, finished or not', async () => {
    const delta = (content: string) =>
      `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content }, finish_reason: content ? null : 'stop' }] })}`;
    server.chatQueue.push({
      type: 'raw',
      parts: [`${delta('답')}\n\n${delta('')}\n\ndata: [DONE]\n\n${delta(' 이후')}`],
    });
    assert.equal((await chat(client())).text, '답');
  });

  it('hands a failure thrown in by the consumer back as an internal one, with the text so far', async () => {
    server.chatQueue.push({ type: 'stream', content: ['첫', '둘', '셋'], delayMs: 20 });
    const stream = client().chat(question, { model: 'm' });
    let first = await stream.next();
    while (!first.done && first.value.type !== 'content') first = await stream.next();
    const error = await failure(stream.throw(new Error('consumer broke')));
    assert.equal(error.kind, 'internal');
    assert.equal(error.message, 'Unexpected stream failure: Error: consumer broke');
    assert.equal(error.partialText, '첫');
  });

  it('sends the bearer, the optional user id, and nothing else that identifies the user', async () => {
    server.chatQueue.push({ type: 'stream', content: ['ok'] });
    await chat(client());
    const sent = Object.keys(server.chatRequests[0].headers).sort();
    assert.deepEqual(sent, ['accept', 'authorization', 'connection', 'content-length', 'content-type', 'host']);
  });

  it('passes temperature and max_tokens only when set', async () => {
    server.chatQueue.push({ type: 'stream', content: ['ok'] });
    await collect(client().chat(question, { model: 'm', temperature: 0.2, maxTokens: 64 }));
    assert.deepEqual(server.chatRequests[0].body, {
      model: 'm',
      messages: question,
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0.2,
      max_tokens: 64,
    });
  });

  it('decodes Korean cut inside UTF-8 characters across network reads', async () => {
    // 5-byte pieces cut most three-byte Hangul characters in two.
    server.chatQueue.push({ type: 'stream', content: splitDeltas(answer, 2), pieceBytes: 5 });
    assert.equal((await chat(client())).text, answer);
  });

  it('ignores keep-alive comments', async () => {
    server.chatQueue.push({ type: 'stream', content: splitDeltas(answer, 4), keepAlive: true });
    assert.equal((await chat(client())).text, answer);
  });

  it('reads reasoning from reasoning_content and from reasoning', async () => {
    for (const field of ['reasoning_content', 'reasoning'] as const) {
      server.chatQueue.push({ type: 'stream', reasoning: ['생각', ' 중'], content: ['답'], reasoningField: field });
      const result = await chat(client());
      assert.equal(result.reasoning, '생각 중');
      assert.equal(result.text, '답');
    }
  });

  it('takes reasoning with empty content as a normal answer (Qwen3)', async () => {
    server.chatQueue.push({ type: 'stream', reasoning: splitDeltas('Only thinking, no answer.', 5), content: [] });
    const result = await chat(client());
    assert.equal(result.reasoning, 'Only thinking, no answer.');
    assert.equal(result.text, '');
    assert.equal(result.finish, 'stop');
  });

  it('reads a whole JSON answer when a gateway does not stream', async () => {
    server.chatQueue.push({ type: 'json', content: answer, reasoning: '음' });
    const result = await chat(client());
    assert.equal(result.text, answer);
    assert.equal(result.reasoning, '음');
    // Whole is whole, with or without a finish reason.
    const unfinished = {
      choices: [{ index: 0, message: { role: 'assistant', content: '전체 답' }, finish_reason: null }],
    };
    server.chatQueue.push({ type: 'raw', contentType: 'application/json', parts: [JSON.stringify(unfinished)] });
    assert.equal((await chat(client())).text, '전체 답');
  });

  it('accepts a stream that finishes without [DONE]', async () => {
    server.chatQueue.push({ type: 'stream', content: ['a', 'b'], ending: 'finishNoDone' });
    assert.equal((await chat(client())).text, 'ab');
  });

  it('streams a very large answer (200 KB) intact', async () => {
    const big = '# 큰 답변\n\n' + 'The quick brown fox 빠른 갈색 여우. '.repeat(6000);
    assert.ok(Buffer.byteLength(big) > 200_000);
    server.chatQueue.push({ type: 'stream', content: splitDeltas(big, 3) });
    assert.equal((await chat(client())).text, big);
  });
});

describe('the log, for whoever supports the user', () => {
  it('records each request with its status, and how each stream ended, never the words', async () => {
    server.chatQueue.push({ type: 'stream', content: splitDeltas(answer, 3), reasoning: ['생각'] });
    const started = Date.now();
    await chat(client());
    const elapsed = Date.now() - started;
    for (const line of logLines) {
      const ms = Number(/(\d+) ms$/.exec(line)?.[1]);
      assert.ok(ms >= 0 && ms <= elapsed, `${line} (${elapsed} ms in all)`);
    }
    server.chatQueue.push({ type: 'stream', content: splitDeltas(answer, 3), ending: 'cut', failAfter: 2, delayMs: 5 });
    await failure(chat(client()));
    const path = '/genos/api/gateway/rep/serving/43/v1/chat/completions';
    assert.equal(logLines.length, 4, logLines.join('\n'));
    assert.match(logLines[0], new RegExp(`^POST ${path} 200 \\d+ ms$`));
    assert.match(logLines[1], new RegExp(`^stream complete: ${answer.length} chars, 2 reasoning chars in \\d+ ms$`));
    assert.match(logLines[2], new RegExp(`^POST ${path} 200 \\d+ ms$`));
    const partial = splitDeltas(answer, 3).slice(0, 2).join('').length;
    assert.match(logLines[3], new RegExp(`^stream failed: network after ${partial} chars \\(.+\\)$`));
    for (const line of logLines) {
      assert.ok(!line.includes('안녕') && !line.includes('생각'), `contents in the log: ${line}`);
    }
  });

  it('records a request that could not be made, with the reason', async () => {
    const port = server.port;
    await server.close();
    const c = client({ endpoint: buildEndpoint(`http://127.0.0.1:${port}`, '43'), retry: { maxRetries: 0 } });
    await failure(c.listModels());
    assert.equal(logLines.length, 1, logLines.join('\n'));
    assert.match(logLines[0], /^GET \/api\/gateway\/rep\/serving\/43\/v1\/models failed: .+/);
    await server.start();
  });
});

describe("tools (for agent mode in VS Code's chat)", () => {
  const tools = [
    {
      name: 'readFile',
      description: 'Reads a file',
      parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
    },
    { name: 'listFiles' },
  ];

  it('sends the tools as functions and streams calls back whole, in order, before the finish', async () => {
    const args = JSON.stringify({ path: 'src/한글.ts', lines: [1, 20] });
    server.chatQueue.push({
      type: 'stream',
      content: ['파일을 ', '읽겠습니다.'],
      toolCalls: [
        { name: 'readFile', arguments: args },
        { name: 'listFiles', arguments: '{}' },
      ],
    });
    const result = await collect(client().chat(question, { model: server.models[0], tools }));
    assert.equal(result.text, '파일을 읽겠습니다.');
    assert.deepEqual(
      result.toolCalls.map((call) => [call.name, call.arguments]),
      [
        ['readFile', args],
        ['listFiles', '{}'],
      ],
    );
    assert.ok(
      result.toolCalls.every((call) => /^chatcmpl-tool-\d/.test(call.id)),
      "the server's call ids are kept",
    );
    assert.deepEqual(
      result.events.slice(-3).map((event) => event.type),
      ['toolCall', 'finish', 'usage'],
    );
    assert.equal(result.finish, 'tool_calls');
    const body = server.chatRequests[0].body as Record<string, unknown>;
    assert.equal(body.tool_choice, 'auto');
    assert.deepEqual(body.tools, [
      { type: 'function', function: tools[0] },
      {
        type: 'function',
        function: { name: 'listFiles', description: '', parameters: { type: 'object', properties: {} } },
      },
    ]);
  });

  it('sends no tools field at all without tools, and `required` when asked', async () => {
    server.chatQueue.push({ type: 'stream', content: ['ok'] }, { type: 'stream', content: ['ok'] });
    await collect(client().chat(question, { model: server.models[0], tools: [] }));
    await collect(client().chat(question, { model: server.models[0], tools, toolChoice: 'required' }));
    assert.ok(
      !('tools' in (server.chatRequests[0].body as object)) &&
        !('tool_choice' in (server.chatRequests[0].body as object)),
    );
    assert.equal((server.chatRequests[1].body as Record<string, unknown>).tool_choice, 'required');
  });

  it('says clearly when the serving does not accept tools, in both languages', async () => {
    const plain = new FakeGenos({ prefix: '/genos', toolCalling: false });
    await plain.start();
    try {
      const c = new GenosClient({
        endpoint: buildEndpoint(plain.baseUrl, plain.servingId),
        token: plain.token,
        timeoutMs: 5_000,
      });
      const error = await failure(collect(c.chat(question, { model: plain.models[0], tools })));
      assert.equal(error.kind, 'badRequest');
      assert.equal(error.detail, 'toolsRefused');
      assert.equal(error.message, 'HTTP 400: the serving does not accept tools.');
      assert.match(
        describeError(error, english),
        /does not accept tools, so agent mode cannot use it \("auto" tool choice requires --enable-auto-tool-choice/,
      );
      assert.match(describeError(error, korean()), /도구\(tool\)를 받지 않아/);
      // Without tools the same serving answers, and another 400 stays a plain refusal.
      plain.chatQueue.push({ type: 'stream', content: ['ok'] });
      assert.equal((await collect(c.chat(question, { model: plain.models[0] }))).finish, 'stop');
      server.chatQueue.push({
        type: 'status',
        status: 400,
        body: JSON.stringify({ object: 'error', message: 'temperature must be positive' }),
      });
      const other = await failure(collect(client().chat(question, { model: server.models[0], tools })));
      assert.equal(other.kind, 'badRequest');
      assert.equal(other.detail, undefined);
      // The same words in a server error, or in a refusal of a request without tools, are not about tools.
      const refusal = JSON.stringify({
        object: 'error',
        message: '"auto" tool choice requires --enable-auto-tool-choice',
      });
      server.chatQueue.push(
        { type: 'status', status: 500, body: refusal },
        { type: 'status', status: 400, body: refusal },
      );
      const crashed = await failure(collect(client().chat(question, { model: server.models[0], tools })));
      assert.deepEqual([crashed.kind, crashed.detail], ['server', undefined]);
      const withoutTools = await failure(collect(client().chat(question, { model: server.models[0] })));
      assert.deepEqual([withoutTools.kind, withoutTools.detail], ['badRequest', undefined]);
    } finally {
      await plain.close();
    }
  });
});

describe('faults, as the user sees them', () => {
  it('401: unauthorized, offers a new token', async () => {
    const error = await failure(chat(client({ token: 'wrong-token' })));
    assert.equal(error.kind, 'unauthorized');
    assert.equal(error.status, 401);
    assert.match(describeError(error, english), /did not accept the access token \(401\)/);
    assert.deepEqual(errorActions(error), ['setToken', 'retry']);
  });

  it('403: refused for this serving', async () => {
    server.chatQueue.push({ type: 'status', status: 403, body: '{"detail":"Forbidden"}' });
    const error = await failure(chat(client()));
    assert.equal(error.kind, 'unauthorized');
    assert.match(describeError(error, english), /refused the access token for this serving \(403\)/);
  });

  it('404 with an HTML body: a hint about address and serving id, no HTML shown', async () => {
    const wrong = new GenosClient({
      endpoint: buildEndpoint(server.baseUrl, '999'),
      token: server.token,
      timeoutMs: 5000,
    });
    const error = await failure(wrong.listModels());
    assert.equal(error.kind, 'notFound');
    const text = describeError(error, english);
    assert.match(text, /Base Url.*Serving Id/);
    assert.doesNotMatch(text, /<|nginx/);
    assert.equal(error.serverMessage, undefined);
  });

  it('429 with Retry-After beyond the wait limit: says when to retry, does not wait', async () => {
    server.chatQueue.push({
      type: 'status',
      status: 429,
      headers: { 'Retry-After': '30' },
      body: '{"message":"slow down"}',
    });
    const error = await failure(chat(client()));
    assert.equal(error.kind, 'rateLimited');
    assert.equal(error.retryAfterSeconds, 30);
    assert.match(describeError(error, english), /Try again in 30 seconds/);
    assert.equal(server.chatRequests.length, 1);
  });

  it('429 with a short Retry-After: says it waits, waits that long and retries', async () => {
    server.chatQueue.push(
      { type: 'status', status: 429, headers: { 'Retry-After': '2' } },
      { type: 'stream', content: ['ok'] },
    );
    const started = Date.now();
    const { text, waits } = await collect(client().chat(question, { model: server.models[0] }));
    assert.equal(text, 'ok');
    assert.ok(Date.now() - started >= 1900, 'waited for Retry-After');
    assert.equal(server.chatRequests.length, 2);
    assert.equal(waits.length, 1);
    assert.deepEqual(
      [waits[0].delayMs, waits[0].attempt, waits[0].attempts, waits[0].error.kind],
      [2000, 2, 3, 'rateLimited'],
    );
    assert.equal(describeRetryWait(waits[0], english), 'GenOS is busy (429). Trying again in 2 seconds…');
    assert.match(describeRetryWait(waits[0], korean()), /2초 후에 다시 시도/);
  });

  it('Stop while waiting out a Retry-After ends the turn at once, as stopped', async () => {
    server.chatQueue.push(
      { type: 'status', status: 429, headers: { 'Retry-After': '5' } },
      { type: 'stream', content: ['never'] },
    );
    const controller = new AbortController();
    const started = Date.now();
    const error = await failure(
      collect(
        client({ retry: { maxRetries: 2, baseDelayMs: 10, maxDelayMs: 10_000 } }).chat(
          question,
          { model: server.models[0] },
          controller.signal,
        ),
        (event) => {
          if (event.type === 'retryWait') controller.abort();
        },
      ),
    );
    assert.equal(error.kind, 'cancelled');
    assert.ok(Date.now() - started < 4000, 'did not sit out the wait');
    assert.equal(server.chatRequests.length, 1);
  });

  it('503 then success: retried with backoff; 500 is not retried', async () => {
    server.chatQueue.push(
      { type: 'status', status: 503, contentType: 'text/html', body: '<html>busy</html>' },
      { type: 'stream', content: ['ok'] },
    );
    // A client with no log retries the same, and the wait leaves nothing on the caller's signal.
    const signal = new AbortController().signal;
    assert.equal((await chat(client({ log: undefined }), signal)).text, 'ok');
    // (The last listener goes when the response's connection is released, just after the answer.)
    await waitUntil(() => getEventListeners(signal, 'abort').length === 0, 'no listener left on the signal', 2000);
    assert.equal(server.chatRequests.length, 2);

    server.chatQueue.push({
      type: 'status',
      status: 500,
      body: JSON.stringify({ object: 'error', message: 'The model worker crashed.', code: 500 }),
    });
    const error = await failure(chat(client()));
    assert.equal(server.chatRequests.length, 3);
    assert.equal(error.kind, 'server');
    assert.equal(describeError(error, english), 'GenOS had a server error (500): The model worker crashed.');
  });

  it('504 is retried too, each wait twice the last', async () => {
    server.chatQueue.push(
      { type: 'status', status: 504 },
      { type: 'status', status: 502 },
      { type: 'stream', content: ['ok'] },
    );
    assert.equal((await chat(client())).text, 'ok');
    assert.equal(server.chatRequests.length, 3);
    assert.deepEqual(
      logLines.filter((line) => line.startsWith('retrying')),
      ['retrying in 10 ms (attempt 2 of 3)', 'retrying in 20 ms (attempt 3 of 3)'],
    );
  });

  it('a connection reset before any answer is not retried: the question could reach the model twice', async () => {
    server.chatQueue.push({ type: 'reset' }, { type: 'stream', content: ['twice'] });
    const error = await failure(chat(client()));
    assert.equal(error.kind, 'network');
    assert.equal(error.networkReason, 'reset');
    assert.equal(server.chatRequests.length, 1);
    assert.match(describeError(error, english), /closed unexpectedly/);
  });

  it("400 and 422: the request was refused, with the server's reason", async () => {
    server.chatQueue.push(
      {
        type: 'status',
        status: 400,
        body: JSON.stringify({
          object: 'error',
          message: 'temperature must be at most 2.',
          type: 'BadRequestError',
          code: 400,
        }),
      },
      {
        type: 'status',
        status: 422,
        body: JSON.stringify({ detail: [{ loc: ['body', 'messages'], msg: 'field required', type: 'missing' }] }),
      },
      { type: 'status', status: 400 },
    );
    const tooLong = await failure(chat(client()));
    assert.equal(tooLong.kind, 'badRequest');
    assert.equal(describeError(tooLong, english), 'GenOS refused the request (400): temperature must be at most 2.');
    assert.deepEqual(errorActions(tooLong), ['retry', 'showLog']);
    const invalid = await failure(chat(client()));
    assert.equal(describeError(invalid, english), 'GenOS refused the request (422): field required');
    assert.equal(describeError(await failure(chat(client())), english), 'GenOS refused the request (400).');
    assert.equal(server.chatRequests.length, 3, 'a refused request is not retried');
  });

  it('reads nothing after [DONE]: a server that holds the connection open does not hold the answer', async () => {
    server.chatQueue.push({ type: 'stream', content: ['끝난 ', '답'], ending: 'doneHeldOpen' });
    const started = Date.now();
    assert.equal((await chat(client({ timeoutMs: 20_000 }))).text, '끝난 답');
    assert.ok(Date.now() - started < 5000, 'ended at [DONE], not at the idle timeout');
    const request = server.chatRequests.at(-1);
    await request?.closed;
    assert.equal(request?.closedEarly, true, 'the client closed the connection');
  });

  it('gives up after the bounded number of retries', async () => {
    for (let i = 0; i < 5; i++) server.chatQueue.push({ type: 'status', status: 502 });
    const error = await failure(chat(client()));
    assert.equal(error.kind, 'server');
    assert.equal(server.chatRequests.length, 3);
  });

  it('a stream that stops in the middle: network error, partial text kept, not retried', async () => {
    server.chatQueue.push({ type: 'stream', content: splitDeltas(answer, 3), ending: 'cut', failAfter: 4, delayMs: 5 });
    const error = await failure(chat(client()));
    assert.equal(error.kind, 'network');
    assert.equal(error.partialText, splitDeltas(answer, 3).slice(0, 4).join(''));
    assert.match(describeError(error, english), /The text received so far is kept\.$/);
    assert.equal(server.chatRequests.length, 1);
  });

  it('a stream that ends cleanly without finishing: incomplete, partial kept', async () => {
    server.chatQueue.push({ type: 'stream', content: ['한', '국', '어'], ending: 'eof', failAfter: 2 });
    const error = await failure(chat(client()));
    assert.equal(error.networkReason, 'incomplete');
    assert.equal(error.message, 'The stream ended before the answer was complete.');
    assert.equal(error.partialText, '한국');
    assert.match(describeError(error, english), /stopped before it was complete/);
  });

  it('an error event inside the stream: the server message, partial kept', async () => {
    server.chatQueue.push({
      type: 'stream',
      content: ['부분', ' 답변', ' 이후'],
      ending: 'errorEvent',
      failAfter: 2,
      errorMessage: 'CUDA out of memory',
    });
    const error = await failure(chat(client()));
    assert.equal(error.kind, 'streamError');
    assert.equal(error.partialText, '부분 답변');
    assert.equal(
      describeError(error, english),
      'The model stopped with an error: CUDA out of memory The text received so far is kept.',
    );
  });

  it('a malformed chunk: malformed error, partial kept', async () => {
    server.chatQueue.push({ type: 'stream', content: ['a', 'b', 'c'], ending: 'malformed', failAfter: 2 });
    const error = await failure(chat(client()));
    assert.equal(error.kind, 'malformed');
    assert.equal(error.partialText, 'ab');
  });

  it('a server that never answers: timeout after the configured time', async () => {
    server.chatQueue.push({ type: 'hang' });
    const started = Date.now();
    const error = await failure(chat(client({ timeoutMs: 300 })));
    assert.equal(error.kind, 'timeout');
    assert.equal(error.timeoutPhase, 'response');
    assert.ok(Date.now() - started < 3000);
    assert.match(describeError(error, english), /did not answer within 0.3 seconds/);
  });

  it('a stream that stalls: timeout, partial kept, the connection closed', async () => {
    server.chatQueue.push({ type: 'stream', content: ['멈춘', ' 답변', '...'], ending: 'stall', failAfter: 2 });
    const error = await failure(chat(client({ timeoutMs: 300 })));
    assert.equal(error.kind, 'timeout');
    assert.equal(error.timeoutPhase, 'idle');
    assert.equal(error.partialText, '멈춘 답변');
    await server.chatRequests[0].closed;
    assert.equal(server.chatRequests[0].closedEarly, true);
  });

  it('a timeout of 0 means no limit', async () => {
    server.chatQueue.push({ type: 'stream', content: ['a', 'b', 'c'], delayMs: 150 });
    assert.equal((await chat(client({ timeoutMs: 0 }))).text, 'abc');
  });

  it('a refused connection: retried, then a network error naming the address to check', async () => {
    const port = server.port;
    await server.close();
    const refused = new GenosClient({
      endpoint: buildEndpoint(`http://127.0.0.1:${port}`, '43'),
      token: 'x',
      timeoutMs: 2000,
      retry: { baseDelayMs: 5 },
      log: { info: (line) => logLines.push(line), warn: (line) => logLines.push(line) },
    });
    const error = await failure(refused.listModels());
    assert.equal(error.kind, 'network');
    assert.equal(error.networkReason, 'refused');
    assert.equal(logLines.filter((line) => line.startsWith('retrying')).length, 2);
    assert.match(describeError(error, english), /refused the connection/);
    server = new FakeGenos();
    await server.start();
  });

  it('a host name that does not resolve: a DNS error', async () => {
    const nowhere = new GenosClient({
      endpoint: buildEndpoint('http://genos.invalid', '43'),
      token: 'x',
      timeoutMs: 5000,
    });
    const error = await failure(nowhere.listModels());
    assert.equal(error.kind, 'network');
    assert.equal(error.networkReason, 'dns');
  });

  it('a redirect to another origin is not followed; the token stays put', async () => {
    const elsewhere = new FakeGenos();
    await elsewhere.start();
    try {
      server.chatQueue.push({
        type: 'status',
        status: 307,
        headers: { Location: `${elsewhere.baseUrl}/api/gateway/rep/serving/43/v1/chat/completions` },
      });
      const error = await failure(chat(client()));
      assert.equal(error.kind, 'redirect');
      assert.equal(error.detail, new URL(elsewhere.baseUrl).origin);
      assert.equal(elsewhere.requests.length, 0);
    } finally {
      await elsewhere.close();
    }
  });

  it('says in the log what each refusal was, by its status', async () => {
    const cases: Array<[number, Record<string, string>, string]> = [
      [401, {}, 'HTTP 401: the token was refused.'],
      [403, {}, 'HTTP 403: the token was refused.'],
      [404, {}, 'HTTP 404: no serving at this address.'],
      [407, {}, 'HTTP 407: the proxy requires authentication.'],
      [429, { 'Retry-After': '30' }, 'HTTP 429: rate limited.'],
      [500, {}, 'HTTP 500: server error.'],
      [418, {}, 'HTTP 418: request refused.'],
      [307, { Location: 'http://[not-an-address' }, 'HTTP 307 redirect to an unknown address, not followed.'],
      [
        308,
        { Location: 'https://elsewhere.example:8443/v1/chat/completions' },
        'HTTP 308 redirect to https://elsewhere.example:8443, not followed.',
      ],
    ];
    for (const [status, headers, message] of cases) {
      server.chatQueue.push({ type: 'status', status, headers });
      assert.equal((await failure(chat(client()))).message, message, String(status));
    }
    // Every 3xx is a redirect, with the origin it names, if any, as its detail.
    for (const [status, headers, detail] of [
      [300, { Location: 'https://mirror.example/v1' }, 'https://mirror.example'],
      [302, {}, ''],
      [307, { Location: 'http://[not-an-address' }, ''],
    ] as const) {
      server.chatQueue.push({ type: 'status', status, headers });
      const error = await failure(chat(client()));
      assert.deepEqual([error.kind, error.detail], ['redirect', detail], String(status));
      assert.equal(error.message, `HTTP ${status} redirect to ${detail || 'an unknown address'}, not followed.`);
    }
  });

  it("reads a refusal's body only as far as it comes: a stalled body, or Stop while it is read", async () => {
    // Plain text, which would be shown whole: the part that came before the stall is not.
    server.chatQueue.push({ type: 'raw', status: 500, contentType: 'text/plain', parts: ['GenOS is ov'], end: false });
    const stalled = await failure(chat(client({ timeoutMs: 300 })));
    assert.deepEqual([stalled.kind, stalled.status, stalled.serverMessage], ['server', 500, undefined]);

    server.chatQueue.push({
      type: 'raw',
      status: 500,
      contentType: 'application/json',
      parts: ['{"object":"error",'],
      end: false,
    });
    const controller = new AbortController();
    const pending = failure(chat(client(), controller.signal));
    await waitUntil(() => server.chatRequests.length === 2, 'the second request');
    controller.abort();
    assert.equal((await pending).kind, 'cancelled');
    assert.ok(
      !logLines.some((line) => line.includes('failed')),
      `Stop is not logged as a failure: ${logLines.join('\n')}`,
    );
  });

  it("shows no markup from a gateway's HTML error page, whatever its first tag", async () => {
    server.chatQueue.push({
      type: 'status',
      status: 502,
      contentType: 'text/html',
      body: '<center><h1>502 Bad Gateway</h1></center>',
    });
    const error = await failure(chat(client({ retry: { maxRetries: 0 } })));
    assert.deepEqual([error.kind, error.serverMessage], ['server', undefined]);
  });

  it('a models answer that is not the OpenAI format: malformed', async () => {
    server.modelsQueue.push({ type: 'status', status: 200, contentType: 'text/html', body: '<html>login</html>' });
    const error = await failure(client().listModels());
    assert.deepEqual([error.kind, error.message], ['malformed', 'The models list is not in the OpenAI format.']);
  });
});

describe('cancelling', () => {
  it('aborting ends the request at once, keeps the partial text, and the server sees the close', async () => {
    server.chatQueue.push({ type: 'stream', content: splitDeltas(answer, 2), delayMs: 50 });
    const controller = new AbortController();
    const started = Date.now();
    const error = await failure(
      collect(client().chat(question, { model: 'm' }, controller.signal), (_event, sofar) => {
        if (sofar.text.length >= 4) controller.abort();
      }),
    );
    assert.equal(error.kind, 'cancelled');
    assert.ok(error.partialText.startsWith(splitDeltas(answer, 2).slice(0, 2).join('')));
    assert.ok(Date.now() - started < 2000);
    await server.chatRequests[0].closed;
    assert.equal(server.chatRequests[0].closedEarly, true);
  });

  it('leaving the loop early closes the connection', async () => {
    server.chatQueue.push({ type: 'stream', content: splitDeltas(answer, 2), delayMs: 50 });
    for await (const event of client().chat(question, { model: 'm' })) {
      if (event.type === 'content') break;
    }
    await server.chatRequests[0].closed;
    assert.equal(server.chatRequests[0].closedEarly, true);
  });

  it('aborting while waiting to retry stops at once', async () => {
    server.chatQueue.push({ type: 'status', status: 429, headers: { 'Retry-After': '2' } });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    const error = await failure(chat(client(), controller.signal));
    assert.equal(error.kind, 'cancelled');
    assert.ok(Date.now() - started < 1500);
  });
});

describe('the token stays secret', () => {
  let echo: FakeGenos;
  before(async () => {
    echo = new FakeGenos({ token: 'sk-very-secret-token' });
    await echo.start();
  });
  after(() => echo.close());

  it('is removed from a server message that echoes it, in both languages', async () => {
    echo.chatQueue.push({
      type: 'status',
      status: 500,
      body: JSON.stringify({ message: 'bad header Bearer sk-very-secret-token' }),
    });
    const c = new GenosClient({
      endpoint: buildEndpoint(echo.baseUrl, '43'),
      token: echo.token,
      timeoutMs: 5000,
      log: { info: (l) => logLines.push(l), warn: (l) => logLines.push(l) },
    });
    const error = await failure(collect(c.chat(question, { model: 'm' })));
    for (const text of [
      describeError(error, english),
      describeError(error, korean()),
      error.message,
      String(error.serverMessage),
    ]) {
      assert.ok(!text.includes(echo.token), text);
    }
    assert.match(describeError(error, korean()), /서버 오류/);
    for (const line of logLines) assert.ok(!line.includes(echo.token));
  });
});

describe('a fault of the extension itself', () => {
  it('is its own kind, says so and points to the log, never blaming the server', () => {
    const error = new GenosError({ kind: 'internal', message: 'Unexpected failure.' });
    assert.equal(describeError(error, english), 'An internal error occurred in the GenOS extension; see the log.');
    assert.match(describeError(error, korean()), /내부에서 오류/);
    assert.doesNotMatch(describeError(error, english), /GenOS sent|cannot read/);
    assert.deepEqual(errorActions(error), ['showLog', 'retry']);
  });
});

describe('hostile streams and bodies: memory and time stay bounded', () => {
  const limits = { eventChars: 100_000, answerChars: 50_000, toolArgumentChars: 20_000 };

  it('stops a line that never ends, and closes the connection', { timeout: 20_000 }, async () => {
    server.chatQueue.push({
      type: 'raw',
      parts: [`data: {"choices":[{"delta":{"content":"`, 'x'.repeat(16_384)],
      repeatEveryMs: 1,
      end: false,
    });
    const error = await failure(chat(client({ streamLimits: limits })));
    assert.deepEqual([error.kind, error.detail], ['malformed', 'tooLarge']);
    assert.match(describeError(error, korean()), /중단했습니다/);
    await server.chatRequests[0].closed;
  });

  it('stops data lines that never meet a blank line', { timeout: 20_000 }, async () => {
    server.chatQueue.push({ type: 'raw', parts: [`data: ${'y'.repeat(8_000)}\n`], repeatEveryMs: 1, end: false });
    const error = await failure(chat(client({ streamLimits: limits })));
    assert.deepEqual([error.kind, error.detail], ['malformed', 'tooLarge']);
    await server.chatRequests[0].closed;
  });

  it('stops an answer that goes on past its limit, keeping what came before it', { timeout: 20_000 }, async () => {
    server.chatQueue.push({
      type: 'stream',
      content: splitDeltas('가나다라'.repeat(20_000), 500),
      reasoning: ['생각 '.repeat(100)],
    });
    const error = await failure(chat(client({ streamLimits: limits })));
    assert.deepEqual([error.kind, error.detail], ['malformed', 'tooLarge']);
    assert.ok(
      error.partialText.length > 0 && error.partialText.length + error.partialReasoning.length <= limits.answerChars,
      `${error.partialText.length}`,
    );
    assert.ok(error.partialText.startsWith('가나다라'));
  });

  it('stops a tool call whose arguments go on past their limit', async () => {
    server.chatQueue.push({
      type: 'stream',
      content: ['파일을 씁니다.'],
      toolCalls: [{ name: 'create_file', arguments: JSON.stringify({ path: 'a.txt', text: 'z'.repeat(30_000) }) }],
    });
    const error = await failure(
      collect(
        client({ streamLimits: limits }).chat(question, {
          model: server.models[0],
          tools: [{ name: 'create_file', description: 'd', parameters: {} }],
        }),
      ),
    );
    assert.deepEqual([error.kind, error.detail, error.partialText], ['malformed', 'tooLarge', '파일을 씁니다.']);
    // The same call under the default limits arrives whole.
    server.chatQueue.push({
      type: 'stream',
      content: ['파일을 씁니다.'],
      toolCalls: [{ name: 'create_file', arguments: JSON.stringify({ path: 'a.txt', text: 'z'.repeat(30_000) }) }],
    });
    const whole = await collect(
      client().chat(question, {
        model: server.models[0],
        tools: [{ name: 'create_file', description: 'd', parameters: {} }],
      }),
    );
    assert.equal(whole.toolCalls[0].arguments.length, 30_000 + JSON.stringify({ path: 'a.txt', text: '' }).length);
  });

  it('removes the token from an error reported inside the stream, and shortens it', async () => {
    const message = `upstream said: Bearer ${server.token}\n\n${'자세한 내용 '.repeat(200)}`;
    server.chatQueue.push({
      type: 'raw',
      parts: [`event: error\ndata: ${JSON.stringify({ error: { message } })}\n\n`],
    });
    const error = await failure(chat(client()));
    assert.equal(error.kind, 'streamError');
    assert.ok(error.serverMessage && !error.serverMessage.includes(server.token), error.serverMessage);
    assert.ok(error.serverMessage.includes('Bearer ***'));
    assert.ok(
      error.serverMessage.length <= 500 && !error.serverMessage.includes('\n'),
      `${error.serverMessage.length}`,
    );
    assert.ok(!describeError(error, korean()).includes(server.token));
  });

  it("reads an error body that never ends only within the request's time limit", { timeout: 20_000 }, async () => {
    // A byte every 20 ms: the idle limit (300 ms) never fires; the time limit for the body does.
    server.chatQueue.push({
      type: 'raw',
      status: 500,
      contentType: 'text/plain',
      parts: ['GenOS is overloaded'],
      repeatEveryMs: 20,
      end: false,
    });
    const trickle = await failure(chat(client({ timeoutMs: 300, retry: { maxRetries: 0 } })));
    assert.deepEqual([trickle.kind, trickle.status], ['server', 500]);
    await server.chatRequests[0].closed;
  });

  it('stops reading an error body at 64 KB and closes the connection', { timeout: 20_000 }, async () => {
    server.chatQueue.push({
      type: 'raw',
      status: 400,
      contentType: 'application/json',
      parts: ['{"object":"error","message":"', 'w'.repeat(8_192)],
      repeatEveryMs: 1,
      end: false,
    });
    const flood = await failure(chat(client({ timeoutMs: 60_000, retry: { maxRetries: 0 } })));
    assert.deepEqual([flood.kind, flood.status], ['badRequest', 400]);
    await server.chatRequests[0].closed;
  });

  it('says what is wrong with a user id a header cannot carry, and sends nothing', async () => {
    const error = await failure(chat(client({ userId: '홍길동' })));
    assert.deepEqual([error.kind, error.configProblem], ['config', 'invalidUserId']);
    assert.match(describeError(error, korean()), /User Id/);
    assert.equal(server.requests.length, 0);
    await chat(client({ userId: 'hong.gildong-653' }));
    assert.equal(server.chatRequests[0].headers['x-genos-user-id'], 'hong.gildong-653');
  });

  it('names the model a serving does not have, and offers Select Model instead of checking the address', async () => {
    server.chatQueue.push({
      type: 'status',
      status: 404,
      body: JSON.stringify({
        object: 'error',
        message: 'The model `qwen-old` does not exist.',
        type: 'NotFoundError',
        param: null,
        code: 404,
      }),
    });
    const error = await failure(chat(client()));
    assert.deepEqual([error.kind, error.detail, error.serverMessage], ['notFound', 'model', 'qwen-old']);
    assert.match(describeError(error, english), /no model named "qwen-old"/);
    assert.match(describeError(error, korean()), /qwen-old/);
    assert.deepEqual(errorActions(error), ['selectModel', 'openSettings']);
    // A 404 from the gateway itself is still about the address.
    server.chatQueue.push({ type: 'status', status: 404, body: '{"detail":"Not Found"}' });
    const gateway = await failure(chat(client()));
    assert.deepEqual([gateway.kind, gateway.detail], ['notFound', undefined]);
    assert.match(describeError(gateway, english), /no serving at this address/);
  });
});
