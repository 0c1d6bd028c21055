// The TypeScript API in Node: the CPU backend (Node has no WebGPU).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as wg from '../../dist/index.js';
import { checks } from './slice-checks.mjs';
import { coreChecks } from './core-checks.mjs';
import { apiChecks } from './api-checks.mjs';

test('before init, entry points say to call init', () => {
  const pattern = (op) => (e) => e instanceof Error && e.message.startsWith(`${op}: call \`await webgrad.init()\` first`);
  assert.throws(() => wg.tensor([1, 2]), pattern('tensor'));
  assert.throws(() => wg.randn([2]), pattern('normal'));
  assert.throws(() => new wg.nn.Linear(2, 3), pattern('Linear'));
  assert.throws(() => wg.sequential({ layers: [wg.layers.dense({ units: 2, inputShape: [3] })] }), pattern('add'));
  assert.throws(() => wg.memory(), pattern('memory'));
});

test('init picks the CPU in Node, and refuses WebGPU with a clear Error', async () => {
  console.log(`wasm binary: ${wg.hasRelaxedSimd() ? 'relaxed-simd' : 'simd128'}`);
  assert.equal(await wg.init(), 'cpu');
  assert.equal(wg.backend(), 'cpu');
  await assert.rejects(wg.init({ backend: 'webgpu' }), /webgpu: this runtime has no navigator.gpu/);
  await assert.rejects(wg.init({ backend: 'tpu' }), /init: unknown backend 'tpu'/);
  assert.equal(await wg.init({ backend: 'cpu' }), 'cpu');
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
