// The two front doors — Keras-like and PyTorch-like — against TensorFlow.js fixtures and
// hand-derived values, shared by the Node (CPU) and Chromium (WebGPU and CPU) harnesses.
import { same, throws } from './core-checks.mjs';

async function fixture(name) {
  const url = new URL(`../fixtures/${name}`, import.meta.url);
  if (typeof window === 'undefined') {
    const { readFile } = await import('node:fs/promises');
    return JSON.parse(await readFile(url, 'utf8'));
  }
  return (await fetch(url)).json();
}

async function rejects(promise, pattern, what) {
  try {
    await promise;
  } catch (e) {
    if (!pattern.test(e.message)) throw new Error(`${what}: unexpected error ${e.message}`);
    return;
  }
  throw new Error(`${what}: did not fail`);
}

const fromCase = (wg, v) => wg.tensor(Float32Array.from(v.data), v.shape);

/** A reference.json value as a number (NaN and the infinities are strings there). */
const numberOf = (v) => (typeof v === 'number' ? v : { nan: NaN, inf: Infinity, '-inf': -Infinity }[v]);

/** A tensor of a reference.json input, of its dtype. */
function inputOf(wg, v) {
  if (v.dtype === 'bool') return wg.tensor(Uint8Array.from(v.data, Number), v.shape);
  if (v.dtype === 'int32') return wg.tensor(Int32Array.from(v.data), v.shape);
  return wg.tensor(Float32Array.from(v.data, numberOf), v.shape);
}

