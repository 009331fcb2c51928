/**
 * `npm run test:ui`: the workbench UI tests (test/ui, node:test) on VS Code 1.100.3 and then
 * 1.139.1, each a run of its own; `GENOS_VSCODE=1.100` or `1.139` runs one. Fails when either fails.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot, VSCODE_TARGETS } from './codeServer';

const dir = path.join(repoRoot, 'out/test/ui');
const files = fs
  .readdirSync(dir)
  .filter((file) => file.endsWith('.test.js'))
  .sort()
  .map((file) => path.join(dir, file));
const targets = process.env.GENOS_VSCODE ? [process.env.GENOS_VSCODE] : Object.keys(VSCODE_TARGETS);
let failed = false;
for (const target of targets) {
  console.log(`# VS Code ${target}`);
  const run = spawnSync(process.execPath, ['--test', '--test-reporter=spec', '--test-concurrency=1', ...files], {
    stdio: 'inherit',
    env: { ...process.env, GENOS_VSCODE: target },
  });
  console.log(`ui on VS Code ${target}: ${run.status === 0 ? 'passed' : 'FAILED'}`);
  if (run.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
