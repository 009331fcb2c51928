import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { GenosError } from '../../../../src/client/errors';
import type { ChatMessage } from '../../../../src/client/openai';
import { runAgentLoop, STOPPED_RESULT, type ToolProtocol } from '../../../../src/host/agent/agentLoop';
import type { AgentStep } from '../../../../src/host/requests/stepBudget';
import { AGENT_TOOLS } from '../../../../src/client/agentTools';
import { nodeAgentIO } from '../../../support/agentIO';
import { FakeGenos } from '../../../support/genosServer';
import { repoRoot } from '../../../support/l10n';

const fixture = (name: string) =>
  fs.readFileSync(path.join(repoRoot, 'test/support/fixtures/vllmToolStreams', name), 'utf8');

let server: FakeGenos;
beforeEach(async () => {
  server = new FakeGenos();
  await server.start();
});
afterEach(() => server.close());

const messagesOf = (index: number) => (server.chatRequests[index].body as { messages: ChatMessage[] }).messages;
const bodyOf = (index: number) => server.chatRequests[index].body as { tools?: unknown[]; messages: ChatMessage[] };

function loop(io: ReturnType<typeof nodeAgentIO>, protocol: ToolProtocol = 'native', maxSteps = 25) {
  const controller = new AbortController();
  const steps: AgentStep[] = [];
  const run = { protocol, tools: AGENT_TOOLS, maxSteps, steps, signal: controller.signal };
  return { run, controller, steps, done: () => runAgentLoop(io, run) };
}

