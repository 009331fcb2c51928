/**
 * Property-based tests of what parses untrusted input: the SSE reader and stream assembly (random
 * cuts, garbage, huge lines, against the real test server), the conversation loader (JSON of every
 * shape), and images in answers shown outside the panel. `npm test` runs them with a fixed seed and
 * a bounded count; `npm run fuzz` runs many more with a new seed (GENOS_FUZZ_RUNS, GENOS_FUZZ_SEED).
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import MarkdownIt from 'markdown-it';
import { buildEndpoint } from '../../src/client/endpoint';
import { GenosError } from '../../src/client/errors';
import { GenosClient } from '../../src/client/genosClient';
import { parseChunk, type ChunkResult } from '../../src/client/openai';
import { buildMessages } from '../../src/client/prompts';
import { StreamAssembler } from '../../src/client/streamAssembler';
import { parseConversation } from '../../src/host/chat/conversationSchema';
import { ImageLinks, imagesAsLinks } from '../../src/shared/imageLinks';
import { collect } from '../support/collect';
import { FakeGenos } from '../support/genosServer';

const seed = Number(process.env.GENOS_FUZZ_SEED ?? 20261203);
const scale = Number(process.env.GENOS_FUZZ_RUNS ?? 1);
const runs = (n: number) => ({ seed, numRuns: Math.max(1, Math.round(n * scale)), endOnFailure: true });
if (process.env.GENOS_FUZZ_SEED || process.env.GENOS_FUZZ_RUNS) console.log(`fuzz: seed ${seed}, runs x${scale}`);

const md = new MarkdownIt();
/** Text that exercises the parsers: markdown, SSE and JSON punctuation, Korean, control characters. */
const tricky = fc.string({
  unit: fc.constantFrom(
    '!',
    '[',
    ']',
    '(',
    ')',
    '`',
    '~',
    '\n',
    ' ',
    'a',
    '가',
    '\\',
    '{',
    '}',
    '"',
    ':',
    'data: ',
    '\r',
    '*',
    '#',
    '<',
    '>',
    'http://x/p.png',
  ),
});

describe('fuzz: stream parsing never throws anything but a GenosError and loses no text', () => {
  it('parseChunk reads any payload as a result, never an exception', () => {
    fc.assert(
      fc.property(
        fc.oneof(tricky, fc.json(), fc.string()),
        fc.option(fc.constantFrom('error', 'message', 'x')),
        (data, event) => {
          const result = parseChunk(data, event ?? undefined);
          assert.ok(['events', 'done', 'error', 'malformed'].includes(result.kind));
        },
      ),
      runs(2000),
    );
  });

  it('StreamAssembler adds up any sequence of parsed results: text in order, failures typed, the answer within its limit', () => {
    const content = fc.record({
      kind: fc.constant('events' as const),
      events: fc.array(
        fc.oneof(
          fc.record({ type: fc.constant('content' as const), text: tricky }),
          fc.record({ type: fc.constant('reasoning' as const), text: tricky }),
          fc.record({
            type: fc.constant('toolCallDelta' as const),
            index: fc.nat(3),
            id: fc.option(fc.string(), { nil: undefined }),
            name: fc.option(fc.string(), { nil: undefined }),
            arguments: fc.option(tricky, { nil: undefined }),
          }),
        ),
        { maxLength: 5 },
      ),
    });
    const result = fc.oneof(
      { weight: 8, arbitrary: content },
      fc.constant({ kind: 'done' as const }),
      fc.record({ kind: fc.constant('error' as const), message: tricky }),
      fc.record({ kind: fc.constant('malformed' as const), message: fc.string() }),
    );
    fc.assert(
      fc.property(fc.array(fc.array(result, { maxLength: 4 }), { maxLength: 6 }), (reads) => {
        const assembler = new StreamAssembler({ eventChars: 1000, answerChars: 200, toolArgumentChars: 100 }, 'tok');
        let shown = '';
        for (const read of reads) {
          const { events, failure } = assembler.collect(read as ChunkResult[]);
          for (const event of events) if (event.type === 'content') shown += event.text;
          if (failure) {
            assert.ok(failure instanceof GenosError);
            break;
          }
          if (assembler.done) break;
        }
        assert.equal(shown, assembler.text, 'what was handed on is the answer kept');
        assert.ok(assembler.text.length + assembler.reasoning.length <= 200);
      }),
      runs(500),
    );
  });

  describe('against the test server', () => {
    let server: FakeGenos;
    before(async () => {
      server = new FakeGenos({ token: 'fuzz-token' });
      await server.start();
    });
    after(() => server.close());
    const client = () =>
      new GenosClient({
        endpoint: buildEndpoint(server.baseUrl, server.servingId),
        token: server.token,
        timeoutMs: 2000,
        retry: { maxRetries: 0 },
        streamLimits: { eventChars: 20_000, answerChars: 50_000, toolArgumentChars: 20_000 },
      });

    it('gives the same answer however the bytes of a stream are cut', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(tricky, { minLength: 1, maxLength: 12 }),
          fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 8 }),
          async (deltas, cuts) => {
            const wire =
              deltas
                .map(
                  (content) =>
                    `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`,
                )
                .join('') +
              `data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\ndata: [DONE]\n\n`;
            // Cut anywhere: inside a line, a JSON string, between the two newlines of an event.
            const parts: string[] = [];
            for (let at = 0, i = 0; at < wire.length; i++) {
              const size = cuts[i % cuts.length];
              parts.push(wire.slice(at, at + size));
              at += size;
            }
            server.chatQueue.push({ type: 'raw', parts });
            const result = await collect(client().chat([{ role: 'user', content: 'q' }], { model: 'm' }));
            assert.equal(result.text, deltas.join(''));
          },
        ),
        runs(25),
      );
    });

    it('fails any garbage stream with a GenosError, never an exception of another kind or a hang', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.oneof(
              tricky,
              fc.constant('x'.repeat(25_000)),
              fc.constant('data: {"choices":[{"delta":{"content":"'),
              fc.constant('\n\n'),
              fc.constant('event: error\n'),
            ),
            { maxLength: 8 },
          ),
          async (parts) => {
            server.chatQueue.push({ type: 'raw', parts: parts.length ? parts : [''] });
            try {
              await collect(client().chat([{ role: 'user', content: 'q' }], { model: 'm' }));
            } catch (error) {
              assert.ok(error instanceof GenosError, String(error));
              assert.notEqual(error.kind, 'internal');
            }
          },
        ),
        runs(25),
      );
    });
  });
});

