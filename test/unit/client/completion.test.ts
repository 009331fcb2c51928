import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { allowsCompletion, fitCompletion } from '../../../src/client/completion';
import { buildCompletionPrompt, formatForModel, type CursorContext, type FimPrompt } from '../../../src/client/prompts';
import { CompletionEngine } from '../../../src/client/completionEngine';
import { buildEndpoint } from '../../../src/client/endpoint';
import { GenosClient } from '../../../src/client/genosClient';
import { failure } from '../../support/collect';
import { FakeGenos, fimCompletion, parseFimPrompt } from '../../support/genosServer';
import { waitUntil } from '../../support/wait';

const context: CursorContext = {
  prefix: 'function add(a, b) {\n  return ',
  suffix: '\n}\n',
  language: 'typescript',
  path: 'src/math.ts',
};

describe('fill-in-the-middle prompts', () => {
  const table: Array<[Exclude<FimPrompt['format'], never>, string, string[]]> = [
    [
      'qwen',
      '<|fim_prefix|>function add(a, b) {\n  return <|fim_suffix|>\n}\n<|fim_middle|>',
      [
        '<|endoftext|>',
        '<|fim_prefix|>',
        '<|fim_suffix|>',
        '<|fim_middle|>',
        '<|fim_pad|>',
        '<|file_sep|>',
        '<|repo_name|>',
        '<|im_end|>',
      ],
    ],
    [
      'deepseek',
      '<｜fim▁begin｜>function add(a, b) {\n  return <｜fim▁hole｜>\n}\n<｜fim▁end｜>',
      ['<｜fim▁begin｜>', '<｜fim▁hole｜>', '<｜fim▁end｜>', '<｜end▁of▁sentence｜>', '<|EOT|>'],
    ],
    [
      'starcoder',
      '<filename>src/math.ts\n<fim_prefix>function add(a, b) {\n  return <fim_suffix>\n}\n<fim_middle>',
      ['<|endoftext|>', '<fim_prefix>', '<fim_suffix>', '<fim_middle>', '<file_sep>', '<filename>'],
    ],
    [
      'codellama',
      '<PRE> function add(a, b) {\n  return  <SUF>\n}\n <MID>',
      ['<EOT>', '<PRE>', '<SUF>', '<MID>', '</s>'],
    ],
    ['codestral', '[SUFFIX]\n}\n[PREFIX]function add(a, b) {\n  return ', ['[PREFIX]', '[SUFFIX]', '[MIDDLE]', '</s>']],
  ];
  for (const [format, prompt, stop] of table) {
    it(`builds the ${format} prompt with its stop tokens`, () => {
      assert.deepEqual(buildCompletionPrompt(format, 'any', context), { format, prompt, stop });
      // The test server reads every format back, so ghost text in tests depends on both sides.
      assert.deepEqual(parseFimPrompt(prompt), { prefix: context.prefix, suffix: context.suffix });
    });
  }

  it('chooses the format from the model id when asked to', () => {
    const cases: Array<[string, string]> = [
      ['Qwen/Qwen2.5-Coder-7B-Instruct', 'qwen'],
      ['qwen3-coder-30b-a3b', 'qwen'],
      ['deepseek-ai/deepseek-coder-6.7b-base', 'deepseek'],
      ['bigcode/starcoder2-15b', 'starcoder'],
      ['stabilityai/stable-code-3b', 'starcoder'],
      ['codellama/CodeLlama-13b-hf', 'codellama'],
      ['mistralai/Codestral-22B-v0.1', 'codestral'],
      ['google/gemma-3-12b-it', 'chat'],
      ['/model/snapshots/9eb2daaa', 'chat'],
    ];
    for (const [model, format] of cases) assert.equal(formatForModel(model), format, model);
    assert.equal(buildCompletionPrompt('auto', 'Qwen2.5-Coder-1.5B', context).format, 'qwen');
    assert.equal(buildCompletionPrompt('auto', 'gemma-3-12b-it', context).format, 'chat');
  });

  it('asks a chat model with the file, its language and a cursor marker', () => {
    const prompt = buildCompletionPrompt('chat', 'gemma', context);
    assert.equal(prompt.format, 'chat');
    if (prompt.format !== 'chat') return;
    assert.equal(prompt.messages[0].role, 'system');
    assert.equal(
      prompt.messages[1].content,
      'File src/math.ts (typescript):\nfunction add(a, b) {\n  return <CURSOR>\n}\n',
    );
  });
});

