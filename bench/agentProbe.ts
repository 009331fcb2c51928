/**
 * Runs inside the real extension host (as `extensionTestsPath`): what agent mode costs, against the
 * loopback GenOS in the same process (one clock for both sides). `search` over a generated
 * workspace of 20,000 files; a scripted 50-step session on an 8k window through the panel's own
 * controller, for the time from a tool's result to the next request at the server, the requests
 * refused, and the largest request. Writes the figures for the benchmark runner.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { search } from '../src/host/agent/searchTool';
import { rulesFor } from '../src/host/context/rules';
import { Log } from '../src/host/base/log';
import { ChatController } from '../src/host/chat/chatController';
import { ConversationStore } from '../src/host/chat/conversationStore';
import { ConnectionManager } from '../src/host/connection/connectionManager';
import { TokenStore } from '../src/host/connection/tokenStore';
import { EditorContext } from '../src/host/context/editorContext';
import { RequestPath } from '../src/host/requests/requestPath';
import { FakeGenos } from '../test/support/genosServer';
import { MemoryMemento, MemorySecrets } from '../test/support/memoryState';

export const agentResults = path.resolve(__dirname, '../../test-results/bench-agent.json');

export interface AgentProbeFigures {
  files: number;
  searchMs: number[];
  /** The team's rules found in the generated workspace: the first time, and once known. */
  rulesFirstMs: number;
  rulesCachedMs: number[];
  steps: number;
  /** A tool's result shown as done -> the next request's headers at GenOS, per step. */
  stepOverheadMs: number[];
  requests: number;
  /** Exact counts asked for during the session (each a round trip before a step's request). */
  counts: number;
  refusals: number;
  largestPromptTokens: number;
  window: number;
  status: string;
}

const now = () => performance.timeOrigin + performance.now();
const WORDS = ['alpha', 'render', 'fetchUser', 'parseConfig', 'TODO', 'handler', 'router', 'cache', 'token', 'widget'];

/** 20,000 files in 200 folders, a few lines of code each; a .gitignore hides one folder. */
function generate(root: string): number {
  let files = 0;
  for (let d = 0; d < 200; d++) {
    const dir = path.join(root, `pkg${d}`, 'src');
    fs.mkdirSync(dir, { recursive: true });
    for (let f = 0; f < 100; f++) {
      const lines = Array.from(
        { length: 30 },
        (_, i) => `export const ${WORDS[(d + f + i) % WORDS.length]}${i} = ${d * 100 + f}; // line ${i}`,
      );
      if (f === 7) lines.push(`// rare marker ${d}`);
      fs.writeFileSync(path.join(dir, `file${f}.ts`), lines.join('\n') + '\n');
      files++;
    }
  }
  fs.writeFileSync(path.join(root, '.gitignore'), 'pkg199/\n');
  return files;
}

async function measureRules(): Promise<{ rulesFirstMs: number; rulesCachedMs: number[] }> {
  const root = vscode.workspace.workspaceFolders![0].uri.fsPath;
  fs.writeFileSync(path.join(root, 'AGENTS.md'), '# Team rules\nWrite tests.\n');
  fs.writeFileSync(path.join(root, 'bench-repo', 'pkg3', 'AGENTS.md'), 'In pkg3, keep it pure.\n');
  fs.mkdirSync(path.join(root, '.genos', 'rules'), { recursive: true });
  fs.writeFileSync(path.join(root, '.genos', 'rules', 'ts.md'), '---\napplyTo: "**/*.ts"\n---\nStrict TS.\n');
  const file = vscode.Uri.file(path.join(root, 'bench-repo', 'pkg3', 'src', 'file1.ts'));
  let started = now();
  const first = await rulesFor([file]);
  const rulesFirstMs = now() - started;
  if (first.rules.length !== 3) throw new Error(`expected 3 rules, found ${first.rules.length}`);
  const rulesCachedMs: number[] = [];
  for (let i = 0; i < 20; i++) {
    started = now();
    await rulesFor([file]);
    rulesCachedMs.push(now() - started);
  }
  return { rulesFirstMs, rulesCachedMs };
}

