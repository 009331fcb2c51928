/** How the parsed events of each network read become the chat events a consumer sees. */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { GenosError } from '../../../src/client/errors';
import type { ChunkResult } from '../../../src/client/openai';
import { StreamAssembler } from '../../../src/client/streamAssembler';

const events = (...list: Extract<ChunkResult, { kind: 'events' }>['events']): ChunkResult => ({
  kind: 'events',
  events: list,
});

describe('assembling a streamed answer', () => {
  it('merges adjacent text of one read by kind, and keeps the order of kinds and other events', () => {
    const answer = new StreamAssembler();
    const { events: read, failure } = answer.collect([
      events({ type: 'reasoning', text: 'r1' }, { type: 'reasoning', text: 'r2' }),
      events({ type: 'content', text: 'a' }, { type: 'content', text: 'b' }),
      events({ type: 'reasoning', text: 'r3' }, { type: 'content', text: 'c' }),
      events(
        { type: 'usage', usage: { promptTokens: 1, completionTokens: 2, totalTokens: 3 } },
        { type: 'content', text: 'd' },
      ),
      events({ type: 'finish', reason: 'stop' }),
    ]);
    assert.equal(failure, undefined);
    assert.deepEqual(read, [
      { type: 'reasoning', text: 'r1r2' },
      { type: 'content', text: 'ab' },
      { type: 'reasoning', text: 'r3' },
      { type: 'content', text: 'c' },
      { type: 'usage', usage: { promptTokens: 1, completionTokens: 2, totalTokens: 3 } },
      { type: 'content', text: 'd' },
      { type: 'finish', reason: 'stop' },
    ]);
    assert.equal(answer.text, 'abcd');
    assert.equal(answer.reasoning, 'r1r2r3');
    assert.equal(answer.finished, true);
    assert.equal(answer.done, false);
    // A new read starts new events: the merged ones already went out.
    assert.deepEqual(answer.collect([events({ type: 'content', text: 'e' })]).events, [{ type: 'content', text: 'e' }]);
  });

  it("does not change the parser's events when it merges", () => {
    const first = { type: 'content' as const, text: 'a' };
    new StreamAssembler().collect([events(first, { type: 'content', text: 'b' })]);
    assert.deepEqual(first, { type: 'content', text: 'a' });
  });

  it('hands each tool call on whole, in index order, with its first id and name (or an id of its own), before the finish', () => {
    const answer = new StreamAssembler();
    const { events: read } = answer.collect([
      events(
        { type: 'toolCallDelta', index: 10, id: 'call_b', name: 'write' },
        { type: 'toolCallDelta', index: 2, name: 'read', arguments: '{"pa' },
      ),
      events(
        { type: 'toolCallDelta', index: 2, id: 'late-id', arguments: 'th":"a"}' },
        { type: 'toolCallDelta', index: 10, id: 'second-id', name: 'other', arguments: '{}' },
        { type: 'toolCallDelta', index: 9 },
      ),
      events({ type: 'finish', reason: 'tool_calls' }),
    ]);
    assert.deepEqual(read, [
      { type: 'toolCall', call: { id: 'late-id', name: 'read', arguments: '{"path":"a"}' } },
      { type: 'toolCall', call: { id: 'call_9', name: '', arguments: '' } },
      { type: 'toolCall', call: { id: 'call_b', name: 'write', arguments: '{}' } },
      { type: 'finish', reason: 'tool_calls' },
    ]);
    // Handed on once.
    assert.deepEqual(answer.collect([{ kind: 'done' }]).events, []);
  });

  it('stops at [DONE], handing on the calls still open, and reads nothing after it', () => {
    const answer = new StreamAssembler();
    const { events: read } = answer.collect([
      events({ type: 'toolCallDelta', index: 0, id: 'x', name: 'f', arguments: '1' }),
      { kind: 'done' },
      events({ type: 'content', text: 'after' }),
    ]);
    assert.deepEqual(read, [{ type: 'toolCall', call: { id: 'x', name: 'f', arguments: '1' } }]);
    assert.equal(answer.done, true);
    assert.equal(answer.finished, false);
    assert.equal(answer.text, '');
  });

  it('returns what came before a failure with it, and keeps the text for the partial answer', () => {
    const answer = new StreamAssembler();
    const stream = answer.collect([
      events({ type: 'content', text: 'part' }),
      { kind: 'error', message: 'overloaded' },
      events({ type: 'content', text: 'never' }),
    ]);
    assert.deepEqual(stream.events, [{ type: 'content', text: 'part' }]);
    assert.ok(stream.failure instanceof GenosError);
    assert.equal(stream.failure.kind, 'streamError');
    assert.equal(stream.failure.serverMessage, 'overloaded');
    assert.equal(stream.failure.message, 'The server reported an error in the stream.');
    assert.equal(answer.text, 'part');
    const malformed = new StreamAssembler().collect([
      events({ type: 'reasoning', text: 'r' }),
      { kind: 'malformed', message: 'A stream event is not JSON.' },
    ]);
    assert.deepEqual(malformed.events, [{ type: 'reasoning', text: 'r' }]);
    assert.equal(malformed.failure?.kind, 'malformed');
    assert.equal(malformed.failure?.message, 'A stream event is not JSON.');
  });

  it("counts every tool call's arguments toward the answer's limit, however many calls there are", () => {
    const assembler = new StreamAssembler({ eventChars: 10_000, answerChars: 1000, toolArgumentChars: 400 });
    let failure: GenosError | undefined;
    for (let index = 0; index < 10 && !failure; index++) {
      failure = assembler.collect([
        events({ type: 'toolCallDelta', index, id: `c${index}`, name: 'write', arguments: 'a'.repeat(300) }),
      ]).failure;
    }
    assert.ok(failure, 'ten calls of 300 characters each go over an answer of 1,000');
    assert.equal(failure.detail, 'tooLarge');
  });
});
