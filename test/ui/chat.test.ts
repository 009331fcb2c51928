import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot } from '../runner/codeServer';
import { FakeGenos, splitDeltas } from '../support/genosServer';
import { chatFrame, openWorkbench, setTokenFromPalette, withFailureScreenshot, type Workbench } from './workbench';

const answer = [
  '## 파일을 한 줄씩 읽기',
  '',
  '파이썬에서는 `with` 문과 함께 파일 객체를 **반복**하면 됩니다:',
  '',
  '```python',
  "with open('data.txt', encoding='utf-8') as f:",
  '    for line in f:',
  '        print(line.rstrip())',
  '```',
  '',
  '- 파일은 블록이 끝나면 자동으로 닫힙니다.',
  '- 큰 파일도 메모리를 적게 씁니다.',
].join('\n');

describe('a user chats with GenOS in the side panel', () => {
  let genos: FakeGenos;
  let workbench: Workbench;

  before(async () => {
    genos = new FakeGenos({ token: 'panel-token', models: ['Qwen3-8B'] });
    await genos.start();
    workbench = await openWorkbench({
      install: [path.join(repoRoot, 'genos-vscode.vsix')],
      machineSettings: { 'genos.baseUrl': genos.baseUrl, 'genos.servingId': genos.servingId },
      userSettings: { 'workbench.colorTheme': 'Default Dark Modern' },
    });
    await withFailureScreenshot(workbench, 'chat-setup', () => setTokenFromPalette(workbench, 'panel-token'));
  });
  after(async () => {
    await workbench?.close();
    await genos?.close();
  });

  it('asks in Korean and watches the answer stream and render', async () => {
    const { page } = workbench;
    await withFailureScreenshot(workbench, 'chat-stream', async () => {
      await workbench.runCommand('GenOS: Open Chat');
      const frame = await chatFrame(page);
      genos.chatQueue.push({ type: 'stream', content: splitDeltas(answer, 3), delayMs: 25 });
      await frame.locator('textarea.input').fill('파이썬에서 파일을 한 줄씩 읽으려면?');
      await frame.locator('textarea.input').press('Enter');
      // The heading is on screen while the answer is still streaming.
      await frame.locator('.turn .content h2', { hasText: '파일을 한 줄씩 읽기' }).waitFor();
      assert.equal(await frame.locator('.turn.streaming').count(), 1, 'rendered before the end of the stream');
      await frame
        .locator('.turn:not(.streaming) .content li', { hasText: '큰 파일도 메모리를 적게 씁니다.' })
        .waitFor();
      assert.equal(
        await frame.locator('.turn .content pre code').textContent(),
        "with open('data.txt', encoding='utf-8') as f:\n    for line in f:\n        print(line.rstrip())\n",
      );
      assert.equal(await frame.locator('.question-text').textContent(), '파이썬에서 파일을 한 줄씩 읽으려면?');
      await frame.getByText('Qwen3-8B').first().waitFor();
      // At the side bar's default width, with the gauge showing, Send is inside the panel.
      await frame.locator('.gauge:not([hidden])').waitFor();
      const panel = await (await frame.frameElement()).boundingBox();
      const send = await frame.locator('button.send').boundingBox();
      assert.ok(
        panel && send && send.x >= panel.x && send.x + send.width <= panel.x + panel.width,
        `Send ${JSON.stringify(send)} in the panel ${JSON.stringify(panel)}`,
      );
      await workbench.screenshot('chat-panel');
    });
    const body = genos.chatRequests.at(-1)?.body as { messages: Array<{ role: string; content: string }> };
    assert.equal(body.messages.at(-1)?.content, '파이썬에서 파일을 한 줄씩 읽으려면?');
  });

  it('presses Stop on a slow answer: the request ends and the partial answer stays', async () => {
    const { page } = workbench;
    await withFailureScreenshot(workbench, 'chat-stop', async () => {
      const frame = await chatFrame(page);
      genos.chatQueue.push({
        type: 'stream',
        content: splitDeltas('천천히 도착하는 긴 답변입니다. '.repeat(30), 3),
        delayMs: 100,
      });
      await frame.locator('textarea.input').fill('느린 답변 [slow]');
      await frame.locator('textarea.input').press('Enter');
      await frame.locator('.turn.streaming .content', { hasText: '천천히' }).waitFor();
      await frame.getByRole('button', { name: 'Stop' }).click();
      await frame.getByText('Stopped. The text received so far is kept.').waitFor();
      assert.match((await frame.locator('.turn').last().locator('.content').textContent()) ?? '', /천천히/);
    });
    const request = genos.chatRequests.at(-1);
    await request?.closed;
    assert.equal(request?.closedEarly, true, 'the server saw the connection close');
  });

  it('sees a 401 in the conversation with a way to set a new token', async () => {
    const { page } = workbench;
    await withFailureScreenshot(workbench, 'chat-401', async () => {
      const frame = await chatFrame(page);
      genos.chatQueue.push({ type: 'status', status: 401, body: '{"detail":"token expired"}' });
      await frame.locator('textarea.input').fill('토큰이 만료되면?');
      await frame.locator('textarea.input').press('Enter');
      const error = frame.locator('.turn .error', { hasText: 'did not accept the access token (401)' });
      await error.waitFor();
      await error.getByRole('button', { name: 'Set Access Token' }).waitFor();
      await error.getByRole('button', { name: 'Retry' }).waitFor();
      await workbench.screenshot('chat-401');
      // Nothing the user typed is lost: the question is in the conversation.
      assert.equal(await frame.locator('.turn').last().locator('.question-text').textContent(), '토큰이 만료되면?');
    });
  });
});
