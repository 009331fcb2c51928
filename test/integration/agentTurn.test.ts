import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ChatMessage } from '../../src/client/openai';
import { ChangeJournal } from '../../src/host/agent/changeJournal';
import { ToolRunner } from '../../src/host/agent/toolRunner';
import { Log } from '../../src/host/base/log';
import { ChatController } from '../../src/host/chat/chatController';
import { ConversationStore } from '../../src/host/chat/conversationStore';
import { ConnectionManager } from '../../src/host/connection/connectionManager';
import { TokenStore } from '../../src/host/connection/tokenStore';
import { EditorContext } from '../../src/host/context/editorContext';
import { RequestPath } from '../../src/host/requests/requestPath';
import type { HostMessage, StepDecision, StepView } from '../../src/shared/protocol';
import { FakeGenos, type Scenario } from '../support/genosServer';
import { MemoryMemento, MemorySecrets } from '../support/memoryState';
import { genosConfig, useServer, waitFor } from './helpers';

type Body = { messages: ChatMessage[]; tools?: unknown[] };
const call = (name: string, args: object): Scenario => ({
  type: 'stream',
  toolCalls: [{ name, arguments: JSON.stringify(args) }],
});
const answer = (text: string): Scenario => ({ type: 'stream', content: [text] });

describe('agent mode in the panel', () => {
  let server: FakeGenos;
  let history: string;
  const log = new Log();
  const editor = new EditorContext();
  const secrets = new MemorySecrets();
  const memento = new MemoryMemento();
  const root = () => vscode.workspace.workspaceFolders![0].uri.fsPath;
  const file = (name: string) => path.join(root(), name);
  const write = (name: string, content: string | Buffer) => {
    fs.mkdirSync(path.dirname(file(name)), { recursive: true });
    fs.writeFileSync(file(name), content);
  };

  /** A panel: what it was told, and how it answers each step that asks. */
  function panel(
    answers: (step: StepView) => StepDecision | undefined = () => 'approve',
    workspaceState = new MemoryMemento(),
  ) {
    const posted: HostMessage[] = [];
    const asked: StepView[] = [];
    const chat: ChatController = new ChatController(
      {
        post: (message) => {
          posted.push(message);
          if (message.type === 'step' && message.step.status === 'asking') {
            asked.push(message.step);
            const decision = answers(message.step);
            if (decision) setTimeout(() => chat.decide(message.requestId, message.step.id, decision), 0);
          }
        },
      },
      new RequestPath(new ConnectionManager(memento, new TokenStore(secrets), log), log),
      new ConversationStore(vscode.Uri.file(history)),
      memento,
      log,
      editor,
      workspaceState,
    );
    const steps = () => {
      const last = new Map<string, StepView>();
      for (const m of posted) if (m.type === 'step') last.set(m.step.id, m.step);
      return [...last.values()];
    };
    return { chat, posted, asked, steps };
  }

  before(async () => {
    server = new FakeGenos({ token: 'agent-token', models: ['Qwen3-8B'] });
    await server.start();
    await useServer(server);
    history = fs.mkdtempSync(path.join(os.tmpdir(), 'genos-agent-history-'));
    const tokens = new TokenStore(secrets);
    await tokens.set(new ConnectionManager(memento, tokens, log).endpoint(), 'agent-token');
  });
  after(async () => {
    await server.close();
    fs.rmSync(file('agentwork'), { recursive: true, force: true });
  });
  beforeEach(async () => {
    // Each test starts with a serving not known to refuse tools.
    await memento.update('genos.agent.textProtocol', undefined);
    fs.rmSync(file('agentwork'), { recursive: true, force: true });
    fs.mkdirSync(file('agentwork'));
    server.toolCalling = true;
    server.chatQueue.length = 0;
  });

  it('reads, searches, edits two files, creates one and runs a command after approval; Undo all restores every byte', async () => {
    const a = 'export const OLD_NAME = 1;\r\nexport const other = 2;\r\n';
    const b = '\uFEFFimport { OLD_NAME } from "./a";\nconsole.log(OLD_NAME);\n';
    write('agentwork/a.ts', a);
    write('agentwork/b.ts', b);
    server.chatQueue.push(
      call('read_file', { path: 'agentwork/a.ts' }),
      call('search', { query: 'OLD_NAME' }),
      call('edit_file', { path: 'agentwork/a.ts', edits: [{ search: 'OLD_NAME = 1', replace: 'NEW_NAME = 1' }] }),
      call('edit_file', {
        path: 'agentwork/b.ts',
        edits: [
          { search: 'import { OLD_NAME }', replace: 'import { NEW_NAME }' },
          { search: 'log(OLD_NAME)', replace: 'log(NEW_NAME)' },
        ],
      }),
      call('create_file', { path: 'agentwork/notes/CHANGES.md', content: '# Renamed\n' }),
      call('run_command', { command: 'echo checked-by-agent; exit 3' }),
      answer('Renamed OLD_NAME to NEW_NAME.'),
    );
    const { chat, posted, asked, steps } = panel();
    await chat.newChat();
    await chat.setMode('agent');
    const first = server.chatRequests.length;
    const outcome = await chat.ask('Rename OLD_NAME to NEW_NAME.');
    assert.equal(outcome?.status, 'done');
    assert.equal(outcome?.answer, 'Renamed OLD_NAME to NEW_NAME.');
    const requests = server.chatRequests.slice(first).map((r) => r.body as Body);
    assert.equal(requests.length, 7);
    assert.ok(requests[0].tools?.length, 'native tools offered');
    // Each result went back to the model in the next request.
    const results = requests.map((body) => body.messages.at(-1));
    assert.match(results[1]?.content ?? '', /^agentwork\/a\.ts, lines 1-2 of 2\.\nexport const OLD_NAME = 1;/);
    assert.match(results[2]?.content ?? '', /^3 matches in 2 files:\nagentwork\/a\.ts:1: export const OLD_NAME = 1;/);
    assert.equal(results[3]?.content, 'Edited agentwork/a.ts.');
    assert.equal(results[4]?.content, 'Edited agentwork/b.ts.');
    assert.equal(results[5]?.content, 'Created agentwork/notes/CHANGES.md.');
    assert.equal(results[6]?.content, 'Exit code 3.\nchecked-by-agent\n');
    assert.equal(results[6]?.role, 'tool');
    // Reads ran at once; the edits, the new file and the command asked first.
    assert.deepEqual(
      asked.map((step) => [step.tool, step.ask]),
      [
        ['edit_file', 'edit'],
        ['edit_file', 'edit'],
        ['create_file', 'create'],
        ['run_command', 'command'],
      ],
    );
    assert.match(asked[0].diff ?? '', /@@ line 1 @@\n- export const OLD_NAME = 1;\n\+ export const NEW_NAME = 1;/);
    assert.deepEqual(
      steps().map((step) => step.status),
      ['done', 'done', 'done', 'done', 'done', 'failed'],
      'the command failed with exit code 3',
    );
    assert.equal(fs.readFileSync(file('agentwork/a.ts'), 'utf8'), a.replace('OLD_NAME', 'NEW_NAME'));
    assert.equal(fs.readFileSync(file('agentwork/b.ts'), 'utf8'), b.replaceAll('OLD_NAME', 'NEW_NAME'));
    assert.equal(fs.readFileSync(file('agentwork/notes/CHANGES.md'), 'utf8'), '# Renamed\n');
    const changes = posted.filter((m) => m.type === 'changes').at(-1);
    assert.ok(changes?.type === 'changes');
    assert.deepEqual(changes.changes, {
      files: [
        { path: 'agentwork/a.ts', created: false },
        { path: 'agentwork/b.ts', created: false },
        { path: 'agentwork/notes/CHANGES.md', created: true },
      ],
      state: 'pending',
    });

    await chat.settleChanges(changes.requestId, true);
    assert.deepEqual(fs.readFileSync(file('agentwork/a.ts')), Buffer.from(a), 'CRLF kept, byte for byte');
    assert.deepEqual(fs.readFileSync(file('agentwork/b.ts')), Buffer.from(b), 'the BOM kept, byte for byte');
    assert.ok(!fs.existsSync(file('agentwork/notes/CHANGES.md')), 'the created file is removed');
    const undone = posted.filter((m) => m.type === 'changes').at(-1);
    assert.ok(undone?.type === 'changes' && undone.changes.state === 'undone');
    chat.dispose();
  });

  it('Reject and Skip: nothing is written or run, and the model hears why', async () => {
    write('agentwork/reject.ts', 'const x = 1;\n');
    server.chatQueue.push(
      call('edit_file', { path: 'agentwork/reject.ts', edits: [{ search: 'x = 1', replace: 'x = 2' }] }),
      call('run_command', { command: 'echo should-not-run > agentwork/ran.txt' }),
      answer('OK, I changed nothing.'),
    );
    const { chat, steps } = panel(() => 'reject');
    await chat.setMode('agent');
    const first = server.chatRequests.length;
    const outcome = await chat.ask('Change x.');
    assert.equal(outcome?.status, 'done');
    const results = server.chatRequests.slice(first).map((r) => (r.body as Body).messages.at(-1)?.content);
    assert.equal(results[1], 'The user rejected this change to agentwork/reject.ts; nothing was written.');
    assert.equal(results[2], 'The user skipped this command; it did not run.');
    assert.equal(fs.readFileSync(file('agentwork/reject.ts'), 'utf8'), 'const x = 1;\n');
    assert.ok(!fs.existsSync(file('agentwork/ran.txt')));
    assert.deepEqual(
      steps().map((step) => step.status),
      ['rejected', 'rejected'],
    );
    chat.dispose();
  });

  it('Always allow: the same command runs without asking again in this workspace', async () => {
    const workspaceState = new MemoryMemento();
    server.chatQueue.push(
      call('run_command', { command: 'echo once' }),
      answer('ran'),
      call('run_command', { command: 'echo once' }),
      answer('ran again'),
    );
    const { chat, asked } = panel(() => 'always', workspaceState);
    await chat.setMode('agent');
    await chat.ask('Run it.');
    await chat.ask('Run it again.');
    assert.equal(asked.length, 1);
    assert.deepEqual(workspaceState.get('genos.agent.allowedCommands'), ['echo once']);
    chat.dispose();
  });

  it('refuses a path outside the workspace, and reads a .env only when the user allows that one read', async () => {
    write('agentwork/.env', 'TOKEN=do-not-send\n');
    server.chatQueue.push(
      call('read_file', { path: '../outside.txt' }),
      call('read_file', { path: 'agentwork/.env' }),
      call('read_file', { path: 'agentwork/.env' }),
      answer('done'),
    );
    let reads = 0;
    const { chat, asked } = panel(() => (reads++ === 0 ? 'reject' : 'approve'));
    await chat.setMode('agent');
    const first = server.chatRequests.length;
    await chat.ask('Read the settings.');
    const results = server.chatRequests.slice(first).map((r) => (r.body as Body).messages.at(-1)?.content ?? '');
    assert.equal(results[1], '../outside.txt leads outside the workspace.');
    assert.match(results[2], /looks like an environment file.*The user did not allow reading it\.$/);
    assert.doesNotMatch(results[2], /do-not-send/);
    assert.match(results[3], /TOKEN=do-not-send/);
    assert.deepEqual(
      asked.map((step) => [step.ask, step.sensitive]),
      [
        ['read', true],
        ['read', true],
      ],
    );
    chat.dispose();
  });

  it('Stop while a command runs ends it at once and keeps the turn', async () => {
    server.chatQueue.push(
      call('run_command', {
        command: 'echo started > agentwork/started.txt; sleep 30; echo never > agentwork/never.txt',
      }),
    );
    const { chat, steps } = panel();
    await chat.setMode('agent');
    const pending = chat.ask('Wait a long time.');
    await waitFor(() => fs.existsSync(file('agentwork/started.txt')), 'the command running');
    const started = Date.now();
    chat.stop();
    const outcome = await pending;
    assert.equal(outcome?.status, 'stopped');
    assert.ok(Date.now() - started < 10_000, 'stopped without waiting for the command');
    assert.equal(steps()[0].status, 'stopped');
    assert.match(steps()[0].output ?? '', /^It was stopped by the user\./);
    assert.ok(!fs.existsSync(file('agentwork/never.txt')));
    chat.dispose();
  });

  it('Stop during a model request keeps the text so far', async () => {
    server.chatQueue.push({ type: 'stream', content: ['Looking', ' at it'], ending: 'stall' });
    const { chat, posted } = panel();
    await chat.setMode('agent');
    const pending = chat.ask('Look.');
    const streamed = () =>
      posted
        .map((m) => (m.type === 'delta' ? m.content : ''))
        .join('')
        .includes('at it');
    await waitFor(streamed, 'the text streamed');
    chat.stop();
    const outcome = await pending;
    assert.equal(outcome?.status, 'stopped');
    assert.equal(outcome?.answer, 'Looking at it');
    chat.dispose();
  });

  it('stops at the step limit, says so, and Continue goes on with the same steps', async () => {
    await genosConfig().update('agent.maxSteps', 2, vscode.ConfigurationTarget.Global);
    try {
      server.chatQueue.push(
        call('list_files', { pattern: 'src/**' }),
        call('list_files', { pattern: 'src/**' }),
        call('problems', {}),
        answer('All checked.'),
      );
      const { chat, posted } = panel();
      await chat.setMode('agent');
      const limited = await chat.ask('Check everything.');
      assert.equal(limited?.status, 'done');
      const done = posted.filter((m) => m.type === 'turnDone').at(-1);
      assert.ok(done?.type === 'turnDone' && done.stepLimit === true);
      const first = server.chatRequests.length;
      const continued = await chat.continue(done.requestId);
      assert.equal(continued?.status, 'done');
      assert.equal(continued?.answer, 'All checked.');
      const body = server.chatRequests[first].body as Body;
      assert.equal(body.messages.filter((m) => m.role === 'tool').length, 2, 'the continued request has the steps');
      chat.dispose();
    } finally {
      await genosConfig().update('agent.maxSteps', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('a serving that refuses tools: the text protocol, said in the turn and remembered', async () => {
    server.toolCalling = false;
    write('agentwork/hello.txt', 'hello\n');
    server.chatQueue.push(
      answer('Reading.\n<read_file>\n<path>agentwork/hello.txt</path>\n</read_file>'),
      answer('It says hello.'),
      answer('<list_files>\n</list_files>'),
      answer('Listed.'),
    );
    const { chat, posted } = panel();
    await chat.setMode('agent');
    const first = server.chatRequests.length;
    const outcome = await chat.ask('What does a.ts say?');
    assert.equal(outcome?.answer, 'Reading.\n\nIt says hello.', 'a paragraph after the step');
    const bodies = server.chatRequests.slice(first).map((r) => r.body as Body);
    assert.equal(bodies.length, 3, 'refused once, then the text protocol');
    assert.equal(bodies[1].tools, undefined);
    assert.equal(bodies[2].messages.at(-1)?.content, '[read_file result]\nagentwork/hello.txt, lines 1-1 of 1.\nhello');
    const notes = posted.filter((m) => m.type === 'fitted').at(-1);
    assert.ok(notes?.type === 'fitted' && notes.notes.some((n) => /does not take tool calls/.test(n)));
    // Remembered: the next turn does not offer tools again.
    const next = server.chatRequests.length;
    await chat.ask('List the files.');
    assert.equal(server.chatRequests.length - next, 2);
    assert.ok(server.chatRequests.slice(next).every((r) => (r.body as Body).tools === undefined));
    chat.dispose();
  });

  it('history reopens a finished agent turn with its steps and mode; its Undo is honestly unavailable', async () => {
    write('agentwork/history.txt', 'one\n');
    server.chatQueue.push(
      call('edit_file', { path: 'agentwork/history.txt', edits: [{ search: 'one', replace: 'two' }] }),
      answer('Changed.'),
    );
    const first = panel();
    await first.chat.setMode('agent');
    // A new conversation starts in the mode chosen last, and keeps it once it has turns.
    await first.chat.newChat();
    assert.equal(first.chat.mode, 'agent');
    const outcome = await first.chat.ask('Change one to two.');
    assert.equal(first.chat.mode, 'agent');
    const init = await first.chat.init();
    assert.ok(init.type === 'init');
    const store = new ConversationStore(vscode.Uri.file(history));
    let id = '';
    for (const summary of await store.list()) {
      const saved = await store.load(summary.id);
      if (saved?.turns.some((t) => t.id === outcome?.requestId)) id = summary.id;
    }
    first.chat.dispose();

    const summary = (await store.list()).find((entry) => entry.id === id);
    assert.equal(summary?.mode, 'agent', 'the history marks an agent conversation');
    const second = panel();
    await second.chat.open(id);
    const reopened = await second.chat.init();
    assert.ok(reopened.type === 'init');
    assert.equal(reopened.mode, 'agent');
    const turn = reopened.turns.find((t) => t.id === outcome?.requestId);
    assert.equal(turn?.mode, 'agent');
    assert.deepEqual(
      turn?.steps?.map((step) => [step.tool, step.subject, step.status]),
      [['edit_file', 'agentwork/history.txt', 'done']],
    );
    assert.match(turn?.steps?.[0].diff ?? '', /- one\n\+ two/);
    assert.equal(turn?.answer, 'Changed.');
    assert.equal(turn?.changes?.state, 'unavailable');
    await second.chat.settleChanges(turn!.id, true);
    assert.equal(fs.readFileSync(file('agentwork/history.txt'), 'utf8'), 'two\n', 'nothing undone without a record');
    second.chat.dispose();
  });

  it('in Restricted Mode nothing is written or run', async () => {
    write('agentwork/restricted.ts', 'const x = 1;\n');
    const shown: StepView[] = [];
    const runner = new ToolRunner({
      ui: { show: (step) => shown.push({ ...step }), decide: async () => 'approve' },
      journal: new ChangeJournal(),
      state: new MemoryMemento(),
      settings: {
        maxSteps: 25,
        approveReads: false,
        autoApproveEdits: true,
        commandTimeoutMs: 5000,
        extensionTools: false,
      },
      readOnly: true,
      proposals: new Map(),
      newId: () => `s${shown.length}`,
    });
    const signal = new AbortController().signal;
    const edit = await runner.run(
      {
        id: '1',
        name: 'edit_file',
        input: {},
        call: { name: 'edit_file', args: { path: 'agentwork/a.ts', edits: [{ search: 'x = 1', replace: 'x = 2' }] } },
      },
      signal,
    );
    const run = await runner.run(
      {
        id: '2',
        name: 'run_command',
        input: {},
        call: { name: 'run_command', args: { command: 'echo x > agentwork/ran.txt' } },
      },
      signal,
    );
    const read = await runner.run(
      { id: '3', name: 'read_file', input: {}, call: { name: 'read_file', args: { path: 'agentwork/restricted.ts' } } },
      signal,
    );
    assert.match(edit.output, /Restricted Mode/);
    assert.match(run.output, /Restricted Mode/);
    assert.ok(read.ok, 'reading still works');
    assert.equal(fs.readFileSync(file('agentwork/restricted.ts'), 'utf8'), 'const x = 1;\n');
    assert.ok(!fs.existsSync(file('agentwork/ran.txt')));
  });
});
