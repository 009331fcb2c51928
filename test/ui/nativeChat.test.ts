import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot, vscodeTarget } from '../runner/codeServer';
import { FakeGenos, splitDeltas } from '../support/genosServer';
import { openWorkbench, setTokenFromPalette, withFailureScreenshot, type Workbench } from './workbench';

const source = 'def greet(name):\n    return "Hello, " + name + "!"\n';

interface ChatBody {
  model: string;
  messages: Array<{ role: string; content: string }>;
  tools?: unknown[];
}

// VS Code's own chat takes models from extensions from 1.104 on; 1.100 in code-server has no chat view.
describe('a user picks a GenOS model in VS Code\'s own chat', { skip: vscodeTarget() === '1.139' ? false : 'VS Code\'s chat with extension models needs 1.104+ (run with GENOS_VSCODE=1.139)' }, () => {
  let genos: FakeGenos;
  let workbench: Workbench;

  before(async () => {
    genos = new FakeGenos({ token: 'native-ui-token', models: ['Qwen3-8B', 'gemma-3-27b'], maxModelLen: 32768 });
    await genos.start();
    workbench = await openWorkbench({
      install: [path.join(repoRoot, 'genos-vscode.vsix')],
      machineSettings: { 'genos.baseUrl': genos.baseUrl, 'genos.servingId': genos.servingId },
      workspaceFiles: { 'greet.py': source },
    });
    await withFailureScreenshot(workbench, 'native-chat-setup', () => setTokenFromPalette(workbench, 'native-ui-token'));
  });
  after(async () => {
    await workbench?.close();
    await genos?.close();
  });

  /** Types into the chat's input (emptied first: `@genos` stays there after a request) and sends it. */
  async function send(text: string): Promise<void> {
    const { page } = workbench;
    const input = page.locator('.interactive-input-part .monaco-editor').first();
    await input.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Backspace');
    await page.keyboard.type(text);
    // Typing `/explain` opens a suggestion list that may take an Enter: click Send instead.
    await page.locator('.interactive-input-part .action-label[aria-label^="Send"]').first().click();
  }

  /** The newest answer in the chat, once it shows `expected` (its end: the answer streams in). */
  async function answerShowing(expected: string): Promise<string> {
    const response = workbench.page.locator('.interactive-item-container.interactive-response', { hasText: expected }).last();
    await response.waitFor({ timeout: 60_000 });
    return response.innerText();
  }

  // Without a GitHub sign-in the chat's built-in agent answers nothing ("You need to set up GitHub
  // Copilot"), whatever model is picked; `@genos` answers with the GenOS model picked.
  it('chooses a GenOS model in the model picker, asks @genos, and reads the streamed answer', async () => {
    const { page } = workbench;
    await withFailureScreenshot(workbench, 'native-chat-picker', async () => {
      await workbench.runCommand('Chat: Open Chat');
      const picker = page.locator('a.model-picker-name').first();
      await picker.click();
      await page.locator('.action-widget input[placeholder="Search models"], .action-widget input').first().fill('Qwen3');
      await page.locator('.action-widget [role="option"][aria-label^="Qwen3-8B, GenOS"]').click();
      await page.locator('a.model-picker-name[aria-label="Models, Qwen3-8B"]').waitFor();
      genos.chatQueue.push({ type: 'stream', content: splitDeltas('GenOS 모델이 VS Code 채팅에서 **스트리밍**으로 답합니다.', 3), delayMs: 20 });
      await send('@genos VS Code 채팅에서도 답할 수 있나요?');
      const text = await answerShowing('스트리밍으로 답합니다.');
      assert.match(text, /GenOS 모델이 VS Code 채팅에서 스트리밍으로 답합니다\./);
      await workbench.screenshot('native-chat-answer');
    });
    const body = genos.chatRequests.at(-1)!.body as ChatBody;
    assert.equal(body.model, 'Qwen3-8B');
    assert.match(body.messages.filter((m) => m.role === 'user').map((m) => m.content).join('\n'), /VS Code 채팅에서도 답할 수 있나요\?/);
    assert.equal(genos.chatRequests.at(-1)!.headers.authorization, 'Bearer native-ui-token');
  });

  it('explains the selected code with @genos /explain', async () => {
    const { page } = workbench;
    await withFailureScreenshot(workbench, 'native-chat-explain', async () => {
      await page.keyboard.press('Escape');
      await page.keyboard.press('Control+P');
      await page.locator('.quick-input-widget input').fill('greet.py');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'greet.py' }).first().waitFor();
      await page.keyboard.press('Enter');
      const editor = page.locator('.editor-group-container .monaco-editor .view-lines', { hasText: 'def greet' }).first();
      await editor.waitFor();
      await editor.click();
      await page.keyboard.press('Control+A');
      genos.chatQueue.push({ type: 'stream', content: splitDeltas('`greet` 함수는 이름을 받아 **인사말**을 만듭니다.', 3), delayMs: 10 });
      await send('@genos /explain');
      const text = await answerShowing('인사말을 만듭니다.');
      assert.match(text, /greet 함수는 이름을 받아 인사말을 만듭니다\./);
      await workbench.screenshot('native-chat-explain');
    });
    const body = genos.chatRequests.at(-1)!.body as ChatBody;
    const question = body.messages.at(-1)!.content;
    assert.ok(question.includes(source.trimEnd()), 'the selected code was sent');
    assert.match(question, /Explain the selected python code in greet\.py/);
    assert.equal(body.tools, undefined, '@genos asks without the agent\'s tools');
  });
});
