// Runs in the benchmark page: webgrad and TensorFlow.js side by side in one browser, each workload
// timed the same way. Results land on window.__bench for bench/run.mjs.
import * as wg from '/dist/index.js';
import { WebgradNet, tfjsNet } from '/bench/models.mjs';
import { LOAD_MODELS } from '/bench/load-models.mjs';

const tf = globalThis.tf;
const params = new URLSearchParams(location.search);
const minSeconds = Number(params.get('seconds') ?? 0.5);
const log = (line) => {
  document.getElementById('log').textContent += `\n${line}`;
  console.log(line);
};

/** Mean milliseconds per call of `fn` (awaited), after warm-up, over at least `minSeconds`. */
async function time(fn, { warmup = 2, minReps = 2 } = {}) {
  for (let i = 0; i < warmup; i++) await fn();
  let reps = 0;
  const start = performance.now();
  while (reps < minReps || performance.now() - start < minSeconds * 1000) {
    await fn();
    reps += 1;
  }
  return (performance.now() - start) / reps;
}

/** Median milliseconds of `fn` (awaited) over `reps` calls after `warmup` calls; `fn` may time itself
 * (returning its own milliseconds) to leave set-up and clean-up out. */
async function median(fn, { warmup, reps }) {
  for (let i = 0; i < warmup; i++) await fn();
  const times = [];
  for (let i = 0; i < reps; i++) {
    const start = performance.now();
    const own = await fn();
    times.push(typeof own === 'number' ? own : performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/** `loadLayersModel` of a bench/load-models.mjs model by its URL, from webgrad or TensorFlow.js. */
const loadModel = (lib, m) => (lib === 'webgrad' ? wg : tf).loadLayersModel(new URL(m.url, location.href).href);

function batch(n, kind) {
  const x = new Float32Array(n * 784).map(() => Math.random());
  const labels = Int32Array.from({ length: n }, () => Math.floor(Math.random() * 10));
  const oneHot = new Float32Array(n * 10);
  labels.forEach((l, i) => {
    oneHot[i * 10 + l] = 1;
  });
  return { x, oneHot, n, kind };
}

const suites = {
  async matmul(lib, n) {
    const data = new Float32Array(n * n).map(() => Math.random() - 0.5);
    let ms;
    if (lib === 'webgrad') {
      const a = wg.tensor(data, [n, n]);
      const b = wg.tensor(data, [n, n]);
      ms = await time(
        async () => {
          const c = a.matmul(b);
          await c.data();
          c.dispose();
        },
        n >= 1024 ? { warmup: 1, minReps: 1 } : {},
      );
    } else {
      const a = tf.tensor2d(data, [n, n]);
      const b = tf.tensor2d(data, [n, n]);
      ms = await time(
        async () => {
          const c = tf.matMul(a, b);
          await c.data();
          c.dispose();
        },
        n >= 1024 ? { warmup: 1, minReps: 1 } : {},
      );
      tf.dispose([a, b]);
    }
    return { value: (2 * n ** 3) / (ms * 1e6), unit: 'GFLOP/s' };
  },

  /** Milliseconds from asking for the backend to the first 256x256 matmul result (`cold`: first time
   * in this page, compiling pipelines; `warm`: again, with pipelines cached). */
  async firstResult(lib, when) {
    const data = new Float32Array(256 * 256).fill(0.5);
    const start = performance.now();
    if (lib === 'webgrad') {
      if (when === 'cold') await wg.init({ backend: 'webgpu' });
      const a = wg.tensor(data, [256, 256]);
      const c = a.matmul(a);
      await c.data();
      c.dispose();
      a.dispose();
    } else {
      if (when === 'cold') {
        await tf.setBackend('cpu');
        await tf.setBackend(this.tfBackend);
        await tf.ready();
      }
      const a = tf.tensor2d(data, [256, 256]);
      const c = tf.matMul(a, a);
      await c.data();
      tf.dispose([a, c]);
    }
    return { value: performance.now() - start, unit: 'ms' };
  },

  async conv2d(lib) {
    const x = new Float32Array(8 * 16 * 32 * 32).map(() => Math.random());
    const w = new Float32Array(32 * 16 * 9).map(() => Math.random() - 0.5);
    let ms;
    if (lib === 'webgrad') {
      const xt = wg.tensor(x, [8, 16, 32, 32]);
      const wt = wg.tensor(w, [32, 16, 3, 3]);
      ms = await time(async () => {
        const y = xt.conv2d(wt, { padding: 'same' });
        await y.data();
        y.dispose();
      });
    } else {
      const xt = tf.tensor4d(x, [8, 32, 32, 16]);
      const wt = tf.tensor4d(w, [3, 3, 16, 32]);
      ms = await time(async () => {
        const y = tf.conv2d(xt, wt, 1, 'same');
        await y.data();
        y.dispose();
      });
    }
    return { value: ms, unit: 'ms' };
  },

  async train(lib, kind) {
    const size = kind === 'mlp' ? 128 : 64;
    const steps = 5;
    const b = batch(size * steps, kind);
    if (lib === 'webgrad') {
      wg.manualSeed(1);
      const net = new WebgradNet(wg, kind);
      const shape = kind === 'mlp' ? [size, 784] : [size, 1, 28, 28];
      const xs = [],
        ys = [];
      for (let s = 0; s < steps; s++) {
        xs.push(wg.keep(wg.tensor(b.x.subarray(s * size * 784, (s + 1) * size * 784), shape)));
        ys.push(wg.keep(wg.tensor(b.oneHot.subarray(s * size * 10, (s + 1) * size * 10), [size, 10])));
      }
      const ms = await time(
        async () => {
          for (let s = 0; s < steps; s++) net.step(xs[s], ys[s]);
          await net.params[0].data();
        },
        { warmup: 1, minReps: 1 },
      );
      return { value: (size * steps * 1000) / ms, unit: 'samples/s' };
    }
    const model = tfjsNet(tf, kind);
    const x = kind === 'mlp' ? tf.tensor2d(b.x, [size * steps, 784]) : tf.tensor4d(b.x, [size * steps, 28, 28, 1]);
    const y = tf.tensor2d(b.oneHot, [size * steps, 10]);
    const ms = await time(() => model.fit(x, y, { batchSize: size, epochs: 1, shuffle: false, verbose: 0 }), {
      warmup: 1,
      minReps: 1,
    });
    tf.dispose([x, y]);
    model.dispose();
    return { value: (size * steps * 1000) / ms, unit: 'samples/s' };
  },

  /** Samples/s through the Keras-like `fit` — the very same model code for both libraries
   * (`tfjsNet` called with `wg` or `tf`), NHWC, categorical cross-entropy, Adam. */
  async fit(lib, kind) {
    const size = kind === 'mlp' ? 128 : 64;
    const steps = 5;
    const b = batch(size * steps, kind);
    const api = lib === 'webgrad' ? wg : tf;
    const model = tfjsNet(api, kind);
    const shape = kind === 'mlp' ? [size * steps, 784] : [size * steps, 28, 28, 1];
    const x = api.tensor(b.x, shape);
    const y = api.tensor(b.oneHot, [size * steps, 10]);
    const ms = await time(() => model.fit(x, y, { batchSize: size, epochs: 1, shuffle: false, verbose: 0 }), {
      warmup: 1,
      minReps: 1,
    });
    x.dispose();
    y.dispose();
    model.dispose();
    return { value: (size * steps * 1000) / ms, unit: 'samples/s' };
  },

  async predict1(lib) {
    const b = batch(1, 'mlp');
    if (lib === 'webgrad') {
      const net = new WebgradNet(wg, 'mlp');
      const x = wg.tensor(b.x, [1, 784]);
      const ms = await time(
        async () => {
          const p = net.predict(x);
          await p.data();
          p.dispose();
        },
        { warmup: 20, minReps: 50 },
      );
      return { value: ms, unit: 'ms' };
    }
    const model = tfjsNet(tf, 'mlp');
    const x = tf.tensor2d(b.x, [1, 784]);
    const ms = await time(
      async () => {
        const p = model.predict(x);
        await p.data();
        p.dispose();
      },
      { warmup: 20, minReps: 50 },
    );
    model.dispose();
    return { value: ms, unit: 'ms' };
  },

  /** Median milliseconds of `loadLayersModel(url)` (fetching model.json and the shards over HTTP, no
   * cache; building the model; its weights in the backend's tensors), the model disposed after each. */
  async load(lib, m, reps) {
    const ms = await median(
      async () => {
        const start = performance.now();
        const model = await loadModel(lib, m);
        const ms = performance.now() - start;
        model.dispose();
        return ms;
      },
      { warmup: 1, reps },
    );
    return { value: ms, unit: 'ms' };
  },

  /** Median milliseconds of a batch-1 `predict` of a loaded model, its output read back (`await data()`). */
  async predictModel(lib, m, { warmup, reps }) {
    const api = lib === 'webgrad' ? wg : tf;
    const model = await loadModel(lib, m);
    const x = api.tensor(
      new Float32Array(m.input.reduce((a, b) => a * b, 1)).map(() => Math.random()),
      m.input,
    );
    const ms = await median(
      async () => {
        const y = model.predict(x);
        await y.data();
        y.dispose();
      },
      { warmup, reps },
    );
    x.dispose();
    model.dispose();
    return { value: ms, unit: 'ms' };
  },
};
const [fixture, mobilenet, dense] = LOAD_MODELS;

const only = params.get('only');
const allWorkloads = [
  {
    name: 'init to first WebGPU result, cold',
    run: (lib) => suites.firstResult(lib, 'cold'),
    higher: false,
    groups: ['gpu'],
  },
  {
    name: 'init to first WebGPU result, warm',
    run: (lib) => suites.firstResult(lib, 'warm'),
    higher: false,
    groups: ['gpu'],
  },
  ...[128, 256, 512, 1024, 2048].map((n) => ({
    name: `matmul ${n}`,
    run: (lib) => suites.matmul(lib, n),
    higher: true,
    groups: n === 2048 ? ['gpu'] : n === 128 ? ['cpu'] : ['cpu', 'gpu'],
  })),
  { name: 'conv2d 8x16x32x32 -> 32, 3x3 same', run: (lib) => suites.conv2d(lib), higher: false },
  { name: 'MLP 784-256-128-10 training, batch 128', run: (lib) => suites.train(lib, 'mlp'), higher: true },
  { name: 'CNN training, batch 64', run: (lib) => suites.train(lib, 'cnn'), higher: true },
  { name: 'MLP training through Keras-like fit(), batch 128', run: (lib) => suites.fit(lib, 'mlp'), higher: true },
  { name: 'CNN training through Keras-like fit(), batch 64', run: (lib) => suites.fit(lib, 'cnn'), higher: true },
  { name: 'MLP batch-1 predict latency', run: (lib) => suites.predict1(lib), higher: false },
  ...[
    [fixture, 15],
    [mobilenet, 5],
    [dense, 5],
  ].map(([m, reps]) => ({
    name: `model load: ${m.title}`,
    run: (lib) => suites.load(lib, m, reps),
    higher: false,
  })),
  ...[
    [fixture, { warmup: 10, reps: 100 }],
    [mobilenet, { warmup: 2, reps: 10 }],
  ].map(([m, counts]) => ({
    name: `model predict batch-1: ${m.title}`,
    run: (lib) => suites.predictModel(lib, m, counts),
    higher: false,
  })),
];
const workloads = allWorkloads.filter((w) => !only || w.name.includes(only));

async function main() {
  const report = { userAgent: navigator.userAgent, crossOriginIsolated, results: [] };
  await tf.ready();
  tf.wasm.setWasmPaths('/node_modules/@tensorflow/tfjs-backend-wasm/dist/');
  const contenders = [
    { id: 'webgrad cpu', lib: 'webgrad', setup: async () => wg.init({ backend: 'cpu' }) },
    {
      id: 'tfjs wasm',
      lib: 'tfjs',
      setup: async () => {
        await tf.setBackend('wasm');
        await tf.ready();
        return `wasm, threads: ${tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT')}, simd: ${tf.env().getBool('WASM_HAS_SIMD_SUPPORT')}`;
      },
    },
    {
      id: 'tfjs cpu',
      lib: 'tfjs',
      setup: async () => {
        await tf.setBackend('cpu');
        await tf.ready();
        return 'cpu';
      },
    },
    { id: 'webgrad webgpu', lib: 'webgrad', group: 'gpu', setup: async () => wg.init({ backend: 'webgpu' }) },
    {
      id: 'tfjs webgpu',
      lib: 'tfjs',
      group: 'gpu',
      tfBackend: 'webgpu',
      setup: async () => {
        await tf.setBackend('webgpu');
        await tf.ready();
        return 'webgpu';
      },
    },
    {
      id: 'tfjs webgl',
      lib: 'tfjs',
      group: 'gpu',
      tfBackend: 'webgl',
      setup: async () => {
        await tf.setBackend('webgl');
        await tf.ready();
        return 'webgl';
      },
    },
  ];
  const lib = params.get('lib');
  const group = params.get('group');
  for (const c of contenders) {
    c.group ??= 'cpu';
  }
  for (const c of contenders.filter((c) => (!lib || c.id.startsWith(lib)) && (!group || c.group === group))) {
    suites.tfBackend = c.tfBackend;
    c.detail = await c.setup();
    log(`${c.id}: ${c.detail}`);
    for (const w of workloads.filter((w) => (w.groups ?? ['cpu', 'gpu']).includes(c.group))) {
      let entry;
      try {
        entry = {
          workload: w.name,
          contender: c.id,
          group: c.group,
          higherIsBetter: w.higher,
          ...(await w.run(c.lib)),
        };
      } catch (e) {
        entry = {
          workload: w.name,
          contender: c.id,
          group: c.group,
          higherIsBetter: w.higher,
          error: String(e?.message ?? e).slice(0, 160),
        };
      }
      report.results.push(entry);
      log(JSON.stringify(entry));
    }
  }
  report.contenders = contenders
    .filter((c) => c.detail !== undefined)
    .map(({ id, detail, group }) => ({ id, detail, group }));
  window.__bench = report;
}

main().catch((e) => {
  window.__bench = { error: String(e?.stack ?? e) };
});
