import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Log } from '../../src/host/base/log';
import { ChatController } from '../../src/host/chat/chatController';
import { ConversationStore } from '../../src/host/chat/conversationStore';
import { ConnectionManager } from '../../src/host/connection/connectionManager';
import { TokenStore } from '../../src/host/connection/tokenStore';
import { EditorContext } from '../../src/host/context/editorContext';
import { RequestPath } from '../../src/host/requests/requestPath';
import type { HostMessage } from '../../src/shared/protocol';
import { FakeGenos } from '../support/genosServer';
import { MemoryMemento, MemorySecrets } from '../support/memoryState';
import { useServer } from './helpers';

type Body = { chat_template_kwargs?: unknown };

describe('the Think switch', () => {
  let server: FakeGenos;
  const log = new Log();
  const secrets = new MemorySecrets();
  const memento = new MemoryMemento();

  before(async () => {
    server = new FakeGenos({ token: 'think-token', models: ['Qwen3-8B'] });
    await server.start();
    await useServer(server);
    const tokens = new TokenStore(secrets);
    await tokens.set(new ConnectionManager(memento, tokens, log).endpoint(), 'think-token');
  });
  after(() => server.close());

  it('off sends enable_thinking false in this conversation; a serving that refuses it is asked again without, once', async () => {
    const posted: HostMessage[] = [];
    const chat = new ChatController(
      { post: (m) => posted.push(m) },
      new RequestPath(new ConnectionManager(memento, new TokenStore(secrets), log), log),
      new ConversationStore(vscode.Uri.file(fs.mkdtempSync(path.join(os.tmpdir(), 'genos-think-')))),
      memento,
      log,
      new EditorContext(),
    );
    server.chatQueue.push({ type: 'stream', reasoning: ['hmm'], content: ['thought'] });
    await chat.ask('Think first.');
    assert.equal((server.chatRequests.at(-1)?.body as Body).chat_template_kwargs, undefined);
    const init = await chat.init();
    assert.ok(init.type === 'init' && init.thinks === true, 'a Qwen3 model offers the switch');

    await chat.setThinkingOff(true);
    assert.deepEqual(posted.at(-1), { type: 'thinking', thinks: true, thinkingOff: true });
    server.chatQueue.push({ type: 'stream', content: ['quick'] });
    await chat.ask('Answer at once.');
    assert.deepEqual((server.chatRequests.at(-1)?.body as Body).chat_template_kwargs, { enable_thinking: false });

    server.refuseTemplateKwargs = true;
    server.chatQueue.push({ type: 'stream', content: ['still answered'] });
    const first = server.chatRequests.length;
    const outcome = await chat.ask('Through a gateway that forbids extra fields.');
    assert.equal(outcome?.status, 'done');
    assert.equal(outcome?.answer, 'still answered');
    assert.equal(server.chatRequests.length - first, 2, 'refused once, then asked without the switch');
    server.chatQueue.push({ type: 'stream', content: ['again'] });
    await chat.ask('And again.');
    assert.equal(server.chatRequests.length - first, 3, 'not sent the switch again');
    assert.equal((server.chatRequests.at(-1)?.body as Body).chat_template_kwargs, undefined);
    server.refuseTemplateKwargs = false;
    chat.dispose();
  });
});
