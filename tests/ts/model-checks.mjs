// Bad input and lifetimes in the model layer: layers, losses, optimizers, schedulers, fit and state
// dicts check their arguments, refuse use after dispose, and serialise concurrent fits.
// Shared by the Node and Chromium harnesses.
import { same, throws } from './core-checks.mjs';

async function rejects(promise, pattern, what) {
  try {
    await promise;
  } catch (e) {
    if (!(e instanceof Error) || !pattern.test(e.message))
      throw new Error(`${what}: unexpected error ${e?.message ?? e}`);
    return;
  }
  throw new Error(`${what}: did not fail`);
}

/** A one-layer Keras model compiled for regression, and data for it. */
function regression(wg) {
  const model = wg.sequential({ layers: [wg.layers.dense({ units: 1, inputShape: [2] })] });
  model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  return { model, x: wg.ones([8, 2]), y: wg.zeros([8, 1]) };
}

export const modelChecks = {
  "optimizers refuse bad hyper-parameters with PyTorch's messages"(wg) {
    const { nn, optim } = wg;
    const w = nn.Parameter(wg.ones([2]));
    throws(() => new optim.SGD([w], { lr: -1 }), /^SGD: Invalid learning rate: -1$/, 'negative lr');
    throws(() => new optim.SGD([w], { lr: NaN }), /^SGD: Invalid learning rate: NaN$/, 'NaN lr');
    throws(() => new optim.SGD([w], { lr: '0.1' }), /^SGD: config 'lr' must be a number, got "0.1"$/, 'string lr');
    throws(() => new optim.SGD([w], { momentum: -0.5 }), /^SGD: Invalid momentum value: -0.5$/, 'negative momentum');
    throws(
      () => new optim.SGD([w], { nesterov: true }),
      /^SGD: Nesterov momentum requires a momentum and zero dampening$/,
      'nesterov without momentum',
    );
    throws(
      () => new optim.Adam([w], { betas: [1, 0.999] }),
      /^Adam: Invalid beta parameter at index 0: 1$/,
      'beta1 = 1',
    );
    throws(
      () => new optim.Adam([w], { betas: [0.9, -0.1] }),
      /^Adam: Invalid beta parameter at index 1: -0.1$/,
      'negative beta2',
    );
    throws(
      () => new optim.Adam([w], { betas: 0.9 }),
      /^Adam: betas must be an array of two numbers, got 0.9$/,
      'betas not a pair',
    );
    throws(() => new optim.AdamW([w], { eps: -1 }), /^AdamW: Invalid epsilon value: -1$/, 'negative eps');
    throws(
      () => new optim.RMSprop([w], { weightDecay: -1 }),
      /^RMSprop: Invalid weight_decay value: -1$/,
      'negative weight decay',
    );
    throws(() => new optim.SGD([w], 5), /^SGD: options must be an object, got 5$/, 'options not an object');
    const opt = new optim.SGD([w], { lr: 0.5 });
    throws(
      () => {
        opt.lr = NaN;
      },
      /^SGD: Invalid learning rate: NaN$/,
      'opt.lr = NaN',
    );
    throws(
      () => {
        opt.lr = -1;
      },
      /^SGD: Invalid learning rate: -1$/,
      'opt.lr = -1',
    );
    throws(
      () => {
        opt.lr = '1';
      },
      /^SGD: lr must be a number, got "1"$/,
      'opt.lr = string',
    );
    if (opt.lr !== 0.5) throw new Error(`a refused rate changed lr to ${opt.lr}`);
    opt.lr = 0;
    if (opt.lr !== 0) throw new Error('lr = 0 is allowed');
    opt.dispose();
    w.dispose();
  },

  'keras optimizers: a bad rate or schedule fails at compile with its name'(wg) {
    const model = wg.sequential({ layers: [wg.layers.dense({ units: 1, inputShape: [2] })] });
    throws(
      () => model.compile({ optimizer: wg.train.sgd(-1), loss: 'mse' }),
      /^SGD: Invalid learning rate: -1$/,
      'keras sgd lr',
    );
    throws(
      () => model.compile({ optimizer: wg.train.adam(0.01, 1.5), loss: 'mse' }),
      /^Adam: Invalid beta parameter at index 0: 1.5$/,
      'keras adam beta1',
    );
    throws(
      () => model.compile({ optimizer: wg.train.sgd(0.1, { schedule: 'cosine', tMax: 0 }), loss: 'mse' }),
      /schedule: t_max must be a positive integer, got 0/,
      'keras cosine tMax 0',
    );
    throws(
      () => model.compile({ optimizer: wg.train.sgd(0.1, { clipNorm: NaN }), loss: 'mse' }),
      /^SGD: clipNorm must be a finite number >= 0, got NaN$/,
      'keras clipNorm NaN',
    );
    model.dispose();
  },

  async 'schedulers and gradient clipping refuse bad arguments'(wg) {
    const { nn, optim } = wg;
    const w = nn.Parameter(wg.ones([2]));
    const opt = new optim.SGD([w], { lr: 0.1 });
    throws(
      () => new optim.lr_scheduler.CosineAnnealingLR(opt, { tMax: 0 }),
      /^CosineAnnealingLR: tMax must be at least 1, got 0$/,
      'tMax 0',
    );
    throws(
      () => new optim.lr_scheduler.CosineAnnealingLR(opt, { tMax: 2, etaMin: -1 }),
      /^CosineAnnealingLR: etaMin must be a finite number >= 0, got -1$/,
      'negative etaMin',
    );
    throws(
      () => new optim.lr_scheduler.StepLR(opt, { stepSize: 0 }),
      /^StepLR: stepSize must be at least 1, got 0$/,
      'stepSize 0',
    );
    throws(
      () => new optim.lr_scheduler.StepLR(opt, { stepSize: 1.5 }),
      /^StepLR: stepSize must be an integer, got 1.5$/,
      'fractional stepSize',
    );
    throws(
      () => new optim.lr_scheduler.StepLR(opt, { stepSize: 1, gamma: NaN }),
      /^StepLR: gamma must be a finite number >= 0, got NaN$/,
      'NaN gamma',
    );
    throws(
      () => new optim.lr_scheduler.ExponentialLR(opt, {}),
      /^ExponentialLR: gamma must be a finite number >= 0, got undefined$/,
      'missing gamma',
    );
    throws(
      () => new optim.lr_scheduler.StepLR({}, { stepSize: 1 }),
      /^StepLR: expected an optimizer from wg.optim, got an? Object$/,
      'not an optimizer',
    );
    const cosine = new optim.lr_scheduler.CosineAnnealingLR(opt, { tMax: 2 });
    cosine.step();
    same([opt.lr], [0.05], 'cosine halfway');
    wg.tidy(() =>
      w
        .mul(wg.tensor([3, 4]))
        .sum()
        .backward(),
    );
    throws(
      () => nn.utils.clipGradNorm_([w], NaN),
      /^clipGradNorm_: maxNorm must be a finite number >= 0, got NaN$/,
      'maxNorm NaN',
    );
    throws(
      () => nn.utils.clipGradNorm_([w], -1),
      /^clipGradNorm_: maxNorm must be a finite number >= 0, got -1$/,
      'negative maxNorm',
    );
    throws(
      () => nn.utils.clipGradValue_([w], '1'),
      /^clipGradValue_: clipValue must be a finite number >= 0, got "1"$/,
      'string clipValue',
    );
    throws(
      () => nn.utils.clipGradNorm_(w, 1),
      /^clipGradNorm_: parameters must be an array of tensors, got a \w*Tensor$/,
      'not a list',
    );
    const norm = nn.utils.clipGradNorm_([w], 1);
    same([await norm.item()], [5], 'the norm before clipping');
    norm.dispose();
    opt.dispose();
    w.dispose();
  },

  'optimizers refuse use after their parameters or themselves are disposed'(wg) {
    const { nn, optim } = wg;
    const net = new nn.Linear(2, 1);
    const opt = new optim.SGD(net.parameters(), { lr: 0.1 });
    net.dispose();
    throws(() => opt.step(), /^SGD\.step: parameter 0 was disposed/, 'step after net.dispose');
    throws(() => opt.zeroGrad(), /^SGD\.zeroGrad: parameter 0 was disposed/, 'zeroGrad after net.dispose');
    opt.dispose();
    throws(() => opt.step(), /^SGD: the optimizer was disposed$/, 'step after opt.dispose');
    throws(() => opt.lr, /^SGD: the optimizer was disposed$/, 'lr after opt.dispose');
    opt.dispose(); // twice is harmless
  },

  async 'keras: fit, evaluate and predict check their options'(wg) {
    const { model, x, y } = regression(wg);
    await rejects(
      model.fit(x, y, { batchSize: 2.5, verbose: 0 }),
      /^fit: batchSize must be an integer, got 2.5$/,
      'fractional batchSize',
    );
    await rejects(
      model.fit(x, y, { batchSize: 0, verbose: 0 }),
      /^fit: batchSize must be at least 1, got 0$/,
      'batchSize 0',
    );
    await rejects(
      model.fit(x, y, { epochs: -1, verbose: 0 }),
      /^fit: epochs must be at least 0, got -1$/,
      'negative epochs',
    );
    await rejects(
      model.fit(x, y, { validationSplit: 1, verbose: 0 }),
      /^fit: validationSplit must be in \[0, 1\), got 1$/,
      'validationSplit 1',
    );
    await rejects(
      model.fit(x, y, { validationSplit: NaN, verbose: 0 }),
      /^fit: validationSplit must be in \[0, 1\), got NaN$/,
      'validationSplit NaN',
    );
    await rejects(
      model.fit(x, y, { shuffle: 'yes', verbose: 0 }),
      /^fit: shuffle must be true or false, got "yes"$/,
      'shuffle string',
    );
    await rejects(model.fit(x, y, { verbose: 3 }), /^fit: verbose must be in \[0, 2\], got 3$/, 'verbose 3');
    await rejects(model.fit(x, y, 7), /^fit: options must be an object, got 7$/, 'options not an object');
    await rejects(model.fit(x, [1, 2]), /^fit: y must be a Tensor, got \[1, 2\]$/, 'y not a tensor');
    await rejects(
      model.fit(x, y, { validationData: [x] }),
      /^fit: validationData must be \[x, y\] tensors/,
      'validationData',
    );
    await rejects(
      model.evaluate(x, y, { batchSize: -2 }),
      /^evaluate: batchSize must be at least 1, got -2$/,
      'evaluate batchSize',
    );
    throws(
      () => model.predict(x, { batchSize: 2.5 }),
      /^predict: batchSize must be an integer, got 2.5$/,
      'predict batchSize',
    );
    throws(() => model.predict('x'), /^predict: x must be a Tensor, got "x"$/, 'predict x');
    // TensorFlow.js ignores keys it does not know: so does fit.
    const h = await model.fit(x, y, { epochs: 1, verbose: 0, someFutureOption: true });
    if (h.history.loss.length !== 1) throw new Error('fit with an unknown key');
    model.dispose();
    x.dispose();
    y.dispose();
  },

  async 'keras: a second fit rejects while one runs; dispose, compile and add wait for it'(wg) {
    const { model, x, y } = regression(wg);
    const first = model.fit(x, y, { epochs: 3, batchSize: 2, verbose: 0 });
    await rejects(
      model.fit(x, y, { verbose: 0 }),
      /^Cannot start training because another fit\(\) call is ongoing\.$/,
      'concurrent fit',
    );
    throws(() => model.dispose(), /^dispose: the model is training \(fit\(\) is running\)/, 'dispose during fit');
    throws(
      () => model.compile({ optimizer: 'adam', loss: 'mse' }),
      /^compile: the model is training/,
      'compile during fit',
    );
    throws(() => model.add(wg.layers.dense({ units: 1 })), /^add: the model is training/, 'add during fit');
    throws(() => model.setWeights(model.getWeights()), /^setWeights: the model is training/, 'setWeights during fit');
    const h = await first;
    if (h.history.loss.length !== 3) throw new Error(`the first fit ran ${h.history.loss.length} epochs`);
    // Once it is done, another fit and the rest work; a fit that fails releases the model too.
    await rejects(model.fit(x, wg.zeros([3, 1]), { verbose: 0 }), /fit: x has 8 samples but y has 3/, 'bad fit');
    await model.fit(x, y, { epochs: 1, verbose: 0 });
    model.dispose();
    x.dispose();
    y.dispose();
  },

  async 'keras: compile takes a metric name or a list; unknown names list the allowed ones'(wg) {
    const { model, x, y } = regression(wg);
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError', metrics: 'mse' });
    const h = await model.fit(x, y, { epochs: 1, verbose: 0 });
    if (!h.history.mse) throw new Error(`metrics: 'mse' logs ${Object.keys(h.history)}`);
    throws(
      () => model.compile({ optimizer: 'sgd', loss: 'mse', metrics: ['msee'] }),
      /unknown metric 'msee'; expected accuracy, .*mae/,
      'unknown metric',
    );
    throws(
      () => model.compile({ optimizer: 'sgd', loss: 'mse', metrics: [5] }),
      /^compile: metrics\[0\] must be a metric name, got 5$/,
      'metric not a string',
    );
    throws(
      () => model.compile({ optimizer: 'sgd', loss: 'msq' }),
      /unknown loss 'msq'; expected meanSquaredError/,
      'unknown loss',
    );
    throws(
      () => model.compile({ optimizer: 'adamm', loss: 'mse' }),
      /unknown optimizer 'adamm'; expected sgd, momentum, adam/,
      'unknown optimizer',
    );
    throws(
      () => model.compile({ optimizer: 5, loss: 'mse' }),
      /^compile: optimizer must be a name .* got 5$/,
      'optimizer not a name',
    );
    throws(() => model.compile(), /^compile: options must be an object, got undefined$/, 'no args');
    model.dispose();
    x.dispose();
    y.dispose();
  },

  "keras: layer configs are checked with the layer's class name"(wg) {
    const L = wg.layers;
    for (const units of [0, -1, 2.5, '3']) throws(() => L.dense({ units }), /^Dense: units must be/, `units ${units}`);
    throws(
      () => L.dense({ units: 2, activation: 'bogus' }),
      /^Dense: activation must be one of 'linear', .* got "bogus"$/,
      'unknown activation',
    );
    throws(
      () => L.dense({ units: 2, activation: 5 }),
      /^Dense: activation must be one of .* got 5$/,
      'activation not a string',
    );
    throws(() => L.conv2d({ filters: 2.5, kernelSize: 3 }), /^Conv2D: filters must be an integer, got 2.5$/, 'filters');
    throws(
      () => L.conv2d({ filters: 2, kernelSize: 0 }),
      /^Conv2D: kernelSize must be in \[1, 4294967295\], got 0$/,
      'kernelSize 0',
    );
    throws(
      () => L.conv2d({ filters: 2, kernelSize: [3, 'a'] }),
      /^Conv2D: kernelSize\[1\] must be an integer, got "a"$/,
      'kernelSize string',
    );
    throws(
      () => L.conv2d({ filters: 2, kernelSize: [3, 3, 3] }),
      /^Conv2D: kernelSize must be a number or 2 numbers, got \[3, 3, 3\]$/,
      'kernelSize of 3',
    );
    throws(
      () => L.conv2d({ filters: 2, kernelSize: 3, strides: -1 }),
      /^Conv2D: strides must be in \[1, 4294967295\], got -1$/,
      'strides',
    );
    throws(
      () => L.conv2d({ filters: 2, kernelSize: 3, padding: 'full' }),
      /^Conv2D: padding must be one of 'valid', 'same', got "full"$/,
      'padding',
    );
    throws(
      () => L.conv1d({ filters: 2, kernelSize: 1.5 }),
      /^Conv1D: kernelSize must be an integer, got 1.5$/,
      'conv1d kernelSize',
    );
    throws(
      () => L.maxPooling2d({ poolSize: 0 }),
      /^MaxPooling2D: poolSize must be in \[1, 4294967295\], got 0$/,
      'poolSize',
    );
    for (const rate of [1, -0.1, NaN, '0.5'])
      throws(() => L.dropout({ rate }), /^Dropout: rate must be/, `rate ${rate}`);
    throws(
      () => L.embedding({ inputDim: 0, outputDim: 2 }),
      /^Embedding: inputDim must be in \[1, 4294967295\], got 0$/,
      'embedding inputDim',
    );
    throws(
      () => L.dense({ units: 2, inputShape: [2.5] }),
      /^Dense: inputShape\[0\] must be an integer, got 2.5$/,
      'inputShape',
    );
    throws(() => L.dense(), /^Dense: options must be an object, got undefined$/, 'no args');
    // What passes the TypeScript checks is still typed strictly in the core, naming the layer.
    throws(() => L.dense({ units: 2, useBias: 'yes' }), /^Dense: useBias must be true or false, got "yes"$/, 'useBias');
    throws(
      () => wg.sequential({ layers: [L.dense({ units: 2, kernelInitializer: 5, inputShape: [3] })] }),
      /^Dense: config 'kernelInitializer' must be a string, got 5$/,
      'core config type',
    );
  },

  async 'torch: module arguments are checked; a huge Linear is an Error and the module keeps working'(wg) {
    const { nn } = wg;
    throws(() => new nn.Linear(1e5, 1e5), /^Linear: .*\[100000, 100000\]/, 'Linear(1e5, 1e5)');
    throws(
      () => new nn.Linear(-1, 2),
      /^Linear: inFeatures must be in \[1, 4294967295\], got -1$/,
      'negative inFeatures',
    );
    throws(() => new nn.Linear(2.5, 2), /^Linear: inFeatures must be an integer, got 2.5$/, 'fractional inFeatures');
    throws(() => new nn.Linear(2, 2, 'no'), /^Linear: bias must be true or false, got "no"$/, 'bias');
    throws(() => new nn.Conv2d(1, 2, 0), /^Conv2d: kernelSize must be in \[1, 4294967295\], got 0$/, 'conv kernel');
    throws(
      () => new nn.Conv2d(1, 2, 3, { stride: 0 }),
      /^Conv2d: stride must be in \[1, 4294967295\], got 0$/,
      'conv stride',
    );
    throws(() => new nn.Dropout(1), /^Dropout: p must be in \[0, 1\), got 1$/, 'dropout p');
    throws(
      () => new nn.Embedding(3, -2),
      /^Embedding: embeddingDim must be in \[1, 4294967295\], got -2$/,
      'embedding dim',
    );
    throws(
      () => new nn.BatchNorm1d(4, { eps: -1 }),
      /^BatchNorm1d: eps must be a finite number >= 0, got -1$/,
      'batch norm eps',
    );
    const ok = new nn.Linear(2, 3);
    const y = ok.forward(wg.ones([1, 2]));
    if (y.shape.join() !== '1,3') throw new Error(`after a failed Linear: shape ${y.shape}`);
    const s = wg.ones([4]).sum();
    same([await s.item()], [4], 'the module still computes');
    s.dispose();
    y.dispose();
    ok.dispose();
  },

  async "torch: losses refuse an unknown reduction with PyTorch's message"(wg) {
    const F = wg.nn.functional;
    const [a, b] = [wg.ones([2]), wg.zeros([2])];
    throws(() => F.mseLoss(a, b, { reduction: 1 }), /^mseLoss: 1 is not a valid value for reduction$/, 'reduction 1');
    throws(
      () => F.l1Loss(a, b, { reduction: 'avg' }),
      /^l1Loss: avg is not a valid value for reduction$/,
      'reduction avg',
    );
    throws(
      () => new wg.nn.MSELoss({ reduction: 'avg' }),
      /^MSELoss: avg is not a valid value for reduction$/,
      'MSELoss reduction',
    );
    throws(
      () => F.huberLoss(a, b, { delta: 0 }),
      /^huberLoss: delta must be a finite number > 0, got 0$/,
      'huber delta',
    );
    throws(() => F.mseLoss(a, [1, 2]), /^mseLoss: target must be a Tensor, got \[1, 2\]$/, 'target not a tensor');
    same([await F.mseLoss(a, b, { reduction: 'sum' }).item()], [2], 'sum');
    a.dispose();
    b.dispose();
  },

  async 'torch: loadStateDict reports as PyTorch does and honours strict: false'(wg) {
    const { nn } = wg;
    class Net extends nn.Module {
      constructor() {
        super();
        this.fc = new nn.Linear(2, 3);
      }
      forward(x) {
        return this.fc.forward(x);
      }
    }
    const net = new Net();
    const before = Array.from(await net.fc.weight.data());
    const [w, x] = [wg.ones([3, 2]), wg.ones([1])];
    throws(
      () => net.loadStateDict({ 'fc.weight': w, x }),
      /^loadStateDict: Error\(s\) in loading state_dict for Net: Missing key\(s\) in state_dict: "fc\.bias"\. Unexpected key\(s\) in state_dict: "x"\.$/,
      'missing and unexpected',
    );
    const wrong = wg.ones([2, 3]);
    throws(
      () => net.loadStateDict({ 'fc.weight': wrong, 'fc.bias': wg.ones([3]) }),
      /size mismatch for fc\.weight: copying a param with shape \[2, 3\] from checkpoint, the shape in current model is \[3, 2\]\./,
      'size mismatch',
    );
    throws(
      () => net.loadStateDict({ 'fc.weight': 0, 'fc.bias': wg.ones([3]) }),
      /While copying the parameter named "fc\.weight", expected a Tensor from checkpoint but received 0/,
      'non-tensor value',
    );
    throws(
      () => net.loadStateDict(null),
      /^loadStateDict: state_dict must be an object of tensors, got null$/,
      'null state',
    );
    throws(() => net.loadStateDict({}, 'yes'), /^loadStateDict: strict must be true or false, got "yes"$/, 'strict');
    same(await net.fc.weight.data(), before, 'a refused load changes nothing');
    net.loadStateDict({ 'fc.weight': w, x }, false);
    same(await net.fc.weight.data(), [1, 1, 1, 1, 1, 1], 'strict: false loads what matches');
    // PyTorch's size mismatch is an error even with strict: false.
    throws(
      () => net.loadStateDict({ 'fc.weight': wrong }, false),
      /size mismatch for fc\.weight/,
      'size mismatch, not strict',
    );
    net.dispose();
    w.dispose();
    x.dispose();
    wrong.dispose();
  },

  async "torch: F.softplus and nn.Softplus follow PyTorch's beta and threshold; HuberLoss is a loss"(wg) {
    const { nn } = wg;
    const F = nn.functional;
    const v = [-2, 0, 1, 3, 30];
    const x = wg.tensor(v);
    const sp = (t, beta) => Math.log1p(Math.exp(beta * t)) / beta;
    same(
      await F.softplus(x).data(),
      v.map((t) => (t > 20 ? t : sp(t, 1))),
      'softplus',
      1e-6,
    );
    // beta 2, threshold 4: 2 * 3 > 4 gives 3 itself.
    same(await F.softplus(x, 2, 4).data(), [sp(-2, 2), sp(0, 2), sp(1, 2), 3, 30], 'softplus beta 2', 1e-6);
    same(await new nn.Softplus(2, 4).forward(x).data(), [sp(-2, 2), sp(0, 2), sp(1, 2), 3, 30], 'nn.Softplus', 1e-6);
    throws(() => F.softplus(x, 0), /^softplus: beta must be a finite non-zero number, got 0$/, 'beta 0');
    throws(() => new nn.Softplus('2'), /^Softplus: beta must be a finite non-zero number, got "2"$/, 'Softplus beta');
    if (Object.getPrototypeOf(nn.HuberLoss) !== Object.getPrototypeOf(nn.MSELoss))
      throw new Error('HuberLoss does not extend the loss base');
    // delta 1: |e| = 0.5 -> 0.125; |e| = 3 -> 3 - 0.5 = 2.5. delta 2: 0.125 and 2 * (3 - 1) = 4.
    const [p, t] = [wg.tensor([0.5, 3]), wg.zeros([2])];
    same([await new nn.HuberLoss().forward(p, t).item()], [(0.125 + 2.5) / 2], 'HuberLoss');
    same(await new nn.HuberLoss({ delta: 2, reduction: 'none' }).forward(p, t).data(), [0.125, 4], 'HuberLoss delta 2');
    x.dispose();
    p.dispose();
    t.dispose();
  },

  async 'keras: getWeights/setWeights use TensorFlow.js layouts by layer kind (Conv1D [k, in, out])'(wg) {
    // Conv1D over 4 steps of 2 channels to 1 filter, kernel 2: y[t] = sum_k sum_c x[t + k, c] K[k, c, 0] + b.
    const model = wg.sequential({ layers: [wg.layers.conv1d({ filters: 1, kernelSize: 2, inputShape: [4, 2] })] });
    const shapes = model.getWeights().map((w) => {
      const s = w.shape.join();
      w.dispose();
      return s;
    });
    if (shapes.join(' ') !== '2,2,1 1') throw new Error(`Conv1D weight shapes ${shapes.join(' ')}`);
    const K = [
      [[1], [2]],
      [[3], [4]],
    ]; // [k, in, out]
    const kernel = wg.tensor(K);
    const bias = wg.tensor([0.5]);
    model.setWeights([kernel, bias]);
    const xs = [
      [1, 0],
      [0, 1],
      [2, 1],
      [1, 1],
    ];
    const want = [0, 1, 2].map((t) =>
      [0, 1].reduce((a, k) => a + xs[t + k][0] * K[k][0][0] + xs[t + k][1] * K[k][1][0], 0.5),
    );
    const x = wg.tensor([xs]);
    const y = model.predict(x);
    same(await y.data(), want, 'Conv1D output from a TF.js-layout kernel');
    const [k2, b2] = model.getWeights();
    same(await k2.data(), [1, 2, 3, 4], 'Conv1D kernel round trip');
    if (k2.shape.join() !== '2,2,1') throw new Error(`round trip shape ${k2.shape}`);
    throws(
      () => model.setWeights([wg.ones([1, 2, 2]), bias]),
      /^setWeights: weight 0 \(conv1d.*kernel\) must have shape \[2, 2, 1\], got \[1, 2, 2\]$/,
      'wrong kernel shape',
    );
    // Conv2D [kh, kw, in, out] and Dense [in, out] as before.
    const cnn = wg.sequential({
      layers: [
        wg.layers.conv2d({ filters: 3, kernelSize: [2, 1], inputShape: [4, 4, 2] }),
        wg.layers.flatten(),
        wg.layers.dense({ units: 5 }),
      ],
    });
    const got = cnn.getWeights().map((w) => {
      const s = w.shape.join();
      w.dispose();
      return s;
    });
    if (got.join(' ') !== '2,1,2,3 3 36,5 5') throw new Error(`Conv2D/Dense weight shapes ${got.join(' ')}`);
    for (const t of [kernel, bias, x, y, k2, b2]) t.dispose();
    model.dispose();
    cnn.dispose();
  },

  'use after dispose names the class: models, modules, optimizers'(wg) {
    const { nn } = wg;
    const model = wg.sequential({ layers: [wg.layers.dense({ units: 1, inputShape: [2] })] });
    model.dispose();
    const x = wg.ones([1, 2]);
    throws(() => model.predict(x), /^predict: the Sequential model was disposed$/, 'predict');
    throws(
      () => model.compile({ optimizer: 'sgd', loss: 'mse' }),
      /^compile: the Sequential model was disposed$/,
      'compile',
    );
    throws(() => model.add(wg.layers.dense({ units: 1 })), /^add: the Sequential model was disposed$/, 'add');
    throws(() => model.getWeights(), /^getWeights: the Sequential model was disposed$/, 'getWeights');
    model.dispose(); // twice is harmless
    const lin = new nn.Linear(2, 1);
    lin.dispose();
    throws(() => lin.forward(x), /^Linear\.forward: the module was disposed$/, 'Linear.forward');
    throws(() => lin.train(), /^Linear\.train: the module was disposed$/, 'Linear.train');
    throws(() => lin.stateDict(), /^Linear\.stateDict: the module was disposed$/, 'Linear.stateDict');
    lin.dispose();
    x.dispose();
  },
};
