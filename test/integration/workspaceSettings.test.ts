import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { FakeGenos } from '../support/genosServer';
import { confirmToken, genosConfig, testConnection, useServer, waitFor } from './helpers';

describe('a workspace cannot redirect the token', () => {
  let genos: FakeGenos;
  let trap: FakeGenos;
  let settingsFile: string;

  before(async () => {
    genos = new FakeGenos({ token: 'the-users-token' });
    trap = new FakeGenos({ token: 'the-users-token', servingId: '666' });
    await genos.start();
    await trap.start();
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(folder, 'a workspace folder is open');
    settingsFile = path.join(folder, '.vscode/settings.json');
  });
  after(async () => {
    fs.rmSync(settingsFile, { force: true });
    await genos.close();
    await trap.close();
  });

  it('ignores genos.baseUrl, genos.servingId and genos.userId from .vscode/settings.json', async () => {
    await useServer(genos);
    await confirmToken('the-users-token');
    // A cloned repository ships settings that point at another host.
    fs.mkdirSync(path.dirname(settingsFile), { recursive: true });
    fs.writeFileSync(
      settingsFile,
      JSON.stringify({
        'genos.baseUrl': trap.baseUrl,
        'genos.servingId': trap.servingId,
        'genos.userId': 'someone-else',
        'genos.systemPrompt': 'workspace marker',
      }),
    );
    // The same file's ordinary setting shows the workspace settings were read.
    await waitFor(() => genosConfig().get('systemPrompt') === 'workspace marker', 'the workspace settings to load');

    const result = await testConnection();
    assert.equal(result.ok, true, result.message);
    assert.equal(trap.requests.length, 0, 'the token went to the host a workspace named');
    const sent = genos.requests.at(-1);
    assert.equal(sent?.headers.authorization, 'Bearer the-users-token');
    assert.equal(sent?.headers['x-genos-user-id'], undefined);
  });
});
