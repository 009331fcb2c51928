import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { koreanBundle, repoRoot } from '../support/l10n';

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(full) : full.endsWith('.ts') ? [full] : [];
  });
}

/** Every literal passed to `t(...)` or `l10n.t(...)` in src/: the strings users can see. */
function translatedStrings(): string[] {
  const found = new Set<string>();
  const call = /\bt\(\s*(['"])((?:\\.|(?!\1).)*)\1/g;
  for (const file of sourceFiles(path.join(repoRoot, 'src'))) {
    for (const match of fs.readFileSync(file, 'utf8').matchAll(call)) {
      found.add(match[2].replace(/\\(['"\\])/g, '$1'));
    }
  }
  return [...found];
}

describe('localization', () => {
  it('finds the user-facing strings it checks', () => {
    assert.ok(translatedStrings().length > 30);
  });

  it('has a Korean translation of every user-facing string, with the same placeholders', () => {
    const bundle = koreanBundle();
    const missing = translatedStrings().filter((s) => !(s in bundle));
    assert.deepEqual(missing, [], 'add these to l10n/bundle.l10n.ko.json');
    for (const [english, korean] of Object.entries(bundle)) {
      const placeholders = (s: string) => (s.match(/\{\d+\}/g) ?? []).sort().join();
      assert.equal(placeholders(korean), placeholders(english), `placeholders differ for: ${english}`);
      assert.match(korean, /[가-힣]/, `not Korean: ${korean}`);
    }
  });

  it('has every package.json %key% in English and Korean', () => {
    const manifest = fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8');
    const keys = [...manifest.matchAll(/"%([^%"]+)%"/g)].map((m) => m[1]);
    const en = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.nls.json'), 'utf8')) as Record<string, string>;
    const ko = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.nls.ko.json'), 'utf8')) as Record<
      string,
      string
    >;
    assert.ok(keys.length > 5);
    assert.deepEqual(
      keys.filter((k) => !(k in en)),
      [],
      'missing in package.nls.json',
    );
    assert.deepEqual(
      keys.filter((k) => !(k in ko)),
      [],
      'missing in package.nls.ko.json',
    );
    assert.deepEqual(Object.keys(ko).sort(), Object.keys(en).sort());
  });
});