describe('fitting a completion at the cursor', () => {
  const at = (prefix: string, suffix: string) => ({ prefix, suffix });

  it('asks only where the rest of the line is empty or closers', () => {
    for (const ok of ['', '   ', ')', '");', '}]', "'", '`;', ') {'.slice(0, 1)]) {
      assert.ok(allowsCompletion(ok), JSON.stringify(ok));
    }
    for (const no of ['x', 'foo)', ' + 1', '// comment', ') {']) assert.ok(!allowsCompletion(no), JSON.stringify(no));
  });

  it('keeps one line when text follows the cursor, several at a line end', () => {
    assert.equal(fitCompletion('a + b;\n  // more', at('return ', ')'), false), 'a + b;');
    assert.equal(fitCompletion('a + b;\n  // more', at('return ', '\n}'), true), 'a + b;\n  // more');
  });

  it('never repeats what follows the cursor', () => {
    assert.equal(fitCompletion('name)', at('greet(', ')'), false), 'name', 'the closing bracket is already there');
    assert.equal(fitCompletion('x);', at('f(', ');'), false), 'x', 'nor the bracket and semicolon');
    assert.equal(fitCompletion('hello"', at('const s = "', '";'), false), 'hello', 'nor the closing quote');
    assert.equal(fitCompletion('bar()', at('foo(', ')'), false), 'bar()', 'a balanced call keeps its own brackets');
    assert.equal(fitCompletion('"a" + "b"', at('x = ', ';'), false), '"a" + "b"', 'paired quotes stay');
    assert.equal(
      fitCompletion('if (x) {\n    y();\n  }\n}', at('  ', '\n}\n'), true),
      'if (x) {\n    y();\n  }',
      'nor the closing lines the file already has',
    );
    assert.equal(fitCompletion(')', at('f(', ')'), false), '', 'nothing is left: no suggestion');
  });

  it("cleans a chat model's answer: fence, marker, trailing blank lines", () => {
    assert.equal(fitCompletion('```ts\na + b;\n```', at('return ', '\n'), true), 'a + b;');
    assert.equal(fitCompletion('<CURSOR>a + b;\n\n\n', at('return ', '\n'), true), 'a + b;');
    assert.equal(fitCompletion('   \n  ', at('', ''), true), '');
    assert.equal(fitCompletion('x\r\ny', at('', ''), true), 'x\ny');
  });
});

describe('the FIM-aware test server', () => {
  it('answers from both sides of the cursor', () => {
    const qwen = (prefix: string, suffix: string) =>
      fimCompletion(`<|fim_prefix|>${prefix}<|fim_suffix|>${suffix}<|fim_middle|>`);
    assert.equal(qwen('const greeting = ', ''), "'greeting from GenOS';");
    assert.equal(qwen('const greeting = ', ';'), "'greeting from GenOS'");
    assert.equal(qwen('console.log(', ')'), 'logArgument');
    assert.equal(qwen('function f(total) {\n  ', '\n}'), 'return total;');
    assert.equal(qwen('let x', ' = other'), ' // x before other');
  });
});

