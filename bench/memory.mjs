// Memory while loading one model (bench/run.mjs opens this page in a fresh browser context per contender
// and model, Chromium started with --enable-precise-memory-info and --js-flags=--expose-gc): loads only
// the library of `?contender=`, selects its backend, collects garbage, then `loadLayersModel(?model=)`.
// - WebAssembly memory: growth of the contender's `memory.buffer.byteLength` (webgrad's, or TF.js wasm
//   backend's heap) over the load. Wasm memory only grows, so in a fresh page this is the peak the load
//   needed beyond what the allocator held free before it.
// - JS heap: the highest `performance.memory.usedJSHeapSize` (Chromium counts ArrayBuffer contents in
//   it, not wasm memory) sampled at every load progress callback and every macrotask during the load,
//   less the value before; a sampled peak, so a lower bound.
// - after the load (garbage collected): the library's own count of tensor bytes (`tf.memory().numBytes`;
//   webgrad's `wg.memory().gpuBytes` on WebGPU, none on its CPU backend) and the JS heap still held.
// - `ms`: the time of this load, the first in the page (WebGPU pipelines not yet compiled, for one).
// The result lands on window.__memory.
import { backend, lib, tfjs, webgrad } from '/bench/fresh-page.mjs';
import { LOAD_MODELS } from '/bench/load-models.mjs';

const model = LOAD_MODELS.find((m) => m.key === new URLSearchParams(location.search).get('model'));

/** The library's API with its backend ready, and readers of its WebAssembly memory's size (or null) and tensor bytes. */
async function setUp() {
  if (lib === 'webgrad') {
    const wg = await webgrad();
    const tensorBytes = backend === 'webgpu' ? () => wg.memory().gpuBytes : () => null;
    return { api: wg, wasmBytes: () => wg.memory().wasmBytes, tensorBytes };
  }
  const tf = await tfjs();
  const wasmBytes = backend === 'wasm' ? () => tf.backend().wasm.HEAPU8.buffer.byteLength : null;
  return { api: tf, wasmBytes, tensorBytes: () => tf.memory().numBytes };
}

/** Collects garbage, letting the ArrayBuffer contents freed go before the next collection. */
async function collect() {
  for (let i = 0; i < 3; i++) {
    globalThis.gc?.();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function measure() {
  const { api, wasmBytes, tensorBytes } = await setUp();
  const heap = () => performance.memory?.usedJSHeapSize ?? NaN;
  await collect();
  const wasmBefore = wasmBytes?.() ?? null;
  const heapBefore = heap();
  let heapPeak = heapBefore;
  const sample = () => {
    heapPeak = Math.max(heapPeak, heap());
  };
  let loading = true;
  const tick = new MessageChannel();
  tick.port1.onmessage = () => {
    sample();
    if (loading) tick.port2.postMessage(0);
  };
  tick.port2.postMessage(0);
  const start = performance.now();
  const loaded = await api.loadLayersModel(new URL(model.url, location.href).href, { onProgress: sample });
  const ms = performance.now() - start;
  loading = false;
  sample();
  const wasmGrowth = wasmBytes ? wasmBytes() - wasmBefore : null;
  await collect();
  const result = {
    ms,
    wasmGrowth,
    heapPeakGrowth: heapPeak - heapBefore,
    heapAfterGrowth: heap() - heapBefore,
    tensorBytes: tensorBytes(),
  };
  loaded.dispose();
  return result;
}

measure().then(
  (r) => {
    window.__memory = r;
  },
  (e) => {
    window.__memory = { error: String(e?.message ?? e) };
  },
);
