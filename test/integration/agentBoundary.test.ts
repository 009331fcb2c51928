import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { resolveForAgent } from '../../src/host/agent/workspaceBoundary';

/** The refusal for `input`, or a failure when it resolved. */
async function refusal(input: string): Promise<{ refused: string; approvable: boolean }> {
  const result = await resolveForAgent(input);
  assert.ok('refused' in result, `${input} resolved to ${'target' in result ? result.target.uri.toString() : ''}`);
  return result;
}

describe("the agent's workspace boundary", () => {
  const root = () => vscode.workspace.workspaceFolders![0].uri.fsPath;

  it('resolves a path in the workspace folder, and one still to be created', async () => {
    const found = await resolveForAgent('./src/hello.ts');
    assert.ok('target' in found);
    assert.equal(found.target.uri.fsPath, path.join(root(), 'src', 'hello.ts'));
    assert.equal(found.target.display, 'src/hello.ts');
    const created = await resolveForAgent('src/new/deep/file.ts');
    assert.ok('target' in created, 'a file in folders that do not exist yet may be created');
  });

  it('refuses paths outside the workspace, and the user cannot approve them', async () => {
    for (const input of ['../outside.txt', '/etc/passwd', '~/.ssh/id_rsa', 'src/../../x']) {
      assert.equal((await refusal(input)).approvable, false, input);
    }
  });

  it('refuses secrets and ignored files unless the user approves that one access', async () => {
    assert.deepEqual(await refusal('.env'), {
      refused: '.env looks like an environment file (.env), which usually holds passwords and keys.',
      approvable: true,
    });
    assert.match((await refusal('config/server.pem')).refused, /key or certificate store/);
    assert.deepEqual(await refusal('debug.log'), {
      refused: 'debug.log is ignored by git (.gitignore).',
      approvable: true,
    });
    assert.equal((await refusal('pkg/private.txt')).approvable, true, 'a nested .gitignore counts');
    assert.equal((await refusal('.git/config')).approvable, true);
  });

  it('never follows a symbolic link out of the workspace, to read or to create', async () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'genos-agent-outside-'));
    fs.writeFileSync(path.join(outside, 'credentials'), 'secret');
    const fileLink = path.join(root(), 'agent-file-link.txt');
    const folderLink = path.join(root(), 'agent-folder-link');
    fs.symlinkSync(path.join(outside, 'credentials'), fileLink);
    fs.symlinkSync(outside, folderLink);
    try {
      for (const input of ['agent-file-link.txt', 'agent-folder-link/credentials', 'agent-folder-link/new/file.txt']) {
        const result = await refusal(input);
        assert.equal(result.approvable, false, input);
        assert.match(result.refused, /leads outside the workspace \(a symbolic link\)/);
      }
      // A link inside the workspace is checked as what it reaches: no way to a secret or an ignored file.
      fs.writeFileSync(path.join(root(), '.env'), 'TOKEN=do-not-send\n');
      fs.symlinkSync(path.join(root(), '.env'), path.join(root(), 'agent-notes.md'));
      assert.deepEqual(await refusal('agent-notes.md'), {
        refused: 'agent-notes.md looks like an environment file (.env), which usually holds passwords and keys.',
        approvable: true,
      });
      fs.symlinkSync(path.join(root(), 'debug.log'), path.join(root(), 'agent-log.md'));
      assert.match((await refusal('agent-log.md')).refused, /is ignored by git/);
      // A link that stays inside is followed as what it points at.
      fs.symlinkSync(path.join(root(), 'src'), path.join(root(), 'agent-inner-link'));
      assert.ok('target' in (await resolveForAgent('agent-inner-link/hello.ts')));
    } finally {
      for (const name of ['agent-inner-link', 'agent-notes.md', 'agent-log.md', '.env']) {
        fs.rmSync(path.join(root(), name), { force: true });
      }
      for (const link of [fileLink, folderLink]) fs.rmSync(link, { force: true });
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });
});
