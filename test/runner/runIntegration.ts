/**
 * `npm run test:integration`: runs test/integration inside the Node extension host of a real
 * VS Code 1.100.3 (code-server), opened by headless Chromium. Prints each test, a closing
 * "N passed, N failed" line, and fails when any test failed or none ran. Always stops what it
 * started.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SuiteResults } from '../integration/index';
import { launchChromium, repoRoot, startCodeServer } from './codeServer';

const resultsFile = path.join(repoRoot, 'test-results/integration.json');
const TIMEOUT_MS = Number(process.env.GENOS_INTEGRATION_TIMEOUT_MS ?? 10 * 60_000);

function readResults(): SuiteResults | undefined {
  try {
    return JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as SuiteResults;
  } catch {
    return undefined;
  }
}

async function main(): Promise<number> {
  fs.rmSync(resultsFile, { force: true });
  const server = await startCodeServer({
    userSettings: { 'genos.requestTimeoutSeconds': 10 },
    // A small project for attachments: one file the .gitignore hides, one files.exclude hides.
    workspaceFiles: { 'src/hello.ts': 'export const hello = 1;\n', '.gitignore': 'build/\n*.log\n', 'build/out.js': 'x', 'debug.log': 'x', '.vscode/settings.json': '{ "files.exclude": { "**/secret.txt": true } }', 'secret.txt': 'x' },
  });
  const browser = await launchChromium();
  let printed = 0;
  try {
    const page = await browser.newPage();
    page.on('pageerror', (error) => console.error(`[workbench] ${error.message}`));
    const payload: Array<[string, string]> = [
      ['extensionDevelopmentPath', server.remoteUri(repoRoot)],
      ['extensionTestsPath', server.remoteUri(path.join(repoRoot, 'out/test/integration/index.js'))],
    ];
    await page.goto(server.workbenchUrl(payload));
    const deadline = Date.now() + TIMEOUT_MS;
    let results: SuiteResults | undefined;
    for (;;) {
      results = readResults();
      for (const test of results?.tests.slice(printed) ?? []) {
        console.log(`${test.state === 'passed' ? '✔' : '✖'} ${test.title} (${test.durationMs} ms)`);
        if (test.error) console.log(test.error.replace(/^/gm, '    '));
      }
      printed = results?.tests.length ?? printed;
      if (results?.done) break;
      if (Date.now() > deadline) {
        console.error(`The integration suite did not finish within ${TIMEOUT_MS / 1000} s. code-server log: ${server.logFile}`);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const passed = results?.passed ?? 0;
    const failed = (results?.failed ?? 0) + (results?.done ? 0 : 1);
    console.log(`integration: ${passed} passed, ${failed} failed`);
    if (passed === 0) console.error('No integration test ran.');
    return failed === 0 && passed > 0 ? 0 : 1;
  } finally {
    await browser.close();
    if (process.exitCode || process.env.GENOS_SHOW_CODE_SERVER_LOG) process.stdout.write(fs.readFileSync(server.logFile, 'utf8').slice(-4000));
    await server.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
