import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ChatMessage } from '../../src/client/openai';
import { Log } from '../../src/host/base/log';
import { ChatController } from '../../src/host/chat/chatController';
import { ConversationStore } from '../../src/host/chat/conversationStore';
import { ConnectionManager } from '../../src/host/connection/connectionManager';
import { TokenStore } from '../../src/host/connection/tokenStore';
import { EditorContext } from '../../src/host/context/editorContext';
import { rulesFor } from '../../src/host/context/rules';
import { RequestPath } from '../../src/host/requests/requestPath';
import type { HostMessage } from '../../src/shared/protocol';
import { FakeGenos } from '../support/genosServer';
import { MemoryMemento, MemorySecrets } from '../support/memoryState';
import { genosConfig, useServer, waitFor } from './helpers';

type Body = { messages: ChatMessage[] };

describe("the team's rules files", () => {
  let server: FakeGenos;
  const log = new Log();
  const secrets = new MemorySecrets();
  const memento = new MemoryMemento();
  const root = () => vscode.workspace.workspaceFolders![0].uri.fsPath;
  const write = (name: string, content: string) => {
    fs.mkdirSync(path.dirname(path.join(root(), name)), { recursive: true });
    fs.writeFileSync(path.join(root(), name), content);
  };
  const uri = (name: string) => vscode.Uri.file(path.join(root(), name));
  const labels = async (...files: string[]) => (await rulesFor(files.map(uri))).rules.map((rule) => rule.label);

  before(async () => {
    server = new FakeGenos({ token: 'rules-token', models: ['Qwen3-8B'] });
    await server.start();
    await useServer(server);
    const tokens = new TokenStore(secrets);
    await tokens.set(new ConnectionManager(memento, tokens, log).endpoint(), 'rules-token');
    write('AGENTS.md', '# Team\nWrite Korean comments.\n');
    write('pkg/AGENTS.md', 'In pkg, keep functions pure.\n');
    write('.github/instructions/ts.instructions.md', '---\napplyTo: "**/*.ts"\n---\nUse strict TypeScript.\n');
    write('.github/instructions/manual.instructions.md', 'Only when asked for.\n');
    write('.genos/rules/style.md', 'Prefer small functions.\n');
    write('.genos/rules/python.md', '---\napplyTo: "**/*.py"\n---\nUse type hints.\n');
  });
  after(async () => {
    for (const name of ['AGENTS.md', 'pkg/AGENTS.md']) fs.rmSync(path.join(root(), name), { force: true });
    for (const dir of ['.github', '.genos']) fs.rmSync(path.join(root(), dir), { recursive: true, force: true });
    await server.close();
  });

  it('applies the root AGENTS.md, the nearest one above the file, and the rules whose applyTo matches', async () => {
    await waitFor(async () => (await labels('src/hello.ts')).length === 3, 'the rules found');
    assert.deepEqual(await labels('src/hello.ts'), [
      'AGENTS.md',
      '.github/instructions/ts.instructions.md',
      '.genos/rules/style.md',
    ]);
    assert.deepEqual(await labels('pkg/public.txt'), ['AGENTS.md', 'pkg/AGENTS.md', '.genos/rules/style.md']);
    assert.deepEqual(await labels('tools/run.py'), ['AGENTS.md', '.genos/rules/python.md', '.genos/rules/style.md']);
  });

  it("sends them in the panel's request after the system prompt, shows them on the turn, and opens one", async () => {
    const posted: HostMessage[] = [];
    const chat = new ChatController(
      { post: (m) => posted.push(m) },
      new RequestPath(new ConnectionManager(memento, new TokenStore(secrets), log), log),
      new ConversationStore(vscode.Uri.file(fs.mkdtempSync(path.join(os.tmpdir(), 'genos-rules-')))),
      memento,
      log,
      new EditorContext(),
    );
    await vscode.window.showTextDocument(uri('src/hello.ts'));
    server.chatQueue.push({ type: 'stream', content: ['ok'] });
    const outcome = await chat.ask('What does this do?');
    const system = (server.chatRequests.at(-1)?.body as Body).messages[0];
    assert.equal(system.role, 'system');
    assert.match(system.content, /## AGENTS\.md\n# Team\nWrite Korean comments\./);
    assert.match(system.content, /## \.github\/instructions\/ts\.instructions\.md\nUse strict TypeScript\./);
    assert.doesNotMatch(system.content, /Only when asked for|type hints/);
    const shown = posted.find((m) => m.type === 'turnRules');
    assert.deepEqual(shown, {
      type: 'turnRules',
      requestId: outcome?.requestId,
      rules: ['AGENTS.md', '.github/instructions/ts.instructions.md', '.genos/rules/style.md'],
    });
    await chat.openRule(outcome!.requestId!, '.genos/rules/style.md');
    assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, uri('.genos/rules/style.md').fsPath);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');

    // An edited rule applies to the next request.
    await vscode.window.showTextDocument(uri('src/hello.ts'));
    fs.writeFileSync(path.join(root(), '.genos/rules/style.md'), 'Prefer tiny functions.\n');
    await waitFor(
      async () => (await rulesFor([uri('src/hello.ts')])).rules.some((rule) => rule.text.includes('tiny')),
      'the edited rule read again',
    );
    server.chatQueue.push({ type: 'stream', content: ['ok'] });
    await chat.ask('And now?');
    assert.match((server.chatRequests.at(-1)?.body as Body).messages[0].content, /Prefer tiny functions\./);

    // Off for this conversation: none sent.
    await chat.setRulesOff(true);
    server.chatQueue.push({ type: 'stream', content: ['ok'] });
    await chat.ask('Without rules?');
    assert.doesNotMatch((server.chatRequests.at(-1)?.body as Body).messages[0]?.content ?? '', /The team's rules/);
    const init = await chat.init();
    assert.ok(init.type === 'init' && init.rulesOff === true);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    chat.dispose();
  });

  it('never reads a rules file that is a link out of the workspace, a pipe or a device', async () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'genos-rules-outside-'));
    fs.writeFileSync(path.join(outside, 'id_rsa'), 'PRIVATE KEY\n');
    fs.mkdirSync(path.join(root(), 'linked'), { recursive: true });
    fs.symlinkSync(path.join(outside, 'id_rsa'), path.join(root(), 'linked/AGENTS.md'));
    fs.mkdirSync(path.join(root(), 'piped'), { recursive: true });
    execFileSync('mkfifo', [path.join(root(), 'piped/AGENTS.md')]);
    fs.mkdirSync(path.join(root(), 'device'), { recursive: true });
    fs.symlinkSync('/dev/zero', path.join(root(), 'device/AGENTS.md'));
    try {
      const found = await rulesFor([uri('linked/a.ts'), uri('piped/b.ts'), uri('device/c.ts')]);
      assert.deepEqual(
        found.rules.map((rule) => rule.label),
        ['AGENTS.md', '.github/instructions/ts.instructions.md', '.genos/rules/style.md'],
      );
      assert.ok(!found.rules.some((rule) => rule.text.includes('PRIVATE KEY')));
    } finally {
      for (const dir of ['linked', 'piped', 'device']) {
        fs.rmSync(path.join(root(), dir), { recursive: true, force: true });
      }
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });

  it('genos.rules.enabled off: no rules anywhere', async () => {
    await genosConfig().update('rules.enabled', false, vscode.ConfigurationTarget.Global);
    try {
      assert.deepEqual(await labels('src/hello.ts'), []);
    } finally {
      await genosConfig().update('rules.enabled', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});
