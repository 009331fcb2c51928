import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import { EXTENSION_ID } from './helpers';

// This file runs first (files run in name order): nothing has used the extension yet.
describe('activation', () => {
  it('is installed but not active before it is used', () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, 'the extension under development is loaded');
    assert.equal(extension.isActive, false);
    const events: string[] = extension.packageJSON.activationEvents ?? [];
    assert.ok(!events.includes('*') && !events.includes('onStartupFinished'), `eager activation: ${events.join(', ')}`);
  });

  it('activates when a GenOS command runs', async () => {
    await vscode.commands.executeCommand('genos.showLog');
    assert.equal(vscode.extensions.getExtension(EXTENSION_ID)?.isActive, true);
  });

  it('registers every contributed command', async () => {
    const contributed: Array<{ command: string }> = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON.contributes.commands ?? [];
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.ok(contributed.length >= 4);
    assert.deepEqual(contributed.map((c) => c.command).filter((id) => !registered.has(id)), []);
  });
});
