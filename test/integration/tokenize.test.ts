import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { HistoryTurn } from '../../src/client/prompts';
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
import { useServer, waitFor } from './helpers';

describe("the serving's exact token count", () => {
  let server: FakeGenos;
  const log = new Log();
  const secrets = new MemorySecrets();
  const memento = new MemoryMemento();
  const path_ = () => new RequestPath(new ConnectionManager(memento, new TokenStore(secrets), log), log);

  before(async () => {
    // A tokenizer that counts 40 % more than the extension's estimate, and a small window.
    server = new FakeGenos({ token: 'count-token', models: ['small'], maxModelLen: 3000, tokenRatio: 1.4 });
    await server.start();
    await useServer(server);
    const tokens = new TokenStore(secrets);
    await tokens.set(new ConnectionManager(memento, tokens, log).endpoint(), 'count-token');
  });
  after(() => server.close());

  // Earlier turns whose estimate fills most of the room: the exact count is over it.
  const history: HistoryTurn[] = Array.from({ length: 40 }, (_, i) => ({
    question: `Question ${i} about the parser and its many cases`,
    context: [],
    answer: `Answer ${i}: ${'the parser reads each token and decides what comes next. '.repeat(3)}`,
  }));
  const prompt = () => ({ system: 'You help.', history, question: 'And now?', context: [] });

  it("near the edge, fits the request by the serving's count, so it is not refused", async () => {
    server.chatQueue.push({ type: 'stream', content: ['fits'] });
    const outcome = await path_().run({ prompt });
    assert.equal(outcome.status, 'done', outcome.error?.message);
    assert.ok(
      server.requests.some((r) => r.path.endsWith('/tokenize')),
      'counted at /tokenize',
    );
    const sent = server.chatRequests.at(-1)?.promptTokens ?? 0;
    assert.ok(sent <= 3000 - 750, `${sent} prompt tokens`);
  });

  it('without /tokenize, falls back to the estimate silently, asking once per serving', async () => {
    server.tokenize = false;
    try {
      const requests = path_();
      server.chatQueue.push({ type: 'stream', content: ['a'] }, { type: 'stream', content: ['b'] });
      const before = server.requests.filter((r) => r.path.endsWith('/tokenize')).length;
      await requests.run({ prompt });
      await requests.run({ prompt });
      assert.equal(server.requests.filter((r) => r.path.endsWith('/tokenize')).length - before, 1);
    } finally {
      server.tokenize = true;
    }
  });

  it("the gauge shows the serving's count once things are quiet", async () => {
    const posted: HostMessage[] = [];
    const chat = new ChatController(
      { post: (m) => posted.push(m) },
      path_(),
      new ConversationStore(vscode.Uri.file(fs.mkdtempSync(path.join(os.tmpdir(), 'genos-count-')))),
      memento,
      log,
      new EditorContext(),
    );
    server.chatQueue.push({ type: 'stream', content: ['짧은 답'] });
    await chat.ask('토큰을 정확히 세어 주세요.');
    await waitFor(() => posted.some((m) => m.type === 'budget' && m.exact === true), 'the exact count');
    const estimate = posted.filter((m) => m.type === 'budget' && !m.exact).at(-1);
    const exact = posted.find((m) => m.type === 'budget' && m.exact === true);
    assert.ok(estimate?.type === 'budget' && exact?.type === 'budget');
    assert.notEqual(exact.tokens, estimate.tokens, "the serving's count, not the estimate");
    chat.dispose();
  });
});
