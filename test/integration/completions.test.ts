import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import { ConnectionManager } from '../../src/host/connection/connectionManager';
import { CompletionStatus } from '../../src/host/completions/completionStatus';
import { InlineCompletions } from '../../src/host/completions/inlineCompletions';
import { Log } from '../../src/host/base/log';
import { TokenStore } from '../../src/host/connection/tokenStore';
import { MemoryMemento, MemorySecrets } from '../support/memoryState';
import { FakeGenos } from '../support/genosServer';
import { genosConfig, useServer, waitFor } from './helpers';

const automatic: vscode.InlineCompletionContext = {
  triggerKind: vscode.InlineCompletionTriggerKind.Automatic,
  selectedCompletionInfo: undefined,
};

describe('inline completion in the extension host', () => {
  let server: FakeGenos;
  let provider: InlineCompletions;
  let status: CompletionStatus;
  const log = new Log();

  before(async () => {
    server = new FakeGenos({ token: 'completion-token', models: ['Qwen2.5-Coder-7B'], otherServings: ['code-77'] });
    await server.start();
    await useServer(server);
    const tokens = new TokenStore(new MemorySecrets());
    const connections = new ConnectionManager(new MemoryMemento(), tokens, log);
    await tokens.set(connections.endpoint(), 'completion-token');
    await tokens.set(connections.endpoint('code-77'), 'completion-token');
    status = new CompletionStatus();
    provider = new InlineCompletions(connections, log, status);
    await genosConfig().update('completion.debounceMs', 0, vscode.ConfigurationTarget.Global);
  });
  after(async () => {
    for (const key of [
      'completion.enabled',
      'completion.debounceMs',
      'completion.servingId',
      'completion.promptFormat',
    ]) {
      await genosConfig().update(key, undefined, vscode.ConfigurationTarget.Global);
    }
    provider.dispose();
    status.dispose();
    await server.close();
  });

  async function editorWith(text: string, language = 'typescript'): Promise<vscode.TextEditor> {
    const document = await vscode.workspace.openTextDocument({ language, content: text });
    const editor = await vscode.window.showTextDocument(document);
    const end = document.lineAt(document.lineCount - 1).range.end;
    editor.selection = new vscode.Selection(end, end);
    return editor;
  }

  const ask = (editor: vscode.TextEditor) =>
    provider.provideInlineCompletionItems(
      editor.document,
      editor.selection.active,
      automatic,
      new vscode.CancellationTokenSource().token,
    );

  it('suggests nothing and asks nothing while completions are off', async () => {
    await genosConfig().update('completion.enabled', false, vscode.ConfigurationTarget.Global);
    provider.reset();
    assert.equal(status.state.kind, 'off');
    const before = server.completionRequests.length;
    assert.deepEqual(await ask(await editorWith('const greeting = ')), []);
    assert.equal(server.completionRequests.length, before);
  });

  it('suggests the FIM completion at the cursor of an untitled file when on', async () => {
    await genosConfig().update('completion.enabled', true, vscode.ConfigurationTarget.Global);
    provider.reset();
    assert.equal(status.state.kind, 'ready');
    const items = await ask(await editorWith('function total(items) {\n  const greeting = '));
    assert.deepEqual(
      items.map((item) => item.insertText),
      ["'greeting from GenOS';"],
    );
    const request = server.completionRequests.at(-1);
    assert.ok(request?.path.endsWith(`/serving/${server.servingId}/v1/completions`));
    const body = request?.body as { prompt: string; model: string };
    assert.equal(body.model, 'Qwen2.5-Coder-7B');
    assert.equal(body.prompt, '<|fim_prefix|>function total(items) {\n  const greeting = <|fim_suffix|><|fim_middle|>');
  });

  it('sends nothing from a secrets file: .env, keys', async () => {
    const root = vscode.workspace.workspaceFolders![0].uri;
    const before = server.completionRequests.length;
    for (const name of ['.env', 'deploy.pem']) {
      const uri = vscode.Uri.joinPath(root, name);
      await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode('API_KEY=sk-live-1234\nDB_PASSWORD='));
      try {
        const editor = await vscode.window.showTextDocument(uri);
        const end = editor.document.lineAt(editor.document.lineCount - 1).range.end;
        editor.selection = new vscode.Selection(end, end);
        assert.deepEqual(await ask(editor), [], name);
        await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      } finally {
        await vscode.workspace.fs.delete(uri);
      }
    }
    assert.equal(server.completionRequests.length, before);
    // The same text in an ordinary file is completed.
    await ask(await editorWith('const API_KEY = '));
    assert.equal(server.completionRequests.length, before + 1);
  });

  it('closes the request when the cursor moves away without typing, and when the document closes', async () => {
    // A document of a scheme of its own: the extension's registered provider is not asked for it,
    // so every request the server sees is this provider's.
    const texts = new Map<string, string>();
    const scheme = vscode.workspace.registerTextDocumentContentProvider('genos-completion-test', {
      provideTextDocumentContent: (uri) => texts.get(uri.path) ?? '',
    });
    const virtualEditor = async (name: string, text: string) => {
      texts.set(`/${name}`, text);
      const editor = await vscode.window.showTextDocument(
        vscode.Uri.from({ scheme: 'genos-completion-test', path: `/${name}` }),
      );
      const end = editor.document.lineAt(editor.document.lineCount - 1).range.end;
      editor.selection = new vscode.Selection(end, end);
      return editor;
    };
    for (const leave of ['move', 'close'] as const) {
      const editor = await virtualEditor(`${leave}.ts`, `function area(r) {\n  return \n}\n\nconst ${leave}Wait = `);
      server.completionQueue.push({ type: 'completion', delayMs: 10_000 });
      const before = server.completionRequests.length;
      const pending = ask(editor);
      await waitFor(() => server.completionRequests.length > before, 'the request');
      if (leave === 'move') editor.selection = new vscode.Selection(0, 0, 0, 0);
      else await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
      const request = server.completionRequests.at(-1)!;
      await request.closed;
      assert.equal(request.closedEarly, true, `${leave}: the server saw the request closed before it answered`);
      assert.deepEqual(await pending, []);
    }
    server.completionQueue.splice(0);
    scheme.dispose();
  });

  it('asks nothing where text follows the cursor or text is selected', async () => {
    const before = server.completionRequests.length;
    const middle = await editorWith('const x = foo(bar);');
    middle.selection = new vscode.Selection(0, 10, 0, 10);
    assert.deepEqual(await ask(middle), []);
    const selected = await editorWith('const greeting = ');
    selected.selection = new vscode.Selection(0, 0, 0, 5);
    assert.deepEqual(await ask(selected), []);
    assert.equal(server.completionRequests.length, before);
  });

  it('uses its own serving for completions when one is set', async () => {
    await genosConfig().update('completion.servingId', 'code-77', vscode.ConfigurationTarget.Global);
    provider.reset();
    const items = await ask(await editorWith('console.log(', 'javascript'));
    assert.deepEqual(
      items.map((item) => item.insertText),
      ['logArgument)'],
    );
    assert.ok(server.completionRequests.at(-1)?.path.endsWith('/serving/code-77/v1/completions'));
    await genosConfig().update('completion.servingId', undefined, vscode.ConfigurationTarget.Global);
  });

  it('a serving without /v1/completions: the status bar says so and offers the chat format; no more requests', async () => {
    provider.reset();
    server.completionQueue.push({ type: 'status', status: 404, body: JSON.stringify({ detail: 'Not Found' }) });
    const editor = await editorWith('let answer = ');
    assert.deepEqual(await ask(editor), []);
    const state = status.state;
    assert.equal(state.kind, 'error');
    assert.ok(state.kind === 'error' && /no \/v1\/completions \(404\)/.test(state.reason), JSON.stringify(state));
    assert.ok(state.kind === 'error' && state.fixes.includes('useChatFormat'));
    const before = server.completionRequests.length;
    assert.deepEqual(await ask(editor), []);
    assert.equal(server.completionRequests.length, before, 'a lasting failure is not asked again on every keystroke');

    // The fix the menu offers: the chat format, through /v1/chat/completions.
    await genosConfig().update('completion.promptFormat', 'chat', vscode.ConfigurationTarget.Global);
    provider.reset();
    server.chatQueue.push({ type: 'stream', content: ['42;'] });
    assert.deepEqual(
      (await ask(editor)).map((item) => item.insertText),
      ['42;'],
    );
    const chat = server.chatRequests.at(-1)?.body as { messages: Array<{ role: string; content: string }> };
    assert.match(chat.messages[1].content, /let answer = <CURSOR>$/);
    await genosConfig().update('completion.promptFormat', undefined, vscode.ConfigurationTarget.Global);
  });

  it('the extension itself: the toggle command turns completions on and off, as its status shows', async () => {
    await genosConfig().update('completion.enabled', false, vscode.ConfigurationTarget.Global);
    assert.equal(await vscode.commands.executeCommand('genos.toggleCompletions'), true);
    await waitFor(
      async () => (await vscode.commands.executeCommand<{ kind: string }>('genos.completionState')).kind === 'ready',
      'completions on',
    );
    assert.equal(genosConfig().get('completion.enabled'), true);
    assert.equal(await vscode.commands.executeCommand('genos.toggleCompletions'), false);
    await waitFor(
      async () => (await vscode.commands.executeCommand<{ kind: string }>('genos.completionState')).kind === 'off',
      'completions off',
    );
  });
});
