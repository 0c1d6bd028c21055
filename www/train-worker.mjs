// The demo's model, off the page's main thread: a module worker that trains one with models.mjs or
// loads a saved one, tests it on the held-out digits, saves it, and answers predictions with it. The
// page starts one per training run or load; it handles its messages one at a time, in order.
//   in:  {type: 'start', backend, test, bytes (mnist.bin, transferred)}: always first
//        {type: 'train', api, model, epochs, nTrain}
//        {type: 'load', source ('indexeddb://…', or [model.json File, ...weight Files])}
//        {type: 'save', to ('indexeddb://…', or 'page': the artifacts go to the page, which downloads them)}
//        {type: 'predict', pixels (784 floats, transferred)}
//   out: {type: 'backend', name}, {type: 'batch', loss, acc, samples, seconds},
//        {type: 'epoch', epoch, epochs, testAccuracy}, {type: 'testing'}, {type: 'done', testAccuracy, liveTensors},
//        {type: 'loaded', summary, inputShape, outputShape, misfit, testAccuracy, probs, liveTensors},
//        {type: 'saved', to, weightBytes}, {type: 'artifacts', artifacts},
//        {type: 'probs', probs}, {type: 'error', during (the message's type), message, stack}
import * as wg from '../dist/index.js';
import { trainers } from './models.mjs';

/** The digits: {n, pixels, labels, test (how many at the end are held out)}. */
let digits = null;
/** The page's model: {predict(x [n, 784]) -> probabilities, model (a Keras-like model, or null)}. */
let current = null;

const post = (type, fields = {}) => postMessage({ type, ...fields });

/** mnist.bin: a u32 count n, then n 28x28 images (a byte a pixel), then n label bytes. */
function decode(bytes) {
  const n = new DataView(bytes.buffer).getUint32(0, true);
  const pixels = new Float32Array(n * 784);
  for (let i = 0; i < pixels.length; i++) pixels[i] = bytes[4 + i] / 255;
  return { n, pixels, labels: Int32Array.from(bytes.subarray(4 + n * 784, 4 + n * 785)) };
}

async function start({ backend, test, bytes }) {
  post('backend', { name: await wg.init({ backend }) });
  digits = { ...decode(bytes), test };
}

/** The share of the held-out digits `predict` gets right, and its probabilities for them. */
async function heldOutAccuracy(predict) {
  const { n, pixels, labels, test } = digits;
  const x = wg.tensor(pixels.subarray((n - test) * 784), [test, 784]);
  const probs = predict(x);
  const best = probs.argmax(-1);
  const [guesses, values] = [await best.data(), await probs.data()];
  for (const t of [x, probs, best]) t.dispose();
  const right = guesses.filter((g, i) => g === labels[n - test + i]).length;
  return { testAccuracy: right / test, probs: values };
}

async function train({ api, model, epochs, nTrain }) {
  const { n, pixels, labels, test } = digits;
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
  current = await trainers[api](wg, data, model, epochs, report);
  for (const t of Object.values(data)) t.dispose();
  post('testing');
  const { testAccuracy } = await heldOutAccuracy(current.predict);
  post('done', { testAccuracy, liveTensors: wg.memory().numTensors });
}

/** Why `model` cannot classify MNIST digits (null when it can): one input of 784 values, 10 outputs. */
function misfit(model) {
  if (model.inputs.length !== 1 || model.outputs.length !== 1)
    return `it has ${model.inputs.length} inputs and ${model.outputs.length} outputs; an MNIST classifier has one of each`;
  const [input, output] = [model.inputs[0].shape.slice(1), model.outputs[0].shape.slice(1)];
  if (input.some((d) => d == null) || input.reduce((a, d) => a * d, 1) !== 784)
    return `its input is [${input.join(', ')}] a sample; MNIST digits are 28x28 ([28, 28, 1] or [784])`;
  if (output.length !== 1 || output[0] !== 10)
    return `its output is [${output.join(', ')}] a sample; an MNIST classifier gives 10 class scores`;
  return null;
}

async function load({ source }) {
  const model = await wg.loadLayersModel(source);
  const summary = [];
  model.summary((line) => summary.push(line));
  const [inputShape, outputShape] = [model.inputs[0].shape, model.outputs[0].shape];
  const why = misfit(model);
  let result = { testAccuracy: null, probs: null };
  if (why === null) {
    // The page's digits are [n, 784]: each goes in as the model's input shape (the same pixels, row-major).
    const predict = (x) => wg.tidy(() => model.predict(x.reshape([x.shape[0], ...inputShape.slice(1)])));
    current = { predict, model };
    result = await heldOutAccuracy(predict);
  } else {
    current = { predict: null, model };
  }
  const fields = { summary, inputShape, outputShape, misfit: why, ...result };
  post('loaded', { ...fields, liveTensors: wg.memory().numTensors });
}

async function save({ to }) {
  if (current?.model == null)
    throw new Error(
      current ? 'the PyTorch-like model has no Keras format: train the Keras-like one to save it' : 'no model yet',
    );
  if (to !== 'page') {
    const { modelArtifactsInfo } = await current.model.save(to);
    post('saved', { to, weightBytes: modelArtifactsInfo.weightDataBytes });
    return;
  }
  // A worker has no document to download from: the page downloads the artifacts.
  await current.model.save(wg.io.withSaveHandler(async (artifacts) => post('artifacts', { artifacts })));
}

async function probabilities(pixels) {
  if (current?.predict == null) throw new Error('this model does not classify MNIST digits');
  const x = wg.tensor(pixels, [1, 784]);
  const probs = current.predict(x);
  const p = await probs.data();
  x.dispose();
  probs.dispose();
  return p;
}

const handlers = {
  start,
  train,
  load,
  save,
  predict: async (m) => post('probs', { probs: await probabilities(m.pixels) }),
};

// One message at a time; after a failed start (no backend) the rest are dropped: the page shows that error.
let queue = Promise.resolve();
let started = true;
addEventListener('message', ({ data: m }) => {
  queue = queue.then(async () => {
    if (!started) return;
    try {
      await handlers[m.type](m);
    } catch (e) {
      started &&= m.type !== 'start';
      post('error', { during: m.type, message: e?.message ?? String(e), stack: String(e?.stack ?? e) });
    }
  });
});