describe('fuzz: the conversation loader', () => {
  it('reads any JSON as a whole conversation or as damaged, and what it reads builds a request', () => {
    const turn = fc.record(
      {
        id: fc.string(),
        question: fc.string(),
        answer: fc.string(),
        reasoning: fc.option(fc.string(), { nil: undefined }),
        status: fc.constantFrom('done', 'stopped', 'error', 'streaming', 'other'),
        context: fc.option(
          fc.array(fc.record({ id: fc.string(), kind: fc.constantFrom('file', 'selection', 'x'), label: fc.string() })),
          { nil: undefined },
        ),
        contextBlocks: fc.option(
          fc.array(fc.record({ label: fc.string(), language: fc.string(), text: fc.string() })),
          { nil: undefined },
        ),
      },
      { requiredKeys: [] },
    );
    const conversation = fc.record(
      {
        id: fc.string(),
        title: fc.option(fc.string(), { nil: undefined }),
        createdAt: fc.option(fc.nat(), { nil: undefined }),
        updatedAt: fc.oneof(fc.nat(), fc.string()),
        turns: fc.oneof(fc.array(turn, { maxLength: 4 }), fc.anything()),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(conversation, fc.anything(), fc.jsonValue()), (value) => {
        const parsed = parseConversation(value, 'conv1');
        if (!parsed) return;
        assert.equal(parsed.id, 'conv1');
        const history = parsed.turns.map((turn) => ({
          question: turn.question,
          context: turn.contextBlocks,
          answer: turn.answer,
        }));
        const messages = buildMessages('system', history, '다음 질문', parsed.turns.at(-1)?.contextBlocks ?? []);
        assert.ok(messages.every((message) => typeof message.content === 'string'));
      }),
      runs(2000),
    );
  });
});

describe('fuzz: images in answers shown outside the panel', () => {
  it("no input renders an image, and any cut of a stream gives the whole text's result", () => {
    fc.assert(
      fc.property(tricky, fc.integer({ min: 1, max: 9 }), (text, size) => {
        const safe = imagesAsLinks(text);
        assert.doesNotMatch(md.render(safe), /<img/i, JSON.stringify(text));
        const links = new ImageLinks();
        let out = '';
        for (let i = 0; i < text.length; i += size) out += links.push(text.slice(i, i + size));
        assert.equal(out + links.end(), safe);
      }),
      runs(3000),
    );
  });
});
