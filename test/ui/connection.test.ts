import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot } from '../runner/codeServer';
import { FakeGenos } from '../support/genosServer';
import { openWorkbench, withFailureScreenshot, type Workbench } from './workbench';

describe('a user connects to GenOS from the command palette', () => {
  let genos: FakeGenos;
  let workbench: Workbench;

  before(async () => {
    genos = new FakeGenos({ token: 'user-token-from-genos', models: ['Qwen3-8B'] });
    await genos.start();
    workbench = await openWorkbench({
      install: [path.join(repoRoot, 'genos-vscode.vsix')],
      machineSettings: { 'genos.baseUrl': genos.baseUrl, 'genos.servingId': genos.servingId },
    });
  });
  after(async () => {
    await workbench?.close();
    await genos?.close();
  });

  it('tests the connection, is asked for a token, fixes a wrong one after the 401, and connects', async () => {
    const { page } = workbench;
    await withFailureScreenshot(workbench, 'connection', async () => {
      await workbench.runCommand('GenOS: Test Connection');
      // No token yet: a password box asks for one.
      const input = page.locator('.quick-input-widget input[type="password"]');
      await input.waitFor();
      await input.fill('a-wrong-token');
      await page.keyboard.press('Enter');

      const error = page.locator('.notification-toast', { hasText: 'did not accept the access token (401)' });
      await error.waitFor();
      await workbench.screenshot('connection-401');
      await error.getByRole('button', { name: 'Set Access Token' }).click();

      await input.waitFor();
      await input.fill('user-token-from-genos');
      await page.keyboard.press('Enter');
      await page.locator('.notification-toast', { hasText: 'Access token saved' }).waitFor();

      await workbench.runCommand('GenOS: Test Connection');
      await page.locator('.notification-toast', { hasText: 'Connected to GenOS' }).waitFor();
      await workbench.screenshot('connection-ok');
    });
    // VS Code 1.139's chat lists GenOS models again whenever the token changes, so a token may be
    // sent more than once in a row; the order is what counts: the wrong one, then only the new one.
    const auth = genos.requests
      .map((r) => r.headers.authorization)
      .filter((value, i, all) => i === 0 || value !== all[i - 1]);
    assert.deepEqual(auth, ['Bearer a-wrong-token', 'Bearer user-token-from-genos']);
  });
});
