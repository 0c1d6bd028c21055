// The TypeScript API in Node: the CPU backend (Node has no WebGPU).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as wg from '../../dist/index.js';
import { checks } from './slice-checks.mjs';
import { coreChecks } from './core-checks.mjs';
import { apiChecks } from './api-checks.mjs';
import { surfaceChecks } from './surface-checks.mjs';
import { boundaryChecks } from './boundary-checks.mjs';
import { modelChecks } from './model-checks.mjs';
import { ioChecks } from './io-checks.mjs';
import { formatChecks, tfjsReadsChecks } from './format-checks.mjs';
import { safetensorsChecks } from './safetensors-checks.mjs';
import { readFile } from 'node:fs/promises';

test('before init, entry points say to call init', () => {
  const pattern = (op) => (e) =>
    e instanceof Error && e.message.startsWith(`${op}: call \`await webgrad.init()\` first`);
  assert.throws(() => wg.tensor([1, 2]), pattern('tensor'));
  assert.throws(() => wg.randn([2]), pattern('normal'));
  assert.throws(() => new wg.nn.Linear(2, 3), pattern('Linear'));
  assert.throws(() => wg.sequential({ layers: [wg.layers.dense({ units: 2, inputShape: [3] })] }), pattern('add'));
  assert.throws(() => wg.memory(), pattern('memory'));
});

test('a module that cannot load is an Error naming where it came from, and init can be retried', async () => {
  const missing = new URL('file:///no/such/webgrad.wasm');
  await assert.rejects(
    wg.init({ wasm: missing }),
    /^Error: init: reading the WebAssembly module file:\/\/\/no\/such\/webgrad.wasm failed: .*ENOENT.*init\(\{ wasm:/,
  );
  const html = new TextEncoder().encode('<!doctype html><title>404</title>');
  await assert.rejects(
    wg.init({ wasm: html }),
    /the bytes passed to init is not a WebAssembly module: got an HTML page/,
  );
  await assert.rejects(wg.init({ wasm: new Uint8Array([1, 2, 3, 4, 5]) }), /got 5 bytes starting 01 02 03 04/);
  await assert.rejects(
    wg.init({ wasm: 42 }),
    /the wasm option must be a URL, a Response, bytes or a WebAssembly.Module/,
  );
  if (!wg.hasRelaxedSimd()) {
    // The relaxed-SIMD build on an engine without relaxed SIMD (Node 20).
    const relaxed = await readFile(new URL('../../pkg/webgrad_relaxed_bg.wasm', import.meta.url));
    await assert.rejects(
      wg.init({ wasm: relaxed }),
      /^Error: init: the WebAssembly module from the bytes passed to init failed to load: .*\. This engine has no relaxed SIMD: it needs webgrad_bg\.wasm\.$/,
    );
  }
  assert.throws(() => wg.tensor([1]), /call `await webgrad.init\(\)` first/, 'nothing loaded');
  // A function is told the build this engine needs (Node 20: no relaxed SIMD) and may return a module.
  const asked = [];
  const name = await wg.init({
    backend: 'cpu',
    wasm: async (file) => {
      asked.push(file);
      return WebAssembly.compile(await readFile(new URL(`../../pkg/${file}`, import.meta.url)));
    },
  });
  assert.equal(name, 'cpu');
  assert.deepEqual(asked, [wg.wasmFile()]);
  assert.equal(wg.wasmFile(), wg.hasRelaxedSimd() ? 'webgrad_relaxed_bg.wasm' : 'webgrad_bg.wasm');
});

test('the package and the crate agree on the version (wg.version: surface-checks)', async () => {
  const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8'));
  const crate = (await readFile(new URL('../../Cargo.toml', import.meta.url), 'utf8')).match(/^version = "(.*)"$/m)[1];
  assert.equal(crate, pkg.version);
});

test('init picks the CPU in Node, and refuses WebGPU with a clear Error', async () => {
  console.log(`wasm binary: ${wg.hasRelaxedSimd() ? 'relaxed-simd' : 'simd128'}`);
  assert.equal(await wg.init(), 'cpu');
  assert.equal(wg.backend(), 'cpu');
  await assert.rejects(wg.init({ backend: 'webgpu' }), /webgpu: this runtime has no navigator.gpu/);
  await assert.rejects(wg.init({ backend: 'tpu' }), /init: unknown backend 'tpu'/);
  assert.equal(await wg.init({ backend: 'cpu' }), 'cpu');
});

test('exhausting wasm memory is an out-of-memory Error naming the op, and the module keeps working', async () => {
  // Node only: in Chromium these tensors live on the GPU, under its budget (tests/wasm_webgpu.rs).
  await wg.init({ backend: 'cpu' });
  const makers = {
    zeros: [/^full: out of memory allocating 268435456 bytes for shape \[67108864\]$/, () => wg.zeros([2 ** 26])],
    randn: [/^normal: out of memory allocating/, () => wg.randn([2 ** 26])],
    arange: [/^arange: out of memory allocating/, () => wg.arange(0, 2 ** 26)],
    Linear: [
      /^Linear: initializer: out of memory allocating 67108864 bytes for shape \[4096, 4096\]$/,
      () => new wg.nn.Linear(4096, 4096),
    ],
  };
  for (const [name, [pattern, make]] of Object.entries(makers)) {
    const before = wg.memory().numTensors;
    const made = [];
    let error;
    while (made.length < 1000 && !error) {
      try {
        made.push(make());
      } catch (e) {
        error = e;
      }
    }
    assert.ok(error instanceof Error, `${name}: ${made.length} made, no Error`);
    assert.match(error.message, pattern, name);
    for (const t of made) t.dispose();
    assert.equal(wg.memory().numTensors, before, name);
    const sum = wg.tensor([1, 2]).sum();
    assert.deepEqual(Array.from(await sum.data()), [3], `${name}: the module still computes`);
    sum.dispose();
  }
});

for (const [name, check] of Object.entries(checks)) {
  test(`cpu: ${name}`, () => check(wg));
}

for (const [name, check] of Object.entries(coreChecks)) {
  test(`cpu: ${name}`, () => check(wg));
}

for (const [name, check] of Object.entries(apiChecks)) {
  test(`cpu: ${name}`, () => check(wg));
}

for (const [name, check] of Object.entries(surfaceChecks)) {
  test(`cpu: ${name}`, () => check(wg));
}

for (const [name, check] of Object.entries(boundaryChecks)) {
  test(`cpu: ${name}`, () => check(wg));
}

for (const [name, check] of Object.entries(modelChecks)) {
  test(`cpu: ${name}`, () => check(wg));
}

for (const [name, check] of Object.entries(ioChecks)) {
  test(`cpu: ${name}`, () => check(wg));
}
for (const [name, check] of Object.entries({ ...formatChecks, ...tfjsReadsChecks, ...safetensorsChecks })) {
  test(`cpu: ${name}`, () => check(wg));
}
