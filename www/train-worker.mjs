// The demo's training, off the page's main thread: a module worker that trains with models.mjs and
// answers predictions with the model it trained. The page starts one per training run.
//   in:  {type: 'train', backend, api, model, epochs, nTrain, test, bytes (mnist.bin, transferred)}
//        {type: 'predict', pixels (784 floats, transferred)}
//   out: {type: 'backend', name}, {type: 'batch', loss, acc, samples, seconds},
//        {type: 'epoch', epoch, epochs, testAccuracy}, {type: 'testing'}, {type: 'done', testAccuracy, liveTensors},
//        {type: 'probs', probs}, {type: 'error', message, stack}
import * as wg from '../dist/index.js';
import { trainers } from './models.mjs';

let predict = null;

const post = (type, fields = {}) => postMessage({ type, ...fields });

/** mnist.bin: a u32 count n, then n 28x28 images (a byte a pixel), then n label bytes. */
function decode(bytes) {
  const n = new DataView(bytes.buffer).getUint32(0, true);
  const pixels = new Float32Array(n * 784);
  for (let i = 0; i < pixels.length; i++) pixels[i] = bytes[4 + i] / 255;
  return { n, pixels, labels: Int32Array.from(bytes.subarray(4 + n * 784, 4 + n * 785)) };
}

async function train({ backend, api, model, epochs, nTrain, test, bytes }) {
  post('backend', { name: await wg.init({ backend }) });
  const { n, pixels, labels } = decode(bytes);
  const start = n - test;
  const data = {
    x: wg.tensor(pixels.subarray(0, nTrain * 784), [nTrain, 784]),
    y: wg.tensor(labels.subarray(0, nTrain), [nTrain]),
    xTest: wg.tensor(pixels.subarray(start * 784), [test, 784]),
    yTest: wg.tensor(labels.subarray(start), [test]),
  };
  const t0 = performance.now();
  let seen = 0;
  const report = {
    batch(loss, acc) {
      seen += 64;
      post('batch', { loss, acc, samples: Math.min(seen, nTrain * epochs), seconds: (performance.now() - t0) / 1000 });
    },
    epoch: (epoch, testAccuracy) => post('epoch', { epoch, epochs, testAccuracy }),
  };
  predict = await trainers[api](wg, data, model, epochs, report);
  post('testing');
  const probs = predict(data.xTest);
  const best = probs.argmax(-1);
  const guesses = await best.data();
  for (const t of [...Object.values(data), probs, best]) t.dispose();
  const right = guesses.filter((g, i) => g === labels[start + i]).length;
  post('done', { testAccuracy: right / test, liveTensors: wg.memory().numTensors });
}

async function probabilities(pixels) {
  const x = wg.tensor(pixels, [1, 784]);
  const probs = predict(x);
  const p = await probs.data();
  x.dispose();
  probs.dispose();
  return p;
}

addEventListener('message', async ({ data: m }) => {
  try {
    if (m.type === 'train') await train(m);
    else post('probs', { probs: await probabilities(m.pixels) });
  } catch (e) {
    post('error', { message: e?.message ?? String(e), stack: String(e?.stack ?? e) });
  }
});
