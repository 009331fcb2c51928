import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ChatController, type ChatSink } from '../../src/host/chat/chatController';
import { ChatViewProvider } from '../../src/host/chat/chatView';
import { ConnectionManager } from '../../src/host/connection/connectionManager';
import { ConversationStore } from '../../src/host/chat/conversationStore';
import { EditorContext } from '../../src/host/context/editorContext';
import { fileBlock, workspaceFiles } from '../../src/host/context/workspaceFiles';
import { Log } from '../../src/host/base/log';
import { TokenStore } from '../../src/host/connection/tokenStore';
import { RequestPath } from '../../src/host/requests/requestPath';
import type { HostMessage } from '../../src/shared/protocol';
import { FakeGenos } from '../support/genosServer';
import { MemoryMemento, MemorySecrets } from '../support/memoryState';
import { answerUntilSettled, useServer, waitFor } from './helpers';

type Body = { messages: Array<{ role: string; content: string }> };

describe("context that fits the model's window", () => {
  let server: FakeGenos;
  let folder: string;
  const log = new Log();
  const editor = new EditorContext();
  const secrets = new MemorySecrets();
  const memento = new MemoryMemento();

  const controller = (sink: ChatSink) => {
    const tokens = new TokenStore(secrets);
    return new ChatController(
      sink,
      new RequestPath(new ConnectionManager(memento, tokens, log), log),
      new ConversationStore(vscode.Uri.file(folder)),
      memento,
      log,
      editor,
    );
  };

  before(async () => {
    // A small window and a tokenizer that counts a fifth more than the extension's estimate.
    server = new FakeGenos({ token: 'context-token', models: ['small-model'], maxModelLen: 2000, tokenRatio: 1.2 });
    await server.start();
    await useServer(server);
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'genos-context-'));
    const tokens = new TokenStore(secrets);
    await tokens.set(new ConnectionManager(memento, tokens, log).endpoint(), 'context-token');
  });
  after(async () => {
    editor.dispose();
    await server.close();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('a 60-turn conversation never sends more than the window, and the panel says what was left out', async () => {
    const posted: HostMessage[] = [];
    const chat = controller({ post: (m) => posted.push(m) });
    await chat.newChat();
    const before = server.chatRequests.length;
    for (let i = 1; i <= 60; i++) {
      server.chatQueue.push({
        type: 'stream',
        content: [`${i}번째 답변입니다. `, 'An answer of some length, to fill the window over time. '.repeat(3)],
      });
      const outcome = await chat.ask(`${i}번째 질문: ${'이 대화는 길어집니다. '.repeat(6)}`);
      assert.equal(outcome?.status, 'done', `turn ${i}: ${outcome?.errorKind}`);
    }
    const requests = server.chatRequests.slice(before);
    assert.equal(requests.length, 60);
    for (const request of requests) {
      assert.ok((request.promptTokens ?? Infinity) <= 2000, `${request.promptTokens} tokens sent`);
    }
    const last = requests.at(-1)?.body as Body;
    assert.ok(last.messages.length < 2 * 60, 'earlier turns were left out');
    assert.match(last.messages.at(-1)?.content ?? '', /^60번째 질문/);
    const notes = posted.filter((m) => m.type === 'fitted').flatMap((m) => (m.type === 'fitted' ? m.notes : []));
    assert.ok(
      notes.some((note) => /earlier turns not sent/.test(note)),
      notes.join(' | '),
    );
    // The whole conversation stays saved; only what is sent is trimmed.
    const init = await chat.init();
    assert.ok(init.type === 'init' && init.turns.length === 60);
    const budget = posted.filter((m) => m.type === 'budget').at(-1);
    assert.ok(budget?.type === 'budget' && budget.window === 2000 && budget.factor > 1.1, JSON.stringify(budget));
    // The gauge reads what the next request sends, and how many earlier turns it leaves out.
    assert.ok(budget.tokens <= 2000, `the gauge reads ${budget.tokens} tokens of a 2,000-token window`);
    assert.ok((budget.omitted ?? 0) > 10, JSON.stringify(budget));
    chat.dispose();
  });

  it('with genos.maxTokens above a quarter of the window, a long conversation still fits: max_tokens is what was reserved', async () => {
    await vscode.workspace.getConfiguration('genos').update('maxTokens', 1500, vscode.ConfigurationTarget.Global);
    const chat = controller({ post: () => undefined });
    try {
      await chat.newChat();
      const before = server.chatRequests.length;
      for (let i = 1; i <= 20; i++) {
        server.chatQueue.push({
          type: 'stream',
          content: [`${i}번째 답변. `, 'Some answer text to fill the window. '.repeat(3)],
        });
        const outcome = await chat.ask(`${i}번째 질문: ${'대화가 길어집니다. '.repeat(6)}`);
        assert.equal(outcome?.status, 'done', `turn ${i}: ${outcome?.errorKind}`);
      }
      for (const request of server.chatRequests.slice(before)) {
        const maxTokens = (request.body as { max_tokens?: number }).max_tokens ?? Infinity;
        assert.equal(maxTokens, 500, 'a quarter of the 2,000-token window');
        assert.ok((request.promptTokens ?? Infinity) + maxTokens <= 2000, `${request.promptTokens} + ${maxTokens}`);
      }
    } finally {
      chat.dispose();
      await vscode.workspace
        .getConfiguration('genos')
        .update('maxTokens', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('when GenOS still refuses the length, offers Retry with Less Context, which then succeeds', async () => {
    const posted: HostMessage[] = [];
    const chat = controller({ post: (m) => posted.push(m) });
    await chat.newChat();
    for (let i = 1; i <= 3; i++) {
      server.chatQueue.push({ type: 'stream', content: ['짧은 답'] });
      await chat.ask(`준비 질문 ${i}`);
    }
    const message =
      "This model's maximum context length is 1000 tokens. However, you requested 1900 tokens (1900 in the messages, 0 in the completion). Please reduce the length of the messages or completion.";
    server.chatQueue.push({
      type: 'status',
      status: 400,
      body: JSON.stringify({ object: 'error', message, type: 'BadRequestError', code: 400 }),
    });
    const failed = await chat.ask(`긴 질문 ${'내용 '.repeat(100)}`);
    assert.equal(failed?.status, 'error');
    const error = posted.filter((m) => m.type === 'turnError').at(-1);
    assert.ok(error?.type === 'turnError');
    assert.match(error.message, /too long for the model's context window \(1000 tokens\)/);
    assert.deepEqual(error.actions, ['retryLessContext', 'showLog']);
    const refused = server.chatRequests.at(-1)?.body as Body;

    server.chatQueue.push({ type: 'stream', content: ['이번에는 ', '성공'] });
    const provider = new ChatViewProvider(vscode.Uri.file(folder), log, editor);
    provider.bind(chat);
    await provider.receive({ type: 'action', action: 'retryLessContext', requestId: error.requestId });
    await waitFor(() => posted.some((m) => m.type === 'turnDone' && m.requestId === error.requestId), 'the retry');
    const retried = server.chatRequests.at(-1)?.body as Body;
    assert.ok(
      retried.messages.length < refused.messages.length,
      `${retried.messages.length} messages after ${refused.messages.length}`,
    );
    assert.match(retried.messages.at(-1)?.content ?? '', /^긴 질문/, 'what the user typed is sent again');
    chat.dispose();
  });

  it('continues an answer cut off at the length limit, appended to the same answer', async () => {
    const posted: HostMessage[] = [];
    const chat = controller({ post: (m) => posted.push(m) });
    await chat.newChat();
    server.chatQueue.push({ type: 'stream', content: ['첫 부분은 ', '여기까지'], finishReason: 'length' });
    const first = await chat.ask('긴 설명을 해 주세요');
    const done = posted.find((m) => m.type === 'turnDone');
    assert.ok(done?.type === 'turnDone' && done.cutOff === true);
    server.chatQueue.push({ type: 'stream', content: [' 그리고 ', '나머지'] });
    const continued = await chat.continue(first?.requestId ?? '');
    assert.equal(continued?.answer, '첫 부분은 여기까지 그리고 나머지');
    const body = server.chatRequests.at(-1)?.body as Body;
    assert.deepEqual(
      body.messages.slice(-3).map((m) => m.role),
      ['user', 'assistant', 'user'],
    );
    assert.equal(body.messages.at(-2)?.content, '첫 부분은 여기까지');
    assert.match(body.messages.at(-1)?.content ?? '', /^Continue exactly where/);
    const init = await chat.init();
    assert.ok(init.type === 'init');
    assert.deepEqual(
      init.turns.map((t) => [t.answer, t.cutOff]),
      [['첫 부분은 여기까지 그리고 나머지', undefined]],
    );
    chat.dispose();
  });

  describe('attachments of each kind reach the request', () => {
    let file: vscode.Uri;
    let diagnostics: vscode.DiagnosticCollection;
    before(async () => {
      file = vscode.Uri.file(path.join(folder, 'sample.py'));
      fs.writeFileSync(file.fsPath, 'def area(r):\n    return 3.14 * r * r\n\nprint(area(2))\n');
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(file));
      diagnostics = vscode.languages.createDiagnosticCollection('genos-test');
      diagnostics.set(file, [
        new vscode.Diagnostic(
          new vscode.Range(1, 11, 1, 15),
          'Use math.pi instead of 3.14',
          vscode.DiagnosticSeverity.Warning,
        ),
      ]);
    });
    after(() => diagnostics.dispose());

    const sent = async (kind: Parameters<ChatController['attachments']['attach']>[0]) => {
      const chat = controller({ post: () => undefined });
      await chat.newChat();
      assert.ok(await chat.attachments.attach(kind), `${kind} attached`);
      const tokens = chat.attachments.chips.map((c) => c.tokens ?? 0);
      assert.ok(
        tokens.every((n) => n > 0),
        'each chip shows its token cost',
      );
      server.chatQueue.push({ type: 'stream', content: ['ok'] });
      await chat.ask('이걸 보세요');
      chat.dispose();
      return (server.chatRequests.at(-1)?.body as Body).messages.at(-1)?.content ?? '';
    };

    it('@current and @editors: the file and what the editor shows', async () => {
      assert.match(await sent('file'), /sample\.py:\n```python\ndef area\(r\):/);
      assert.match(await sent('editors'), /sample\.py:1-\d+:\n```python\ndef area/);
    });

    it('@problems: the diagnostics with the line they point at', async () => {
      const text = await sent('problems');
      assert.match(text, /sample\.py:2:12 warning: Use math\.pi instead of 3\.14\n {4}return 3\.14 \* r \* r/);
      assert.match(await sent('workspaceProblems'), /Use math\.pi/);
    });

    it("@file: offers the workspace's files, not those .gitignore or files.exclude hide", async () => {
      const offered = (await workspaceFiles()).map((uri) => vscode.workspace.asRelativePath(uri, false)).sort();
      assert.ok(offered.includes('src/hello.ts'), offered.join(', '));
      assert.ok(offered.includes('pkg/public.txt'), offered.join(', '));
      for (const hidden of ['build/out.js', 'debug.log', 'secret.txt', 'old.bak', 'pkg/private.txt', '.gitignore/x']) {
        assert.ok(!offered.includes(hidden), `${hidden} offered`);
      }
    });

    it('@file: never follows a link out of the workspace, and cuts a file with no line break at the limit', async () => {
      const root = vscode.workspace.workspaceFolders![0].uri.fsPath;
      const outside = path.join(os.tmpdir(), `genos-credentials-${process.pid}`);
      fs.writeFileSync(outside, '[default]\naws_secret_access_key = do-not-send\n');
      fs.symlinkSync(outside, path.join(root, 'notes-link.md'));
      fs.writeFileSync(path.join(root, 'bundle.min.js'), 'x'.repeat(250_000));
      try {
        assert.equal(await fileBlock(vscode.Uri.file(path.join(root, 'notes-link.md'))), undefined);
        // Inside the workspace, a link is no way around .gitignore (debug.log is ignored).
        fs.symlinkSync(path.join(root, 'debug.log'), path.join(root, 'setup-link.md'));
        assert.equal(await fileBlock(vscode.Uri.file(path.join(root, 'setup-link.md'))), undefined);
        assert.ok(await fileBlock(vscode.Uri.file(path.join(root, 'src/hello.ts'))));
        const bundle = await fileBlock(vscode.Uri.file(path.join(root, 'bundle.min.js')));
        assert.equal(bundle?.text.length, 200_000);
        assert.match(bundle?.label ?? '', /bundle\.min\.js \((first 200000 of 250000 characters|200000자)/);
        const document = await vscode.workspace.openTextDocument({
          language: 'javascript',
          content: 'y'.repeat(250_000),
        });
        const shown = await vscode.window.showTextDocument(document);
        shown.selection = new vscode.Selection(0, 0, 0, 250_000);
        await waitFor(() => editor.hasSelection(), 'the selection');
        assert.equal(editor.selection()?.text.length, 200_000);
        await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
      } finally {
        for (const file of [
          path.join(root, 'notes-link.md'),
          path.join(root, 'setup-link.md'),
          path.join(root, 'bundle.min.js'),
          outside,
        ]) {
          fs.rmSync(file, { force: true });
        }
      }
    });

    it('@file: files picked from the workspace', async () => {
      const chat = controller({ post: () => undefined });
      // The quick pick lists the workspace's files; Enter takes the highlighted one.
      assert.equal(
        await answerUntilSettled(
          chat.attachments.attach('files'),
          () => vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem'),
          'the file picked',
        ),
        true,
      );
      assert.ok(chat.attachments.chips.length > 0);
      chat.dispose();
    });

    it('@terminal: the last command and its output, or a clear word when there is none', async () => {
      const chat = controller({ post: () => undefined });
      // Nothing has run yet: nothing to attach, and it says so instead of attaching an empty block.
      assert.equal(editor.terminal(), undefined);
      assert.equal(await chat.attachments.attach('terminal'), false);
      const terminal = vscode.window.createTerminal({ name: 'genos-test', shellPath: '/bin/bash' });
      terminal.show();
      type Integrated = vscode.Terminal & { shellIntegration?: { executeCommand(command: string): unknown } };
      try {
        await waitFor(() => (terminal as Integrated).shellIntegration !== undefined, 'shell integration', 20_000);
        // Like a build or a test run, the command writes after it started (output written before the
        // editor reports the start is not readable through the API).
        (terminal as Integrated).shellIntegration?.executeCommand(
          'read -t 1 <> <(:); echo genos-terminal-check-$((6*7))',
        );
        await waitFor(
          () => /genos-terminal-check-42/.test(editor.terminal()?.text ?? ''),
          'the command output captured',
          20_000,
        ).catch((error: Error) => {
          throw new Error(
            `${error.message}: ${JSON.stringify(editor.terminal()?.text)} active=${vscode.window.activeTerminal?.name}`,
          );
        });
        assert.match(
          editor.terminal()?.text ?? '',
          /^\$ read -t 1 <> <\(:\); echo genos-terminal-check-\$\(\(6\*7\)\)/,
        );
        assert.match(await sent('terminal'), /genos-terminal-check-42/);
      } finally {
        terminal.dispose();
        chat.dispose();
      }
    });
  });
});
