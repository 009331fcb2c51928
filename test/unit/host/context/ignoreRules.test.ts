import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { excludesFileOf, globalGitignore } from '../../../../src/host/context/gitConfig';
import { IgnoreRules } from '../../../../src/host/context/ignoreRules';

describe('which files git ignores', () => {
  const rules = new IgnoreRules().add(
    [
      '# build output',
      'build/',
      '*.log',
      '/dist',
      'src/generated',
      '!keep.log',
      '**/*.{js,map}',
      'a,b.txt',
      'doc/**/*.pdf',
      'tmp[0-9]',
      '\\#literal',
      'trailing\\ ',
      '',
    ].join('\n'),
  );

  it("follows gitignore's forms: folders, anchors, negation, classes, ** and literal braces or commas", () => {
    const cases: Array<[string, boolean]> = [
      ['build/out.js', true],
      ['src/build/x.ts', true],
      ['build', false], // `build/` names folders only: a file called build is kept
      ['debug.log', true],
      ['logs/debug.log', true],
      ['keep.log', false],
      ['dist/app.js', true],
      ['src/dist/app.js', false],
      ['src/generated/x.ts', true],
      ['lib/src/generated/x.ts', false],
      ['app.{js,map}', true],
      ['app.js', false], // braces are literal in gitignore
      ['a,b.txt', true],
      ['doc/x.pdf', true],
      ['doc/a/b/x.pdf', true],
      ['other/doc/x.pdf', false],
      ['tmp7', true],
      ['tmpx', false],
      ['#literal', true],
      ['trailing ', true],
      ['src/hello.ts', false],
    ];
    for (const [file, ignored] of cases) assert.equal(rules.ignores(file), ignored, file);
  });

  it('reads a ] right after [ or [! as a member of the class, as git does', () => {
    const classes = new IgnoreRules().add('x[]a]\ny[!]a]\n');
    assert.equal(classes.ignores('x]'), true);
    assert.equal(classes.ignores('xa'), true);
    assert.equal(classes.ignores('xb'), false);
    assert.equal(classes.ignores('yb'), true);
    assert.equal(classes.ignores('y]'), false);
    assert.equal(classes.ignores('ya'), false);
    assert.equal(classes.ignores('y/z'), false, 'a negated class never matches a slash');
  });

  it('lets a nested .gitignore add and override rules for its own folder', () => {
    const nested = new IgnoreRules().add('*.tmp\n').add('secret.txt\n!x.tmp\n', 'pkg');
    assert.equal(nested.ignores('pkg/secret.txt'), true);
    assert.equal(nested.ignores('secret.txt'), false);
    assert.equal(nested.ignores('pkg/x.tmp'), false);
    assert.equal(nested.ignores('pkg/y.tmp'), true);
    // A file inside an ignored folder cannot be brought back, as in git.
    assert.equal(new IgnoreRules().add('out/\n!out/keep.txt\n').ignores('out/keep.txt'), true);
  });

  it("finds the global gitignore through core.excludesFile, else git's default place", async () => {
    assert.equal(
      excludesFileOf('[user]\n\tname = x\n[core]\n\texcludesFile = "~/.gitignore_global"\n'),
      '~/.gitignore_global',
    );
    assert.equal(excludesFileOf('[user]\n\texcludesfile = nope\n'), undefined);
    assert.equal(
      excludesFileOf('[core]\n\texcludesFile = first\n[core]\n\texcludesFile = last\n'),
      'last',
      'the last one wins, as in git',
    );
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'genos-home-'));
    try {
      fs.mkdirSync(path.join(home, '.config', 'git'), { recursive: true });
      fs.writeFileSync(path.join(home, '.config', 'git', 'ignore'), '*.default\n');
      assert.equal(await globalGitignore({}, home), '*.default\n');
      fs.writeFileSync(path.join(home, '.gitconfig'), '[core]\n  excludesfile = ~/.gitignore_global\n');
      fs.writeFileSync(path.join(home, '.gitignore_global'), '.env\n');
      assert.equal(await globalGitignore({}, home), '.env\n');
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});
