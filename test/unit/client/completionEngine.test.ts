/**
 * The completion engine's decisions, one by one: when it asks, what it reuses, what it closes. The
 * engine's request is the function it is given (the network path is covered against the loopback
 * GenOS in completion.test.ts); here that function is a request the test answers by hand, and the
 * debounce runs on node:test's mock clock, so every ordering is exact and nothing waits.
 */
import { strict as assert } from 'node:assert';
import { getEventListeners } from 'node:events';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import type { CursorContext } from '../../../src/client/prompts';
import { CompletionEngine, type CompletionEngineOptions } from '../../../src/client/completionEngine';
import { GenosError } from '../../../src/client/errors';

interface Asked {
  context: CursorContext;
  signal: AbortSignal;
  answer(text: string): void;
  fail(error: unknown): void;
}

/**
 * An engine whose requests wait for the test to answer them; an abort rejects as the client does,
 * at once, or only when the test says (`rejectOnAbort` false), as a connection that closes late.
 */
function engineWith(
  options: CompletionEngineOptions,
  rejectOnAbort = true,
): { engine: CompletionEngine; asked: Asked[] } {
  const asked: Asked[] = [];
  const engine = new CompletionEngine(
    (context, signal) =>
      new Promise<string>((resolve, reject) => {
        if (rejectOnAbort) signal.addEventListener('abort', () => reject(closed()));
        asked.push({ context, signal, answer: resolve, fail: reject });
      }),
    options,
  );
  return { engine, asked };
}

const closed = () => new GenosError({ kind: 'cancelled', message: 'closed' });

