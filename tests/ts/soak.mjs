// Long training loops that must keep memory flat: a PyTorch-like loop (zeroGrad, forward, loss,
// backward, step inside tidy) and Keras `fit`. Each samples `wg.memory()` ten times; after the
// warm-up (the first sample) live tensors, wasm memory and GPU bytes, pool included, must not move.
// Shared by the Node and Chromium harnesses.

/** Deterministic inputs: `n` rows of 8 features and a target that is a smooth function of them. */
function data(wg, n) {
  const x = Float32Array.from({ length: n * 8 }, (_, i) => Math.sin(i * 0.37));
  const y = Float32Array.from({ length: n }, (_, i) => Math.cos(i * 0.11) * 0.5);
  return [wg.tensor(x, [n, 8]), wg.tensor(y, [n, 1])];
}

function sample(wg, step, loss) {
  const m = wg.memory();
  return {
    step,
    numTensors: m.numTensors,
    wasmBytes: m.wasmBytes,
    gpuBytes: m.gpuBytes,
    gpuPooledBytes: m.gpuPooledBytes,
    loss,
  };
}

/** `steps` PyTorch-like steps (reads the loss back every `readEvery` steps, as a log line would). */
export async function torchSoak(wg, { steps, readEvery = 100 }) {
  const { nn, optim } = wg;
  const net = new nn.Sequential(new nn.Linear(8, 16), new nn.ReLU(), new nn.Linear(16, 1));
  const opt = new optim.Adam(net.parameters(), { lr: 1e-2 });
  const criterion = new nn.MSELoss();
  const [x, y] = data(wg, 32);
  const samples = [];
  const every = steps / 10;
  try {
    for (let step = 1; step <= steps; step++) {
      const loss = wg.tidy(() => {
        opt.zeroGrad();
        const l = criterion.forward(net.forward(x), y);
        l.backward();
        opt.step();
        return l;
      });
      if (step % readEvery === 0 || step % every === 0) {
        const [v] = await loss.data();
        loss.dispose();
        if (step % every === 0) samples.push(sample(wg, step, v));
      } else {
        loss.dispose();
      }
    }
  } finally {
    opt.dispose();
    net.dispose();
    x.dispose();
    y.dispose();
  }
  return samples;
}

/** Keras `fit` for `steps` batches (8 rows each, 8 batches an epoch), sampled at epoch ends. */
export async function kerasSoak(wg, { steps }) {
  const model = wg.sequential({
    layers: [wg.layers.dense({ units: 16, activation: 'relu', inputShape: [8] }), wg.layers.dense({ units: 1 })],
  });
  model.compile({ optimizer: wg.train.adam(1e-2), loss: 'meanSquaredError' });
  const [x, y] = data(wg, 64);
  const samples = [];
  const epochs = steps / 8;
  const every = epochs / 10;
  try {
    await model.fit(x, y, {
      epochs,
      batchSize: 8,
      shuffle: false,
      verbose: 0,
      callbacks: {
        onEpochEnd: (epoch, logs) => {
          if ((epoch + 1) % every === 0) samples.push(sample(wg, (epoch + 1) * 8, logs.loss));
        },
      },
    });
  } finally {
    model.dispose();
    x.dispose();
    y.dispose();
  }
  return samples;
}

/** The samples as a small table: start (the warm-up sample), middle and end. */
export function table(name, samples) {
  const rows = [samples[0], samples[Math.floor(samples.length / 2)], samples[samples.length - 1]];
  const kib = (b) => (b / 1024).toFixed(1);
  return [
    `${name}: step | live tensors | wasm KiB | GPU KiB | GPU pool KiB | loss`,
    ...rows.map(
      (s) =>
        `  ${s.step} | ${s.numTensors} | ${kib(s.wasmBytes)} | ${kib(s.gpuBytes)} | ${kib(s.gpuPooledBytes)} | ${s.loss.toFixed(5)}`,
    ),
  ].join('\n');
}

/** The flatness failures (empty when flat): every sample after the first equals the first. */
export function notFlat(samples) {
  const [first, ...rest] = samples;
  const out = [];
  for (const key of ['numTensors', 'wasmBytes', 'gpuBytes', 'gpuPooledBytes']) {
    const moved = rest.find((s) => s[key] !== first[key]);
    if (moved) out.push(`${key}: ${first[key]} at step ${first.step}, ${moved[key]} at step ${moved.step}`);
  }
  if (!(samples.at(-1).loss < samples[0].loss * 1.5) || !Number.isFinite(samples.at(-1).loss))
    out.push(`the loss did not train: ${samples[0].loss} -> ${samples.at(-1).loss}`);
  return out;
}
