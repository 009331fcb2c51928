import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { estimateTokens } from '../../../../src/shared/tokens';
import { capResult, fitSteps, messageTokens, type AgentStep } from '../../../../src/host/requests/stepBudget';

/** A step that read `lines` lines of a file, called natively. */
function step(n: number, lines: number): AgentStep {
  const id = `call_${n}`;
  const output = Array.from(
    { length: lines },
    (_, i) => `${i + 1}: const value${i} = compute(${i}); // step ${n}`,
  ).join('\n');
  return {
    assistant: {
      role: 'assistant',
      content: `Reading part ${n}.`,
      tool_calls: [{ id, type: 'function', function: { name: 'read_file', arguments: `{"path":"src/f${n}.ts"}` } }],
    },
    results: [{ role: 'tool', tool_call_id: id, content: output }],
  };
}

describe('agent steps in the context window', () => {
  it('counts the calls a message carries, not only its text', () => {
    const { assistant } = step(1, 1);
    assert.ok(messageTokens(assistant) > messageTokens({ ...assistant, tool_calls: undefined }));
  });

  it('keeps everything when it fits', () => {
    const steps = [step(1, 10), step(2, 10)];
    const fitted = fitSteps(steps, 10_000);
    assert.deepEqual(
      fitted.messages,
      steps.flatMap((s) => [s.assistant, ...s.results]),
    );
    assert.deepEqual([fitted.shortened, fitted.omitted, fitted.fits], [0, 0, true]);
  });

  it('shortens the oldest results first, keeps every call, and the last step whole', () => {
    const steps = [step(1, 200), step(2, 200), step(3, 200)];
    const whole = fitSteps(steps, 1_000_000).tokens;
    const fitted = fitSteps(steps, Math.floor(whole * 0.5));
    assert.equal(fitted.shortened, 2);
    assert.equal(fitted.messages.length, 6, 'every call and its result stay, as a pair');
    assert.match(
      fitted.messages[1].content,
      /^\[Result shortened to save context: 200 lines beginning "1: const value0/,
    );
    assert.equal(fitted.messages[1].tool_call_id, 'call_1');
    assert.equal(fitted.messages[5].content, steps[2].results[0].content);
    assert.ok(fitted.fits && fitted.tokens <= Math.floor(whole * 0.5));
  });

  it('leaves out the oldest steps whole, with a note, when shortening is not enough', () => {
    const steps = Array.from({ length: 50 }, (_, i) => step(i + 1, 30));
    const fitted = fitSteps(steps, 1_500);
    assert.ok(fitted.omitted > 0);
    assert.match(
      fitted.messages[0].content,
      new RegExp(`^\\[The first ${fitted.omitted} steps of this task are left out`),
    );
    assert.equal(fitted.messages[1].role, 'assistant', 'a kept step starts with its call');
    assert.equal(fitted.messages.at(-1)?.content, steps[49].results[0].content);
    assert.ok(fitted.fits && fitted.tokens <= 1_500, `${fitted.tokens} tokens`);
  });

  it('applies the serving correction and says when even the last step does not fit', () => {
    const steps = [step(1, 10), step(2, 400)];
    const plain = fitSteps(steps, 1_000_000).tokens;
    assert.equal(fitSteps(steps, 1_000_000, 2).tokens, plain * 2);
    const tooSmall = fitSteps(steps, 50);
    assert.equal(tooSmall.fits, false);
    assert.equal(tooSmall.messages.at(-1)?.content, steps[1].results[0].content, 'the last step is never cut here');
  });

  it('cuts long output to its start and end, with a note of what was left out', () => {
    const output = Array.from({ length: 1000 }, (_, i) => `line ${i}`).join('\n');
    const capped = capResult(output, 300);
    assert.ok(estimateTokens(capped) <= 330, `${estimateTokens(capped)} tokens`);
    assert.ok(capped.startsWith('line 0\nline 1\n'));
    assert.ok(capped.endsWith('line 998\nline 999'));
    assert.match(capped, /\[… \d+ of 1000 lines left out to fit the context window/);
    assert.equal(capResult('short', 300), 'short');
    const oneLine = capResult('x'.repeat(10_000), 100);
    assert.ok(oneLine.length < 10_000 && oneLine.includes('left out'));
    const korean = capResult('가'.repeat(10_000), 100);
    assert.ok(estimateTokens(korean) <= 130, `${estimateTokens(korean)} tokens for one long Korean line`);
  });
});
