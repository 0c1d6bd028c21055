// The TF.js Layers format both ways against TF.js 4.22's own numbers: every model TF.js wrote in
// tests/fixtures/tfjs-models/ (make_tfjs_models.mjs) loads through the real handler (a file path in
// Node, http in Chromium) and predicts TF.js's outputs and inner layer outputs; webgrad saves it
// back and loads its own file to the same numbers; a loaded model fine-tunes with its frozen base
// bit-identical. Shared by the Node and Chromium harnesses; TF.js loading webgrad's files runs in
// Node (tfjsReadsChecks).
import { same } from './core-checks.mjs';

const TOL = 1e-4;
const inNode =
  typeof process !== 'undefined' && process.versions?.node !== undefined && typeof document === 'undefined';

/** Throws unless `a` and `b` have the same JSON (shapes, names, whole weight lists). */
function equal(a, b, what) {
  if (JSON.stringify(a) !== JSON.stringify(b))
    throw new Error(`${what}: ${JSON.stringify(a).slice(0, 200)} differs from ${JSON.stringify(b).slice(0, 200)}`);
}

/** Throws if more tensors live than `before` (fewer is fine: an earlier check's garbage may be collected meanwhile). */
function noLeak(wg, before, what) {
  const now = wg.memory().numTensors;
  if (now > before) throw new Error(`${what}: ${now - before} tensors left`);
}

/** The URL or path of a fixture file. */
function fixturePath(name, file) {
  return inNode
    ? new URL(`../fixtures/tfjs-models/${name}/${file}`, import.meta.url).pathname
    : `${location.origin}/tests/fixtures/tfjs-models/${name}/${file}`;
}

async function readJSON(name, file) {
  if (inNode) {
    const { readFile } = await import('node:fs/promises');
    return JSON.parse(await readFile(fixturePath(name, file), 'utf8'));
  }
  const response = await fetch(fixturePath(name, file));
  if (!response.ok) throw new Error(`fetching ${file} of ${name}: HTTP ${response.status}`);
  return response.json();
}

/** The fixture names (index.json, written by make_tfjs_models.mjs). */
const fixtures = async () => (await readJSON('.', 'index.json')).models;

/** Throws unless `actual` (a tensor) matches `expected` ({shape, data}) to TOL, relative to 1 + |expected|. */
async function close(actual, expected, what) {
  equal(actual.shape, expected.shape, `${what}: shape`);
  const a = await actual.data();
  let worst = 0;
  expected.data.forEach((v, i) => (worst = Math.max(worst, Math.abs(a[i] - v) / (1 + Math.abs(v)))));
  if (!(worst <= TOL)) throw new Error(`${what}: differs from TF.js by ${worst.toExponential(2)} (tolerance ${TOL})`);
}

const inputsOf = (wg, expected) =>
  expected.inputs.map(({ shape, data, dtype }) => wg.tensor(data, shape, { dtype: dtype ?? 'float32' }));

/** The model's outputs for the fixture's inputs, as a list, in `model.inputs` order. */
function predictList(wg, model, expected) {
  const xs = inputsOf(wg, expected);
  const byName = Object.fromEntries(expected.inputs.map((e, i) => [e.name, xs[i]]));
  const ordered = model.inputs.map((t) => byName[t.name] ?? xs[0]);
  const out = model.predict(ordered.length === 1 ? ordered[0] : ordered);
  xs.forEach((x) => x.dispose());
  return [out].flat();
}

