import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot } from '../runner/codeServer';
import { FakeGenos, type Scenario } from '../support/genosServer';
import { chatFrame, openWorkbench, setTokenFromPalette, withFailureScreenshot, type Workbench } from './workbench';

const call = (name: string, args: object): Scenario => ({
  type: 'stream',
  content: [`Next: ${name}.`],
  toolCalls: [{ name, arguments: JSON.stringify(args) }],
});
const original = 'export const greeting = "hello";\r\n';

describe('a user lets the agent change the workspace, step by step', () => {
  let genos: FakeGenos;
  let workbench: Workbench;

  before(async () => {
    genos = new FakeGenos({ token: 'agent-ui-token', models: ['Qwen3-8B'] });
    await genos.start();
    workbench = await openWorkbench({
      install: [path.join(repoRoot, 'genos-vscode.vsix')],
      machineSettings: { 'genos.baseUrl': genos.baseUrl, 'genos.servingId': genos.servingId },
      workspaceFiles: {
        'src/app.ts': original,
        '.genos/prompts/rename.md':
          '---\ndescription: 이름을 바꿉니다\n---\nRename greeting to ${input:newName} in ${file}.\n',
      },
    });
    await withFailureScreenshot(workbench, 'agent-setup', () => setTokenFromPalette(workbench, 'agent-ui-token'));
  });
  after(async () => {
    await workbench?.close();
    await genos?.close();
  });

  it('switches to Agent, applies an edit and runs a command from the panel, then undoes it all', async () => {
    const { page } = workbench;
    const app = path.join(workbench.server.workspace, 'src/app.ts');
    await withFailureScreenshot(workbench, 'agent-flow', async () => {
      await workbench.runCommand('GenOS: Open Chat');
      const frame = await chatFrame(page);
      await frame.locator('button.mode.agent').click();
      await frame.locator('button.mode.agent[aria-pressed="true"]').waitFor();
      genos.chatQueue.push(
        call('read_file', { path: 'src/app.ts' }),
        call('edit_file', { path: 'src/app.ts', edits: [{ search: '"hello"', replace: '"HELLO"' }] }),
        call('run_command', { command: 'echo ran-by-agent' }),
        { type: 'stream', content: ['The greeting is louder now.'] },
      );
      await frame.locator('textarea.input').fill('Make the greeting louder.');
      await frame.locator('textarea.input').press('Enter');
      const edit = frame.locator('.step.asking', { hasText: 'Edit src/app.ts' });
      await edit.waitFor();
      assert.deepEqual(await edit.locator('.diff-line').allTextContents(), [
        '@@ line 1 @@',
        '- export const greeting = "hello";',
        '+ export const greeting = "HELLO";',
      ]);
      assert.equal(fs.readFileSync(app, 'utf8'), original, 'nothing written before Apply');
      await workbench.screenshot('agent-edit-asks');
      await edit.getByRole('button', { name: 'Apply' }).click();
      const command = frame.locator('.step.asking', { hasText: 'Run echo ran-by-agent' });
      await command.waitFor();
      await command.getByRole('button', { name: 'Run', exact: true }).click();
      await frame.locator('.turn:not(.streaming) .content', { hasText: 'The greeting is louder now.' }).waitFor();
      assert.deepEqual(await frame.locator('.step .step-status').allTextContents(), ['done', 'done', 'done']);
      assert.deepEqual(await frame.locator('.changes-list li').allTextContents(), ['src/app.ts']);
      assert.equal(fs.readFileSync(app, 'utf8'), original.replace('hello', 'HELLO'));
      await workbench.screenshot('agent-done');
      await frame.getByRole('button', { name: 'Undo all' }).click();
      await frame.locator('.changes .note', { hasText: 'Undone' }).waitFor();
    });
    assert.deepEqual(fs.readFileSync(app), Buffer.from(original), 'restored byte for byte');
    const last = genos.chatRequests.at(-1)?.body as { messages: Array<{ role: string; content: string }> };
    assert.equal(last.messages.at(-1)?.content, 'Exit code 0.\nran-by-agent\n');
  });

  it('runs a prompt file from the / menu, asking for its input in an input box', async () => {
    const { page } = workbench;
    await withFailureScreenshot(workbench, 'agent-prompt-file', async () => {
      const frame = await chatFrame(page);
      genos.chatQueue.push({ type: 'stream', content: ['Renamed.'] });
      const input = frame.locator('textarea.input');
      await input.fill('');
      await input.pressSequentially('/re');
      await frame.locator('.mention.command', { hasText: '/rename 이름을 바꿉니다' }).waitFor();
      await input.press('Enter');
      assert.equal(await input.inputValue(), '/rename ');
      await input.press('Enter');
      const box = page.locator('.quick-input-widget .quick-input-box input');
      await box.waitFor();
      await box.fill('loudGreeting');
      await page.keyboard.press('Enter');
      await frame.locator('.turn:not(.streaming) .content', { hasText: 'Renamed.' }).waitFor();
    });
    const last = genos.chatRequests.at(-1)?.body as { messages: Array<{ role: string; content: string }> };
    const question = last.messages.find((m) => m.role === 'user' && m.content.includes('Rename greeting'));
    assert.match(question?.content ?? '', /Rename greeting to loudGreeting in /);
  });
});
