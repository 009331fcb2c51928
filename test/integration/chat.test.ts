import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ChatController, type ChatSink } from '../../src/host/chat/chatController';
import type { RequestOutcome } from '../../src/host/requests/requestPath';
import { ChatViewProvider } from '../../src/host/chat/chatView';
import { ConnectionManager } from '../../src/host/connection/connectionManager';
import { ConversationStore } from '../../src/host/chat/conversationStore';
import { EditorContext } from '../../src/host/context/editorContext';
import { Log } from '../../src/host/base/log';
import { TokenStore } from '../../src/host/connection/tokenStore';
import { RequestPath } from '../../src/host/requests/requestPath';
import type { HostMessage } from '../../src/shared/protocol';
import { MemoryMemento, MemorySecrets } from '../support/memoryState';
import { FakeGenos, splitDeltas } from '../support/genosServer';
import { answerUntilSettled, confirmToken, genosConfig, useServer, waitFor } from './helpers';

describe('chat: asking, stopping, context', () => {
  let server: FakeGenos;
  before(async () => {
    server = new FakeGenos({ token: 'chat-token', models: ['Qwen3-8B'] });
    await server.start();
    await useServer(server);
    await confirmToken('chat-token');
    await genosConfig().update('systemPrompt', '당신은 유용한 어시스턴트입니다.', vscode.ConfigurationTarget.Global);
  });
  after(async () => {
    await genosConfig().update('systemPrompt', undefined, vscode.ConfigurationTarget.Global);
    await server.close();
  });

  it('asks from the palette and streams the answer into the chat, system prompt first', async () => {
    await vscode.commands.executeCommand('genos.newChat');
    server.chatQueue.push({ type: 'stream', content: splitDeltas('안녕하세요! 무엇을 도와드릴까요?', 3) });
    const outcome = await vscode.commands.executeCommand<RequestOutcome>('genos.ask', '안녕하세요?');
    assert.equal(outcome.status, 'done');
    assert.equal(outcome.answer, '안녕하세요! 무엇을 도와드릴까요?');
    const body = server.chatRequests.at(-1)?.body as {
      messages: Array<{ role: string; content: string }>;
      model: string;
    };
    assert.equal(body.model, 'Qwen3-8B');
    assert.deepEqual(body.messages, [
      { role: 'system', content: '당신은 유용한 어시스턴트입니다.' },
      { role: 'user', content: '안녕하세요?' },
    ]);
  });

  it('follows up in the same conversation with the earlier turns', async () => {
    server.chatQueue.push({ type: 'stream', content: ['네, 기억합니다.'] });
    await vscode.commands.executeCommand('genos.ask', '방금 뭐라고 했죠?');
    const body = server.chatRequests.at(-1)?.body as { messages: Array<{ role: string; content: string }> };
    assert.deepEqual(
      body.messages.map((m) => m.role),
      ['system', 'user', 'assistant', 'user'],
    );
    assert.equal(body.messages[2].content, '안녕하세요! 무엇을 도와드릴까요?');
  });

  it('sends the selection along as context', async () => {
    const document = await vscode.workspace.openTextDocument({
      language: 'python',
      content: 'import os\n\ndef main():\n    print(os.getcwd())\n',
    });
    const editor = await vscode.window.showTextDocument(document);
    editor.selection = new vscode.Selection(2, 0, 3, 22);
    await vscode.commands.executeCommand('genos.ask', '이 함수는 뭘 하나요?');
    const body = server.chatRequests.at(-1)?.body as { messages: Array<{ role: string; content: string }> };
    const last = body.messages.at(-1)?.content ?? '';
    assert.match(last, /```python\ndef main\(\):\n {4}print\(os\.getcwd\(\)\)\n```/);
    assert.match(last, /이 함수는 뭘 하나요\?$/);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('lets the user choose the model from the serving list, and uses it', async () => {
    // The wanted model comes first, so accepting the open list picks it without moving in it.
    server.models = ['gemma-3-12b-it', 'Qwen3-8B'];
    const listed = server.requests.filter((r) => r.path.endsWith('/v1/models')).length;
    const picking = vscode.commands.executeCommand<string | undefined>('genos.selectModel');
    await waitFor(
      () => server.requests.filter((r) => r.path.endsWith('/v1/models') && r.finished).length > listed,
      'the models list',
    );
    // The quick pick opens once the list is read; until it does, accepting does nothing.
    assert.equal(
      await answerUntilSettled(
        picking,
        () => vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem'),
        'the model picked',
      ),
      'gemma-3-12b-it',
    );
    // Saved in user settings: a remote extension host can see the written value a moment later.
    await waitFor(() => genosConfig().get('model') === 'gemma-3-12b-it', 'the model saved in settings');
    await vscode.commands.executeCommand('genos.ask', '모델 확인');
    assert.equal((server.chatRequests.at(-1)?.body as { model: string }).model, 'gemma-3-12b-it');
    await genosConfig().update('model', undefined, vscode.ConfigurationTarget.Global);
    server.models = ['Qwen3-8B'];
  });

  it('Stop ends the request at once, closes the connection and keeps the partial answer', async () => {
    let written = 0;
    server.chatQueue.push({
      type: 'stream',
      content: splitDeltas('아주 느린 답변입니다. '.repeat(20), 2),
      delayMs: 80,
      onWrite: () => written++,
    });
    const pending = vscode.commands.executeCommand<RequestOutcome>('genos.ask', '천천히 답해 주세요');
    await waitFor(() => written >= 4, 'part of the answer');
    const started = Date.now();
    await vscode.commands.executeCommand('genos.stop');
    const outcome = await pending;
    assert.ok(Date.now() - started < 2000);
    assert.equal(outcome.status, 'stopped');
    assert.ok(outcome.answer.length > 0 && outcome.answer.length < '아주 느린 답변입니다. '.repeat(20).length);
    const request = server.chatRequests.at(-1);
    await request?.closed;
    assert.equal(request?.closedEarly, true);
  });
});

describe('chat: the provider, restarted and fed bad input', () => {
  let server: FakeGenos;
  let folder: string;
  const memento = new MemoryMemento();
  const secrets = new MemorySecrets();
  const log = new Log();
  const editor = new EditorContext();

  const controller = (sink: ChatSink) => {
    const tokens = new TokenStore(secrets);
    const store = new ConversationStore(vscode.Uri.file(folder));
    return new ChatController(
      sink,
      new RequestPath(new ConnectionManager(memento, tokens, log), log),
      store,
      memento,
      log,
      editor,
    );
  };

  before(async () => {
    server = new FakeGenos({ token: 'restart-token' });
    await server.start();
    await useServer(server);
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'genos-history-'));
    const tokens = new TokenStore(secrets);
    await tokens.set(new ConnectionManager(memento, tokens, log).endpoint(), 'restart-token');
  });
  after(async () => {
    editor.dispose();
    await server.close();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('keeps the conversation across a restart of the provider', async () => {
    const first = controller({ post: () => undefined });
    server.chatQueue.push({ type: 'stream', content: ['저장될 ', '답변'] });
    assert.equal((await first.ask('기억해 둘 질문'))?.status, 'done');
    first.dispose();

    const posted: HostMessage[] = [];
    const second = controller({ post: (m) => posted.push(m) });
    const init = await second.init();
    assert.equal(init.type, 'init');
    if (init.type !== 'init') return;
    assert.equal(init.turns.length, 1);
    assert.equal(init.turns[0].question, '기억해 둘 질문');
    assert.equal(init.turns[0].answer, '저장될 답변');
    await second.showHistory();
    const history = posted.find((m) => m.type === 'history');
    assert.ok(history && history.type === 'history' && history.conversations[0].title === '기억해 둘 질문');
    second.dispose();
  });

  it('lists, reopens and deletes saved conversations', async () => {
    const posted: HostMessage[] = [];
    const chat = controller({ post: (m) => posted.push(m) });
    await chat.newChat();
    server.chatQueue.push({ type: 'stream', content: ['두 번째 대화의 답'] });
    await chat.ask('두 번째 대화');
    await chat.showHistory();
    const listed = posted.filter((m) => m.type === 'history').at(-1);
    assert.ok(listed?.type === 'history');
    assert.deepEqual(
      listed.conversations.map((c) => c.title),
      ['두 번째 대화', '기억해 둘 질문'],
    );

    await chat.open(listed.conversations[1].id);
    const reopened = posted.filter((m) => m.type === 'init').at(-1);
    assert.ok(reopened?.type === 'init');
    assert.deepEqual(
      reopened.turns.map((t) => t.answer),
      ['저장될 답변'],
    );

    await chat.remove(listed.conversations[0].id);
    const after = posted.filter((m) => m.type === 'history').at(-1);
    assert.ok(after?.type === 'history');
    assert.deepEqual(
      after.conversations.map((c) => c.title),
      ['기억해 둘 질문'],
    );
    chat.dispose();
  });

  it('deletes the conversation that is streaming for good: the turn is stopped first', async () => {
    const posted: HostMessage[] = [];
    const chat = controller({ post: (m) => posted.push(m) });
    await chat.newChat();
    server.chatQueue.push({ type: 'stream', content: Array.from({ length: 200 }, (_, i) => `조각${i} `), delayMs: 30 });
    const asking = chat.ask('지워질 대화');
    await waitFor(() => posted.some((m) => m.type === 'delta'), 'the answer streaming');
    await chat.showHistory();
    const listed = posted.filter((m) => m.type === 'history').at(-1);
    assert.ok(listed?.type === 'history');
    const id = listed.conversations.find((c) => c.title === '지워질 대화')?.id;
    assert.ok(id, 'saved when it was asked');
    await chat.remove(id);
    assert.equal((await asking)?.status, 'stopped');
    await chat.showHistory();
    const after = posted.filter((m) => m.type === 'history').at(-1);
    assert.ok(after?.type === 'history');
    assert.ok(!after.conversations.some((c) => c.id === id), 'the stopped turn did not save it back');
    assert.ok(!fs.existsSync(path.join(folder, `${id}.json`)));
    chat.dispose();
  });

  it('opens the panel on a conversation file that cannot be read, with a new conversation', async () => {
    const memory = new MemoryMemento();
    await memory.update('genos.activeConversation', 'convBroken');
    fs.writeFileSync(
      path.join(folder, 'convBroken.json'),
      JSON.stringify({
        id: 'convBroken',
        title: 'x',
        createdAt: 1,
        updatedAt: 1,
        turns: [{ id: 't', question: 'q', answer: 'a', status: 'done', context: 'not a list' }],
      }),
    );
    const tokens = new TokenStore(secrets);
    const chat = new ChatController(
      { post: () => undefined },
      new RequestPath(new ConnectionManager(memento, tokens, log), log),
      new ConversationStore(vscode.Uri.file(folder)),
      memory,
      log,
      editor,
    );
    const init = await chat.init();
    assert.ok(init.type === 'init');
    assert.deepEqual(init.turns, []);
    assert.ok(
      fs.readdirSync(folder).some((name) => name.startsWith('convBroken.corrupt-')),
      'set aside',
    );
    chat.dispose();
  });

  it('Retry resends the same turn after an error, in place of the failed answer', async () => {
    const posted: HostMessage[] = [];
    const chat = controller({ post: (m) => posted.push(m) });
    await chat.newChat();
    server.chatQueue.push(
      { type: 'status', status: 500, body: JSON.stringify({ object: 'error', message: 'worker crashed' }) },
      { type: 'stream', content: ['다시 ', '성공'] },
    );
    const failed = await chat.ask('재시도할 질문');
    assert.equal(failed?.status, 'error');
    const error = posted.find((m) => m.type === 'turnError');
    assert.ok(error?.type === 'turnError');
    assert.match(error.message, /worker crashed/);
    assert.ok(error.actions.includes('retry'));

    await chat.retry(error.requestId);
    const [first, second] = server.chatRequests.slice(-2).map((r) => r.body as { messages: unknown });
    assert.deepEqual(second.messages, first.messages, 'the same turn was sent again');
    const done = posted.find((m) => m.type === 'turnDone');
    assert.ok(done?.type === 'turnDone' && done.requestId === error.requestId);
    const init = await chat.init();
    assert.ok(init.type === 'init');
    assert.deepEqual(
      init.turns.map((t) => [t.question, t.answer, t.status]),
      [['재시도할 질문', '다시 성공', 'done']],
    );
    chat.dispose();
  });

  it('accepts the next question the moment the panel hears an answer ended', async () => {
    const posted: HostMessage[] = [];
    let next: Promise<unknown> | undefined;
    // A user who types fast: the panel sends again as soon as it shows the answer as done.
    const chat: ChatController = controller({
      post: (m) => {
        posted.push(m);
        if (m.type === 'turnDone' && !next) next = chat.ask('바로 다음 질문', { clientId: 'fast' });
      },
    });
    await chat.newChat();
    server.chatQueue.push({ type: 'stream', content: ['첫 답'] }, { type: 'stream', content: ['둘째 답'] });
    await chat.ask('첫 질문', { clientId: 'first' });
    assert.ok(next, 'the first answer ended');
    await next;
    assert.deepEqual(
      posted.filter((m) => m.type === 'refused'),
      [],
    );
    const started = posted
      .filter((m) => m.type === 'turnStarted')
      .map((m) => (m.type === 'turnStarted' ? m.clientId : ''));
    assert.deepEqual(started, ['first', 'fast']);
    chat.dispose();
  });

  it('sends a reasoning-only answer back as the assistant turn the model gave', async () => {
    const chat = controller({ post: () => undefined });
    await chat.newChat();
    server.chatQueue.push({ type: 'stream', reasoning: ['생각만 ', '했습니다'] }, { type: 'stream', content: ['네'] });
    await chat.ask('생각해 보세요');
    await chat.ask('방금 뭐라고 했죠?');
    const body = server.chatRequests.at(-1)?.body as { messages: Array<{ role: string; content: string }> };
    assert.deepEqual(body.messages.slice(-3), [
      { role: 'user', content: '생각해 보세요' },
      { role: 'assistant', content: '생각만 했습니다' },
      { role: 'user', content: '방금 뭐라고 했죠?' },
    ]);
    chat.dispose();
  });

  it('shows that GenOS is busy while a Retry-After is waited out, and Stop ends the wait', async () => {
    const posted: HostMessage[] = [];
    const chat: ChatController = controller({
      post: (m) => {
        posted.push(m);
        if (m.type === 'waiting' && posted.filter((p) => p.type === 'waiting').length === 2) chat.stop();
      },
    });
    await chat.newChat();
    server.chatQueue.push(
      { type: 'status', status: 429, headers: { 'Retry-After': '1' } },
      { type: 'stream', content: ['기다린 ', '답'] },
    );
    const answered = await chat.ask('바쁠 때 질문');
    assert.equal(answered?.answer, '기다린 답');
    const waiting = posted.filter((m) => m.type === 'waiting');
    assert.equal(waiting.length, 1);
    assert.ok(waiting[0].type === 'waiting' && waiting[0].requestId === answered?.requestId);
    assert.match(waiting[0].type === 'waiting' ? waiting[0].message : '', /busy \(429\).*1 seconds/);
    assert.ok(
      posted.indexOf(waiting[0]) < posted.findIndex((m) => m.type === 'delta'),
      'shown before the answer arrives',
    );

    server.chatQueue.push(
      { type: 'status', status: 429, headers: { 'Retry-After': '8' } },
      { type: 'stream', content: ['너무 늦은 답'] },
    );
    const started = Date.now();
    const stopped = await chat.ask('또 바쁠 때 질문');
    assert.equal(stopped?.status, 'stopped');
    assert.ok(Date.now() - started < 6000, 'Stop did not wait for the retry');
    chat.dispose();
  });

  it('reports a fault of the extension itself as internal, not as a bad answer from GenOS', async () => {
    const posted: HostMessage[] = [];
    const broken = new (class extends ConversationStore {
      override save(): Promise<void> {
        return Promise.reject(new TypeError('disk says no'));
      }
    })(vscode.Uri.file(folder));
    const chat = new ChatController(
      { post: (m) => posted.push(m) },
      new RequestPath(new ConnectionManager(memento, new TokenStore(secrets), log), log),
      broken,
      memento,
      log,
      editor,
    );
    await chat.newChat();
    const outcome = await chat.ask('저장이 안 되는 질문', { clientId: 'c-internal' });
    assert.equal(outcome?.errorKind, 'internal');
    const refused = posted.find((m) => m.type === 'refused');
    assert.ok(refused?.type === 'refused');
    assert.match(refused.message, /internal error/);
    assert.ok(refused.actions.includes('showLog'));
    chat.dispose();
  });

  it('ignores messages from the webview that do not fit the protocol', async () => {
    const posted: HostMessage[] = [];
    const chat = controller({ post: (m) => posted.push(m) });
    const provider = new ChatViewProvider(vscode.Uri.file(folder), log, editor);
    provider.bind(chat);
    const requests = server.requests.length;
    const junk: unknown[] = [
      null,
      'send',
      42,
      [],
      { type: 'send' },
      { type: 'send', clientId: 1, text: 'x' },
      { type: 'send', clientId: 'c', text: { toString: 'x' } },
      { type: 'action', action: 'runShell' },
      { type: 'openLink', href: 5 },
      { type: 'attach', kind: 'disk' },
      { type: 'evil', text: 'x' },
      { type: 'send', clientId: 'c', text: 'x'.repeat(1_000_001) },
    ];
    for (const message of junk) await provider.receive(message);
    assert.equal(server.requests.length, requests, 'a malformed message reached the server');
    assert.equal(posted.length, 0, `posted: ${JSON.stringify(posted)}`);
    // The same path carries a well-formed message.
    server.chatQueue.push({ type: 'stream', content: ['ok'] });
    await provider.receive({ type: 'send', clientId: 'c1', text: '정상 메시지' });
    await waitFor(() => posted.some((m) => m.type === 'turnDone'), 'the answer');
    assert.equal(server.requests.length, requests + 2);
    chat.dispose();
  });
});