async function measureSearch(): Promise<{ files: number; searchMs: number[] }> {
  const root = vscode.workspace.workspaceFolders![0].uri.fsPath;
  const files = generate(path.join(root, 'bench-repo'));
  const queries = ['rare marker 42', 'parseConfig1 =', 'nothing-matches-this', 'TODO', 'fetchUser\\d+ = 4\\d'];
  const searchMs: number[] = [];
  const signal = new AbortController().signal;
  for (let round = 0; round < 5; round++) {
    for (const [i, query] of queries.entries()) {
      const started = now();
      const result = await search({ query, regex: i === 4 }, signal);
      searchMs.push(now() - started);
      if (!result.ok) throw new Error(result.output);
    }
  }
  return { files, searchMs };
}

async function measureSession(): Promise<
  Omit<AgentProbeFigures, 'files' | 'searchMs' | 'rulesFirstMs' | 'rulesCachedMs'>
> {
  const window = 8192;
  // A tokenizer that counts a little more than the extension's estimate, as real ones do.
  const server = new FakeGenos({ token: 'bench-token', models: ['Qwen3-8B'], maxModelLen: window, tokenRatio: 1.15 });
  await server.start();
  const config = vscode.workspace.getConfiguration('genos');
  const set = (key: string, value: unknown) => config.update(key, value, vscode.ConfigurationTarget.Global);
  await set('baseUrl', server.baseUrl);
  await set('servingId', server.servingId);
  await set('agent.maxSteps', 60);
  const log = new Log();
  const secrets = new MemorySecrets();
  const memento = new MemoryMemento();
  const tokens = new TokenStore(secrets);
  const connections = new ConnectionManager(memento, tokens, log);
  await tokens.set(connections.endpoint(), 'bench-token');
  const steps = 50;
  for (let i = 0; i < steps; i++) {
    server.chatQueue.push({
      type: 'stream',
      content: [`Reading part ${i}.`],
      toolCalls: [{ name: 'read_file', arguments: JSON.stringify({ path: `bench-repo/pkg${i}/src/file${i}.ts` }) }],
    });
  }
  server.chatQueue.push({ type: 'stream', content: ['All read.'] });
  const stepDone: number[] = [];
  const history = fs.mkdtempSync(path.join(os.tmpdir(), 'genos-bench-agent-'));
  const chat = new ChatController(
    {
      post: (message) => {
        if (message.type === 'step' && message.step.status === 'done') stepDone.push(now());
      },
    },
    new RequestPath(connections, log),
    new ConversationStore(vscode.Uri.file(history)),
    memento,
    log,
    new EditorContext(),
  );
  await chat.setMode('agent');
  const first = server.chatRequests.length;
  const outcome = await chat.ask('Read the parts one by one.');
  const requests = server.chatRequests.slice(first);
  const stepOverheadMs = stepDone.map((done, i) => (requests[i + 1]?.arrivedAt ?? Number.NaN) - done);
  chat.dispose();
  await server.close();
  const prompts = requests.map((r) => r.promptTokens ?? 0);
  return {
    steps: stepDone.length,
    stepOverheadMs,
    requests: requests.length,
    counts: server.requests.filter((r) => r.path.endsWith('/tokenize')).length,
    refusals: prompts.filter((p) => p > window).length,
    largestPromptTokens: Math.max(...prompts),
    window,
    status: outcome?.status ?? 'none',
  };
}

export async function run(): Promise<void> {
  try {
    const searchFigures = await measureSearch();
    const rules = await measureRules();
    const session = await measureSession();
    fs.writeFileSync(
      agentResults,
      JSON.stringify({ ...searchFigures, ...rules, ...session } satisfies AgentProbeFigures),
    );
  } catch (error) {
    fs.writeFileSync(agentResults, JSON.stringify({ error: String((error as Error).stack ?? error) }));
  }
}