describe('the agent loop', () => {
  it("runs a native call from vLLM's own stream, sends the result back and ends on the answer", async () => {
    server.chatQueue.push({ type: 'raw', contentType: 'text/event-stream', parts: [fixture('hermes-single.sse')] });
    server.chatQueue.push({ type: 'stream', content: ['The file ', 'is fine.'] });
    const io = nodeAgentIO(server, () => ({ ok: true, output: 'src/app.ts, lines 1-1 of 1.\nexport {}' }));
    const { done, steps } = loop(io);
    assert.deepEqual(await done(), { reason: 'answered', protocol: 'native' });
    assert.equal(io.calls.length, 1);
    assert.equal(io.calls[0].call?.name, 'read_file');
    assert.equal(io.calls[0].call?.args.path, 'src/app.ts');
    assert.equal(server.chatRequests.length, 2);
    assert.ok(bodyOf(0).tools?.length, 'the tools are offered');
    const [assistant, result] = messagesOf(1).slice(-2);
    assert.equal(assistant.role, 'assistant');
    assert.equal(assistant.tool_calls?.[0].function.name, 'read_file');
    assert.deepEqual(result, {
      role: 'tool',
      tool_call_id: assistant.tool_calls?.[0].id,
      content: 'src/app.ts, lines 1-1 of 1.\nexport {}',
    });
    assert.equal(steps.length, 1);
    assert.match(io.shown, /The file is fine\.$/);
  });

  for (const file of [
    'llama3_json-single.sse',
    'deepseek_v3-single.sse',
    'mistral-single.sse',
    'hermes-qwen3-reasoning.sse',
  ]) {
    it(`runs the call of ${file} (recorded from vLLM's parser)`, async () => {
      server.chatQueue.push({ type: 'raw', contentType: 'text/event-stream', parts: [fixture(file)] });
      server.chatQueue.push({ type: 'stream', content: ['Done.'] });
      const io = nodeAgentIO(server, () => ({ ok: true, output: 'x' }));
      const { done } = loop(io);
      assert.equal((await done()).reason, 'answered');
      assert.equal(io.calls[0].call?.name, 'read_file');
      assert.equal(io.calls[0].call?.args.path, 'src/app.ts');
      assert.equal(messagesOf(1).at(-1)?.tool_call_id, io.calls[0].id);
    });
  }

  it('falls back to the text protocol when the serving refuses tools, and parses calls as they stream', async () => {
    server.toolCalling = false;
    server.chatQueue.push({
      type: 'stream',
      content: ['I will read it.\n<read', '_file>\n<path>src/', 'app.ts</path>\n</read_file>\nThe file says'],
    });
    server.chatQueue.push({ type: 'stream', content: ['All good.'] });
    const io = nodeAgentIO(server, () => ({ ok: true, output: 'export {}' }));
    const { done } = loop(io);
    assert.deepEqual(await done(), { reason: 'answered', protocol: 'text' });
    assert.deepEqual(io.protocols, ['text']);
    // The refused request, then the same step in the text protocol, then the answer.
    assert.equal(server.chatRequests.length, 3);
    assert.ok(bodyOf(0).tools, 'the first request offered tools');
    assert.equal(bodyOf(1).tools, undefined, 'the text protocol sends no tools');
    assert.match(messagesOf(1)[0].content, /<read_file>/, 'the system prompt teaches the protocol');
    assert.equal(io.calls[0].call?.name, 'read_file');
    assert.equal(io.calls[0].call?.args.path, 'src/app.ts');
    const [assistant, result] = messagesOf(2).slice(-2);
    assert.equal(assistant.content, 'I will read it.\n<read_file>\n<path>src/app.ts</path>\n</read_file>');
    assert.deepEqual(result, { role: 'user', content: '[read_file result]\nexport {}' });
    assert.equal(io.shown, 'I will read it.\nAll good.', 'tool blocks and what follows them are not shown');
  });

  it('tells the model what is wrong with a malformed call or bad arguments, and runs nothing', async () => {
    server.chatQueue.push({ type: 'stream', toolCalls: [{ name: 'read_file', arguments: '{"path": ' }] });
    server.chatQueue.push({ type: 'stream', toolCalls: [{ name: 'delete_all', arguments: '{}' }] });
    server.chatQueue.push({ type: 'stream', content: ['Sorry.'] });
    const io = nodeAgentIO(server, (call) => ({ ok: !call.error, output: call.error ?? 'ran' }));
    const { done } = loop(io);
    await done();
    assert.equal(io.calls[0].error, 'The arguments of read_file are not valid JSON.');
    assert.equal(io.calls[1].error, 'There is no tool named "delete_all".');
    assert.equal(messagesOf(2).at(-1)?.content, 'There is no tool named "delete_all".');
  });

  it('stops at the step limit and goes on from the same steps when continued', async () => {
    for (let i = 0; i < 3; i++) {
      server.chatQueue.push({ type: 'stream', toolCalls: [{ name: 'list_files', arguments: '{}' }] });
    }
    server.chatQueue.push({ type: 'stream', content: ['Done.'] });
    const io = nodeAgentIO(server, () => ({ ok: true, output: 'a.ts' }));
    const first = loop(io, 'native', 2);
    assert.equal((await first.done()).reason, 'limit');
    assert.equal(first.steps.length, 2);
    assert.equal(server.chatRequests.length, 2, 'no request beyond the limit');
    const again = await runAgentLoop(io, { ...first.run, maxSteps: 2 });
    assert.equal(again.reason, 'answered');
    assert.equal(first.steps.length, 3);
    assert.equal(messagesOf(3).filter((m) => m.role === 'tool').length, 3, 'the continued request has every step');
  });

  it('Stop while a tool runs: the tool is aborted, its step kept, no further request', async () => {
    server.chatQueue.push({
      type: 'stream',
      toolCalls: [{ name: 'run_command', arguments: '{"command":"sleep 60"}' }],
    });
    let stop = () => {};
    const io = nodeAgentIO(
      server,
      (_call, signal) =>
        new Promise((resolve) => {
          signal.addEventListener('abort', () => resolve({ ok: false, output: STOPPED_RESULT }));
          stop();
        }),
    );
    const { done, controller, steps } = loop(io);
    stop = () => controller.abort();
    await assert.rejects(done(), (error: GenosError) => error.kind === 'cancelled');
    assert.equal(steps.length, 1);
    assert.equal(steps[0].results[0].content, STOPPED_RESULT);
    assert.equal(server.chatRequests.length, 1);
  });

  it('Stop during a request aborts it at once', async () => {
    server.chatQueue.push({ type: 'stream', content: ['Thinking', ' more'], ending: 'stall' });
    const io = nodeAgentIO(server, () => ({ ok: true, output: '' }));
    const { done, controller } = loop(io);
    const text = new Promise<void>((resolve) => {
      const original = io.text.bind(io);
      io.text = (piece) => {
        original(piece);
        if (io.shown.includes('more')) resolve();
      };
    });
    const ended = done();
    await text;
    controller.abort();
    await assert.rejects(ended, (error: GenosError) => error.kind === 'cancelled');
    await server.chatRequests[0].closed;
    assert.equal(io.shown, 'Thinking more', 'the text so far is kept');
  });

  it('a 50-step session on an 8k window: every request fits, old results shortened first', async () => {
    const big = Array.from({ length: 120 }, (_, i) => `line ${i} of a long file with some words in it`).join('\n');
    for (let i = 0; i < 50; i++) {
      server.chatQueue.push({
        type: 'stream',
        content: [`Step ${i}.`],
        toolCalls: [{ name: 'read_file', arguments: JSON.stringify({ path: `src/f${i}.ts` }) }],
      });
    }
    server.chatQueue.push({ type: 'stream', content: ['Finished.'] });
    const io = nodeAgentIO(server, () => ({ ok: true, output: big }), { window: 8192, reserve: 2048 });
    const { done } = loop(io, 'native', 60);
    assert.equal((await done()).reason, 'answered');
    assert.equal(server.chatRequests.length, 51);
    assert.ok(io.allFitted, 'every request fitted its window');
    assert.ok(io.largest <= 8192 - 2048, `largest request ${io.largest}`);
    const last = messagesOf(50);
    assert.match(last.find((m) => m.role === 'tool')?.content ?? '', /^\[Result shortened|left out/);
  });
});