const at = (prefix: string, suffix = ''): CursorContext => ({ prefix, suffix, language: 'typescript', path: 'a.ts' });
const live = () => new AbortController().signal;
/** Lets promise callbacks run (the mock clock does not move). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('the completion engine', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }));
  afterEach(() => mock.timers.reset());

  it('waits for a quiet time, and asks nothing for a keystroke that another one replaced in it', async () => {
    const { engine, asked } = engineWith({ debounceMs: 50 });
    const first = new AbortController();
    const dropped = engine.complete(at('const a', ';'), first.signal);
    await settle();
    mock.timers.tick(20);
    first.abort();
    assert.equal(await dropped, undefined);
    // Elsewhere in the line, so it does not continue the first.
    const kept = engine.complete(at('const ab', ''), live());
    await settle();
    mock.timers.tick(49);
    await settle();
    assert.equal(asked.length, 0, 'asked before the quiet time ended');
    mock.timers.tick(1);
    await settle();
    assert.equal(asked.length, 1);
    assert.equal(asked[0].context.prefix, 'const ab');
    asked[0].answer('c = 1;');
    assert.equal(await kept, 'c = 1;');
    assert.deepEqual(engine.stats, { requests: 1, aborted: 0, cacheHits: 0, pendingReuses: 0 });
  });

  it('asks nothing for a signal already aborted, with or without a request to wait for', async () => {
    const { engine, asked } = engineWith({ debounceMs: 50 });
    const aborted = new AbortController();
    aborted.abort();
    assert.equal(await engine.complete(at('x'), aborted.signal), undefined);
    assert.equal(asked.length, 0);
    const started = engine.complete(at('x'), live());
    await settle();
    mock.timers.tick(50);
    await settle();
    assert.equal(asked.length, 1);
    const waiting = engine.complete(at('xy'), aborted.signal);
    asked[0].answer('yz');
    assert.equal(await started, 'yz');
    assert.equal(await waiting, undefined);
    assert.equal(engine.stats.pendingReuses, 0);
  });

  it('stops waiting for a request in flight when its own call is cancelled, asking nothing more', async () => {
    const { engine, asked } = engineWith({ debounceMs: 0 });
    const first = engine.complete(at('k'), live());
    await settle();
    const waiter = new AbortController();
    const waiting = engine.complete(at('kl'), waiter.signal);
    await settle();
    waiter.abort();
    assert.equal(await waiting, undefined);
    await settle();
    assert.equal(asked.length, 1);
    assert.equal(asked[0].signal.aborted, false, 'the request the other call waits for was closed');
    asked[0].answer('lm');
    assert.equal(await first, 'lm');
    assert.deepEqual(engine.stats, { requests: 1, aborted: 0, cacheHits: 0, pendingReuses: 0 });
  });

  it('forgets its results and closes the request in flight when cleared', async () => {
    const { engine, asked } = engineWith({ debounceMs: 0 });
    const first = engine.complete(at('h'), live());
    await settle();
    asked[0].answer('ello');
    await first;
    const inFlight = engine.complete(at('w'), live());
    await settle();
    engine.clear();
    assert.equal(asked[1].signal.aborted, true);
    assert.equal(await inFlight, undefined);
    const again = engine.complete(at('he'), live());
    await settle();
    assert.equal(asked.length, 3, 'a cleared result was served');
    asked[2].answer('llo');
    assert.equal(await again, 'llo');
  });

  it('uses a request that began while it waited its quiet time, if the cursor continues it', async () => {
    const { engine, asked } = engineWith({ debounceMs: 50 });
    const first = engine.complete(at('let v'), live());
    await settle();
    mock.timers.tick(25);
    const second = engine.complete(at('let va'), live());
    await settle();
    mock.timers.tick(25);
    await settle();
    assert.equal(asked.length, 1, 'the first keystroke asks');
    mock.timers.tick(25);
    await settle();
    asked[0].answer('alue = 1;');
    assert.equal(await first, 'alue = 1;');
    assert.equal(await second, 'lue = 1;');
    assert.equal(asked.length, 1, 'the second keystroke asked again');
    assert.equal(engine.stats.requests, 1);
  });

  it('serves a recent result while the user types along it, only at the same place and only with text left', async () => {
    const { engine, asked } = engineWith({ debounceMs: 0 });
    const first = engine.complete(at('return ', ';\n}'), live());
    await settle();
    asked[0].answer('undefined');
    assert.equal(await first, 'undefined');
    assert.equal(await engine.complete(at('return und', ';\n}'), live()), 'efined');
    assert.equal(engine.stats.cacheHits, 1);
    // Typed all of it: nothing is left to offer, so it asks.
    const typedAll = engine.complete(at('return undefined', ';\n}'), live());
    await settle();
    assert.equal(asked.length, 2);
    asked[1].answer('');
    assert.equal(await typedAll, '');
    // The same text before the cursor but another after it is another place.
    const elsewhere = engine.complete(at('return und', ''), live());
    await settle();
    assert.equal(asked.length, 3);
    asked[2].answer('o();');
    assert.equal(await elsewhere, 'o();');
    // A cursor that does not continue a result whose text begins like "undefined" is no match.
    const other = engine.complete(at('let x = ', ';\n}'), live());
    await settle();
    assert.equal(asked.length, 4);
    asked[3].answer('2;');
    assert.equal(await other, '2;');
    assert.equal(engine.stats.cacheHits, 1);
    assert.equal(engine.stats.requests, 4);
  });

  it('keeps the newest results up to its size, and no empty ones', async () => {
    const { engine, asked } = engineWith({ debounceMs: 0, cacheSize: 2 });
    const ask = async (prefix: string, text: string) => {
      const result = engine.complete(at(prefix), live());
      await settle();
      asked[asked.length - 1].answer(text);
      return result;
    };
    await ask('a', 'aa');
    await ask('b', 'bb');
    await ask('e', '');
    await ask('c', 'cc');
    // 'a' was the oldest of three: dropped. 'b' and 'c' are kept; the empty result took no place.
    const requests = engine.stats.requests;
    assert.equal(await engine.complete(at('cc'), live()), 'c');
    assert.equal(await engine.complete(at('bb'), live()), 'b');
    assert.equal(engine.stats.requests, requests);
    const again = engine.complete(at('aa'), live());
    await settle();
    assert.equal(engine.stats.requests, requests + 1);
    asked[asked.length - 1].answer('x');
    assert.equal(await again, 'x');
  });

  it('keeps fifty results unless told otherwise', async () => {
    const { engine, asked } = engineWith({ debounceMs: 0 });
    for (let i = 0; i <= 50; i++) {
      const result = engine.complete(at(`v${i} = `), live());
      await settle();
      asked[i].answer(`${i};`);
      await result;
    }
    assert.equal(await engine.complete(at('v1 = '), live()), '1;');
    assert.equal(engine.stats.cacheHits, 1);
    const oldest = engine.complete(at('v0 = '), live());
    await settle();
    assert.equal(asked.length, 52);
    asked[51].answer('0;');
    await oldest;
  });

  it('waits for a request in flight while the user types along it, up to a limit, and closes it beyond', async () => {
    const { engine, asked } = engineWith({ debounceMs: 0, maxTypeAhead: 3 });
    const first = engine.complete(at('f('), live());
    await settle();
    const along = engine.complete(at('f(abc'), live());
    await settle();
    assert.equal(asked.length, 1, 'three characters ahead still wait');
    asked[0].answer('abcdef)');
    assert.equal(await first, 'abcdef)');
    assert.equal(await along, 'def)');
    assert.equal(engine.stats.pendingReuses, 1);
    const second = engine.complete(at('g('), live());
    await settle();
    const beyond = engine.complete(at('g(abcd'), live());
    await settle();
    assert.equal(asked[1].signal.aborted, true, 'four characters ahead close the request');
    assert.equal(await second, undefined);
    assert.equal(asked.length, 3);
    asked[2].answer('e)');
    assert.equal(await beyond, 'e)');
    assert.equal(engine.stats.aborted, 1);
  });

  it('waits along up to forty characters unless told otherwise', async () => {
    const { engine, asked } = engineWith({ debounceMs: 0 });
    const first = engine.complete(at('s = "'), live());
    await settle();
    const beyond = engine.complete(at(`s = "${'x'.repeat(41)}`), live());
    await settle();
    assert.equal(asked[0].signal.aborted, true);
    assert.equal(await first, undefined);
    asked[1].answer('";');
    assert.equal(await beyond, '";');
  });

  it('asks on its own when the request it waited for fails, was closed, or does not go on as typed', async () => {
    const { engine, asked } = engineWith({ debounceMs: 0 });
    /** A call, then one whose cursor continues it while its request is in flight. */
    const callThenAlong = async (first: string, second: string) => {
      const started = engine.complete(at(first), live());
      await settle();
      const along = engine.complete(at(second), live());
      await settle();
      return [started, along];
    };
    const [failing, behind] = await callThenAlong('a', 'ab');
    asked[0].fail(new GenosError({ kind: 'server', status: 500, message: 'boom' }));
    await assert.rejects(failing, GenosError);
    await settle();
    assert.equal(asked.length, 2, 'asked again after the failure');
    asked[1].answer('cd');
    assert.equal(await behind, 'cd');

    const [closed, waiting] = await callThenAlong('x', 'xy');
    engine.abort();
    assert.equal(await closed, undefined);
    await settle();
    assert.equal(asked.length, 4, 'asked again after the request was closed');
    asked[3].answer('z');
    assert.equal(await waiting, 'z');

    const [differs, typedOther] = await callThenAlong('m', 'mq');
    asked[4].answer('mm');
    assert.equal(await differs, 'mm');
    await settle();
    assert.equal(asked.length, 6);
    asked[5].answer('r');
    assert.equal(await typedOther, 'r');

    const [exact, typedAll] = await callThenAlong('n', 'no');
    asked[6].answer('o');
    assert.equal(await exact, 'o');
    await settle();
    assert.equal(asked.length, 8, 'nothing was left of the result it waited for');
    asked[7].answer('w');
    assert.equal(await typedAll, 'w');
    assert.equal(engine.stats.pendingReuses, 0);
  });

  it("leaves nothing on the editor's signals once its calls end, answered, reused or failed", async () => {
    const { engine, asked } = engineWith({ debounceMs: 50 });
    const listeners = (signal: AbortSignal) => getEventListeners(signal, 'abort').length;
    const signals = [live(), live(), live()];
    const first = engine.complete(at('let a = '), signals[0]);
    await settle();
    mock.timers.tick(50);
    await settle();
    const along = engine.complete(at('let a = 4'), signals[1]);
    await settle();
    asked[0].answer('42;');
    assert.equal(await first, '42;');
    assert.equal(await along, '2;');
    const failing = engine.complete(at('let b = '), signals[2]);
    await settle();
    mock.timers.tick(50);
    await settle();
    asked[1].fail(new GenosError({ kind: 'server', status: 500, message: 'boom' }));
    await assert.rejects(failing, GenosError);
    assert.deepEqual(signals.map(listeners), [0, 0, 0]);
  });

  it('forgets a request once it is answered or replaced, and never closes one it did not start', async () => {
    const { engine, asked } = engineWith({ debounceMs: 0 }, false);
    const done = engine.complete(at('p'), live());
    await settle();
    asked[0].answer('q');
    await done;
    engine.abort();
    assert.equal(engine.stats.aborted, 0, 'an answered request is not closed');
    // A request replaced by another: the old one settling later must not forget the new one.
    const old = engine.complete(at('r', '1'), live());
    await settle();
    const current = engine.complete(at('s', '2'), live());
    await settle();
    assert.equal(asked[1].signal.aborted, true);
    // The replaced request's connection closes only now, after the new one began.
    asked[1].fail(closed());
    assert.equal(await old, undefined);
    await settle();
    const along = engine.complete(at('st', '2'), live());
    await settle();
    assert.equal(asked.length, 3, 'the current request was forgotten');
    asked[2].answer('tu');
    assert.equal(await current, 'tu');
    assert.equal(await along, 'u');
    assert.deepEqual(engine.stats, { requests: 3, aborted: 1, cacheHits: 0, pendingReuses: 1 });
  });
});
