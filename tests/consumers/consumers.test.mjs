// webgrad as its users get it: `npm pack` of this checkout (which builds it through `prepack`),
// installed into apps with no webgrad-specific configuration — a Vite app (production build under
// `vite preview`, and the dev server), a webpack 5 app, each with a module Web Worker, Node ES
// modules and CommonJS, and a TypeScript consumer under four module resolutions — each asserting the
// numbers it computes against hand-derived values.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { launchChromium } from '../../scripts/chromium.mjs';
import { serve } from '../../scripts/serve.mjs';

const run = promisify(execFile);
const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '../..');
const WORK = join(HERE, '.work');
const { version } = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8'));

/**
 * What app/compute.js must produce: a = [[1, 2], [3, 4]], w = [[5, 6], [7, 8]]; a·w, its sum (all
 * positive, so relu keeps it), d(sum)/dw = aᵀ·1, and a dense unit with kernel [1, 2] and bias 0.5.
 */
const EXPECTED = { product: [19, 22, 43, 50], loss: 134, grad: [4, 4, 6, 6], predict: [5.5, 11.5] };

function checkResult(result, backend, where) {
  assert.ok(result, `${where}: no result`);
  for (const [key, want] of Object.entries(EXPECTED)) assert.deepEqual(result[key], want, `${where}: ${key}`);
  assert.equal(result.version, version, `${where}: wg.version`);
  assert.match(result.backend, backend === 'webgpu' ? /^webgpu \(/ : /^cpu$/, `${where}: backend`);
  assert.match(result.text, new RegExp(`^Tensor float32 \\[2, 2\\] ${backend}`), `${where}: toString`);
}

let tarball;
let browser;

before(async () => {
  await rm(WORK, { recursive: true, force: true });
  await mkdir(WORK, { recursive: true });
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', WORK], { cwd: REPO, maxBuffer: 64 << 20 });
  // The build (prepack) prints first; npm's JSON report comes last.
  const [packed] = JSON.parse(stdout.slice(stdout.lastIndexOf('[\n  {')));
  tarball = { path: join(WORK, packed.filename), files: packed.files.map((f) => f.path).sort() };
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
});

/** A work folder for one consumer: `parts` copied in, the tarball installed as `npm i` would. */
async function consumer(name, parts, packageJson = { private: true, type: 'module' }) {
  const dir = join(WORK, name);
  await mkdir(dir, { recursive: true });
  for (const [from, to] of parts) await cp(join(HERE, from), join(dir, to), { recursive: true });
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: `consumer-${name}`, ...packageJson }));
  await run('npm', ['install', '--no-save', '--no-package-lock', '--offline', '--no-audit', '--no-fund', tarball.path], { cwd: dir });
  return dir;
}

/**
 * Node for the CommonJS consumers: without require() of ES modules (Node 20.19+ has it), as Node
 * 20.16–20.18 runs them, so that only a real CommonJS build passes.
 */
const NODE_CJS = ['--no-experimental-require-module'];

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

const APP = [['app/main.js', 'main.js'], ['app/worker.js', 'worker.js'], ['app/compute.js', 'compute.js']];

