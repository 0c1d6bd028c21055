// What a user looks at and types: printed tensors (TensorFlow.js's layout, derived by hand here),
// iteration, the name tables behind the string-literal types, and the version. Shared by the Node
// (CPU) and Chromium (WebGPU and CPU) harnesses.
import { same, throws } from './core-checks.mjs';

/** What `print` passes to its print function. */
async function printed(t, verbose = false) {
  let text = null;
  await t.print(verbose, (s) => {
    text = s;
  });
  return text;
}

function equal(actual, expected, what) {
  if (actual !== expected) throw new Error(`${what}:\n${actual}\n--- expected ---\n${expected}`);
}

export const surfaceChecks = {
  async 'print, toString and inspect show dtype, shape, backend and values'(wg) {
    const backend = wg.backend().split(' ')[0];
    const t = wg.tensor([
      [1, 2.5],
      [-3, 4],
    ]);
    // Every number padded to the widest (3 characters: '2.5').
    const body = '    [[  1, 2.5],\n     [ -3,   4]]';
    equal(await printed(t), `Tensor\n${body}`, 'print');
    equal(
      await printed(t, true),
      `Tensor\n  dtype: float32\n  rank: 2\n  shape: [2,2]\n  backend: ${backend}\n  values:\n${body}`,
      'print(verbose)',
    );
    const onHost = backend === 'cpu';
    equal(
      t.toString(),
      onHost
        ? `Tensor float32 [2, 2] cpu\n${body}`
        : 'Tensor float32 [2, 2] webgpu (values on the GPU: await t.print() or t.data())',
      'toString',
    );
    equal(t[Symbol.for('nodejs.util.inspect.custom')](), t.toString(), 'inspect');
    equal(String(t), t.toString(), 'String()');
    t.requiresGrad = true;
    equal(
      t.toString().split('\n')[0],
      `Tensor float32 [2, 2] ${backend} requiresGrad${onHost ? '' : ' (values on the GPU: await t.print() or t.data())'}`,
      'header of a tensor tracking gradients',
    );

    const cases = [
      [wg.tensor(3.5), '    3.5', 'a scalar'],
      [wg.tensor([1 / 3, 100]), '    [0.3333333,       100]', 'seven decimals at most'],
      [wg.tensor([true, false]), '    [ true, false]', 'bool'],
      [wg.tensor([7, -12], { dtype: 'int32' }), '    [  7, -12]', 'int32'],
      [wg.arange(25, undefined, 1, 'int32'), '    [ 0,  1,  2, ..., 22, 23, 24]', 'a long axis prints its ends'],
      [wg.tensor([[[1, 2]], [[3, 4]]], { dtype: 'int32' }), '    [[[1, 2]],\n\n     [[3, 4]]]', 'rank 3: blocks apart'],
      [wg.zeros([0, 2]), '    []', 'empty'],
    ];
    for (const [tensor, text, what] of cases) {
      equal(await printed(tensor), `Tensor\n${text}`, what);
      tensor.dispose();
    }
    // A long outer axis prints 3 rows, a cut, and the last 3 rows: the right ones. (Only those 6 rows
    // are read back, as a small copy: the formatter takes that copy's values.)
    const long = wg.arange(50, undefined, 1, 'int32').reshape([25, 2]);
    equal(
      await printed(long),
      'Tensor\n    [[ 0,  1],\n     [ 2,  3],\n     [ 4,  5],\n     ...,\n     [44, 45],\n     [46, 47],\n     [48, 49]]',
      'a long outer axis',
    );
    equal(long.toString().split('\n').length, backend === 'cpu' ? 8 : 1, 'toString cuts it too');
    long.dispose();
    // Every axis within the limit: all 160,000 entries print (too many to spread as arguments).
    const full = wg.zeros([20, 20, 20, 20], 'int32');
    const text = await printed(full);
    equal(text.split('\n').filter((l) => l.includes('[')).length, 20 * 20 * 20, 'one line per innermost row');
    full.dispose();
    t.dispose();
    equal(t.toString(), 'Tensor (disposed)', 'a disposed tensor');
  },

  async 'tensors iterate along the first axis, as in PyTorch'(wg) {
    const t = wg.tensor([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    // Counted within one synchronous stretch, where no finalizer of an earlier test can run.
    const before = wg.memory().numTensors;
    const [a, b, c] = t;
    same([wg.memory().numTensors - before], [3], 'iterating makes the rows and nothing else');
    same(a.shape, [2], 'row shape');
    same([...(await a.data()), ...(await b.data()), ...(await c.data())], [1, 2, 3, 4, 5, 6], 'rows');
    const items = [...wg.tensor([7, 8])];
    same([items[0].shape.length, await items[1].item()], [0, 8], 'a vector yields scalars');
    throws(() => [...wg.tensor(1)], /^iterate: iteration over a 0-d tensor/, 'a scalar');
    for (const x of [t, a, b, c, ...items]) x.dispose();
  },

  async 'every name in the name tables is accepted by the core, and a misspelt one is an Error'(wg) {
    const build = (layer) => wg.sequential({ layers: [layer] });
    for (const activation of wg.ACTIVATIONS)
      build(wg.layers.dense({ units: 2, activation, inputShape: [3] })).dispose();
    for (const init of wg.INITIALIZERS)
      build(wg.layers.dense({ units: 2, kernelInitializer: init, biasInitializer: init, inputShape: [3] })).dispose();
    for (const padding of wg.PADDINGS) {
      build(wg.layers.conv2d({ filters: 1, kernelSize: 3, padding, inputShape: [4, 4, 1] })).dispose();
      build(wg.layers.maxPooling2d({ padding, inputShape: [4, 4, 1] })).dispose();
    }
    const model = build(wg.layers.dense({ units: 2, inputShape: [3] }));
    for (const loss of wg.LOSSES) model.compile({ optimizer: 'sgd', loss });
    for (const optimizer of wg.OPTIMIZERS) model.compile({ optimizer, loss: 'mse' });
    for (const metric of wg.METRICS)
      model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: [metric] });
    // One metric may be given as a string, as in TensorFlow.js.
    model.compile({ optimizer: 'sgd', loss: 'mse', metrics: 'mae' });
    const [x, y] = [wg.ones([2, 3]), wg.zeros([2, 2])];
    const values = await model.evaluate(x, y);
    same([values.length], [2], 'evaluate gives the loss and one metric');
    throws(() => model.compile({ optimizer: 'adamm', loss: 'mse' }), /adamm/, 'optimizer');
    throws(() => model.compile({ optimizer: 'sgd', loss: 'meanSquareError' }), /meanSquareError/, 'loss');
    throws(() => model.compile({ optimizer: 'sgd', loss: 'mse', metrics: ['acuracy'] }), /acuracy/, 'metric');
    throws(() => wg.layers.dense({ units: 2, activation: 'rellu' }), /rellu/, 'activation');
    throws(
      () => build(wg.layers.dense({ units: 2, kernelInitializer: 'glorot', inputShape: [3] })),
      /glorot/,
      'initializer',
    );
    // A compile that failed leaves the last good one in place.
    const again = await model.evaluate(x, y);
    same(
      [await again[0].item(), await again[1].item()],
      [await values[0].item(), await values[1].item()],
      'evaluate after failed compiles',
    );
    values.push(...again);
    for (const t of [x, y, ...values]) t.dispose();
    model.dispose();
  },

  async 'wg.version is the package version'(wg) {
    const url = new URL('../../package.json', import.meta.url);
    const text =
      typeof window === 'undefined'
        ? await (await import('node:fs/promises')).readFile(url, 'utf8')
        : await (await fetch(url)).text();
    equal(wg.version, JSON.parse(text).version, 'wg.version');
  },
};
