/**
 * `npm run test:integration`: runs test/integration inside the Node extension host of a real
 * VS Code (code-server), opened by headless Chromium, on VS Code 1.100.3 and then 1.139.1
 * (`GENOS_VSCODE=1.100` or `1.139` runs one). Prints each test, a closing "N passed, N failed"
 * line per version, and fails when any test failed or none ran. Always stops what it started.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SuiteResults } from '../integration/index';
import {
  freePort,
  launchChromium,
  repoRoot,
  startCodeServer,
  VSCODE_TARGETS,
  type CodeServer,
  type StartOptions,
  type VscodeTarget,
} from './codeServer';

const TIMEOUT_MS = Number(process.env.GENOS_INTEGRATION_TIMEOUT_MS ?? 10 * 60_000);

function readResults(resultsFile: string): SuiteResults | undefined {
  try {
    return JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as SuiteResults;
  } catch {
    return undefined;
  }
}

/** One suite: a test index run in the extension host of its own code-server. */
interface Suite {
  name: string;
  index: string;
  results: string;
  options: StartOptions;
  /** Checks on the code-server's folders after the tests, before they are removed. */
  after?: (server: CodeServer) => string[];
}

async function runSuite(suite: Suite): Promise<{ passed: number; failed: number }> {
  fs.rmSync(suite.results, { force: true });
  const server = await startCodeServer({ ...suite.options, extensionTests: true });
  const browser = await launchChromium();
  let printed = 0;
  try {
    const page = await browser.newPage();
    page.on('pageerror', (error) => console.error(`[workbench] ${error.message}`));
    const payload: Array<[string, string]> = [
      ['extensionDevelopmentPath', server.remoteUri(repoRoot)],
      ['extensionTestsPath', server.remoteUri(path.join(repoRoot, suite.index))],
    ];
    await page.goto(server.workbenchUrl(payload));
    const deadline = Date.now() + TIMEOUT_MS;
    let results: SuiteResults | undefined;
    for (;;) {
      results = readResults(suite.results);
      for (const test of results?.tests.slice(printed) ?? []) {
        console.log(`${test.state === 'passed' ? '✔' : '✖'} ${test.title} (${test.durationMs} ms)`);
        if (test.error) console.log(test.error.replace(/^/gm, '    '));
      }
      printed = results?.tests.length ?? printed;
      if (results?.done) break;
      if (Date.now() > deadline) {
        console.error(
          `The ${suite.name} suite did not finish within ${TIMEOUT_MS / 1000} s. code-server log: ${server.logFile}`,
        );
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const problems = suite.after?.(server) ?? [];
    for (const problem of problems) console.log(`✖ ${suite.name}: ${problem}`);
    const passed = (results?.passed ?? 0) + (suite.after && problems.length === 0 ? 1 : 0);
    if (suite.after && problems.length === 0) {
      console.log(`✔ ${suite.name}: the folders of the editor pass the checks after the run`);
    }
    return { passed, failed: (results?.failed ?? 0) + (results?.done ? 0 : 1) + problems.length };
  } finally {
    await browser.close();
    if (process.env.GENOS_SHOW_CODE_SERVER_LOG) {
      process.stdout.write(fs.readFileSync(server.logFile, 'utf8').slice(-4000));
    }
    await server.stop();
  }
}

/** Files under `dir` whose bytes contain `needle`. */
function filesContaining(dir: string, needle: string): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...filesContaining(full, needle));
    else if (entry.isFile() && fs.readFileSync(full).includes(needle)) found.push(full);
  }
  return found;
}

async function main(): Promise<number> {
  const targets = process.env.GENOS_VSCODE ? [process.env.GENOS_VSCODE] : Object.keys(VSCODE_TARGETS);
  let failed = false;
  for (const target of targets) {
    // The code-server started for each suite, and its extension host, read the target from here.
    process.env.GENOS_VSCODE = target;
    console.log(`# VS Code ${target}`);
    if ((await runTarget(target as VscodeTarget)) !== 0) failed = true;
  }
  return failed ? 1 : 0;
}

async function runTarget(target: VscodeTarget): Promise<number> {
  const provisionedPort = await freePort();
  const key = `provisioned-key-${Math.random().toString(36).slice(2)}`;
  const suites: Suite[] = [
    {
      name: 'integration',
      index: 'out/test/integration/index.js',
      results: path.join(repoRoot, 'test-results/integration.json'),
      options: {
        userSettings: { 'genos.requestTimeoutSeconds': 10, 'workbench.welcomePage.walkthroughs.openOnInstall': false },
        // A small project for attachments: one file the .gitignore hides, one files.exclude hides.
        // files.exclude has a key with braces, and a nested .gitignore hides a file of its folder.
        workspaceFiles: {
          'src/hello.ts': 'export const hello = 1;\n',
          '.gitignore': 'build/\n*.log\n',
          'build/out.js': 'x',
          'debug.log': 'x',
          '.vscode/settings.json': '{ "files.exclude": { "**/secret.txt": true, "**/*.{tmp,bak}": true } }',
          'secret.txt': 'x',
          'old.bak': 'x',
          'pkg/.gitignore': 'private.txt\n',
          'pkg/private.txt': 'x',
          'pkg/public.txt': 'x',
        },
      },
    },
    {
      // A GenOS codespace: the serving, its key and the model in the extension host's environment.
      name: 'provisioned',
      index: 'out/test/integration/provisioned/index.js',
      results: path.join(repoRoot, 'test-results/integration-provisioned.json'),
      options: {
        userSettings: { 'genos.requestTimeoutSeconds': 10, 'workbench.welcomePage.walkthroughs.openOnInstall': false },
        env: {
          GENOS_SERVING_URL: `http://127.0.0.1:${provisionedPort}/api/gateway/rep/serving/77/v1`,
          GENOS_SERVING_API_KEY: key,
          GENOS_SERVING_MODEL_ID: 'Qwen2.5-Coder-7B',
          GENOS_TEST_PROVISIONED_PORT: String(provisionedPort),
        },
      },
      // The key is used, never kept: no file of the editor (settings, secrets, logs) holds it.
      after: (server) =>
        filesContaining(server.userDataDir, key).map((file) => `the provisioned key is written in ${file}`),
    },
  ];
  let passed = 0;
  let failed = 0;
  for (const suite of suites) {
    if (process.env.GENOS_TEST_SUITE && process.env.GENOS_TEST_SUITE !== suite.name) continue;
    const outcome = await runSuite(suite);
    passed += outcome.passed;
    failed += outcome.failed;
  }
  console.log(`integration on VS Code ${target}: ${passed} passed, ${failed} failed`);
  if (passed === 0) console.error(`No integration test ran on VS Code ${target}.`);
  return failed === 0 && passed > 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
