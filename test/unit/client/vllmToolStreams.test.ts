import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { buildEndpoint } from '../../../src/client/endpoint';
import { GenosClient } from '../../../src/client/genosClient';
import { AGENT_TOOLS } from '../../../src/client/agentTools';
import { collect, failure } from '../../support/collect';
import { FakeGenos } from '../../support/genosServer';
import { repoRoot } from '../../support/l10n';

const fixtures = path.join(repoRoot, 'test/support/fixtures/vllmToolStreams');
const read = (name: string) => fs.readFileSync(path.join(fixtures, name), 'utf8');

let server: FakeGenos;
beforeEach(async () => {
  server = new FakeGenos();
  await server.start();
});
afterEach(() => server.close());

/** The client's events for a stream vLLM sends, as the server sends it. */
function stream(file: string) {
  server.chatQueue.push({ type: 'raw', contentType: 'text/event-stream', parts: [read(file)] });
  const client = new GenosClient({
    endpoint: buildEndpoint(server.baseUrl, server.servingId),
    token: server.token,
    timeoutMs: 5_000,
  });
  return client.chat([{ role: 'user', content: 'read src/app.ts' }], { model: 'm', tools: [...AGENT_TOOLS] });
}

const single = [{ name: 'read_file', args: { path: 'src/app.ts' } }];
const parallel = [...single, { name: 'search', args: { query: 'TODO' } }];

describe("vLLM's tool-call streams, parser by parser", () => {
  for (const [file, expected] of [
    ['hermes-single.sse', single],
    ['hermes-parallel.sse', parallel],
    ['hermes-qwen3-reasoning.sse', single],
    ['hermes-qwen3-reasoning-v0.12.sse', single],
    ['llama3_json-single.sse', single],
    ['llama3_json-parallel.sse', parallel],
    ['deepseek_v3-single.sse', single],
    ['deepseek_v3-parallel.sse', parallel],
    ['mistral-single.sse', single],
    ['mistral-parallel.sse', parallel],
  ] as const) {
    it(`${file}: each call whole, with its arguments, and no answer text but spaces`, async () => {
      const result = await collect(stream(file));
      assert.deepEqual(
        result.toolCalls.map((call) => ({ name: call.name, args: JSON.parse(call.arguments) as unknown })),
        expected,
      );
      assert.equal(new Set(result.toolCalls.map((call) => call.id)).size, expected.length, 'one id a call');
      assert.equal(result.text.trim(), '');
      assert.equal(result.finish, 'tool_calls');
      if (file.includes('reasoning')) assert.ok(result.reasoning.length > 0, 'the thinking before the call');
    });
  }

  it('a serving without tool calling: the 400 is recognised, in its current and its older shape', async () => {
    for (const file of ['no-auto-tool-choice-400.json', 'no-auto-tool-choice-400.pre-v0.10.1.json']) {
      server.chatQueue.push({ type: 'status', status: 400, body: read(file) });
      const client = new GenosClient({
        endpoint: buildEndpoint(server.baseUrl, server.servingId),
        token: server.token,
        timeoutMs: 5_000,
      });
      const error = await failure(
        collect(client.chat([{ role: 'user', content: 'x' }], { model: 'm', tools: [...AGENT_TOOLS] })),
      );
      assert.equal(error.detail, 'toolsRefused', file);
    }
  });
});
