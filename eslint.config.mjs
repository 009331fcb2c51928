import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', 'esbuild.js', 'scripts/*.js'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        // node:test's describe/it return promises the runner itself awaits.
        {
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: ['describe', 'it', 'test', 'suite', 'before', 'after', 'beforeEach', 'afterEach'],
            },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
      curly: ['error', 'multi-line'],
    },
  },
  // Layers: each folder may import only the folders below it. client/ and shared/ stand alone,
  // webview/ sees only shared/, host/ sees client/ and shared/; only client/, shared/ and webview/
  // run without the editor, so they must not import 'vscode' either.
  layer('src/client/**/*.ts', ['../**'], 'src/client imports nothing of ours outside itself.'),
  layer('src/shared/**/*.ts', ['../**'], 'src/shared imports nothing of ours outside itself.'),
  layer('src/webview/**/*.ts', ['../**', '!../shared', '!../shared/**'], 'src/webview imports only src/shared.'),
  // Rooms of host/, by feature: each imports only the rooms listed under it, never one above.
  ...rooms({
    base: [],
    connection: ['base'],
    requests: ['base', 'connection'],
    context: ['base', 'connection'],
    chat: ['base', 'connection', 'requests', 'context', 'agent'],
    editor: ['base', 'connection', 'requests', 'context', 'chat'],
    completions: ['base', 'connection', 'context'],
    nativeChat: ['base', 'connection', 'requests', 'context'],
    agent: ['base', 'connection', 'requests', 'context'],
  }),
);

/** A lint zone: files matching `files` may not import what `group` matches. */
function layer(files, group, message, noEditor = true) {
  const paths = noEditor
    ? [{ name: 'vscode', message: `${files.split('/**')[0]} must not depend on the vscode runtime.` }]
    : [];
  return { files: [files], rules: { 'no-restricted-imports': ['error', { paths, patterns: [{ group, message }] }] } };
}

/**
 * One zone per room of src/host: it may import its own files, the rooms it lists, src/client and
 * src/shared; not src/webview, not the entry points, not another room.
 */
function rooms(below) {
  const names = Object.keys(below);
  return names.map((room) => {
    const others = names.filter((name) => name !== room && !below[room].includes(name));
    const group = [
      '../../webview',
      '../../webview/**',
      '../../extension',
      '../../core',
      ...others.flatMap((name) => [`../${name}`, `../${name}/**`]),
    ];
    const allowed = below[room].length ? below[room].join(', ') : 'no other room';
    return layer(
      `src/host/${room}/*.ts`,
      group,
      `src/host/${room} imports ${allowed} (and src/client, src/shared).`,
      false,
    );
  });
}
