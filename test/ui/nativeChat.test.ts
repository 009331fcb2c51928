import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot, vscodeTarget } from '../runner/codeServer';
import { FakeGenos, splitDeltas } from '../support/genosServer';
import { waitUntil } from '../support/wait';
import { openWorkbench, setTokenFromPalette, withFailureScreenshot, type Workbench } from './workbench';

const source = 'def greet(name):\n    return "Hello, " + name + "!"\n';

interface ChatBody {
  model: string;
  messages: Array<{ role: string; content: string }>;
  tools?: unknown[];
}

// VS Code's own chat takes models from extensions from 1.104 on; 1.100 in code-server has no chat view.
describe(
  "a user picks a GenOS model in VS Code's own chat",
  {
    skip:
      vscodeTarget() === '1.139'
        ? false
        : "VS Code's chat with extension models needs 1.104+ (run with GENOS_VSCODE=1.139)",
  },
  () => {
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
      await withFailureScreenshot(workbench, 'native-chat-setup', () =>
        setTokenFromPalette(workbench, 'native-ui-token'),
      );
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

    /**
     * Picks a model in the chat's model picker as a person does: open it, search, click the option.
     * A picker that re-renders as models arrive can open its list empty; then it is opened again.
     */
    async function pickModel(option: string, shown: string): Promise<void> {
      const { page } = workbench;
      for (let attempt = 1; ; attempt++) {
        await page.locator('.interactive-input-part a.model-picker-name:visible').first().click();
        await page
          .locator('.action-widget input[placeholder="Search models"], .action-widget input')
          .first()
          .fill(shown.split('-')[0]);
        try {
          await page.locator(`.action-widget [role="option"][aria-label^="${option}"]`).click({ timeout: 10_000 });
          // While the chat view is still settling, a pick can be lost: the picker keeps the old model.
          await page.locator(`a.model-picker-name[aria-label="Models, ${shown}"]`).first().waitFor({ timeout: 10_000 });
          break;
        } catch (error) {
          if (attempt >= 3) throw error;
          await page.keyboard.press('Escape');
        }
      }
    }

    /** The newest answer in the chat, once it shows `expected` (its end: the answer streams in). */
    async function answerShowing(expected: string): Promise<string> {
      const response = workbench.page
        .locator('.interactive-item-container.interactive-response', { hasText: expected })
        .last();
      await response.waitFor({ timeout: 60_000 });
      return response.innerText();
    }

    // Without a GitHub sign-in the chat's built-in agent answers nothing ("You need to set up GitHub
    // Copilot"), whatever model is picked; `@genos` answers with the GenOS model picked.
    it('chooses a GenOS model in the model picker, asks @genos, and reads the streamed answer', async () => {
      await withFailureScreenshot(workbench, 'native-chat-picker', async () => {
        await workbench.runCommand('Chat: Open Chat');
        await pickModel('Qwen3-8B, GenOS', 'Qwen3-8B');
        genos.chatQueue.push({
          type: 'stream',
          content: splitDeltas('GenOS 모델이 VS Code 채팅에서 **스트리밍**으로 답합니다.', 3),
          delayMs: 20,
        });
        await send('@genos VS Code 채팅에서도 답할 수 있나요?');
        const text = await answerShowing('스트리밍으로 답합니다.');
        assert.match(text, /GenOS 모델이 VS Code 채팅에서 스트리밍으로 답합니다\./);
        await workbench.screenshot('native-chat-answer');
      });
      const body = genos.chatRequests.at(-1)!.body as ChatBody;
      assert.equal(body.model, 'Qwen3-8B');
      assert.match(
        body.messages
          .filter((m) => m.role === 'user')
          .map((m) => m.content)
          .join('\n'),
        /VS Code 채팅에서도 답할 수 있나요\?/,
      );
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
        const editor = page
          .locator('.editor-group-container .monaco-editor .view-lines', { hasText: 'def greet' })
          .first();
        await editor.waitFor();
        await editor.click();
        await page.keyboard.press('Control+A');
        genos.chatQueue.push({
          type: 'stream',
          content: splitDeltas('`greet` 함수는 이름을 받아 **인사말**을 만듭니다.', 3),
          delayMs: 10,
        });
        await send('@genos /explain');
        const text = await answerShowing('인사말을 만듭니다.');
        assert.match(text, /greet 함수는 이름을 받아 인사말을 만듭니다\./);
        await workbench.screenshot('native-chat-explain');
      });
      const body = genos.chatRequests.at(-1)!.body as ChatBody;
      const question = body.messages.at(-1)!.content;
      assert.ok(question.includes(source.trimEnd()), 'the selected code was sent');
      assert.match(question, /Explain the selected python code in greet\.py/);
      assert.equal(body.tools, undefined, "@genos asks without the agent's tools");
    });

    it('keeps the GenOS model in the picker after a window reload, and @genos answers with it', async () => {
      const { page } = workbench;
      const listings = () => genos.requests.filter((request) => request.path.endsWith('/v1/models')).length;
      const before = listings();
      await withFailureScreenshot(workbench, 'native-chat-reload', async () => {
        await page.keyboard.press('Escape');
        await workbench.runCommand('Developer: Reload Window');
        await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
        await page
          .locator('.activitybar .action-item [aria-label^="GenOS"], .activitybar .action-label[aria-label^="GenOS"]')
          .first()
          .waitFor({ timeout: 60_000 });
        // No command, no Manage Language Models: the provider is asked for its models by itself.
        await waitUntil(() => listings() > before, 'GenOS to be asked for its models after the reload', 60_000);
        await workbench.runCommand('Chat: Open Chat');
        // Listed again after the reload: the picker offers it.
        await pickModel('Qwen3-8B, GenOS', 'Qwen3-8B');
        genos.chatQueue.push({
          type: 'stream',
          content: splitDeltas('다시 불러온 창에서도 답합니다.', 3),
          delayMs: 10,
        });
        await send('@genos 다시 불러온 뒤에도 되나요?');
        await answerShowing('창에서도 답합니다.');
        await workbench.screenshot('native-chat-after-reload');
      });
      const body = genos.chatRequests.at(-1)!.body as ChatBody;
      assert.equal(body.model, 'Qwen3-8B');
      assert.match(body.messages.at(-1)!.content, /다시 불러온 뒤에도 되나요\?/);
    });

    it('loads no image an @genos answer names: it is shown as a link', async () => {
      const { page } = workbench;
      // The image is on the test server itself: any load of it would be seen there.
      const image = `${genos.baseUrl}/leak.png?c=greet`;
      await withFailureScreenshot(workbench, 'native-chat-image', async () => {
        genos.chatQueue.push({ type: 'stream', content: splitDeltas(`도표입니다 ![도표](${image}) 그림 끝`, 4) });
        await send('@genos 도표를 보여 줘');
        const text = await answerShowing('그림 끝');
        assert.match(text, /도표입니다/);
        const response = page.locator('.interactive-item-container.interactive-response').last();
        assert.equal(await response.locator(`img[src*="leak.png"]`).count(), 0);
        assert.equal(
          await response.locator(`a[href*="leak.png"], a[data-href*="leak.png"]`).count(),
          1,
          'shown as a link',
        );
        await workbench.screenshot('native-chat-image');
      });
      assert.ok(
        !genos.requests.some((request) => request.path.includes('leak.png')),
        'nothing asked the server for the image',
      );
    });

    it('offers Set Access Token under a 401 to @genos, as the panel does', async () => {
      const { page } = workbench;
      await withFailureScreenshot(workbench, 'native-chat-401', async () => {
        genos.chatQueue.push({
          type: 'status',
          status: 401,
          body: JSON.stringify({ error: { message: 'invalid token' } }),
        });
        await send('@genos 인증이 틀리면?');
        const response = page.locator('.interactive-item-container.interactive-response').last();
        await response.locator('text=/did not accept the access token/').waitFor({ timeout: 60_000 });
        await response.getByRole('button', { name: 'Set Access Token' }).click();
        await page.locator('.quick-input-widget input[type="password"]').waitFor();
        await workbench.screenshot('native-chat-401');
        await page.keyboard.press('Escape');
      });
    });
  },
);
