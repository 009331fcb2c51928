import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot } from '../runner/codeServer';
import { FakeGenos, splitDeltas } from '../support/genosServer';
import {
  chatFrame,
  EDITOR_LINES,
  openWorkbench,
  setTokenFromPalette,
  withFailureScreenshot,
  type Workbench,
} from './workbench';

const original = 'def greet(name):\n    return "Hello, " + name + "!"\n';
const improved = 'def greet(name: str) -> str:\n    return f"Hello, {name}!"\n';

describe('a user explains and rewrites code from the editor', () => {
  let genos: FakeGenos;
  let workbench: Workbench;

  before(async () => {
    genos = new FakeGenos({ token: 'editor-ui-token', models: ['Qwen3-8B'] });
    await genos.start();
    workbench = await openWorkbench({
      install: [path.join(repoRoot, 'genos-vscode.vsix')],
      machineSettings: { 'genos.baseUrl': genos.baseUrl, 'genos.servingId': genos.servingId },
      workspaceFiles: { 'greet.py': original },
    });
    await withFailureScreenshot(workbench, 'editor-setup', async () => {
      await setTokenFromPalette(workbench, 'editor-ui-token');
      // Open the file with Quick Open and select all of it.
      await workbench.page.keyboard.press('Control+P');
      await workbench.page.locator('.quick-input-widget input').fill('greet.py');
      await workbench.page.locator('.quick-input-list .monaco-list-row', { hasText: 'greet.py' }).first().waitFor();
      await workbench.page.keyboard.press('Enter');
      await workbench.page.locator(EDITOR_LINES, { hasText: 'def greet' }).waitFor();
      await workbench.page.locator(EDITOR_LINES).click();
      await workbench.page.keyboard.press('Control+A');
    });
  });
  after(async () => {
    await workbench?.close();
    await genos?.close();
  });

  it('runs Explain Selection from the editor context menu and reads the answer in the panel', async () => {
    const { page } = workbench;
    await withFailureScreenshot(workbench, 'editor-explain', async () => {
      genos.chatQueue.push({
        type: 'stream',
        content: splitDeltas('`greet` 함수는 이름을 받아 **인사말**을 돌려줍니다.', 3),
        delayMs: 10,
      });
      await page.locator(EDITOR_LINES).click({ button: 'right' });
      const item = page.locator('.monaco-menu .action-label', { hasText: 'Explain Selection' });
      await item.hover();
      await page.keyboard.press('Enter');
      const frame = await chatFrame(page);
      await frame.locator('.turn:not(.streaming) .content strong', { hasText: '인사말' }).waitFor();
      await frame.getByText('greet.py:1-2').first().waitFor();
    });
    const question =
      (genos.chatRequests.at(-1)?.body as { messages: Array<{ content: string }> }).messages.at(-1)?.content ?? '';
    assert.ok(question.includes(original.trimEnd()), question);
  });

  it('runs Rewrite Selection, reviews the diff, and accepts it', async () => {
    const { page } = workbench;
    await withFailureScreenshot(workbench, 'editor-rewrite', async () => {
      await page.locator(EDITOR_LINES, { hasText: 'def greet' }).first().click();
      await page.keyboard.press('Control+A');
      genos.chatQueue.push({
        type: 'stream',
        content: splitDeltas(`f-string을 쓰면 됩니다:\n\n\`\`\`python\n${improved}\`\`\``, 4),
      });
      await workbench.runCommand('GenOS: Rewrite Selection');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor();
      await input.fill('f-string과 타입 힌트를 써 주세요');
      await page.keyboard.press('Enter');
      await page.locator('.monaco-diff-editor').waitFor();
      await page.locator('.monaco-diff-editor .view-lines', { hasText: 'f"Hello, {name}!"' }).first().waitFor();
      await workbench.screenshot('rewrite-diff');
      await page.locator('.editor-actions .action-label[aria-label*="Accept Rewrite"]').click();
      await page.locator('.monaco-diff-editor').waitFor({ state: 'detached' });
      await page.locator(EDITOR_LINES, { hasText: 'def greet(name: str) -> str:' }).waitFor();
    });
    const text = ((await page.locator(EDITOR_LINES).first().innerText()) ?? '').replace(/\u00a0/g, ' ');
    assert.match(text, /def greet\(name: str\) -> str:\s+return f"Hello, \{name\}!"/);
    assert.ok(!text.includes('"Hello, " + name'), 'the old code is gone');
    // The file on disk is untouched until the user saves; the change is in the editor.
    assert.equal(fs.readFileSync(path.join(workbench.server.workspace, 'greet.py'), 'utf8'), original);
  });
});