/** Opens `url`, waits for the app's report, checks every result; returns the wasm responses seen. */
async function browse(url, where) {
  const context = await browser.newContext();
  const wasm = [];
  context.on('response', (r) => {
    if (r.url().endsWith('.wasm')) wasm.push({ url: r.url(), status: r.status(), type: r.headers()['content-type'] });
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(`[${where}] ${e.message}`));
  try {
    await page.goto(url);
    await page.waitForFunction(() => window.__consumer, null, { timeout: 120_000 });
    const report = await page.evaluate(() => window.__consumer);
    assert.equal(report.error, null, `${where}: ${report.error}`);
    for (const realm of ['page', 'worker']) {
      for (const backend of ['cpu', 'webgpu']) {
        const result = report[realm][backend];
        checkResult(result, backend, `${where}, ${realm}, ${backend}`);
        // Chromium has relaxed SIMD: the FMA build is the one each realm must load.
        assert.equal(result.wasm, 'webgrad_relaxed_bg.wasm', `${where}: build loaded`);
      }
    }
    // One module per realm (the page, two workers), each the relaxed-SIMD build served as WebAssembly
    // (the bodies are fetched again here: a terminated worker's response can no longer be read).
    const relaxed = sha256(await readFile(join(REPO, 'pkg/webgrad_relaxed_bg.wasm')));
    assert.equal(wasm.length, 3, `${where}: wasm responses ${JSON.stringify(wasm)}`);
    for (const r of wasm) {
      assert.equal(r.status, 200, `${where}: ${r.url}`);
      assert.match(r.type, /^application\/wasm/, `${where}: ${r.url}`);
      const body = new Uint8Array(await (await fetch(r.url)).arrayBuffer());
      assert.equal(sha256(body), relaxed, `${where}: ${r.url} is not the relaxed-SIMD build`);
    }
    return report;
  } finally {
    await context.close();
  }
}

/** Every file under `dir`, with its size raw and gzipped. */
async function files(dir, prefix = '') {
  const out = [];
  for (const entry of await readdir(join(dir, prefix), { withFileTypes: true })) {
    const path = join(prefix, entry.name);
    if (entry.isDirectory()) out.push(...(await files(dir, path)));
    else {
      const bytes = await readFile(join(dir, path));
      out.push({ path, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length });
    }
  }
  return out;
}

/** Exactly the two builds of the core, byte for byte: no bundler may emit a copy no engine fetches. */
async function checkWasmFiles(dir, list, where) {
  const emitted = await Promise.all(list.filter((f) => f.path.endsWith('.wasm')).map(async (f) => sha256(await readFile(join(dir, f.path)))));
  const packaged = await Promise.all(['webgrad_bg.wasm', 'webgrad_relaxed_bg.wasm'].map(async (f) => sha256(await readFile(join(REPO, 'pkg', f)))));
  assert.deepEqual(emitted.sort(), packaged.sort(), `${where}: the emitted .wasm files are not exactly the two builds`);
}

test('npm pack from this checkout builds a complete package with nothing else in it', () => {
  const required = ['package.json', 'README.md', 'LICENSE-MIT', 'LICENSE-APACHE', 'pkg/webgrad_bg.wasm',
    'pkg/webgrad_relaxed_bg.wasm', 'dist/index.js', 'dist/index.d.ts', 'dist/cjs/index.js', 'dist/cjs/index.d.ts', 'dist/cjs/package.json'];
  for (const f of required) assert.ok(tarball.files.includes(f), `the tarball lacks ${f}`);
  const allowed = (f) => required.includes(f) || /^dist\/(cjs\/)?([a-z-]+\/)*[a-z-]+\.(js|d\.ts)$/.test(f);
  assert.deepEqual(tarball.files.filter((f) => !allowed(f)), [], 'files that do not belong in the package');
  console.log(`tarball: ${tarball.files.length} files`);
});

test('Node, ES modules: import', async () => {
  const dir = await consumer('node-esm', [['node/esm.mjs', 'esm.mjs'], ['app/compute.js', 'compute.js']]);
  const { stdout } = await run('node', ['esm.mjs'], { cwd: dir });
  checkResult(JSON.parse(stdout), 'cpu', 'node esm');
});

test('Node, CommonJS: require', async () => {
  const dir = await consumer('node-cjs', [['node/cjs.cjs', 'cjs.cjs'], ['app/compute.js', 'compute.js']]);
  const { stdout } = await run('node', [...NODE_CJS, 'cjs.cjs'], { cwd: dir });
  checkResult(JSON.parse(stdout), 'cpu', 'node cjs');
});

test('TypeScript, strict with skipLibCheck false: bundler, nodenext (ESM and CommonJS) and node16', async () => {
  const dir = await consumer('typescript', [
    ['typescript/esm', 'esm'], ['typescript/consumer.ts', 'esm/consumer.ts'],
    ['typescript/cjs', 'cjs'], ['typescript/consumer.ts', 'cjs/consumer.ts'],
  ]);
  const tsc = join(REPO, 'node_modules/.bin/tsc');
  const configs = [['esm', 'bundler', null], ['esm', 'nodenext', 'out-nodenext'], ['esm', 'node16', 'out-node16'], ['cjs', 'nodenext', 'out-nodenext']];
  for (const [kind, resolution, out] of configs) {
    const where = `${resolution} (${kind})`;
    await run(tsc, ['-p', `tsconfig.${resolution}.json`], { cwd: join(dir, kind) }).catch((e) => assert.fail(`tsc ${where}:\n${e.stdout}${e.stderr}`));
    if (!out) continue;
    const { stdout } = await run('node', [...(kind === 'cjs' ? NODE_CJS : []), join(out, 'consumer.js')], { cwd: join(dir, kind) });
    const r = JSON.parse(stdout);
    assert.equal(r.backend, 'cpu', where);
    assert.equal(r.version, version, where);
    assert.ok(Math.abs(r.loss - Math.LN2) < 1e-6, `${where}: loss ${r.loss}`);
    assert.equal(r.accuracy, 0.5, where);
    assert.deepEqual(r.product, [6, 15], where);
    assert.match(r.text, /^Tensor float32 \[2, 1\] cpu\n {4}\[\[ 6\],\n {5}\[15\]\]$/, where);
  }
});

test('Vite: production build under vite preview, with a module worker on both backends', async () => {
  const dir = await consumer('vite', [['vite/index.html', 'index.html'], ...APP]);
  const vite = await import('vite');
  await vite.build({ root: dir, logLevel: 'warn' });
  const shipped = await files(join(dir, 'dist'));
  await checkWasmFiles(join(dir, 'dist'), shipped, 'vite build');
  console.log('vite build output (what the app deploys):');
  for (const f of shipped) console.log(`  ${f.path}: ${f.raw} bytes raw, ${f.gzip} gzip`);
  const server = await vite.preview({ root: dir, logLevel: 'warn', preview: { port: 0, host: '127.0.0.1' } });
  try {
    const report = await browse(server.resolvedUrls.local[0], 'vite preview');
    console.log(`vite preview: first result ${report.firstResultMs.toFixed(0)} ms after navigation`);
  } finally {
    await server.close();
  }
});

test('Vite: dev server (dependency pre-bundling), with a module worker on both backends', async () => {
  const dir = await consumer('vite-dev', [['vite/index.html', 'index.html'], ...APP]);
  const vite = await import('vite');
  const server = await vite.createServer({ root: dir, logLevel: 'warn', server: { port: 0, host: '127.0.0.1' } });
  await server.listen();
  try {
    await browse(server.resolvedUrls.local[0], 'vite dev');
  } finally {
    await server.close();
  }
});

test('webpack 5: a minimal config, with a module worker on both backends', async () => {
  const dir = await consumer('webpack', [['webpack/webpack.config.js', 'webpack.config.js'], ['app/main.js', 'src/index.js'],
    ['app/worker.js', 'src/worker.js'], ['app/compute.js', 'src/compute.js']]);
  // As `npx webpack` runs it: in the app's folder, with the app's config.
  const script = `import webpack from 'webpack'; import config from './webpack.config.js';
    webpack(config, (e, stats) => { if (e || stats.hasErrors()) { console.error(e ?? stats.toString('errors-only')); process.exit(1); } });`;
  await run('node', ['--input-type=module', '-e', script], { cwd: dir }).catch((e) => assert.fail(`webpack:\n${e.stdout}${e.stderr}`));
  await cp(join(HERE, 'webpack/index.html'), join(dir, 'dist/index.html'));
  await checkWasmFiles(join(dir, 'dist'), await files(join(dir, 'dist')), 'webpack build');
  const { server, url } = await serve(0, join(dir, 'dist'));
  try {
    await browse(`${url}/`, 'webpack');
  } finally {
    server.close();
  }
});