export const apiChecks = {
  async 'every unary Tensor method matches NumPy (reference.json)'(wg) {
    // Every public row of the unary op table has a case there (tests/reference.rs checks that), so
    // this calls every generated method, and gelu's tanh form through its option.
    const cases = (await fixture('reference.json')).cases.filter((c) => c.op === 'unary');
    const gpu = wg.backend().startsWith('webgpu');
    const names = new Set();
    for (const c of cases) {
      const name = c.args.name;
      const x = inputOf(wg, c.inputs[0]);
      if (name !== 'geluTanh' && typeof x[name] !== 'function') throw new Error(`unary ${name}: no Tensor method`);
      const y = name === 'geluTanh' ? x.gelu({ approximate: 'tanh' }) : x[name]();
      const actual = Array.from(await y.data(), Number);
      const expected = c.expected.data.map((v) => (typeof v === 'boolean' ? Number(v) : numberOf(v)));
      // WGSL bounds sin and cos to 2^-11 absolute error; the rest meets the CPU tolerance.
      const atol = gpu && (name === 'sin' || name === 'cos') ? 1 / 2048 : 1e-5;
      const wrong = expected.findIndex((e, i) => {
        const a = actual[i];
        if (Number.isNaN(e)) return !Number.isNaN(a);
        if (!Number.isFinite(e)) return a !== e;
        return !(Math.abs(a - e) <= atol + 1e-4 * Math.abs(e));
      });
      if (y.dtype !== c.expected.dtype || wrong >= 0)
        throw new Error(
          `unary ${name}: ${y.dtype} element ${wrong} is ${actual[wrong]}, NumPy says ${expected[wrong]}`,
        );
      x.dispose();
      y.dispose();
      names.add(name);
    }
    if (names.size < 24) throw new Error(`only ${names.size} unary ops checked`);
  },
  async 'keras: fit, evaluate and weights match TensorFlow.js'(wg) {
    const c = (await fixture('keras.json')).cases.fit_mlp;
    const model = wg.sequential({
      layers: [
        wg.layers.dense({ units: 4, activation: 'relu', inputShape: [3] }),
        wg.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    const weights = c.weights.map((w) => fromCase(wg, w));
    model.setWeights(weights);
    model.compile({ optimizer: wg.train.adam(0.05), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const [x, y] = [fromCase(wg, c.x), fromCase(wg, c.y)];
    const history = await model.fit(x, y, { epochs: 2, batchSize: 4, shuffle: false, verbose: 0 });
    same(history.history.loss, c.loss, 'loss per epoch', 1e-5);
    same(history.history.acc, c.acc, 'accuracy per epoch', 1e-6);
    const final = model.getWeights();
    for (const [i, w] of final.entries()) same(await w.data(), c.final[i].data, `weight ${i} after fit`, 1e-4);
    const [loss, acc] = await model.evaluate(x, y);
    same([await loss.item(), await acc.item()], [c.eval_loss, c.eval_acc], 'evaluate', 1e-5);
    for (const t of [...weights, ...final, x, y, loss, acc]) t.dispose();
    model.dispose();
  },

  async 'spatial and convolution layers: weight shapes and predictions equal TensorFlow.js models'(wg) {
    const { cases } = await fixture('keras.json');
    const L = wg.layers;
    // The layers of make_keras.mjs's model cases, in the same order; their weights in TF.js's
    // model.getWeights() order (trainable first, then non-trainable), which getWeights follows.
    const models = {
      model_spatial: [
        L.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same', inputShape: [8, 8, 3] }),
        L.separableConv2d({ filters: 4, kernelSize: 3, useBias: false, activation: 'relu' }),
        L.conv2dTranspose({ filters: 3, kernelSize: 3, strides: 2, padding: 'same' }),
        L.cropping2D({
          cropping: [
            [1, 1],
            [2, 0],
          ],
        }),
        L.upSampling2d({ interpolation: 'bilinear' }),
        L.batchNormalization({ scale: false }),
        L.batchNormalization({ center: false }),
        L.maxPooling2d({}),
        L.globalMaxPooling2d({}),
      ],
      model_sequence: [
        L.conv1d({ filters: 3, kernelSize: 3, useBias: false, inputShape: [12, 4] }),
        L.maxPooling1d({}),
        L.averagePooling1d({ poolSize: 3, strides: 1, padding: 'same' }),
        L.globalAveragePooling1d({}),
        L.dense({ units: 2, useBias: false }),
      ],
      model_global_max1d: [L.globalMaxPooling1d({ inputShape: [6, 3] })],
    };
    for (const [name, layers] of Object.entries(models)) {
      const c = cases[name];
      const model = wg.sequential({ layers });
      const shapes = model.getWeights().map((w) => {
        const s = w.shape.join();
        w.dispose();
        return s;
      });
      const expected = c.weights.map((w) => w.shape.join());
      if (shapes.join(' ') !== expected.join(' '))
        throw new Error(`${name}: getWeights shapes [${shapes.join('] [')}] vs TF.js [${expected.join('] [')}]`);
      if (model.outputShape.join() !== c.output_shape.join())
        throw new Error(`${name}: output shape [${model.outputShape}] vs [${c.output_shape}]`);
      const weights = c.weights.map((w) => fromCase(wg, w));
      model.setWeights(weights);
      const x = fromCase(wg, c.x);
      const y = model.predict(x);
      same(await y.data(), c.y.data, `${name} predict`, 1e-4);
      for (const t of [...weights, x, y]) t.dispose();
      model.dispose();
    }
  },

  async 'ZeroPadding2D and nn.ZeroPad2d pad every side as TensorFlow.js does'(wg) {
    const c = (await fixture('keras.json')).cases.zeropad_asym;
    const x = fromCase(wg, c.x); // [n, h, w, c]
    const model = wg.sequential({
      layers: [
        wg.layers.zeroPadding2d({
          padding: [
            [1, 2],
            [0, 3],
          ],
          inputShape: c.x.shape.slice(1),
        }),
      ],
    });
    const y = model.predict(x);
    if (y.shape.join() !== c.y.shape.join()) throw new Error(`keras: shape [${y.shape}] vs [${c.y.shape}]`);
    same(await y.data(), c.y.data, 'keras zeroPadding2d', 0);
    // PyTorch's (left, right, top, bottom) over NCHW.
    const pad = new wg.nn.ZeroPad2d([0, 3, 1, 2]);
    const nchw = x.permute(0, 3, 1, 2);
    const out = pad.forward(nchw);
    const back = out.permute(0, 2, 3, 1);
    same(await back.data(), c.y.data, 'nn.ZeroPad2d', 0);
    throws(
      () => wg.layers.zeroPadding2d({ padding: [1, 2, 3] }),
      /^ZeroPadding2D: padding must be a number/,
      'three sizes',
    );
    throws(
      () => new wg.nn.ZeroPad2d([1, 2]),
      /^ZeroPad2d: padding must be a number or \[left, right, top, bottom\]/,
      'two',
    );
    for (const t of [x, y, nchw, out, back]) t.dispose();
    pad.dispose();
    model.dispose();
  },

  async 'keras: a CNN with validationSplit and RMSprop matches TensorFlow.js fit'(wg) {
    const c = (await fixture('keras.json')).cases.fit_cnn;
    const model = wg.sequential({
      layers: [
        wg.layers.conv2d({ filters: 3, kernelSize: 3, activation: 'relu', inputShape: [6, 6, 2] }),
        wg.layers.maxPooling2d({ poolSize: 2 }),
        wg.layers.flatten(),
        wg.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    const weights = c.weights.map((w) => fromCase(wg, w));
    model.setWeights(weights); // Keras's [kh, kw, in, out] conv kernel
    model.compile({ optimizer: wg.train.rmsprop(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const [x, y] = [fromCase(wg, c.x), fromCase(wg, c.y)];
    const history = await model.fit(x, y, {
      epochs: 3,
      batchSize: 4,
      shuffle: false,
      validationSplit: 0.2,
      verbose: 0,
    });
    for (const key of ['loss', 'acc', 'val_loss', 'val_acc']) same(history.history[key], c.history[key], key, 1e-4);
    const final = model.getWeights();
    for (const [i, w] of final.entries()) {
      if (w.shape.join() !== c.final[i].shape.join())
        throw new Error(`weight ${i}: shape [${w.shape}] vs [${c.final[i].shape}]`);
      same(await w.data(), c.final[i].data, `weight ${i} after fit`, 1e-3);
    }
    for (const t of [...weights, ...final, x, y]) t.dispose();
    model.dispose();
  },

  async 'keras: summary counts parameters and shapes'(wg) {
    const model = wg.sequential();
    model.add(wg.layers.conv2d({ filters: 8, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }));
    model.add(wg.layers.maxPooling2d({ poolSize: 2 }));
    model.add(wg.layers.flatten());
    model.add(wg.layers.dropout({ rate: 0.25 }));
    model.add(wg.layers.dense({ units: 10, activation: 'softmax' }));
    model.add(wg.layers.batchNormalization());
    const lines = [];
    model.summary((l) => lines.push(l));
    // conv: 3*3*1*8 + 8 = 80; 26x26 -> pool 13x13x8 = 1352; dense: 1352*10 + 10 = 13530; batch norm:
    // gamma and beta (20, trainable) and the moving mean and variance (20, not), as Keras counts.
    const shapes = model.layers.map((l) => l.outputShape.join('x')).join(' ');
    if (shapes !== '26x26x8 13x13x8 1352 1352 10 10') throw new Error(`output shapes ${shapes}`);
    if (model.countParams() !== 13650) throw new Error(`countParams ${model.countParams()}`);
    const want = ['Total params: 13650', 'Trainable params: 13630', 'Non-trainable params: 20'];
    if (!want.every((w) => lines.includes(w))) throw new Error(`summary:\n${lines.join('\n')}`);
    model.dispose();
  },

  async 'keras: bad configs give clear errors'(wg) {
    throws(
      () => wg.layers.dense({ units: 4, activation: 'relux' }),
      /^Dense: activation must be one of 'linear', .*, got "relux"$/,
      'unknown activation',
    );
    throws(
      () => wg.sequential({ layers: [wg.layers.dense({ units: 4 })] }),
      /first layer .* needs an inputShape/,
      'no inputShape',
    );
    throws(
      () => wg.sequential({ layers: [wg.layers.conv2d({ filters: 2, kernelSize: 3, inputShape: [5] })] }),
      /conv2d: expects samples of rank 3/,
      'wrong input rank',
    );
    throws(
      () => wg.sequential({ layers: [wg.layers.conv2d({ filters: 2, kernelSize: 7, inputShape: [4, 4, 1] })] }),
      /cannot take input of shape \[4,4,1\]/,
      'kernel larger than the image',
    );
    const model = wg.sequential({ layers: [wg.layers.dense({ units: 2, inputShape: [3] })] });
    const [x, y] = [wg.zeros([4, 3]), wg.zeros([5])];
    await rejects(model.fit(x, y), /fit: call compile\(\) before fit\(\)/, 'fit before compile');
    throws(
      () => model.compile({ optimizer: 'adamm', loss: 'meanSquaredError' }),
      /unknown optimizer 'adamm'/,
      'unknown optimizer',
    );
    throws(
      () => model.compile({ optimizer: 'adam', loss: 'meanSquaredErr' }),
      /unknown loss 'meanSquaredErr'/,
      'unknown loss',
    );
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    await rejects(model.fit(x, y), /fit: x has 4 samples but y has 5/, 'mismatched lengths');
    const wrong = wg.zeros([2, 4]);
    throws(() => model.predict(wrong), /predict: expected input of shape \[null,3\], got \[2,4\]/, 'predict shape');
    x.dispose();
    y.dispose();
    wrong.dispose();
    model.dispose();
  },

  async 'keras: fit learns a line and stops early from a callback'(wg) {
    wg.manualSeed(1);
    const x = wg.tensor([[-1], [0], [1], [2], [3], [4], [5], [6]]);
    const y = x.mul(2).add(1);
    const model = wg.sequential({ layers: [wg.layers.dense({ units: 1, inputShape: [1] })] });
    model.compile({ optimizer: wg.train.sgd(0.05), loss: 'meanSquaredError' });
    const batches = [];
    const h = await model.fit(x, y, {
      epochs: 300,
      batchSize: 8,
      verbose: 0,
      callbacks: {
        onBatchEnd: (b, logs) => {
          batches.push(logs.loss);
        },
      },
    });
    if (!(h.history.loss.at(-1) < 1e-4)) throw new Error(`final loss ${h.history.loss.at(-1)}`);
    if (batches.length !== 300) throw new Error(`${batches.length} batch logs`);
    const [[w], [b]] = await Promise.all(
      model.getWeights().map(async (t) => {
        const d = Array.from(await t.data());
        t.dispose();
        return d;
      }),
    );
    same([w, b], [2, 1], 'learned slope and intercept', 1e-2);
    let epochs = 0;
    await model.fit(x, y, {
      epochs: 50,
      verbose: 0,
      callbacks: {
        onEpochEnd: () => {
          epochs += 1;
          if (epochs === 3) model.stopTraining = true;
        },
      },
    });
    if (epochs !== 3) throw new Error(`stopTraining: ran ${epochs} epochs`);
    x.dispose();
    y.dispose();
    model.dispose();
  },

  async 'torch: modules register parameters; losses are hand-derived'(wg) {
    const { nn, optim } = wg;
    class Net extends nn.Module {
      constructor() {
        super();
        this.fc1 = new nn.Linear(3, 4);
        this.act = new nn.ReLU();
        this.fc2 = new nn.Linear(4, 2, false);
      }
      forward(x) {
        return this.fc2.forward(this.act.forward(this.fc1.forward(x)));
      }
    }
    const net = new Net();
    const names = net.namedParameters().map(([n, p]) => `${n}:${p.shape}`);
    if (names.join(' ') !== 'fc1.weight:4,3 fc1.bias:4 fc2.weight:2,4') throw new Error(`names ${names}`);
    // PyTorch's defaults: |weight| <= 1/sqrt(fan_in), |bias| <= 1/sqrt(fan_in).
    for (const v of await net.fc1.weight.data())
      if (Math.abs(v) > 1 / Math.sqrt(3)) throw new Error(`weight ${v} out of bounds`);
    // cross-entropy of logits [2, 0, 0] at class 0: log(1 + 2 e^-2).
    const ce = nn.functional.crossEntropy(wg.tensor([[2, 0, 0]]), wg.tensor([0], { dtype: 'int32' }));
    same([await ce.item()], [Math.log(1 + 2 * Math.exp(-2))], 'crossEntropy');
    // BCELoss clamps log at -100: p = 0 with target 1 gives 100.
    const bce = new nn.BCELoss().forward(wg.tensor([0, 0.5]), wg.tensor([1, 1]));
    same([await bce.item()], [(100 + Math.log(2)) / 2], 'BCELoss clamp');
    // SGD with momentum 0.9 on loss sum(w * g): w1 = w0 - lr g, w2 = w1 - lr (0.9 g + g).
    const w = nn.Parameter(wg.tensor([1, 2]));
    const opt = new optim.SGD([w], { lr: 0.1, momentum: 0.9 });
    for (let i = 0; i < 2; i++) {
      opt.zeroGrad();
      w.mul(wg.tensor([1, -1]))
        .sum()
        .backward();
      opt.step();
    }
    same(await w.data(), [1 - 0.1 - 0.19, 2 + 0.1 + 0.19], 'SGD momentum');
    // clipGradNorm_: gradients [3, 4] and [12] (norm 13) scaled to norm 6.5; the norm before is returned.
    const [a, b] = [nn.Parameter(wg.tensor([1, 1])), nn.Parameter(wg.tensor([1]))];
    wg.tidy(() =>
      a
        .mul(wg.tensor([3, 4]))
        .sum()
        .add(b.mul(12).sum())
        .backward(),
    );
    const norm = nn.utils.clipGradNorm_([a, b], 6.5);
    same([await norm.item()], [13], 'total norm');
    same(await a.grad.data(), [1.5, 2], 'clipped gradient', 1e-5);
    nn.utils.clipGradValue_([b], 5);
    same(await b.grad.data(), [5], 'clipped by value');
    for (const t of [a, b, norm]) t.dispose();
    const state = net.stateDict();
    const copy = new Net();
    copy.loadStateDict(state);
    same(await copy.fc2.weight.data(), Array.from(await net.fc2.weight.data()), 'loadStateDict');
    throws(
      () => copy.loadStateDict({}),
      /^loadStateDict: Error\(s\) in loading state_dict for Net: Missing key\(s\) in state_dict: "fc1\.weight", "fc1\.bias", "fc2\.weight"\.$/,
      'strict loadStateDict',
    );
    net.dispose();
    copy.dispose();
    w.dispose();
    opt.dispose();
  },

  async 'torch: a training loop learns XOR; dropout follows train/eval'(wg) {
    const { nn, optim } = wg;
    wg.manualSeed(3);
    const net = new nn.Sequential(new nn.Linear(2, 16), new nn.Tanh(), new nn.Linear(16, 2));
    const x = wg.tensor([
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
    ]);
    const y = wg.tensor([0, 1, 1, 0], { dtype: 'int32' });
    const criterion = new nn.CrossEntropyLoss();
    const opt = new optim.Adam(net.parameters(), { lr: 0.05 });
    let loss = 0;
    for (let step = 0; step < 200; step++) {
      opt.zeroGrad();
      const l = wg.tidy(() => {
        const out = criterion.forward(net.forward(x), y);
        out.backward();
        return out;
      });
      opt.step();
      if (step === 199) loss = await l.item();
      l.dispose();
    }
    if (!(loss < 0.02)) throw new Error(`XOR loss after 200 Adam steps: ${loss}`);
    const pred = wg.noGrad(() => net.forward(x).argmax(-1));
    same(await pred.data(), [0, 1, 1, 0], 'XOR predictions');
    const drop = new nn.Dropout(0.5);
    const ones = wg.ones([1000]);
    const kept = await drop.forward(ones).data();
    if (!kept.every((v) => v === 0 || v === 2) || Math.abs(kept.filter((v) => v === 2).length - 500) > 80)
      throw new Error('dropout in training');
    drop.eval();
    same(await drop.forward(ones).data(), Array(1000).fill(1), 'dropout in eval');
    const f = await nn.functional.dropout(ones, 0.25).data();
    if (!f.every((v) => v === 0 || Math.abs(v - 4 / 3) < 1e-6) || Math.abs(f.filter((v) => v !== 0).length - 750) > 70)
      throw new Error('F.dropout');
    same(await nn.functional.dropout(ones, 0.25, false).data(), Array(1000).fill(1), 'F.dropout when not training');
    throws(() => nn.functional.dropout(ones, 1), /dropout: rate must be in \[0, 1\), got 1/, 'F.dropout rate');
    net.dispose();
    opt.dispose();
    for (const t of [x, y, pred, ones]) t.dispose();
  },

  async 'memory stays flat over 1,000 steps of both APIs'(wg) {
    const { nn, optim } = wg;
    const baseline = wg.memory().numTensors;
    const x = wg.randn([1000, 8]);
    const y = wg.randint(0, 3, [1000]);
    const model = wg.sequential({
      layers: [
        wg.layers.dense({ units: 16, activation: 'relu', inputShape: [8] }),
        wg.layers.batchNormalization(),
        wg.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    await model.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0 }); // warm-up: optimizer state exists now
    const before = wg.memory();
    await model.fit(x, y, { epochs: 1, batchSize: 1, verbose: 0, yieldEveryBatch: false }); // 1,000 steps
    const after = wg.memory();
    // No growth: a leak of one tensor per step would add 1,000. (The counts may fall: the
    // FinalizationRegistry backstop frees handles earlier checks dropped whenever the GC runs.)
    if (after.numTensors > before.numTensors)
      throw new Error(`keras fit: tensors ${before.numTensors} -> ${after.numTensors}`);
    if (after.gpuBytes > before.gpuBytes)
      throw new Error(`keras fit: GPU bytes ${before.gpuBytes} -> ${after.gpuBytes}`);
    const net = new nn.Sequential(new nn.Linear(8, 16), new nn.BatchNorm1d(16), new nn.ReLU(), new nn.Linear(16, 3));
    const opt = new optim.AdamW(net.parameters(), { lr: 1e-3 });
    const criterion = new nn.CrossEntropyLoss();
    const step = () => {
      opt.zeroGrad();
      wg.tidy(() => criterion.forward(net.forward(x.narrow(0, 0, 4)), y.narrow(0, 0, 4)).backward());
      opt.step();
    };
    step();
    const start = wg.memory();
    for (let i = 0; i < 1000; i++) step();
    const end = wg.memory();
    if (end.numTensors > start.numTensors)
      throw new Error(`torch loop: tensors ${start.numTensors} -> ${end.numTensors}`);
    if (end.gpuBytes > start.gpuBytes) throw new Error(`torch loop: GPU bytes ${start.gpuBytes} -> ${end.gpuBytes}`);
    model.dispose();
    net.dispose();
    opt.dispose();
    x.dispose();
    y.dispose();
    // Disposing the models and optimizers frees their weights and state too.
    if (wg.memory().numTensors > baseline)
      throw new Error(`after dispose: ${wg.memory().numTensors} tensors, ${baseline} before the check`);
  },

  // Activation and shape layers of issue 14 through the Keras front door, against TF.js (keras.json).
  async 'keras: issue 14 activation and shape layers match TensorFlow.js'(wg) {
    const cases = (await fixture('keras.json')).cases;
    const table = [
      ['relu_max', (inputShape) => wg.layers.reLU({ maxValue: 0.5, inputShape })],
      ['leaky_relu_default', (inputShape) => wg.layers.leakyReLU({ inputShape })],
      ['prelu_shared', (inputShape) => wg.layers.prelu({ sharedAxes: [1], inputShape })],
      ['elu_layer', (inputShape) => wg.layers.elu({ inputShape })],
      ['softmax_last_axis', (inputShape) => wg.layers.softmax({ axis: -1, inputShape })],
      ['softmax_default_axis', (inputShape) => wg.layers.softmax({ inputShape })],
      ['thresholded_relu', (inputShape) => wg.layers.thresholdedReLU({ theta: 0.3, inputShape })],
      ['act_hard_sigmoid', (inputShape) => wg.layers.activation({ activation: 'hardSigmoid', inputShape })],
      ['act_selu', (inputShape) => wg.layers.activation({ activation: 'selu', inputShape })],
      ['permute_rotate', (inputShape) => wg.layers.permute({ dims: [3, 1, 2], inputShape })],
      ['repeat_vector', (inputShape) => wg.layers.repeatVector({ n: 3, inputShape })],
      ['rescaling', (inputShape) => wg.layers.rescaling({ scale: 1 / 127.5, offset: -1, inputShape })],
    ];
    for (const [name, make] of table) {
      const c = cases[name];
      const [input] = c.inputs;
      const model = wg.sequential({ layers: [make(input.shape.slice(1))] });
      if (c.init0) model.setWeights([fromCase(wg, c.init0)]);
      const x = fromCase(wg, input);
      const y = model.predict(x);
      if (y.shape.join() !== c.y.shape.join()) throw new Error(`${name}: shape [${y.shape}] vs [${c.y.shape}]`);
      same(await y.data(), c.y.data, name, 1e-5);
      for (const t of [x, y]) t.dispose();
      model.dispose();
    }
    throws(() => wg.layers.dot({}), /^Dot: axes is required$/, 'dot without axes');
    throws(() => wg.layers.reLU({ maxValue: -1 }), /^ReLU: maxValue must be a finite number >= 0, got -1$/, 'cap');
    throws(() => wg.layers.permute({ dims: 2 }), /^Permute: dims must be an array of integers, got 2$/, 'dims');
  },

  async 'functional: a two-input two-output graph with a shared layer and a nested model is its layers composed'(wg) {
    const L = wg.layers;
    const a = wg.input({ shape: [4], name: 'a' });
    const b = wg.input({ shape: [4], name: 'b' });
    const shared = L.dense({ units: 3, activation: 'tanh', name: 'shared' });
    const inner = wg.sequential({
      layers: [L.dense({ units: 3, inputShape: [3], name: 'inner_dense' })],
      name: 'inner',
    });
    const sa = shared.apply(a);
    const sb = shared.apply(b);
    const sum = L.add({ name: 'sum' }).apply([sa, inner.apply(sb)]);
    const cat = L.concatenate({ name: 'cat' }).apply([sum, a]);
    const cls = L.dense({ units: 2, activation: 'softmax', name: 'class' }).apply(cat);
    const value = L.dense({ units: 1, name: 'value' }).apply(sum);
    const model = wg.model({ inputs: [a, b], outputs: [cls, value] });
    if (model.layers.map((l) => l.name).join() !== 'shared,inner,sum,cat,class,value')
      throw new Error(`layers ${model.layers.map((l) => l.name)}`);
    if (model.getLayer('shared') !== shared) throw new Error('getLayer');
    const x1 = wg.tensor([
      [0.1, -0.2, 0.3, 0.4],
      [1, 0.5, -0.5, 0],
    ]);
    const x2 = wg.tensor([
      [-0.3, 0.2, 0.1, 0.0],
      [0.2, 0.2, 0.9, -1],
    ]);
    const [p, v] = model.predict([x1, x2]);
    // The same layers applied to concrete tensors, by hand.
    const hs = shared.apply(x1);
    const hb = inner.apply(shared.apply(x2));
    const s2 = hs.add(hb);
    const byHand = [model.getLayer('class').apply(wg.concat([s2, x1], 1)), model.getLayer('value').apply(s2)];
    same(await p.data(), Array.from(await byHand[0].data()), 'class output', 1e-5);
    same(await v.data(), Array.from(await byHand[1].data()), 'value output', 1e-5);
    same([p.shape, v.shape].flat(), [2, 2, 2, 1], 'output shapes', 0);
    // A sub-model from inner outputs shares the weights (feature extraction).
    const features = wg.model({ inputs: [a, b], outputs: sum });
    same(await features.predict({ a: x1, b: x2 }).data(), Array.from(await s2.data()), 'sub-model', 1e-5);
    // One kernel and bias for the shared layer: 3 dense layers of weights + inner's.
    if (model.getWeights().length !== 8) throw new Error('shared weights counted once');
    const lines = [];
    model.summary((l) => lines.push(l));
    if (!lines.some((l) => l.startsWith('sum (Merge)') || (l.startsWith('sum (') && l.includes('shared, inner'))))
      throw new Error(`summary's Connected to column:\n${lines.join('\n')}`);
    // Training on both outputs lowers the summed loss; logs name each output's loss.
    model.compile({ optimizer: wg.train.sgd(0.1), loss: ['sparseCategoricalCrossentropy', 'meanSquaredError'] });
    const yc = wg.tensor([0, 1]);
    const yv = wg.tensor([[0.5], [-0.5]]);
    const first = await model.evaluate([x1, x2], [yc, yv]);
    const h = await model.fit([x1, x2], { class: yc, value: yv }, { epochs: 40, verbose: 0, shuffle: false });
    const logs = Object.keys(h.history).join();
    if (logs !== 'loss,class_loss,value_loss') throw new Error(`log names ${logs}`);
    const firstLoss = (await first[0].data())[0];
    const total = h.history.loss;
    if (!(total[total.length - 1] < firstLoss * 0.7)) throw new Error(`loss ${firstLoss} -> ${total}`);
    same([firstLoss], [(await first[1].data())[0] + (await first[2].data())[0]], 'loss is the sum', 1e-5);
    [x1, x2, p, v, hs, hb, s2, ...byHand, yc, yv, ...first].forEach((t) => t.dispose());
    features.dispose();
    model.dispose();
  },

  async 'functional: a frozen base keeps its weights bit-identical, moving statistics included, while the head learns'(
    wg,
  ) {
    const L = wg.layers;
    const x = wg.input({ shape: [3] });
    const base = L.dense({ units: 4, activation: 'relu', name: 'base' });
    const norm = L.batchNormalization({ name: 'norm' });
    const head = L.dense({ units: 1, name: 'head' });
    const model = wg.model({ inputs: x, outputs: head.apply(norm.apply(base.apply(x))) });
    base.trainable = false;
    norm.trainable = false;
    // TF.js's order: trainable (the head) first, then the frozen base, then the moving statistics.
    const shapes = model.getWeights().map((w) => {
      const s = `[${w.shape}]`;
      w.dispose();
      return s;
    });
    if (shapes.join(' ') !== '[4,1] [1] [3,4] [4] [4] [4] [4] [4]') throw new Error(`order ${shapes.join(' ')}`);
    const before = await Promise.all([...base.getWeights(), ...norm.getWeights()].map((w) => w.data()));
    const headBefore = await head.getWeights()[0].data();
    model.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
    const xs = wg.tensor([
      [1, 2, 3],
      [-1, 0.5, 2],
      [0.3, -2, 1],
      [2, 2, -1],
    ]);
    const ys = wg.tensor([[1], [0], [-1], [2]]);
    await model.fit(xs, ys, { epochs: 5, batchSize: 2, verbose: 0 });
    const after = await Promise.all([...base.getWeights(), ...norm.getWeights()].map((w) => w.data()));
    after.forEach((w, i) => same(w, Array.from(before[i]), `frozen weight ${i}`, 0));
    const headAfter = await head.getWeights()[0].data();
    if (headAfter.every((v, i) => v === headBefore[i])) throw new Error('the head did not learn');
    [xs, ys].forEach((t) => t.dispose());
    model.dispose();
  },
};
