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
  const entry = () =>
    require.cache[require.resolve(bundle)]?.exports as { timing?: { activateMs: number; coreMs: number } } | undefined;
  const activateMs = entry()?.timing?.activateMs ?? Number.NaN;
  // The core loads on first use (here, the first start's walkthrough may have loaded it already).
  await vscode.commands.executeCommand('genos.completionState');
  const coreMs = entry()?.timing?.coreMs ?? Number.NaN;
  /** Median time of re-evaluating a bundle (compiling and running its top level). */
  const reload = (file: string) => {
    const loads: number[] = [];
    for (let i = 0; i < 5; i++) {
      delete require.cache[require.resolve(file)];
      const t = performance.now();
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- re-evaluating the bundle by path is the measurement
      require(file);
      loads.push(performance.now() - t);
    }
    return loads.sort((a, b) => a - b)[2];
  };
  const coreLoadMs = reload(path.join(extension.extensionPath, 'dist/core.js'));
  const loadMs = reload(bundle);
  fs.mkdirSync(path.dirname(probeResults), { recursive: true });
  fs.writeFileSync(probeResults, JSON.stringify({ wasActive, activationMs, activateMs, loadMs, coreMs, coreLoadMs }));
}
