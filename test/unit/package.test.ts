import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { HIDDEN_COMMANDS } from '../../src/host/base/entryKeys';
import { repoRoot } from '../support/l10n';

const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
  icon: string;
  categories: string[];
  contributes: {
    walkthroughs: Array<{ steps: Array<{ media: { markdown?: string } }> }>;
    keybindings?: unknown[];
    commands: Array<{ command: string }>;
  };
};

describe('the package', () => {
  const listed = execFileSync(
    process.execPath,
    [path.join(repoRoot, 'node_modules/@vscode/vsce/vsce'), 'ls', '--no-dependencies'],
    { cwd: repoRoot, encoding: 'utf8' },
  )
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);

  it('holds the icon, a 128x128 PNG, and every image the README shows', () => {
    assert.ok(listed.includes(manifest.icon), listed.join(', '));
    const png = fs.readFileSync(path.join(repoRoot, manifest.icon));
    assert.equal(png.subarray(1, 4).toString('ascii'), 'PNG');
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [128, 128]);
    for (const readme of ['README.md', 'README.ko.md']) {
      for (const [, image] of fs
        .readFileSync(path.join(repoRoot, readme), 'utf8')
        .matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)) {
        if (!/^https?:/.test(image)) {
          assert.ok(listed.includes(image), `${readme} shows ${image}, which is not packaged`);
        }
      }
    }
  });

  it("holds the walkthrough's media, and neither sources nor tests", () => {
    for (const step of manifest.contributes.walkthroughs[0].steps) {
      if (step.media.markdown) assert.ok(listed.includes(step.media.markdown), step.media.markdown);
    }
    assert.deepEqual(
      listed.filter((file) => /^(src|test|bench|out|scripts)\//.test(file) || file.endsWith('.map')),
      [],
    );
  });

  it('packages the entry and the core it loads on first use', () => {
    // .vscodeignore is an allow-list; `vsce ls` lists only the bundles already built, so read it.
    const allowed = fs
      .readFileSync(path.join(repoRoot, '.vscodeignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim());
    for (const bundle of ['dist/extension.js', 'dist/core.js', 'dist/webview.js']) {
      assert.ok(allowed.includes(`!${bundle}`), `${bundle} is not in .vscodeignore's allow-list`);
    }
  });

  it("loads at activation only the entry, the walkthrough's checks and the chat stand-ins: no network, markdown or panel code", async () => {
    // The same options as esbuild.js's entry, in memory: which sources end up in dist/extension.js.
    const esbuild = await import('esbuild');
    const result = await esbuild.build({
      absWorkingDir: repoRoot,
      entryPoints: ['src/extension.ts'],
      bundle: true,
      write: false,
      metafile: true,
      platform: 'node',
      format: 'cjs',
      external: ['vscode', './core.js'],
      logLevel: 'silent',
    });
    assert.deepEqual(Object.keys(result.metafile.inputs).sort(), [
      'src/client/endpoint.ts',
      'src/client/errors.ts',
      'src/client/token.ts',
      'src/extension.ts',
      'src/host/base/entryKeys.ts',
      'src/host/connection/connectionSettings.ts',
      'src/host/connection/provisioned.ts',
      'src/host/connection/walkthrough.ts',
      'src/host/nativeChat/lmApi.ts',
      'src/host/nativeChat/nativeChatEntry.ts',
    ]);
  });

  it("names every source file in the README's source layout", () => {
    const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Source layout'), readme.indexOf('## Development'));
    const files = fs.readdirSync(path.join(repoRoot, 'src'), { recursive: true, encoding: 'utf8' });
    const sources = files.filter((name) => name.endsWith('.ts')).map((name) => name.split(path.sep).join('/'));
    assert.ok(sources.length > 60);
    const unnamed = sources.filter((file) => !new RegExp(`[\`/]${path.posix.basename(file)}\``).test(section));
    assert.deepEqual(unnamed, [], 'add these to the Source layout section of README.md');
  });

  it('has a stand-in at activation for every command the core registers', () => {
    // The entry stands in for the manifest's commands and HIDDEN_COMMANDS; any other command
    // would not exist until something else loaded the core.
    const standIns = new Set([...manifest.contributes.commands.map((c) => c.command), ...HIDDEN_COMMANDS]);
    const registered: string[] = [];
    const files = fs.readdirSync(path.join(repoRoot, 'src/host'), { recursive: true, encoding: 'utf8' });
    for (const file of files.filter((name) => name.endsWith('.ts'))) {
      const source = fs.readFileSync(path.join(repoRoot, 'src/host', file), 'utf8');
      for (const [, id] of source.matchAll(/registerCommand\(\s*'([^']+)'/g)) registered.push(id);
      assert.doesNotMatch(
        source,
        /registerCommand\((?!\s*'|\s*COMPLETION_STATE_COMMAND\b)/,
        `${file} registers a command by a name this test cannot read`,
      );
    }
    assert.ok(registered.length >= 18);
    assert.deepEqual(
      registered.filter((id) => !standIns.has(id)),
      [],
    );
  });

  it('fits its category and binds no keys that clash with layouts or defaults', () => {
    assert.ok(!manifest.categories.includes('Programming Languages'));
    assert.equal(manifest.contributes.keybindings, undefined);
  });

  it('keeps a cloned repository from turning on what sends code or uses the token (restricted in Restricted Mode)', () => {
    const restricted = (
      JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
        capabilities: { untrustedWorkspaces: { restrictedConfigurations: string[] } };
      }
    ).capabilities.untrustedWorkspaces.restrictedConfigurations;
    for (const key of ['genos.nativeChat.enabled', 'genos.completion.enabled', 'genos.model', 'genos.systemPrompt']) {
      assert.ok(restricted.includes(key), key);
    }
    // Settings a workspace must not set at all: completion on, and which files it skips.
    const properties = (
      JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
        contributes: { configuration: { properties: Record<string, { scope?: string; default?: unknown }> } };
      }
    ).contributes.configuration.properties;
    for (const key of ['genos.completion.enabled', 'genos.completion.exclude']) {
      assert.equal(properties[key]?.scope, 'machine', key);
    }
    assert.ok((properties['genos.completion.exclude'].default as string[]).includes('**/.env'));
  });
});
