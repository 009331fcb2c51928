/** Figures that need a real VS Code (code-server): activation, and chunk-to-screen latency. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { launchChromium, repoRoot, startCodeServer } from '../test/runner/codeServer';
import { FakeGenos } from '../test/support/genosServer';
import { chatFrame, openWorkbench, setTokenFromPalette } from '../test/ui/workbench';
import type { AgentProbeFigures } from './agentProbe';
import type { CompletionProbeFigures } from './completionProbe';

export interface ActivationFigures {
  /** activate() itself, measured inside it. */
  activateMs: number;
  /** dist/extension.js loaded and evaluated (median of 5 re-evaluations). */
  loadMs: number;
  /** extension.activate() as seen by a caller: the host's own work included. */
  activationMs: number;
  /** The core loaded and started on first use: what activation did before it was split. */
  coreMs: number;
  /** dist/core.js loaded and evaluated alone (median of 5 re-evaluations). */
  coreLoadMs: number;
}

/** Opens the workbench with the extension under development and the activation probe. */
export function measureActivation(): Promise<ActivationFigures> {
  return runProbe<ActivationFigures>(
    'out/bench/activationProbe.js',
    path.join(repoRoot, 'test-results/bench-activation.json'),
  );
}

/** Runs a probe module inside the extension host of a fresh code-server and reads its result file. */
async function runProbe<T>(probe: string, resultsFile: string): Promise<T> {
  fs.rmSync(resultsFile, { force: true });
  const server = await startCodeServer({ extensionTests: true });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(
      server.workbenchUrl([
        ['extensionDevelopmentPath', server.remoteUri(repoRoot)],
        ['extensionTestsPath', server.remoteUri(path.join(repoRoot, probe))],
      ]),
    );
    const deadline = Date.now() + 180_000;
    while (!fs.existsSync(resultsFile)) {
      if (Date.now() > deadline) throw new Error(`${probe} did not report; see ${server.logFile}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as T;
  } finally {
    await browser.close();
    await server.stop();
  }
}

/** Inline completion's own cost per completion, its cache, and its requests while typing. */
export function measureCompletion(): Promise<CompletionProbeFigures> {
  return runProbe<CompletionProbeFigures>(
    'out/bench/completionProbe.js',
    path.join(repoRoot, 'test-results/bench-completion.json'),
  );
}

/** Agent mode: search over 20,000 files, and a 50-step session on an 8k window. */
export async function measureAgent(): Promise<AgentProbeFigures> {
  const figures = await runProbe<AgentProbeFigures & { error?: string }>(
    'out/bench/agentProbe.js',
    path.join(repoRoot, 'test-results/bench-agent.json'),
  );
  if (figures.error) throw new Error(`the agent probe failed: ${figures.error}`);
  return figures;
}

export interface LatencyFigures {
  chunks: number;
  medianMs: number;
  p95Ms: number;
  maxMs: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/**
 * From the loopback server writing a chunk to its text being in the chat webview's DOM, through
 * the real host and webview of the installed .vsix. Each chunk carries a numbered marker.
 */
export async function measureLatency(chunks = 300): Promise<LatencyFigures> {
  const genos = new FakeGenos({ token: 'latency-token', models: ['Qwen3-8B'] });
  await genos.start();
  const workbench = await openWorkbench({
    install: [path.join(repoRoot, 'genos-vscode.vsix')],
    userSettings: { 'genos.baseUrl': genos.baseUrl, 'genos.servingId': genos.servingId },
  });
  try {
    await setTokenFromPalette(workbench, 'latency-token');
    await workbench.runCommand('GenOS: Open Chat');
    const frame = await chatFrame(workbench.page);
    // Warm the whole path once, as any session's first answer would.
    genos.chatQueue.push({ type: 'stream', content: ['준비 ', '완료'] });
    await frame.locator('textarea.input').fill('warm-up');
    await frame.locator('textarea.input').press('Enter');
    await frame.locator('.turn:not(.streaming) .content', { hasText: '준비 완료' }).waitFor();

    await frame.evaluate(() => {
      const w = window as unknown as { __seen: Record<number, number> };
      w.__seen = {};
      const marker = /⟦(\d+)⟧/g;
      new MutationObserver(() => {
        const now = performance.timeOrigin + performance.now();
        const turns = document.querySelectorAll('.turn .content');
        const text = turns[turns.length - 1]?.textContent ?? '';
        for (const match of text.matchAll(marker)) w.__seen[Number(match[1])] ??= now;
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    const written = new Map<number, number>();
    genos.chatQueue.push({
      type: 'stream',
      content: Array.from({ length: chunks }, (_, i) => `⟦${i}⟧ `),
      delayMs: 20,
      onWrite: (index, at) => written.set(index, at),
    });
    await frame.locator('textarea.input').fill('지연 시간 측정');
    await frame.locator('textarea.input').press('Enter');
    await frame.locator('.turn:not(.streaming) .content', { hasText: `⟦${chunks - 1}⟧` }).waitFor({ timeout: 60_000 });
    const seen = await frame.evaluate(() => (window as unknown as { __seen: Record<number, number> }).__seen);
    const latencies = [...written]
      .map(([i, at]) => (seen[i] ?? Number.NaN) - at)
      .filter((ms) => Number.isFinite(ms))
      .sort((a, b) => a - b);
    if (latencies.length < chunks * 0.95) throw new Error(`only ${latencies.length} of ${chunks} chunks were seen`);
    return {
      chunks: latencies.length,
      medianMs: percentile(latencies, 50),
      p95Ms: percentile(latencies, 95),
      maxMs: latencies[latencies.length - 1],
    };
  } finally {
    await workbench.close();
    await genos.close();
  }
}
