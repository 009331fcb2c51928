import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { parseFrontMatter } from '../../../src/client/frontMatter';
import { globMatcher } from '../../../src/client/globs';

describe('front matter of rules and prompt files', () => {
  it('reads flat keys, quoted or not, and inline lists; the body follows', () => {
    const parsed = parseFrontMatter(
      '\uFEFF---\r\napplyTo: "**/*.ts,**/*.tsx"\r\ndescription: 테스트를 작성합니다\r\nmode: \'agent\'\r\ntools: [read_file, "search"]\r\n---\r\nUse vitest.\r\n',
    );
    assert.deepEqual(
      { ...parsed.data },
      {
        applyTo: '**/*.ts,**/*.tsx',
        description: '테스트를 작성합니다',
        mode: 'agent',
        tools: 'read_file,search',
      },
    );
    assert.equal(parsed.body, 'Use vitest.\r\n');
  });

  it('takes a file without front matter, or with an unclosed one, as all body', () => {
    assert.deepEqual({ ...parseFrontMatter('# Rules\n---\nx: y\n---\n').data }, {});
    assert.equal(parseFrontMatter('---\napplyTo: x\nno end').body, '---\napplyTo: x\nno end');
  });

  it('skips lines it does not understand, and a key named like an object property is only data', () => {
    const parsed = parseFrontMatter('---\n  nested: x\n- item\n__proto__: polluted\nok: yes\n---\nbody');
    assert.equal(parsed.data.ok, 'yes');
    assert.equal(parsed.data.nested, undefined);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});

describe('glob patterns of rules files', () => {
  const cases: Array<[string, string, boolean]> = [
    ['**/*.ts', 'src/app.ts', true],
    ['**/*.ts', 'app.ts', true],
    ['**/*.ts', 'src/app.tsx', false],
    ['src/**', 'src/a/b/c.py', true],
    ['src/**', 'lib/a.py', false],
    ['*.md', 'docs/guide.md', true],
    ['docs/*.md', 'docs/a/guide.md', false],
    ['**/*.{ts,tsx}', 'web/App.tsx', true],
    ['**/*.ts,**/*.py', 'tools/x.py', true],
    ['test/?.js', 'test/a.js', true],
    ['test/[ab].js', 'test/c.js', false],
    ['src/(x).ts', 'src/(x).ts', true],
    ['src/a+b.ts', 'src/aab.ts', false],
  ];
  for (const [pattern, path, expected] of cases) {
    it(`${pattern} ${expected ? 'matches' : 'does not match'} ${path}`, () => {
      assert.equal(globMatcher(pattern)(path), expected);
    });
  }

  it('matches without backtracking: patterns a repository crafts to be slow stay fast', () => {
    const started = performance.now();
    assert.equal(globMatcher('*a'.repeat(40))('a'.repeat(200)), true);
    assert.equal(globMatcher('*a*a*a*a*a*a*a*a*a*a*a*a')(`${'a'.repeat(200)}b.md`), false);
    assert.equal(globMatcher('**a**a**a**a**a**a')(`${'a/'.repeat(40)}b`), false);
    assert.equal(globMatcher('**/*a*b*c*d*e*f*g*h*i*j*k.ts')(`${'ab/'.repeat(60)}${'a'.repeat(200)}`), false);
    assert.ok(performance.now() - started < 500, `${performance.now() - started} ms`);
  });

  it('expands braces, nested ones too, and keeps an empty choice', () => {
    assert.equal(globMatcher('src/{a,b{1,2}}.ts')('src/b2.ts'), true);
    assert.equal(globMatcher('src/x{,.test}.ts')('src/x.ts'), true);
    assert.equal(globMatcher('src/x{,.test}.ts')('src/x.test.ts'), true);
  });
});
