import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ChangeJournal } from '../../src/host/agent/changeJournal';
import { applyChange, proposeCreate, proposeEdit } from '../../src/host/agent/editTools';
import { listFiles, problems, readFile } from '../../src/host/agent/readTools';
import { ripgrepPath, search } from '../../src/host/agent/searchTool';
import { agentSettings } from '../../src/host/connection/settings';
import { waitFor } from './helpers';
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

describe("the agent's search and edits", () => {
  const root = () => vscode.workspace.workspaceFolders![0].uri.fsPath;
  const write = (name: string, content: string) => {
    fs.mkdirSync(path.dirname(path.join(root(), name)), { recursive: true });
    fs.writeFileSync(path.join(root(), name), content);
  };
  const signal = () => new AbortController().signal;
  after(() => fs.rmSync(path.join(root(), 'agentsearch'), { recursive: true, force: true }));

  it("runs VS Code's own ripgrep, where this release keeps it", () => {
    assert.ok(ripgrepPath(vscode.env.appRoot), `no ripgrep under ${vscode.env.appRoot}`);
  });

  it('finds text and regular expressions, without ignored, excluded or secret files, and never outside', async () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'genos-search-outside-'));
    fs.writeFileSync(path.join(outside, 'far.txt'), 'needle far away\n');
    write('agentsearch/a.ts', 'const needle = 1;\n');
    write('agentsearch/notes.log', 'needle in a log git ignores\n');
    write('agentsearch/secret.txt', 'needle excluded by files.exclude\n');
    write('agentsearch/x.bak', 'needle excluded by a brace glob\n');
    write('agentsearch/.env', 'NEEDLE=needle\n');
    fs.symlinkSync(outside, path.join(root(), 'agentsearch/out-link'));
    try {
      const found = await search({ query: 'needle' }, signal());
      assert.ok(found.ok);
      const lines = found.output.split('\n');
      assert.ok(lines.includes('agentsearch/a.ts:1: const needle = 1;'), found.output);
      for (const hidden of ['notes.log', 'secret.txt', 'x.bak', 'far.txt', '.env:']) {
        assert.ok(!found.output.includes(hidden), `${hidden} in ${found.output}`);
      }
      assert.doesNotMatch(found.output, /secret/i, 'not even a count: it would tell what a secret holds');
      // An include pattern or the repository's own ignore file cannot bring back what git ignores.
      write('agentsearch/.rgignore', '!notes.log\n');
      for (const include of ['**', '*', 'agentsearch/*', '**/*.log']) {
        const all = await search({ query: 'needle', include }, signal());
        assert.ok(!/notes\.log|\.env|x\.bak|secret\.txt/.test(all.output), `${include}: ${all.output}`);
      }
      write('.git/genos-test-config', 'needle in .git\n');
      assert.doesNotMatch((await search({ query: 'needle', include: '.git/**' }, signal())).output, /\.git\//);
      fs.rmSync(path.join(root(), '.git/genos-test-config'));
      const regex = await search({ query: 'nee+dle\\s*=\\s*\\d', regex: true, include: 'agentsearch/**' }, signal());
      assert.equal(regex.output, '1 matches in 1 files:\nagentsearch/a.ts:1: const needle = 1;');
      // A query that looks like an option is searched for, not obeyed.
      assert.equal((await search({ query: '--files' }, signal())).output, 'No matches for "--files".');
      const outsideInclude = await search({ query: 'needle', include: '../**' }, signal());
      assert.deepEqual(outsideInclude, { ok: false, output: 'The include pattern ../** leads outside the workspace.' });
    } finally {
      fs.rmSync(outside, { recursive: true, force: true });
      fs.rmSync(path.join(root(), 'agentsearch'), { recursive: true, force: true });
    }
  });

  it('edits a file with unsaved typing in the editor, and Undo all gives the typing back', async () => {
    write('agentsearch/typing.ts', 'a\nb\n');
    const uri = vscode.Uri.file(path.join(root(), 'agentsearch/typing.ts'));
    const document = await vscode.workspace.openTextDocument(uri);
    const typing = new vscode.WorkspaceEdit();
    typing.insert(uri, new vscode.Position(0, 0), 'typed\n');
    await vscode.workspace.applyEdit(typing);
    const proposal = await proposeEdit({ path: 'agentsearch/typing.ts', edits: [{ search: 'b', replace: 'B' }] });
    assert.ok('change' in proposal);
    const journal = new ChangeJournal();
    const applied = await applyChange(proposal.change, journal);
    assert.match(applied.output, /not saved: the file has unsaved changes of the user/);
    assert.equal(document.getText(), 'typed\na\nB\n');
    assert.ok(document.isDirty);
    assert.equal(fs.readFileSync(uri.fsPath, 'utf8'), 'a\nb\n', 'the disk is not written');
    assert.deepEqual(await journal.changedSince(), []);
    assert.deepEqual(await journal.undoAll(), []);
    assert.equal(document.getText(), 'typed\na\nb\n', "the user's typing is still there");
    await vscode.window.showTextDocument(document);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it("an applied edit is one step of the editor's own Undo", async () => {
    write('agentsearch/undo.ts', 'one\ntwo\n');
    const uri = vscode.Uri.file(path.join(root(), 'agentsearch/undo.ts'));
    const editor = await vscode.window.showTextDocument(uri);
    const proposal = await proposeEdit({
      path: 'agentsearch/undo.ts',
      edits: [
        { search: 'one', replace: 'ONE' },
        { search: 'two', replace: 'TWO' },
      ],
    });
    assert.ok('change' in proposal);
    await applyChange(proposal.change, new ChangeJournal());
    assert.equal(editor.document.getText(), 'ONE\nTWO\n');
    await vscode.commands.executeCommand('undo');
    assert.equal(editor.document.getText(), 'one\ntwo\n', 'both edits undone by one Undo');
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('a change made after the proposal is not overwritten', async () => {
    write('agentsearch/race.ts', 'one\n');
    const proposal = await proposeEdit({ path: 'agentsearch/race.ts', edits: [{ search: 'one', replace: 'two' }] });
    assert.ok('change' in proposal);
    write('agentsearch/race.ts', 'changed meanwhile\n');
    const document = await vscode.workspace.openTextDocument(vscode.Uri.file(path.join(root(), 'agentsearch/race.ts')));
    await waitFor(() => document.getText() === 'changed meanwhile\n', 'the editor follows the file');
    const applied = await applyChange(proposal.change, new ChangeJournal());
    assert.equal(applied.ok, false);
    assert.match(applied.output, /changed since this edit was proposed/);
    assert.equal(fs.readFileSync(document.uri.fsPath, 'utf8'), 'changed meanwhile\n');
  });

  it("Undo all asks before it loses a change someone made between two of the turn's edits", async () => {
    write('agentsearch/twice.ts', 'a\nb\n');
    const journal = new ChangeJournal();
    const first = await proposeEdit({ path: 'agentsearch/twice.ts', edits: [{ search: 'a', replace: 'A' }] });
    assert.ok('change' in first);
    await applyChange(first.change, journal);
    assert.deepEqual(await journal.changedSince(), []);
    // The user edits and saves between the agent's edits.
    const document = await vscode.workspace.openTextDocument(
      vscode.Uri.file(path.join(root(), 'agentsearch/twice.ts')),
    );
    const typing = new vscode.WorkspaceEdit();
    typing.insert(document.uri, new vscode.Position(2, 0), 'mine\n');
    await vscode.workspace.applyEdit(typing);
    await document.save();
    const second = await proposeEdit({ path: 'agentsearch/twice.ts', edits: [{ search: 'b', replace: 'B' }] });
    assert.ok('change' in second);
    await applyChange(second.change, journal);
    assert.deepEqual(await journal.changedSince(), ['agentsearch/twice.ts']);
  });

  it('a file that makes something run is asked about even when edits are approved without asking', async () => {
    const proposal = await proposeCreate({ path: 'agentsearch/.vscode/tasks.json', content: '{}' });
    assert.ok('change' in proposal);
    assert.equal(proposal.change.refusal, 'agentsearch/.vscode/tasks.json is editor or tool configuration');
    const plain = await proposeCreate({ path: 'agentsearch/notes.md', content: 'x' });
    assert.ok('change' in plain && plain.change.refusal === undefined);
  });

  it('list_files does not follow a link out of the workspace', async () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'genos-list-outside-'));
    fs.writeFileSync(path.join(outside, 'far-away.txt'), 'x');
    write('agentsearch/near.txt', 'x');
    fs.symlinkSync(outside, path.join(root(), 'agentsearch/home-link'));
    try {
      const listed = await listFiles({ pattern: 'agentsearch/**' });
      assert.match(listed.output, /agentsearch\/near\.txt/);
      assert.doesNotMatch(listed.output, /far-away/);
    } finally {
      fs.rmSync(path.join(root(), 'agentsearch/home-link'));
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });

  it('approving edits without asking is read from the user settings only, never from the workspace', async () => {
    const config = vscode.workspace.getConfiguration('genos');
    await config.update('agent.autoApproveEdits', true, vscode.ConfigurationTarget.Workspace).then(
      () => undefined,
      () => undefined,
    );
    try {
      assert.equal(agentSettings().autoApproveEdits, false, 'a repository cannot approve edits');
      await config.update('agent.autoApproveEdits', true, vscode.ConfigurationTarget.Global);
      assert.equal(agentSettings().autoApproveEdits, true);
    } finally {
      await config.update('agent.autoApproveEdits', undefined, vscode.ConfigurationTarget.Global);
      await config.update('agent.autoApproveEdits', undefined, vscode.ConfigurationTarget.Workspace).then(
        () => undefined,
        () => undefined,
      );
    }
  });
});
