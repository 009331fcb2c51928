/**
 * Runs inside the real extension host (as `extensionTestsPath`) before anything activated the
 * extension: times its activation (loading dist/extension.js and running activate()), then the
 * bundle's load alone, re-evaluated. Writes the figures to a file for the benchmark runner.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';

export const probeResults = path.resolve(__dirname, '../../test-results/bench-activation.json');

export async function run(): Promise<void> {
  const extension = vscode.extensions.getExtension('genos.genos-vscode');
  if (!extension) throw new Error('the extension is not loaded');
  const wasActive = extension.isActive;
  // The extension activates once start-up has finished: let it settle first.
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const started = performance.now();
  await extension.activate();
  const activationMs = performance.now() - started;
  const bundle = path.join(extension.extensionPath, 'dist/extension.js');
  const activateMs = (require.cache[require.resolve(bundle)]?.exports as { timing?: { activateMs: number } } | undefined)?.timing?.activateMs ?? Number.NaN;
  const loads: number[] = [];
  for (let i = 0; i < 5; i++) {
    delete require.cache[require.resolve(bundle)];
    const t = performance.now();
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- re-evaluating the bundle by path is the measurement
    require(bundle);
    loads.push(performance.now() - t);
  }
  fs.mkdirSync(path.dirname(probeResults), { recursive: true });
  fs.writeFileSync(probeResults, JSON.stringify({ wasActive, activationMs, activateMs, loadMs: loads.sort((a, b) => a - b)[2] }));
}
