/**
 * The integration suite's entry, loaded by VS Code's extension host (code-server or desktop via
 * @vscode/test-electron) as `extensionTestsPath`. Runs every `*.test.js` beside it with mocha and
 * writes the outcome to a results file, because a web workbench has no exit code to report.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export interface TestResult {
  title: string;
  state: 'passed' | 'failed';
  durationMs: number;
  error?: string;
}

export interface SuiteResults {
  tests: TestResult[];
  passed: number;
  failed: number;
  done: boolean;
}

export const resultsFile = path.resolve(__dirname, '../../../test-results/integration.json');

export function run(): Promise<void> {
  return runSuite(__dirname, resultsFile);
}

/** Runs every `*.test.js` in `dir` with mocha, writing the outcome to `resultsFile` as it goes. */
export function runSuite(dir: string, resultsFile: string): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 30_000, color: false, reporter: 'spec' });
  const grep = process.env.GENOS_TEST_GREP;
  if (grep) mocha.grep(grep);
  for (const file of fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.test.js'))
    .sort()) {
    mocha.addFile(path.join(dir, file));
  }
  const results: SuiteResults = { tests: [], passed: 0, failed: 0, done: false };
  const save = () => {
    fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
    fs.writeFileSync(resultsFile, JSON.stringify(results, null, 2));
  };
  save();
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      results.done = true;
      save();
      if (failures > 0) reject(new Error(`${failures} integration tests failed`));
      else if (results.passed === 0) reject(new Error('no integration test ran'));
      else resolve();
    });
    runner.on('pass', (test) => {
      results.passed++;
      results.tests.push({ title: test.fullTitle(), state: 'passed', durationMs: test.duration ?? 0 });
      save();
    });
    runner.on('fail', (test, error: Error) => {
      results.failed++;
      results.tests.push({
        title: test.fullTitle(),
        state: 'failed',
        durationMs: test.duration ?? 0,
        error: error.stack ?? String(error),
      });
      save();
    });
  });
}
