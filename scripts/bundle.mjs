// The package's JavaScript: esbuild bundles ts/index.ts and the wasm glue into one ES module,
// dist/index.js (one request for pages that load it unbundled, one module for bundlers), and one
// CommonJS file, dist/cjs/index.js, for `require`. tsc has already type-checked the sources and
// written their declarations to dist/; dist/cjs/ gets a copy, which its `{"type": "commonjs"}`
// package.json marks as CommonJS for TypeScript. Both bundles resolve the wasm files from dist/ as
// `../pkg/…`: in the CommonJS one, `import.meta.url` is the URL dist/index.js would have.
import { build } from 'esbuild';
import { cp, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const common = {
  entryPoints: ['ts/index.ts'],
  bundle: true,
  target: 'es2022',
  logLevel: 'warning',
  legalComments: 'none',
};
await build({ ...common, outfile: 'dist/index.js', format: 'esm', platform: 'neutral' });
await build({
  ...common,
  outfile: 'dist/cjs/index.js',
  format: 'cjs',
  platform: 'node',
  define: { 'import.meta.url': 'importMetaUrl' },
  // The directive first: code before it would turn the bundle's own "use strict" into a plain string.
  banner: {
    js: "'use strict';\nconst importMetaUrl = require('node:url').pathToFileURL(require('node:path').join(__dirname, '..', 'index.js')).href;",
  },
});
await writeFile('dist/cjs/package.json', '{ "type": "commonjs" }\n');

async function copyDeclarations(dir) {
  for (const entry of await readdir(join('dist', dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && path !== 'cjs') await copyDeclarations(path);
    else if (entry.name.endsWith('.d.ts')) await cp(join('dist', path), join('dist/cjs', path));
  }
}
await copyDeclarations('');
