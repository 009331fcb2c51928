import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { parseContextLimit } from '../../../../src/client/openai';
import type { HistoryTurn } from '../../../../src/client/prompts';
import {
  DEFAULT_RESERVE,
  fitToWindow,
  outputReserve,
  TokenCalibration,
  type PromptParts,
} from '../../../../src/host/requests/contextBudget';
import { estimateMessages, estimateTokens } from '../../../../src/shared/tokens';

describe('the token estimate', () => {
  it('counts Korean about a token a syllable, English prose about four characters a token, code denser', () => {
    assert.equal(estimateTokens('안녕하세요 반갑습니다'), 10);
    const prose = 'The quick brown fox jumps over the lazy dog and keeps running through the field.';
    assert.ok(
      Math.abs(estimateTokens(prose) - prose.length / 4.5) < 6,
      `${estimateTokens(prose)} for ${prose.length} characters`,
    );
    const code = 'if (a[i] !== b[i]) { return -1; }';
    assert.ok(estimateTokens(code) > code.length / 4, 'code is denser than prose');
    assert.equal(estimateTokens(''), 0);
    assert.ok(estimateTokens('🙂🙂') >= 2, 'surrogate pairs count once each');
  });

  it("adds each message's overhead", () => {
    assert.equal(estimateMessages([{ content: '안녕' }, { content: '' }]), 2 + 4 + 4);
  });
});

describe('fitting a request into the window', () => {
  const turn = (n: number, size = 200): HistoryTurn => ({
    question: `question ${n} ${'q'.repeat(size)}`,
    context: [],
    answer: `answer ${n} ${'a'.repeat(size)}`,
  });
  const parts = (history: HistoryTurn[], extra: Partial<PromptParts> = {}): PromptParts => ({
    system: 'You are helpful.',
    history,
    question: 'the new question',
    context: [],
    ...extra,
  });

  it('sends everything when it fits', () => {
    const fitted = fitToWindow(parts([turn(1), turn(2)]), { window: 8192, reserve: 1024, factor: 1 });
    assert.equal(fitted.omittedTurns, 0);
    assert.equal(fitted.messages.length, 1 + 4 + 1);
    assert.ok(fitted.fits);
    assert.equal(fitted.tokens, estimateMessages(fitted.messages));
  });

  it('leaves out the oldest turns first, never the system prompt or the question', () => {
    const history = Array.from({ length: 60 }, (_, i) => turn(i + 1));
    const fitted = fitToWindow(parts(history), { window: 2000, reserve: 500, factor: 1 });
    assert.ok(fitted.fits);
    assert.ok(fitted.tokens <= 1500, `${fitted.tokens} tokens`);
    assert.ok(fitted.omittedTurns > 40 && fitted.omittedTurns < 60, `${fitted.omittedTurns} left out`);
    assert.equal(fitted.messages[0].content, 'You are helpful.');
    assert.equal(fitted.messages.at(-1)?.content, 'the new question');
    // The turns kept are the most recent, in order.
    const kept = fitted.messages
      .filter((m) => m.role === 'user')
      .slice(0, -1)
      .map((m) => Number(/question (\d+)/.exec(m.content)?.[1]));
    assert.deepEqual(
      kept,
      Array.from({ length: kept.length }, (_, i) => 60 - kept.length + 1 + i),
    );
  });

  it("counts with the serving's correction: a tokenizer that counts more leaves out more", () => {
    const history = Array.from({ length: 30 }, (_, i) => turn(i + 1));
    const plain = fitToWindow(parts(history), { window: 4000, reserve: 500, factor: 1 });
    const denser = fitToWindow(parts(history), { window: 4000, reserve: 500, factor: 1.5 });
    assert.ok(denser.omittedTurns > plain.omittedTurns);
    assert.ok(denser.tokens <= 3500);
    assert.equal(denser.tokens, Math.ceil(denser.rawTokens * 1.5));
  });

  it('then cuts attachments from their far ends, keeping the middle, and says which lines were sent', () => {
    const text = Array.from(
      { length: 1000 },
      (_, i) => `const line${i + 1} = compute(${i + 1}); // some code on line ${i + 1}`,
    ).join('\n');
    const fitted = fitToWindow(
      parts([turn(1)], { context: [{ label: 'sample.ts', language: 'typescript', text, firstLine: 1 }] }),
      { window: 4096, reserve: 1024, factor: 1 },
    );
    assert.equal(fitted.omittedTurns, 1, 'the earlier turn goes first');
    assert.equal(fitted.cut.length, 1);
    const [cut] = fitted.cut;
    assert.equal(cut.label, 'sample.ts');
    assert.equal(cut.lines, 1000);
    assert.ok(cut.from > 1 && cut.to < 1000 && cut.from < 500 && cut.to > 500, `kept ${cut.from}-${cut.to}`);
    assert.ok(fitted.fits && fitted.tokens <= 3072, `${fitted.tokens} tokens`);
    const sent = fitted.messages.at(-1)?.content ?? '';
    assert.ok(
      sent.includes(`const line${cut.from} =`) &&
        sent.includes(`const line${cut.to} =`) &&
        !sent.includes(`const line${cut.to + 1} =`),
    );
    assert.match(sent, new RegExp(`sample\\.ts \\(lines ${cut.from}-${cut.to} of sample\\.ts`));
  });

  it('never cuts a fixed attachment (the code a rewrite replaces); says when it still does not fit', () => {
    const code = Array.from({ length: 400 }, (_, i) => `x${i} = ${i}`).join('\n');
    const fitted = fitToWindow(
      parts([], { context: [{ label: 'big.py:1-400', language: 'python', text: code, fixed: true }] }),
      { window: 1000, reserve: 250, factor: 1 },
    );
    assert.deepEqual(fitted.cut, []);
    assert.equal(fitted.fits, false);
    assert.ok(fitted.messages.at(-1)?.content.includes('x399 = 399'));
  });

  it('builds a request from a 60-turn conversation with five attached files quickly', () => {
    const history = Array.from({ length: 60 }, (_, i) => turn(i + 1, 800));
    const files = Array.from({ length: 5 }, (_, f) => ({
      label: `file${f}.ts`,
      language: 'typescript',
      text: Array.from({ length: 400 }, (_, i) => `export const v${i} = ${i};`).join('\n'),
    }));
    const started = performance.now();
    const fitted = fitToWindow(parts(history, { context: files }), { window: 32768, reserve: 1024, factor: 1.1 });
    const elapsed = performance.now() - started;
    assert.ok(fitted.fits);
    // Not a timing test (the benchmark measures it); this only shows the work is not quadratic.
    assert.ok(elapsed < 1000, `${elapsed} ms`);
  });
});

