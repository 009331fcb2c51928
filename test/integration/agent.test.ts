import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { listFiles, problems, readFile } from '../../src/host/agent/readTools';
import { resolveForAgent } from '../../src/host/agent/workspaceBoundary';

/** The refusal for `input`, or a failure when it resolved. */
async function refusal(input: string): Promise<{ refused: string; approvable: boolean }> {
  const result = await resolveForAgent(input);
  assert.ok('refused' in result, `${input} resolved to ${result.target?.uri.toString()}`);
  if (result.approvable) assert.ok(result.target, 'a refusal the user may lift says what the path reaches');
  return { refused: result.refused, approvable: result.approvable };
}

describe("the agent's workspace boundary", () => {
  const root = () => vscode.workspace.workspaceFolders![0].uri.fsPath;

  it('resolves a path in the workspace folder, and one still to be created', async () => {
    const found = await resolveForAgent('./src/hello.ts');
    assert.ok(!('refused' in found) && found.target);
    assert.equal(found.target.uri.fsPath, path.join(root(), 'src', 'hello.ts'));
    assert.equal(found.target.display, 'src/hello.ts');
    const created = await resolveForAgent('src/new/deep/file.ts');
    assert.ok(!('refused' in created), 'a file in folders that do not exist yet may be created');
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
      assert.ok(!('refused' in (await resolveForAgent('agent-inner-link/hello.ts'))));
    } finally {
      for (const name of ['agent-inner-link', 'agent-notes.md', 'agent-log.md', '.env']) {
        fs.rmSync(path.join(root(), name), { force: true });
      }
      for (const link of [fileLink, folderLink]) fs.rmSync(link, { force: true });
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });
});

