import { strict as assert } from 'node:assert';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { buildEndpoint } from '../../../src/client/endpoint';
import { GenosClient } from '../../../src/client/genosClient';
import { thinksByName } from '../../../src/shared/modelNames';
import { collect, failure } from '../../support/collect';
import { FakeGenos } from '../../support/genosServer';

let server: FakeGenos;
beforeEach(async () => {
  server = new FakeGenos();
  await server.start();
});
afterEach(() => server.close());

const client = () =>
  new GenosClient({ endpoint: buildEndpoint(server.baseUrl, server.servingId), token: server.token, timeoutMs: 5_000 });
const bodyOf = (i: number) => server.chatRequests[i].body as { chat_template_kwargs?: unknown };

describe('thinking switched off', () => {
  it("sends vLLM's chat_template_kwargs only when thinking is off", async () => {
    server.chatQueue.push({ type: 'stream', content: ['a'] }, { type: 'stream', content: ['b'] });
    await collect(client().chat([{ role: 'user', content: 'q' }], { model: 'm', thinking: false }));
    await collect(client().chat([{ role: 'user', content: 'q' }], { model: 'm' }));
    assert.deepEqual(bodyOf(0).chat_template_kwargs, { enable_thinking: false });
    assert.equal(bodyOf(1).chat_template_kwargs, undefined);
  });

  it('says when a serving refuses the switch, so it is not sent again', async () => {
    server.refuseTemplateKwargs = true;
    const error = await failure(
      collect(client().chat([{ role: 'user', content: 'q' }], { model: 'm', thinking: false })),
    );
    assert.equal(error.kind, 'badRequest');
    assert.equal(error.detail, 'thinkingSwitchRefused');
  });

  it('knows models that think by their names', () => {
    for (const name of ['Qwen/Qwen3-8B', 'QwQ-32B', 'deepseek-ai/DeepSeek-R1-Distill-Qwen-7B', 'openai/gpt-oss-20b']) {
      assert.ok(thinksByName(name), name);
    }
    for (const name of ['Qwen2.5-Coder-7B', 'Qwen/Qwen3-30B-A3B-Instruct-2507', 'gemma-3-12b-it']) {
      assert.ok(!thinksByName(name), name);
    }
  });
});

describe("vLLM's exact token count", () => {
  it('counts messages at /tokenize beside /v1, and says when the serving does not offer it', async () => {
    const messages = [{ role: 'user' as const, content: '안녕하세요, GenOS! How many tokens is this?' }];
    assert.equal(await client().tokenize('m', messages), server.countTokens(messages));
    const request = server.requests.at(-1);
    assert.equal(request?.path, `${server.endpointPath}/tokenize`);
    assert.deepEqual(request?.body, { model: 'm', messages });
    server.tokenize = false;
    assert.equal(await client().tokenize('m', messages), undefined);
  });
});
