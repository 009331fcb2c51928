import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { modelPath, runsCode, secretReason } from '../../../src/client/workspacePaths';

describe('paths the model names', () => {
  it('makes a path relative, with / between parts', () => {
    assert.deepEqual(modelPath('./src\\app.ts'), { path: 'src/app.ts' });
    assert.deepEqual(modelPath('src//lib/../app.ts '), { path: 'src/app.ts' });
    assert.deepEqual(modelPath('.'), { path: '.' });
  });

  it('refuses absolute paths, home, drives, URLs and climbing out', () => {
    for (const bad of [
      '/etc/passwd',
      '~/.ssh/id_rsa',
      'C:\\Windows',
      'c:/x',
      'file:///etc/passwd',
      '../x',
      'a/../../x',
      '  ',
    ]) {
      assert.ok('error' in modelPath(bad), bad);
    }
    assert.match((modelPath('../secret') as { error: string }).error, /leads outside the workspace/);
  });

  it('refuses names that reach a file under another name on some systems', () => {
    for (const other of [
      'tls.key::$DATA',
      '.git::$INDEX_ALLOCATION/config',
      'GIT~1/config',
      'notes.',
      'notes /x',
      'CON',
      'src/aux.txt',
      'a\u0000b',
      'file:/etc/passwd',
    ]) {
      assert.ok('error' in modelPath(other), JSON.stringify(other));
    }
    assert.deepEqual(modelPath('src/console.ts'), { path: 'src/console.ts' });
    assert.deepEqual(modelPath('a/..'), { path: '.' });
  });

  it('knows files that hold secrets by their names', () => {
    for (const secret of [
      '.env',
      'app/.env.local',
      '.envrc',
      'deploy/prod.env',
      'certs/server.pem',
      'TLS.KEY',
      'home/id_rsa',
      'id_ed25519_sk',
      'id_rsa_github',
      '.npmrc',
      '_netrc',
      '.pgpass',
      '.aws/credentials',
      '.AWS/Credentials',
      '.ssh/known_hosts',
      '.docker/config.json',
      'prod.tfvars',
      'terraform.tfstate.backup',
      'credentials.json',
      'keys.kdbx',
      'putty.ppk',
    ]) {
      assert.ok(secretReason(secret), secret);
    }
    for (const plain of ['src/env.ts', 'environment.md', 'keys.ts', 'README.md', 'credentials.md']) {
      assert.equal(secretReason(plain), undefined, plain);
    }
  });

  it('knows files whose change makes something run, wherever they are', () => {
    for (const path of [
      '.vscode/tasks.json',
      'pkg/.vscode/settings.json',
      '.devcontainer/devcontainer.json',
      '.husky/pre-commit',
      '.github/workflows/ci.yml',
      'app.code-workspace',
      'package.json',
      'web/package.json',
      'Makefile',
      '.envrc',
      'Dockerfile',
    ]) {
      assert.ok(runsCode(path), path);
    }
    for (const path of ['src/app.ts', 'docs/package.json.md', 'README.md', 'vscode/notes.txt']) {
      assert.equal(runsCode(path), undefined, path);
    }
  });
});
