import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { EXTENSION_ID, waitFor } from './helpers';

// This file runs first (files run in name order).
describe('activation', () => {
  it('activates once the editor has started, not before it is shown (completion needs its status bar item)', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, 'the extension under development is loaded');
    const events: string[] = extension.packageJSON.activationEvents ?? [];
    assert.deepEqual(events, ['onStartupFinished'], `activation events: ${events.join(', ')}`);
    await waitFor(
      () => vscode.extensions.getExtension(EXTENSION_ID)?.isActive === true,
      'activation after startup',
      30_000,
    );
  });

  it('loads the core on first use: until then a stand-in answers for each command', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension);
    // The entry's own module, as the extension host loaded it: its timing says whether the core is loaded.
    const entry = () =>
      (
        require.cache[path.join(extension.extensionPath, 'dist/extension.js')]?.exports as {
          timing: { coreMs: number };
        }
      ).timing;
    // Completion is off in this window, and nothing has been used yet: nothing loaded the core.
    assert.ok(Number.isNaN(entry().coreMs), `the core loaded at start-up (${entry().coreMs} ms)`);
    const state = await vscode.commands.executeCommand<{ kind: string }>('genos.completionState');
    assert.equal(state.kind, 'off', 'the stand-in hands the call to the real command');
    assert.ok(Number.isFinite(entry().coreMs));
  });

  it('stays quiet on activation: completion is off and nothing is asked of GenOS', async () => {
    const state = await vscode.commands.executeCommand<{ kind: string; requests: number }>('genos.completionState');
    assert.equal(state.kind, 'off');
    assert.equal(state.requests, 0);
  });

  it('registers every contributed command', async () => {
    const contributed: Array<{ command: string }> =
      vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON.contributes.commands ?? [];
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.ok(contributed.length >= 4);
    assert.deepEqual(
      contributed.map((c) => c.command).filter((id) => !registered.has(id)),
      [],
    );
  });
});