describe('asking only when it is worth it (against the loopback GenOS)', () => {
  let server: FakeGenos;
  let client: GenosClient;
  before(async () => {
    server = new FakeGenos({ models: ['Qwen2.5-Coder-7B'] });
    await server.start();
    client = new GenosClient({
      endpoint: buildEndpoint(server.baseUrl, server.servingId),
      token: server.token,
      timeoutMs: 10_000,
      retry: { maxRetries: 0 },
    });
  });
  after(() => server.close());

  const fetch = (cursor: CursorContext, signal: AbortSignal) => {
    const prompt = buildCompletionPrompt('qwen', 'Qwen2.5-Coder-7B', cursor) as FimPrompt;
    return client.complete(
      prompt.prompt,
      { model: 'Qwen2.5-Coder-7B', maxTokens: 64, temperature: 0.1, stop: prompt.stop },
      signal,
    );
  };
  const cursor = (prefix: string, suffix = ''): CursorContext => ({
    prefix,
    suffix,
    language: 'typescript',
    path: 'a.ts',
  });

  it('sends a FIM prompt to /v1/completions without suffix, with its stop tokens', async () => {
    const engine = new CompletionEngine(fetch, { debounceMs: 0 });
    assert.equal(
      await engine.complete(cursor('const greeting = '), new AbortController().signal),
      "'greeting from GenOS';",
    );
    const body = server.completionRequests.at(-1)?.body as Record<string, unknown>;
    assert.equal(body.prompt, '<|fim_prefix|>const greeting = <|fim_suffix|><|fim_middle|>');
    assert.equal(body.suffix, undefined);
    assert.equal(body.max_tokens, 64);
    assert.equal(body.stream, false);
    assert.ok((body.stop as string[]).includes('<|endoftext|>'));
  });

  it('debounces: a burst of keystrokes sends one request, for the last one', async () => {
    const engine = new CompletionEngine(fetch, { debounceMs: 150 });
    const before = server.completionRequests.length;
    const typed = 'const total = ';
    const calls: Array<Promise<string | undefined>> = [];
    let previous: AbortController | undefined;
    for (let i = 1; i <= typed.length; i++) {
      // The editor cancels the previous call on each keystroke.
      previous?.abort();
      previous = new AbortController();
      calls.push(engine.complete(cursor(typed.slice(0, i)), previous.signal));
    }
    const results = await Promise.all(calls);
    assert.equal(server.completionRequests.length - before, 1);
    assert.equal(results.at(-1), "'total from GenOS';");
    assert.ok(
      results.slice(0, -1).every((r) => r === undefined),
      'the cancelled calls return nothing',
    );
  });

  it('closes the request in flight when the cursor moves elsewhere; the server sees the close', async () => {
    const engine = new CompletionEngine(fetch, { debounceMs: 0 });
    server.completionQueue.push({ type: 'completion', delayMs: 2000 }, { type: 'completion' });
    const first = new AbortController();
    const slow = engine.complete(cursor('let a = '), first.signal);
    await waitUntil(
      () => server.completionRequests.some((r) => (r.body as { prompt: string }).prompt.includes('let a = ')),
      'the slow request at the server',
      5000,
    );
    first.abort();
    const moved = await engine.complete(cursor('let b = '), new AbortController().signal);
    assert.equal(await slow, undefined);
    assert.equal(moved, "'b from GenOS';");
    const request = server.completionRequests.find((r) => (r.body as { prompt: string }).prompt.includes('let a = '));
    await request?.closed;
    assert.equal(request?.closedEarly, true);
    assert.equal(engine.stats.aborted, 1);
  });

  it('reuses a pending result while the user types what it begins with', async () => {
    const engine = new CompletionEngine(fetch, { debounceMs: 0 });
    server.completionQueue.push({ type: 'completion', text: 'Math.max(a, b);', delayMs: 300 });
    const before = server.completionRequests.length;
    const first = new AbortController();
    const pending = engine.complete(cursor('return '), first.signal);
    await waitUntil(() => server.completionRequests.length > before, 'the pending request at the server', 5000);
    first.abort();
    assert.equal(await engine.complete(cursor('return Math.'), new AbortController().signal), 'max(a, b);');
    assert.equal(await pending, undefined);
    assert.equal(server.completionRequests.length - before, 1, 'no second request');
    assert.equal(engine.stats.pendingReuses, 1);
  });

  it('answers from its cache, instantly, when the user types along a recent result or comes back to it', async () => {
    const engine = new CompletionEngine(fetch, { debounceMs: 0 });
    server.completionQueue.push({ type: 'completion', text: 'items.length;' });
    const before = server.completionRequests.length;
    assert.equal(await engine.complete(cursor('return '), new AbortController().signal), 'items.length;');
    assert.equal(await engine.complete(cursor('return items'), new AbortController().signal), '.length;');
    assert.equal(await engine.complete(cursor('return items.len'), new AbortController().signal), 'gth;');
    assert.equal(await engine.complete(cursor('return '), new AbortController().signal), 'items.length;');
    assert.equal(server.completionRequests.length - before, 1);
    assert.equal(engine.stats.cacheHits, 3);
    // Typing something else, or finishing the text, asks again.
    assert.equal(await engine.complete(cursor('return x'), new AbortController().signal), ' // x before end');
    assert.equal(server.completionRequests.length - before, 2);
  });

  it('passes a failure on, for the status bar to show', async () => {
    const engine = new CompletionEngine(fetch, { debounceMs: 0 });
    server.completionQueue.push({ type: 'status', status: 404, body: '{"detail":"Not Found"}' });
    await assert.rejects(
      engine.complete(cursor('let z = '), new AbortController().signal),
      (error: Error & { kind?: string }) => error.kind === 'notFound',
    );
  });

  it('asks for JSON, and calls an answer that is not a completion malformed', async () => {
    server.completionQueue.push({
      type: 'status',
      status: 200,
      contentType: 'text/html',
      body: '<html>sign in</html>',
    });
    const error = await failure(fetch(cursor('let y = '), new AbortController().signal));
    assert.equal(error.kind, 'malformed');
    assert.equal(error.message, 'The completion is not in the OpenAI format.');
    assert.equal(server.completionRequests.at(-1)?.headers.accept, 'application/json');
  });
});