describe("the agent's reading tools", () => {
  const root = () => vscode.workspace.workspaceFolders![0].uri.fsPath;
  const write = (name: string, content: string | Buffer) => {
    fs.mkdirSync(path.dirname(path.join(root(), name)), { recursive: true });
    fs.writeFileSync(path.join(root(), name), content);
  };
  const remove = (...names: string[]) => {
    for (const name of names) fs.rmSync(path.join(root(), name), { recursive: true, force: true });
  };

  it('reads a file a page at a time, saying which lines of how many', async () => {
    write('agent/long.txt', Array.from({ length: 1000 }, (_, i) => `line ${i + 1}`).join('\n') + '\n');
    try {
      const first = await readFile({ path: 'agent/long.txt' });
      assert.ok(first.ok);
      assert.ok(first.output.startsWith('agent/long.txt, lines 1-400 of 1000. Read on with startLine 401.\nline 1\n'));
      assert.ok(first.output.endsWith('\nline 400'));
      const next = await readFile({ path: 'agent/long.txt', startLine: 401, endLine: 5000 });
      assert.ok(
        next.output.startsWith('agent/long.txt, lines 401-800 of 1000. Read on with startLine 801.\nline 401\n'),
      );
      const last = await readFile({ path: 'agent/long.txt', startLine: 990 });
      assert.equal(last.output.split('\n')[0], 'agent/long.txt, lines 990-1000 of 1000.');
      assert.deepEqual(await readFile({ path: 'src/hello.ts' }), {
        ok: true,
        output: 'src/hello.ts, lines 1-1 of 1.\nexport const hello = 1;',
      });
    } finally {
      remove('agent');
    }
  });

  it('reads what the editor holds, unsaved changes included', async () => {
    const uri = vscode.Uri.file(path.join(root(), 'src/hello.ts'));
    const document = await vscode.workspace.openTextDocument(uri);
    const edit = new vscode.WorkspaceEdit();
    edit.insert(uri, new vscode.Position(0, 0), '// typed, not saved\n');
    await vscode.workspace.applyEdit(edit);
    try {
      assert.match(
        (await readFile({ path: 'src/hello.ts' })).output,
        /\n\/\/ typed, not saved\nexport const hello = 1;$/,
      );
    } finally {
      // The typing taken back, then the file reverted and closed: later tests see the file as saved.
      const undo = new vscode.WorkspaceEdit();
      undo.delete(uri, new vscode.Range(0, 0, 1, 0));
      await vscode.workspace.applyEdit(undo);
      await vscode.window.showTextDocument(document);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
      assert.equal(document.getText(), 'export const hello = 1;\n');
    }
  });

  it('refuses what the boundary refuses; a secret is read only when the user approved it', async () => {
    write('.env', 'TOKEN=abc\n');
    try {
      assert.deepEqual(await readFile({ path: '.env' }), {
        ok: false,
        output: '.env looks like an environment file (.env), which usually holds passwords and keys.',
        approvable: true,
      });
      assert.equal((await readFile({ path: '.env' }, true)).output, '.env, lines 1-1 of 1.\nTOKEN=abc');
      const outside = await readFile({ path: '../etc/passwd' }, true);
      assert.deepEqual([outside.ok, outside.approvable], [false, false], 'approval cannot lift this one');
    } finally {
      remove('.env');
    }
  });

  it('says what cannot be read: a folder, a binary file, a missing file', async () => {
    write('agent/image.bin', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 1]));
    try {
      assert.equal((await readFile({ path: 'src' })).output, 'src is a folder: use list_files.');
      assert.equal((await readFile({ path: 'agent/image.bin' })).output, 'agent/image.bin is a binary file.');
      assert.equal((await readFile({ path: 'agent/none.txt' })).output, 'agent/none.txt does not exist.');
    } finally {
      remove('agent');
    }
  });

  it('lists the files, without excluded or ignored ones, and only inside the workspace', async () => {
    const all = (await listFiles({})).output.split('\n');
    assert.ok(all.includes('src/hello.ts') && all.includes('pkg/public.txt'), all.join(', '));
    for (const hidden of ['debug.log', 'build/out.js', 'secret.txt', 'pkg/private.txt']) {
      assert.ok(!all.includes(hidden), `${hidden} listed`);
    }
    assert.equal((await listFiles({ pattern: 'src/**/*.ts' })).output, 'src/hello.ts');
    assert.deepEqual(await listFiles({ pattern: '../**' }), {
      ok: false,
      output: 'The pattern ../** leads outside the workspace.',
    });
    assert.equal((await listFiles({ pattern: '**/*.nothing' })).output, 'No files match **/*.nothing.');
  });

  it('reports the problems of a file or of the workspace, with the line they point at', async () => {
    const uri = vscode.Uri.file(path.join(root(), 'src/hello.ts'));
    const outside = vscode.Uri.file(path.join(os.tmpdir(), 'genos-agent-elsewhere.ts'));
    const collection = vscode.languages.createDiagnosticCollection('genos-agent-test');
    const warning = new vscode.Diagnostic(
      new vscode.Range(0, 7, 0, 12),
      'Prefer let',
      vscode.DiagnosticSeverity.Warning,
    );
    const error = new vscode.Diagnostic(new vscode.Range(0, 0, 0, 6), 'Broken\nhere', vscode.DiagnosticSeverity.Error);
    collection.set(uri, [warning, error]);
    collection.set(outside, [new vscode.Diagnostic(new vscode.Range(0, 0, 0, 1), 'Not ours')]);
    const document = await vscode.workspace.openTextDocument(uri);
    try {
      assert.ok(document.lineCount > 0);
      const expected =
        'src/hello.ts:1:1 error: Broken here\n    export const hello = 1;\nsrc/hello.ts:1:8 warning: Prefer let\n    export const hello = 1;';
      assert.deepEqual(await problems({ path: 'src/hello.ts' }), { ok: true, output: expected });
      const everywhere = await problems({});
      assert.ok(everywhere.output.includes(expected), everywhere.output);
      assert.ok(!everywhere.output.includes('Not ours'), 'a file outside the workspace is not reported');
      assert.deepEqual(await problems({ path: 'pkg/public.txt' }), {
        ok: true,
        output: 'No problems in pkg/public.txt.',
      });
      assert.equal((await problems({ path: '../x.ts' })).ok, false);
    } finally {
      collection.dispose();
    }
  });
});
