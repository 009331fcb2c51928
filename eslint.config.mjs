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
  layer(
    'src/host/**/*.ts',
    ['../webview', '../webview/**', '../extension'],
    'src/host imports only src/client and src/shared.',
    false,
  ),
);

/** A lint zone: files matching `files` may not import what `group` matches. */
function layer(files, group, message, noEditor = true) {
  const paths = noEditor
    ? [{ name: 'vscode', message: `${files.split('/**')[0]} must not depend on the vscode runtime.` }]
    : [];
  return { files: [files], rules: { 'no-restricted-imports': ['error', { paths, patterns: [{ group, message }] }] } };
}
