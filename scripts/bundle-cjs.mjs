// The CommonJS entry (`require('webgrad')`): dist/cjs/index.js bundles the ES modules of dist/ and
// the wasm glue into one CommonJS file, beside a copy of the declarations that a
// `{"type": "commonjs"}` package.json marks as CommonJS for TypeScript. `import.meta.url` becomes
// the URL of dist/index.js, so the wasm files resolve exactly as from the ES modules.
import { build } from 'esbuild';
import { cp, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const out = 'dist/cjs';
await build({
  entryPoints: ['dist/index.js'],
  outfile: `${out}/index.js`,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'es2022',
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: "const importMetaUrl = require('node:url').pathToFileURL(require('node:path').join(__dirname, '..', 'index.js')).href;" },
  logLevel: 'warning',
});
await writeFile(`${out}/package.json`, '{ "type": "commonjs" }\n');

async function copyDeclarations(dir) {
  for (const entry of await readdir(join('dist', dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && path !== 'cjs') await copyDeclarations(path);
    else if (entry.name.endsWith('.d.ts')) await cp(join('dist', path), join(out, path));
  }
}
await copyDeclarations('');