/** Every output, every recorded inner layer output, and every weight's sums match TF.js's. */
async function matchesTFjs(wg, model, expected, what) {
  const outs = predictList(wg, model, expected);
  equal(
    model.outputNames,
    expected.outputs.map((o) => o.name),
    `${what}: output names`,
  );
  for (const [i, e] of expected.outputs.entries()) await close(outs[i], e, `${what}: output ${e.name}`);
  outs.forEach((o) => o.dispose());
  for (const [tap, e] of Object.entries(expected.layers)) {
    const [layerName, node] = tap.split('@');
    const layer = model.getLayer(layerName);
    const output = node === undefined ? layer.output : layer.getOutputAt(Number(node));
    const inner = wg.model({ inputs: model.inputs, outputs: output });
    const [y] = predictList(wg, inner, expected);
    await close(y, e, `${what}: layer ${tap}`);
    y.dispose();
    inner.dispose();
  }
  const weights = model.getWeights();
  equal(weights.length, expected.weights.length, `${what}: number of weights`);
  for (const [i, w] of weights.entries()) {
    const e = expected.weights[i];
    equal(w.shape, e.shape, `${what}: weight ${i} (${e.name}) shape`);
    const values = await w.data();
    let sum = 0;
    for (const v of values) sum += v;
    if (!(Math.abs(sum - e.sum) <= TOL * (1 + Math.abs(e.sum))))
      throw new Error(`${what}: weight ${e.name} sums to ${sum}, TF.js ${e.sum} (wrong values or order)`);
    w.dispose();
  }
}

/** `model.save` into memory: the artifacts. */
async function savedArtifacts(wg, model) {
  let artifacts = null;
  await model.save(wg.io.withSaveHandler(async (a) => void (artifacts = a)));
  return artifacts;
}

