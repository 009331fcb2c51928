// Transpiles the sources and tests to out/ (CommonJS, one file per source) for node:test and for the
// integration suite. Type errors are `npm run typecheck`'s job, not this one's.
const esbuild = require('esbuild');

esbuild
  .build({
    entryPoints: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    outdir: 'out',
    outbase: '.',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    logLevel: 'warning',
  })
  .catch(() => process.exit(1));
