import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot } from '../runner/codeServer';
import { FakeGenos, splitDeltas } from '../support/genosServer';
import { chatFrame, openWorkbench, setTokenFromPalette, withFailureScreenshot, type Workbench } from './workbench';

const source = Array.from(
  { length: 120 },
  (_, i) => `export function step${i + 1}(value: number): number {\n  return value * ${i + 1};\n}\n`,
).join('\n');

describe('a user attaches a file with @ and sees what the request will cost', () => {
  let genos: FakeGenos;
  let workbench: Workbench;

  before(async () => {
    genos = new FakeGenos({ token: 'context-ui-token', models: ['Qwen3-8B'], maxModelLen: 16384 });
    await genos.start();
    workbench = await openWorkbench({
      install: [path.join(repoRoot, 'genos-vscode.vsix')],
      machineSettings: { 'genos.baseUrl': genos.baseUrl, 'genos.servingId': genos.servingId },
      workspaceFiles: { 'src/steps.ts': source, 'README.md': '# demo\n' },
    });
    await withFailureScreenshot(workbench, 'context-setup', () => setTokenFromPalette(workbench, 'context-ui-token'));
  });
  after(async () => {
    await workbench?.close();
    await genos?.close();
  });

  it('types @, picks a file, sees the chip and the gauge move, sends, and the answer streams', async () => {
    const { page } = workbench;
    await withFailureScreenshot(workbench, 'context-attach', async () => {
      await workbench.runCommand('GenOS: Open Chat');
      const frame = await chatFrame(page);
      const input = frame.locator('textarea.input');
      const gauge = frame.locator('.gauge');
      await input.click();
      await input.pressSequentially('이 코드를 요약해 줘 ');
      const before = Number(/Context: (\d+)/.exec((await gauge.textContent()) ?? '')?.[1]);
      assert.ok(before > 0 && before < 100, `gauge before: ${await gauge.textContent()}`);

      await input.pressSequentially('@fi');
      await frame.locator('.mention-menu .mention', { hasText: '@file' }).waitFor();
      await input.press('Enter');
      // The workspace's files, searched as in Quick Open.
      const quick = page.locator('.quick-input-widget input');
      await quick.waitFor();
      await quick.fill('steps');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'steps.ts' }).first().waitFor();
      await page.keyboard.press('Enter');

      const chip = frame.locator('.composer .chip', { hasText: 'steps.ts' });
      await chip.waitFor();
      assert.match((await chip.locator('.chip-tokens').textContent()) ?? '', /^\d(\.\d)?k$/);
      await gauge.getByText(/Context: \d(\.\d)?k tokens/).waitFor();
      await workbench.screenshot('context-chip-gauge');

      genos.chatQueue.push({
        type: 'stream',
        content: splitDeltas('`step1`부터 `step120`까지 **값에 곱하는** 함수들입니다.', 3),
        delayMs: 20,
      });
      await input.press('End');
      await input.press('Enter');
      await frame.locator('.turn:not(.streaming) .content strong', { hasText: '값에 곱하는' }).waitFor();
      // Once a request found the window, the gauge shows it.
      await gauge.getByText(/of 16k tokens/).waitFor();
    });
    const sent =
      (genos.chatRequests.at(-1)?.body as { messages: Array<{ content: string }> }).messages.at(-1)?.content ?? '';
    assert.ok(sent.includes('export function step120(value: number): number {'), 'the file reached the request');
    assert.match(sent, /이 코드를 요약해 줘\s*$/);
  });
});