describe('learning from the server', () => {
  it("reads the window and the counted tokens from both shapes of vLLM's refusal", () => {
    assert.deepEqual(
      parseContextLimit(
        "This model's maximum context length is 8192 tokens. However, you requested 9000 tokens (8000 in the messages, 1000 in the completion). Please reduce the length of the messages or completion.",
      ),
      { window: 8192, promptTokens: 8000, requested: 9000 },
    );
    assert.deepEqual(
      parseContextLimit(
        "This model's maximum context length is 4096 tokens. However, your request has 5000 input tokens. Please reduce the length of the input messages.",
      ),
      { window: 4096, promptTokens: 5000, requested: undefined },
    );
    assert.deepEqual(
      parseContextLimit(
        "'max_tokens' or 'max_completion_tokens' is too large: 1000. This model's maximum context length is 4096 tokens and your request has 3500 input tokens (1000 > 4096 - 3500).",
      ),
      { window: 4096, promptTokens: 3500, requested: undefined },
    );
    assert.equal(parseContextLimit('prompt is required'), undefined);
    assert.equal(parseContextLimit(undefined), undefined);
  });

  it('moves the correction halfway towards each measurement, within bounds', () => {
    const calibration = new TokenCalibration();
    assert.equal(calibration.factor('a'), 1);
    calibration.observe('a', 100, 150);
    assert.equal(calibration.factor('a'), 1.5);
    calibration.observe('a', 100, 110);
    assert.equal(calibration.factor('a'), 1.3);
    calibration.observe('a', 100, 100_000);
    assert.equal(calibration.factor('a'), (1.3 + 4) / 2);
    calibration.observe('a', 100, 200, true);
    assert.equal(calibration.factor('a'), 2, "a refusal's exact count replaces the estimate");
    calibration.observe('b', 0, 50);
    assert.equal(calibration.factor('b'), 1, 'nothing to learn from an empty estimate');
  });
});

describe('what @file leaves out', () => {});

describe("the answer's reserve", () => {
  it('sends as max_tokens exactly what it reserves, at most a quarter of the window', () => {
    assert.deepEqual(outputReserve(20_000, 8192), { reserve: 2048, maxTokens: 2048 });
    assert.deepEqual(outputReserve(500, 8192), { reserve: 500, maxTokens: 500 });
    assert.deepEqual(outputReserve(undefined, 8192), { reserve: 2048, maxTokens: undefined });
    assert.deepEqual(outputReserve(undefined, 32768), { reserve: DEFAULT_RESERVE, maxTokens: undefined });
    assert.equal(DEFAULT_RESERVE, 4096);
    assert.deepEqual(outputReserve(undefined, 2000), { reserve: 500, maxTokens: undefined });
  });
});

describe("the team's rules in the window", () => {
  const rule = (label: string, words: number) => ({ label, text: `${label} says: ${'be careful '.repeat(words)}` });

  it('go after the system prompt, each under its file name, whole and in order', () => {
    const fitted = fitToWindow(
      {
        system: 'You help.',
        history: [],
        question: 'q',
        context: [],
        rules: [rule('AGENTS.md', 3), rule('.genos/rules/ts.md', 2)],
      },
      { window: 8192, reserve: 1024, factor: 1 },
    );
    const system = fitted.messages[0].content;
    assert.ok(system.startsWith('You help.\n\n# The team'));
    assert.ok(system.indexOf('## AGENTS.md\nAGENTS.md says:') < system.indexOf('## .genos/rules/ts.md\n'));
    assert.deepEqual(fitted.rules, ['AGENTS.md', '.genos/rules/ts.md']);
    assert.deepEqual(fitted.rulesLeftOut, []);
  });

  it('beyond a quarter of the window, later rules are left out whole and named, never cut', () => {
    const fitted = fitToWindow(
      {
        system: '',
        history: [],
        question: 'q',
        context: [],
        rules: [rule('AGENTS.md', 200), rule('big.md', 2000), rule('small.md', 10)],
      },
      { window: 4096, reserve: 512, factor: 1 },
    );
    assert.deepEqual(fitted.rules, ['AGENTS.md', 'small.md']);
    assert.deepEqual(fitted.rulesLeftOut, ['big.md']);
    assert.ok(fitted.messages[0].content.includes(`${'be careful '.repeat(199)}be careful`), 'a kept rule is whole');
    assert.ok(!fitted.messages[0].content.includes('big.md'));
  });

  it('without rules, the system prompt is as the user wrote it', () => {
    const fitted = fitToWindow(
      { system: 'Only this.', history: [], question: 'q', context: [] },
      { window: 8192, reserve: 1024, factor: 1 },
    );
    assert.equal(fitted.messages[0].content, 'Only this.');
  });
});