export const formatChecks = {
  async 'format: every TF.js fixture loads and matches TF.js (outputs, inner layers, weights), and so does its saved copy'(
    wg,
  ) {
    const before = wg.memory().numTensors;
    for (const name of await fixtures()) {
      const expected = await readJSON(name, 'expected.json');
      const model = await wg.loadLayersModel(fixturePath(name, 'model.json'));
      await matchesTFjs(wg, model, expected, name);
      const again = await wg.loadLayersModel(wg.io.fromMemory(await savedArtifacts(wg, model)));
      await matchesTFjs(wg, again, expected, `${name} saved by webgrad`);
      model.dispose();
      again.dispose();
    }
    noLeak(wg, before, 'after loading and disposing every fixture');
  },

  async 'format: layers the file freezes load frozen, and fine-tuning the head leaves them bit-identical'(wg) {
    const name = 'mobilenet_v2_block';
    const expected = await readJSON(name, 'expected.json');
    const model = await wg.loadLayersModel(fixturePath(name, 'model.json'));
    const frozen = model.layers.filter((l) => !l.trainable).map((l) => l.name);
    if (frozen.length === 0 || model.getLayer('predictions').trainable !== true)
      throw new Error(`the file's frozen base did not load frozen (frozen: ${frozen.join(', ')})`);
    // TF.js's order lists trainable weights first: here, the head's kernel and bias.
    const heads = expected.weights.filter((w) => w.trainable).map((w) => w.name);
    if (heads.join() !== 'predictions/kernel,predictions/bias') throw new Error(`TF.js's trainable weights: ${heads}`);
    const snapshot = async () =>
      Promise.all(model.getWeights().map(async (w) => [w.shape, Array.from(await w.data()), w.dispose()][1]));
    const start = await snapshot();
    model.compile({ optimizer: wg.train.adam(0.01), loss: 'sparseCategoricalCrossentropy' });
    const x = wg.tensor(expected.inputs[0].data, expected.inputs[0].shape);
    const y = wg.tensor(
      Array.from({ length: x.shape[0] }, (_, i) => i % 10),
      [x.shape[0]],
      { dtype: 'int32' },
    );
    const history = await model.fit(x, y, { epochs: 25, batchSize: x.shape[0], shuffle: false, verbose: 0 });
    const end = await snapshot();
    const losses = history.history.loss;
    if (!(losses[losses.length - 1] < losses[0] * 0.8))
      throw new Error(`the head did not learn: loss ${losses[0]} -> ${losses[losses.length - 1]}`);
    equal(end.slice(2), start.slice(2), 'the frozen base (and its moving statistics) after fine-tuning');
    if (JSON.stringify(end[0]) === JSON.stringify(start[0])) throw new Error('the head kernel did not change');
    [x, y].forEach((t) => t.dispose());
    model.dispose();
  },

  async 'format: a file that lies is an Error naming what is wrong, and the module keeps working'(wg) {
    const name = 'two_in_two_out';
    const json = await readJSON(name, 'model.json');
    const weights = inNode
      ? (await (await import('node:fs/promises')).readFile(fixturePath(name, 'model.weights.bin'))).buffer
      : await (await fetch(fixturePath(name, 'model.weights.bin'))).arrayBuffer();
    const specs = json.weightsManifest.flatMap((g) => g.weights);
    const load = (edit) => {
      const a = structuredClone({ modelTopology: json.modelTopology, weightSpecs: specs, format: 'layers-model' });
      a.weightData = weights.slice(0);
      edit(a);
      return wg.loadLayersModel(wg.io.fromMemory(a));
    };
    const refuses = async (edit, pattern, what) => {
      try {
        (await load(edit)).dispose();
      } catch (e) {
        if (!(e instanceof Error) || !pattern.test(e.message))
          throw new Error(`${what}: unexpected ${e?.message ?? e}`);
        return;
      }
      throw new Error(`${what}: loaded`);
    };
    const layers = (a) => a.modelTopology.config.layers;
    const layer = (a, n) => layers(a).find((l) => l.name === n);
    const before = wg.memory().numTensors;
    await refuses(
      (a) => (a.weightData = a.weightData.slice(0, 100)),
      /^loadLayersModel: weight 'image_conv\/kernel' \(shape \[3, 3, 1, 4\], float32\) needs bytes 0\.\.144, but the shards hold 100 bytes/,
      'a truncated shard',
    );
    await refuses(
      (a) => (a.weightSpecs[0].shape = [2 ** 20, 2 ** 20]),
      /^loadLayersModel: weight 'image_conv\/kernel': shape \[1048576, 1048576\] has more than/,
      'a shape that overflows',
    );
    await refuses(
      (a) => (a.weightSpecs[1].dtype = 'complex64'),
      /dtype must be 'float32', 'int32' or 'bool', got "complex64"/,
      'an unknown dtype',
    );
    await refuses(
      (a) => (a.weightSpecs[1].shape = [5]),
      /^loadLayersModel: the shards hold 1480 bytes but the manifest describes 1484|needs bytes/,
      'a shape that disagrees with the bytes',
    );
    await refuses(
      (a) => (layer(a, 'trunk').class_name = 'Attention'),
      /^loadLayersModel: unknown layer class 'Attention' \(layer 'trunk'\)/,
      'an unknown class',
    );
    await refuses(
      (a) => (layer(a, 'trunk').inbound_nodes = [[['class', 0, 0, {}]]]),
      /^loadLayersModel: layer '(trunk|class)' node 0 reads node 0 of '(class|trunk)', which never comes \(a cycle/,
      'a cycle',
    );
    await refuses(
      (a) => (layer(a, 'trunk').inbound_nodes = [[['nowhere', 0, 0, {}]]]),
      /^loadLayersModel: layer 'trunk' node 0 reads layer 'nowhere', which the model does not have/,
      'a dangling node',
    );
    await refuses(
      (a) => (layer(a, 'trunk').config.units = 7),
      /^loadLayersModel: weight 'trunk\/kernel' has shape \[70, 16\] in the file, the layer needs \[70, 7\]/,
      'a config that disagrees with the weights',
    );
    await refuses(
      (a) => (a.weightSpecs.pop(), (a.weightData = a.weightData.slice(0, -4))),
      /^loadLayersModel: layer 'value' node 0: initializer: a weight of shape \[1\] needs 1 values, but only 0 of the file's weight values are left/,
      'a missing weight (refused before the layer allocates it)',
    );
    await refuses(
      (a) => (a.weightSpecs[1].dtype = 'int32'),
      /^loadLayersModel: weight 'image_conv\/bias' is int32 in the file, but the layer's weight is float32/,
      'a float weight declared int32',
    );
    await refuses(
      (a) => (a.weightSpecs[1].quantization = { dtype: 'uint8', min: 0 }),
      /^loadLayersModel: weight 'image_conv\/bias': quantization scale must be a finite number, got undefined/,
      'a uint8 weight without a scale',
    );
    const grown = wg.memory().wasmBytes;
    await refuses(
      (a) => (layer(a, 'trunk').config.units = 300000),
      /^loadLayersModel: layer 'trunk' node 0: initializer: a weight of shape \[(70, 300000|300000, 70)\] needs 21000000 values, but only \d+ of the file's weight values are left/,
      'a size the weights do not have',
    );
    if (wg.memory().wasmBytes > grown + 2 ** 20) throw new Error('a lying size grew wasm memory before it was refused');
    noLeak(wg, before, 'after the refusals');
    // A topology with no weights at all loads with initial weights, as TF.js does.
    const bare = await wg.loadLayersModel(wg.io.fromMemory({ modelTopology: json.modelTopology }));
    equal(bare.outputNames, ['class', 'value'], 'a topology without weights');
    bare.dispose();
    same(Array.from(await wg.tensor([1, 2]).add(1).data()), [2, 3], 'the module still computes');
  },
};

Object.assign(formatChecks, {
  async 'format: a model of one input and several outputs (one listed twice, as a file may) predicts each'(wg) {
    const x = wg.input({ shape: [3] });
    const dense = wg.layers.dense({ units: 2, kernelInitializer: 'ones' });
    const y = dense.apply(x);
    const z = wg.layers.activation({ activation: 'relu' }).apply(y);
    const model = wg.model({ inputs: x, outputs: [y, z, y] });
    const input = wg.tensor([[1, -2, -3]]);
    const outs = model.predict(input);
    equal(outs.length, 3, 'three outputs');
    same(await outs[0].data(), [-4, -4], 'the dense output');
    same(await outs[1].data(), [0, 0], 'the relu output');
    same(await outs[2].data(), [-4, -4], 'the dense output again');
    [input, ...outs].forEach((t) => t.dispose());
    model.dispose();
  },
});

Object.assign(formatChecks, {
  async 'format: odd and oversized topologies are named Errors that allocate nothing unbounded, and a save the format cannot hold is refused'(
    wg,
  ) {
    const refuses = async (topology, pattern, what) => {
      try {
        (await wg.loadLayersModel(wg.io.fromMemory({ modelTopology: topology }))).dispose();
      } catch (e) {
        if (!(e instanceof Error) || !pattern.test(e.message))
          throw new Error(`${what}: unexpected ${e?.message ?? e}`);
        return;
      }
      throw new Error(`${what}: loaded`);
    };
    const input = (name, shape) => ({
      class_name: 'InputLayer',
      name,
      config: { name, batch_input_shape: [null, ...shape] },
      inbound_nodes: [],
    });
    const functional = (layers, inputs, outputs) => ({
      class_name: 'Model',
      config: {
        name: 'm',
        layers,
        input_layers: inputs.map((n) => [n, 0, 0]),
        output_layers: outputs.map((n) => [n, 0, 0]),
      },
    });
    const before = wg.memory().numTensors;
    const grown = wg.memory().wasmBytes;
    await refuses(
      {
        class_name: 'Sequential',
        config: { layers: [{ class_name: 'InputLayer', config: { name: 'in', batch_input_shape: [null, 3] } }] },
      },
      /^loadLayersModel: a Sequential needs a layer besides its InputLayer/,
      'a Sequential of an InputLayer alone',
    );
    const dense = (config) => ({
      class_name: 'Dense',
      name: 'd',
      config: { name: 'd', units: 2, ...config },
      inbound_nodes: [[['x', 0, 0, {}]]],
    });
    const withDense = (config) => functional([input('x', [3]), dense(config)], ['x'], ['d']);
    const odd = await wg.loadLayersModel(
      wg.io.fromMemory({ modelTopology: withDense({ kernel_initializer: { class_name: '', config: {} } }) }),
    );
    equal(odd.outputs[0].shape, [null, 2], 'an initializer without a class name falls back to the default');
    odd.dispose();
    // The shape probe allocates at most 2^26 values a tensor: a file's huge symbolic shape is refused.
    const huge = (shape) =>
      functional(
        [
          input('x', shape),
          {
            class_name: 'Activation',
            name: 'a',
            config: { name: 'a', activation: 'relu' },
            inbound_nodes: [[['x', 0, 0, {}]]],
          },
        ],
        ['x'],
        ['a'],
      );
    await refuses(
      huge([15000, 15000]),
      /^loadLayersModel: .*a symbolic tensor of shape \[1, 15000, 15000\] would hold 225000000 values, more than the 67108864 a shape probe allocates/,
      'a huge input',
    );
    // Two inputs, the second too large: the first one's probe is freed too.
    const two = functional(
      [
        input('x', [3]),
        input('y', [10000, 10000]),
        {
          class_name: 'Add',
          name: 'add',
          config: { name: 'add' },
          inbound_nodes: [
            [
              ['x', 0, 0, {}],
              ['y', 0, 0, {}],
            ],
          ],
        },
      ],
      ['x', 'y'],
      ['add'],
    );
    await refuses(
      two,
      /^loadLayersModel: .*more than the 67108864 a shape probe allocates/,
      'a second input too large',
    );
    // A topology without weights draws its initial weights, at most 2^28 values.
    await refuses(
      withDense({ units: 2 ** 27 }),
      /^loadLayersModel: .*needs 402653184 values, but only 268435456 values are left of what a loaded model may draw/,
      'a weightless topology too large',
    );
    if (wg.memory().wasmBytes > grown + 2 ** 24)
      throw new Error(`the refusals grew wasm memory by ${wg.memory().wasmBytes - grown} bytes`);
    noLeak(wg, before, 'after the refusals');
    // A layer used inside a nested model and outside it lists its weights twice: save refuses.
    const shared = wg.layers.dense({ units: 3, name: 'sh' });
    const a = wg.input({ shape: [3] });
    const inner = wg.model({ inputs: a, outputs: shared.apply(a), name: 'inner' });
    const b = wg.input({ shape: [3] });
    const outer = wg.model({ inputs: b, outputs: shared.apply(inner.apply(b)), name: 'outer' });
    try {
      await outer.save(wg.io.withSaveHandler(async () => ({ modelArtifactsInfo: {} })));
      throw new Error('saved a model whose weights appear twice');
    } catch (e) {
      if (!/^save: weights sh\/kernel, sh\/bias appear twice/.test(e.message)) throw e;
    }
    outer.dispose();
    inner.dispose();
    noLeak(wg, before, 'after the refused save');
  },
});

/** TF.js 4.22 (npm) loads what webgrad saved and predicts TF.js's numbers (Node). */
export const tfjsReadsChecks = {
  async 'format: TF.js 4.22 loads every model webgrad saved and predicts the same numbers'(wg) {
    const tf = await import('@tensorflow/tfjs');
    await tf.setBackend('cpu');
    for (const name of await fixtures()) {
      const expected = await readJSON(name, 'expected.json');
      if (expected.tfjs_refuses) continue;
      const model = await wg.loadLayersModel(fixturePath(name, 'model.json'));
      const artifacts = await savedArtifacts(wg, model);
      model.dispose();
      const theirs = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
      const xs = expected.inputs.map(({ shape, data, dtype }) => tf.tensor(data, shape, dtype ?? 'float32'));
      const byName = Object.fromEntries(expected.inputs.map((e, i) => [e.name, xs[i]]));
      const ordered = xs.length === 1 ? xs : theirs.inputNames.map((n) => byName[n]);
      const outs = [theirs.predict(ordered.length === 1 ? ordered[0] : ordered)].flat();
      for (const [i, e] of expected.outputs.entries()) {
        equal(theirs.outputNames[i], e.name, `${name}: TF.js output ${i}`);
        await close(outs[i], e, `${name} (webgrad's file) in TF.js: output ${e.name}`);
      }
      tf.dispose([...xs, ...outs]);
      theirs.dispose();
    }
  },
};
