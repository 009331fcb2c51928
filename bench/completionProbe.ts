/**
 * Runs inside the real extension host (as `extensionTestsPath`): what inline completion costs the
 * editor, against the loopback GenOS in the same process (one clock for both sides). Writes the
 * figures to a file for the benchmark runner.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CompletionStatus } from '../src/host/completions/completionStatus';
import { ConnectionManager } from '../src/host/connection/connectionManager';
import { InlineCompletions } from '../src/host/completions/inlineCompletions';
import { Log } from '../src/host/base/log';
import { TokenStore } from '../src/host/connection/tokenStore';
import { FakeGenos } from '../test/support/genosServer';
import { MemoryMemento, MemorySecrets } from '../test/support/memoryState';

export const completionResults = path.resolve(__dirname, '../../test-results/bench-completion.json');

/** What the runner reads back. */
export interface CompletionProbeFigures {
  lines: number;
  /** Provider called -> request handed to Node's HTTP stack: this extension's own part. */
  toSendMs: number[];
  /** Provider called -> request at the server, per completion (debounce 0, no cache): with VS Code's network stack. */
  toRequestMs: number[];
  /** Response finished at the server -> items returned by the provider: with the host's network stack. */
  toItemsMs: number[];
  /** Response read by the client -> items returned: this extension's own part. */
  ownItemsMs: number[];
  /** A cache hit: provider called -> items returned. */
  cacheHitMs: number[];
  /** Requests while 40 characters are typed at 60 words per minute, with the default debounce. */
  typingRequests: number;
  typedChars: number;
}

const now = () => performance.timeOrigin + performance.now();
const automatic: vscode.InlineCompletionContext = {
  triggerKind: vscode.InlineCompletionTriggerKind.Automatic,
  selectedCompletionInfo: undefined,
};

export async function run(): Promise<void> {
  const server = new FakeGenos({ token: 'bench-token', models: ['Qwen2.5-Coder-7B'] });
  await server.start();
  const config = vscode.workspace.getConfiguration('genos');
  const set = (key: string, value: unknown) => config.update(key, value, vscode.ConfigurationTarget.Global);
  await set('baseUrl', server.baseUrl);
  await set('servingId', server.servingId);
  await set('completion.enabled', true);
  await set('completion.debounceMs', 0);
  const log = new Log();
  const tokens = new TokenStore(new MemorySecrets());
  const connections = new ConnectionManager(new MemoryMemento(), tokens, log);
  await tokens.set(connections.endpoint(), 'bench-token');
  const status = new CompletionStatus();
  const provider = new InlineCompletions(connections, log, status);

  // A 10,000-line file; each measured call completes a different line, so nothing is cached.
  // Python, for which code-server has no language extension: the figures are this extension's
  // own, not a language server's work in the same extension host.
  const lines = 10_000;
  const text = Array.from({ length: lines }, (_, i) =>
    i % 50 === 0 ? `def block${i}(value):` : `    value${i} = value * ${i}`,
  ).join('\n');
  const document = await vscode.workspace.openTextDocument({ language: 'python', content: `${text}\n` });
  await vscode.window.showTextDocument(document);
  const ask = (position: vscode.Position, token = new vscode.CancellationTokenSource().token) =>
    provider.provideInlineCompletionItems(document, position, automatic, token);

  const figures: CompletionProbeFigures = {
    lines,
    toSendMs: [],
    toRequestMs: [],
    toItemsMs: [],
    ownItemsMs: [],
    cacheHitMs: [],
    typingRequests: 0,
    typedChars: 40,
  };
  // 10 warm-up calls, then 100 measured ones: a p95 of 100 samples is not decided by 3 outliers.
  for (let i = 0; i < 110; i++) {
    const line = 100 + i * 90;
    const position = document.lineAt(line).range.end;
    const before = server.completionRequests.length;
    const called = now();
    const items = await ask(position);
    const returned = now();
    const request = server.completionRequests[before];
    if (!request?.finishedAt || items.length === 0) throw new Error(`completion ${i} did not complete`);
    // The first calls warm the path (model list, code paths); they are not counted.
    if (i < 10) continue;
    figures.toSendMs.push(provider.timings.calledToSentMs ?? Number.NaN);
    figures.toRequestMs.push(request.arrivedAt - called);
    figures.toItemsMs.push(returned - request.finishedAt);
    figures.ownItemsMs.push(provider.timings.receivedToItemsMs ?? Number.NaN);
    const hitStarted = now();
    const again = await ask(position);
    figures.cacheHitMs.push(now() - hitStarted);
    if (again.length === 0 || server.completionRequests.length !== before + 1) {
      throw new Error('the second call did not come from the cache');
    }
  }

  // A user typing 40 characters at 60 words per minute (5 characters a word: 200 ms a key) with
  // the default debounce; each keystroke cancels the call before it, as the editor does.
  await set('completion.debounceMs', undefined);
  provider.reset();
  const typing = await vscode.workspace.openTextDocument({ language: 'python', content: 'def total(items):\n    ' });
  const editor = await vscode.window.showTextDocument(typing);
  const typed = 'result = sum(item.price for item in items';
  const before = server.completionRequests.length;
  let previous: vscode.CancellationTokenSource | undefined;
  const calls: Array<Thenable<unknown>> = [];
  for (const ch of typed.slice(0, figures.typedChars)) {
    await editor.edit((edit) => edit.insert(typing.lineAt(typing.lineCount - 1).range.end, ch));
    previous?.cancel();
    previous = new vscode.CancellationTokenSource();
    calls.push(
      provider.provideInlineCompletionItems(
        typing,
        typing.lineAt(typing.lineCount - 1).range.end,
        automatic,
        previous.token,
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await Promise.all(calls);
  figures.typingRequests = server.completionRequests.length - before;

  for (const key of ['completion.enabled', 'completion.debounceMs']) await set(key, undefined);
  provider.dispose();
  status.dispose();
  await server.close();
  fs.mkdirSync(path.dirname(completionResults), { recursive: true });
  fs.writeFileSync(completionResults, JSON.stringify(figures));
}
