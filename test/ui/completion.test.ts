import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot } from '../runner/codeServer';
import { waitUntil } from '../support/wait';
import { FakeGenos } from '../support/genosServer';
import { EDITOR_LINES, openWorkbench, setTokenFromPalette, withFailureScreenshot, type Workbench } from './workbench';

describe('a user completes code as they type', () => {
  let genos: FakeGenos;
  let workbench: Workbench;
  const file = () => path.join(workbench.server.workspace, 'app.ts');

  before(async () => {
    genos = new FakeGenos({ token: 'completion-ui-token', models: ['Qwen2.5-Coder-7B'] });
    await genos.start();
    workbench = await openWorkbench({
      install: [path.join(repoRoot, 'genos-vscode.vsix')],
      // Turning completion on writes the user settings; machine-scoped ones live in the remote settings.
      machineSettings: { 'genos.baseUrl': genos.baseUrl, 'genos.servingId': genos.servingId },
      // TypeScript's own suggestion list would take Tab when it opens (seen on a loaded machine);
      // this test is about GenOS's ghost text, so the list stays closed.
      userSettings: {
        'editor.quickSuggestions': { other: false, comments: false, strings: false },
        'editor.suggestOnTriggerCharacters': false,
      },
      workspaceFiles: { 'app.ts': '// GenOS completion demo\n' },
    });
    await withFailureScreenshot(workbench, 'completion-setup', async () => {
      await setTokenFromPalette(workbench, 'completion-ui-token');
      const { page } = workbench;
      await page.keyboard.press('Control+P');
      await page.locator('.quick-input-widget input').fill('app.ts');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'app.ts' }).first().waitFor();
      await page.keyboard.press('Enter');
      await page.locator(EDITOR_LINES, { hasText: 'completion demo' }).waitFor();
    });
  });
  after(async () => {
    await workbench?.close();
    await genos?.close();
  });

  const lines = () => workbench.page.locator(EDITOR_LINES).first();

  it('turns completions on from the status bar, sees ghost text, accepts it with Tab, dismisses it with Escape', async () => {
    const { page } = workbench;
    await withFailureScreenshot(workbench, 'completion-accept', async () => {
      const item = page.locator('.statusbar-item', { hasText: 'GenOS' }).first();
      await item.click();
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Turn On GenOS Completions' }).click();
      await page.locator('.statusbar-item[aria-label*="GenOS completions are on"]').waitFor();

      await lines().click();
      await page.keyboard.press('Control+End');
      await page.keyboard.type('const greeting = ');
      // Ghost text: shown in the line, not yet in the file.
      await page.locator(EDITOR_LINES, { hasText: "const greeting = 'greeting from GenOS';" }).waitFor();
      await workbench.screenshot('completion-ghost-text');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Control+S');
      await waitForFile(file(), (text) => text.includes("const greeting = 'greeting from GenOS';"));

      await page.keyboard.press('Enter');
      await page.keyboard.type('const farewell = ');
      await page.locator(EDITOR_LINES, { hasText: "'farewell from GenOS';" }).waitFor();
      await page.keyboard.press('Escape');
      await page.locator(EDITOR_LINES, { hasText: "'farewell from GenOS';" }).waitFor({ state: 'detached' });
      await page.keyboard.press('Control+S');
      await waitForFile(file(), (text) => /const farewell = $/m.test(text));
      assert.ok(
        !fs.readFileSync(file(), 'utf8').includes('farewell from GenOS'),
        'Escape kept the suggestion out of the file',
      );
    });
  });

  it('typing quickly asks only a few times, and a request the cursor leaves is closed', async () => {
    const { page } = workbench;
    await withFailureScreenshot(workbench, 'completion-typing', async () => {
      await page.keyboard.press('Enter');
      const before = genos.completionRequests.length;
      // About 60 words per minute would be 200 ms a key; this is faster, so the debounce holds.
      await page.keyboard.type('let typedQuickly = 1 + 2;', { delay: 40 });
      await page.keyboard.press('Enter');
      await page.keyboard.type('let slowAnswer = ', { delay: 40 });
      await waitUntil(() => genos.completionRequests.length > before, 'a completion request');
      const sent = genos.completionRequests.length - before;
      assert.ok(sent <= 3, `${sent} requests while typing 42 characters`);

      // A slow answer is in flight; the user goes back a character: it is no use any more.
      genos.completionQueue.push({ type: 'completion', delayMs: 10_000, match: 'let again = <' });
      await page.keyboard.press('Enter');
      await page.keyboard.type('let again = ');
      await waitUntil(
        () => genos.completionRequests.some((r) => (r.body as { prompt: string }).prompt.includes('let again = <')),
        'the slow completion request',
      );
      const slow = genos.completionRequests.find((r) =>
        (r.body as { prompt: string }).prompt.includes('let again = <'),
      );
      await page.keyboard.press('Backspace');
      await page.keyboard.press('Backspace');
      await slow?.closed;
      assert.equal(slow?.closedEarly, true, 'the server saw the connection closed');
      assert.equal(await page.locator('.notification-toast').count(), 0, 'no notification while typing');
    });
  });

  it('a serving without /v1/completions: the status bar warns and its menu offers the fix; no notification', async () => {
    const { page } = workbench;
    await withFailureScreenshot(workbench, 'completion-404', async () => {
      for (let i = 0; i < 3; i++) {
        genos.completionQueue.push({ type: 'status', status: 404, body: '{"detail":"Not Found"}' });
      }
      await page.keyboard.press('Enter');
      await page.keyboard.type('let broken = ');
      const warning = page.locator(
        '.statusbar-item[aria-label*="GenOS completions: This serving has no /v1/completions (404)"]',
      );
      await warning.waitFor();
      await warning.click();
      await page
        .locator('.quick-input-list .monaco-list-row', { hasText: 'Use the Chat Format for Completions' })
        .waitFor();
      await workbench.screenshot('completion-404-menu');
      await page.keyboard.press('Escape');
      assert.equal(await page.locator('.notification-toast').count(), 0, 'the failure is in the status bar only');
    });
  });
});

async function waitForFile(file: string, check: (text: string) => boolean): Promise<void> {
  await waitUntil(() => check(fs.readFileSync(file, 'utf8')), `${path.basename(file)} saved`, 10_000);
}
