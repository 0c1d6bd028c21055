// The TypeScript API over the op set: a representative subset with hand-derived values, shared by
// the Node and Chromium harnesses (the full op set is checked against NumPy in Rust and wasm).

export function same(actual, expected, what, tol = 1e-5) {
  const a = Array.from(actual, Number);
  const bad =
    a.length !== expected.length || a.some((v, i) => !(Math.abs(v - expected[i]) <= tol * (1 + Math.abs(expected[i]))));
  if (bad) throw new Error(`${what}: got [${a}], expected [${expected}]`);
}

export function throws(fn, pattern, what) {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof Error) || !pattern.test(e.message))
      throw new Error(`${what}: unexpected error ${e?.message ?? e}`);
    return;
  }
  throw new Error(`${what}: did not throw`);
}

/** Like `throws`, for errors a GPU reports when the result is read (the CPU raises at the call). */
async function failsBy(fn, pattern, what) {
  let result;
  try {
    result = fn();
  } catch (e) {
    if (!pattern.test(e.message)) throw new Error(`${what}: unexpected error ${e.message}`);
    return;
  }
  try {
    await result.data();
  } catch (e) {
    if (!pattern.test(e.message)) throw new Error(`${what}: unexpected error ${e.message}`);
    return;
  }
  throw new Error(`${what}: did not fail`);
}

export const coreChecks = {
  async 'scalars, broadcasting and dtype promotion'(wg) {
    same(await wg.tensor([1, 2, 3]).mul(2).add(1).data(), [3, 5, 7], 'x * 2 + 1');
    const i = wg.tensor([1, 2, 3], undefined, { dtype: 'int32' });
    if (i.add(1).dtype !== 'int32') throw new Error('int + int stays int32');
    const q = i.div(2);
    if (q.dtype !== 'float32') throw new Error('int / int is float32');
    same(await q.data(), [0.5, 1, 1.5], 'true division');
    same(
      await wg
        .tensor([[1], [2]])
        .sub(wg.tensor([10, 20]))
        .data(),
      [-9, -19, -8, -18],
      'outer broadcast',
    );
    const mask = wg.tensor([1, 5, 3]).gt(2);
    if (mask.dtype !== 'bool') throw new Error('comparisons give bool');
    same(await mask.data(), [0, 1, 1], 'gt');
  },

  async 'elementwise functions'(wg) {
    const x = wg.tensor([-1, 0, Math.log(3)]);
    same(await x.relu().data(), [0, 0, Math.log(3)], 'relu');
    same(await x.sigmoid().data(), [1 / (1 + Math.E), 0.5, 0.75], 'sigmoid');
    same(await x.exp().data(), [1 / Math.E, 1, 3], 'exp');
    same(await wg.tensor([0.5, 1.5, 2.5, -2.5]).round().data(), [0, 2, 2, -2], 'round half to even');
    same(await wg.tensor([-3, 0.5, 3]).clamp(-1, 1).data(), [-1, 0.5, 1], 'clamp');
    same(await wg.tensor([-2, 2]).leakyRelu(0.1).data(), [-0.2, 2], 'leakyRelu');
  },

  async 'reductions and softmax'(wg) {
    const x = wg.tensor([
      [1, 5, 3],
      [4, 2, 6],
    ]);
    same(await x.sum(1).data(), [9, 12], 'sum rows');
    const m = x.mean(0, true);
    same(m.shape, [1, 3], 'keepdim shape');
    same(await m.data(), [2.5, 3.5, 4.5], 'mean');
    same(await x.max().data(), [6], 'max');
    const am = x.argmax(1);
    if (am.dtype !== 'int32') throw new Error('argmax gives int32');
    same(await am.data(), [1, 2], 'argmax');
    same(await wg.tensor([1, 2, 3, 4]).var().data(), [5 / 3], 'unbiased var');
    same(await wg.tensor([1, 2, 3, 4]).var(undefined, { correction: 0 }).data(), [1.25], 'population var');
    same(
      await wg
        .tensor([0, Math.log(2)])
        .softmax()
        .data(),
      [1 / 3, 2 / 3],
      'softmax',
    );
    same(await wg.tensor([1000, 1000]).logSoftmax().data(), [-Math.LN2, -Math.LN2], 'logSoftmax of large logits');
  },

  async 'matmul with batch broadcasting'(wg) {
    const a = wg.tensor([
      [
        [1, 0],
        [0, 1],
      ],
      [
        [2, 0],
        [0, 2],
      ],
    ]);
    const b = wg.tensor([
      [1, 2],
      [3, 4],
    ]);
    const c = a.matmul(b);
    same(c.shape, [2, 2, 2], 'shape');
    same(await c.data(), [1, 2, 3, 4, 2, 4, 6, 8], 'values');
    same(
      await wg
        .tensor([1, 2])
        .matmul(wg.tensor([3, 4]))
        .data(),
      [11],
      'dot',
    );
  },

  async movement(wg) {
    const x = wg.arange(6).reshape([2, -1]);
    same(x.shape, [2, 3], 'reshape -1');
    same(await x.t().contiguous().data(), [0, 3, 1, 4, 2, 5], 'transpose');
    same(await x.slice(1, 0, undefined, 2).data(), [0, 2, 3, 5], 'slice with step');
    same(
      await wg
        .concat([x, x.mul(10)], 0)
        .sum(1)
        .data(),
      [3, 12, 30, 120],
      'concat',
    );
    same(wg.stack([x, x], 1).shape, [2, 2, 3], 'stack');
    const [a, b] = x.split([1, 2], 1);
    same(await b.data(), [1, 2, 4, 5], 'split');
    same(await a.squeeze().data(), [0, 3], 'squeeze');
    same(
      await x
        .pad(
          [
            [0, 0],
            [1, 0],
          ],
          -1,
        )
        .data(),
      [-1, 0, 1, 2, -1, 3, 4, 5],
      'pad',
    );
    same(await x.flip(1).data(), [2, 1, 0, 5, 4, 3], 'flip');
  },

  async indexing(wg) {
    const x = wg.tensor([
      [10, 11, 12],
      [20, 21, 22],
    ]);
    const idx = wg.tensor(
      [
        [2, 0],
        [1, 1],
      ],
      undefined,
      { dtype: 'int32' },
    );
    same(await x.gather(1, idx).data(), [12, 10, 21, 21], 'gather');
    same(
      await x.indexSelect(1, wg.tensor([2, 0], undefined, { dtype: 'int32' })).data(),
      [12, 10, 22, 20],
      'indexSelect',
    );
    same(await wg.tensor([2, 0], undefined, { dtype: 'int32' }).oneHot(3).data(), [0, 0, 1, 1, 0, 0], 'oneHot');
    same(await wg.where(x.gt(15), x, 0).data(), [0, 0, 0, 20, 21, 22], 'where');
    same(
      await wg
        .zeros([3])
        .scatterAdd(0, wg.tensor([0, 2, 0], undefined, { dtype: 'int32' }), wg.tensor([1, 2, 3]))
        .data(),
      [4, 0, 2],
      'scatterAdd',
    );
  },

  async 'convolution and pooling'(wg) {
    const img = wg.arange(16).reshape([1, 1, 4, 4]);
    const k = wg.ones([1, 1, 2, 2]);
    // Each output sums a 2x2 window: top-left window 0+1+4+5 = 10.
    same(await img.conv2d(k, { stride: 2 }).data(), [10, 18, 42, 50], 'conv2d stride 2');
    same(img.conv2d(k, { padding: 'same' }).shape, [1, 1, 4, 4], 'same padding');
    same(await img.conv2d(k, { stride: 2, bias: wg.tensor([1]) }).data(), [11, 19, 43, 51], 'bias');
    same(await img.maxPool2d({ kernelSize: 2 }).data(), [5, 7, 13, 15], 'maxPool2d');
    same(await img.avgPool2d({ kernelSize: 2 }).data(), [2.5, 4.5, 10.5, 12.5], 'avgPool2d');
    same(await img.globalAvgPool2d().data(), [7.5], 'globalAvgPool2d');
    // 1-D explicit padding: one size pads both ends, two are (left, right). [0, 1, 2, 3, 0, 0] by pairs.
    const seq = wg.tensor([[[1, 2, 3]]]);
    same(await seq.conv1d(wg.ones([1, 1, 2]), { padding: [1, 2] }).data(), [1, 3, 5, 3, 0], 'conv1d padding [1, 2]');
    same(await seq.conv1d(wg.ones([1, 1, 2]), { padding: 1 }).data(), [1, 3, 5, 3], 'conv1d padding 1');
    // A transposed convolution with stride 2 spreads each input over a 2x2 block.
    const up = wg.tensor([[[[1, 2]]]]).convTranspose2d(wg.ones([1, 1, 2, 2]), { stride: 2 });
    same(await up.data(), [1, 1, 2, 2, 1, 1, 2, 2], 'convTranspose2d');
  },

  async 'autograd: seeds, retained graphs, noGrad, detach'(wg) {
    const x = wg.tensor([1, 2, 3], undefined, { requiresGrad: true });
    const y = x.square();
    y.backward({ gradient: wg.tensor([1, 0.5, -1]), retainGraph: true });
    same(await x.grad.data(), [2, 2, -6], 'seeded backward');
    y.sum().backward();
    same(await x.grad.data(), [4, 6, 0], 'accumulated');
    throws(() => y.sum().backward(), /graph .* was freed/, 'freed graph');
    x.zeroGrad();
    const z = wg.noGrad(() => x.mul(3));
    throws(() => z.sum().backward(), /does not require grad/, 'noGrad records nothing');
    x.mul(x.detach()).sum().backward();
    same(await x.grad.data(), [1, 2, 3], 'detach');
  },

  async 'a 1,000-step training loop holds memory flat'(wg) {
    wg.manualSeed(5);
    const x = wg.randn([16, 8]);
    const y = wg.randint(0, 4, [16]).oneHot(4).cast('float32');
    let w = wg.randn([8, 4]).mul(0.1);
    let b = wg.zeros([4]);
    let state = [wg.zeros([8, 4]), wg.zeros([4]), wg.zeros([8, 4]), wg.zeros([4])];
    w.requiresGrad = true;
    b.requiresGrad = true;
    let t = 0;
    const step = () => {
      wg.tidy(() =>
        x
          .linear(w, b)
          .logSoftmax(-1)
          .mul(y)
          .sum()
          .mul(-1 / 16)
          .backward(),
      );
      t += 1;
      const [w2, mw, vw] = w.adamUpdate(w.grad, state[0], state[2], { lr: 0.01, step: t });
      const [b2, mb, vb] = b.adamUpdate(b.grad, state[1], state[3], { lr: 0.01, step: t });
      for (const old of [w, b, ...state]) old.dispose();
      [w, b, state] = [w2, b2, [mw, mb, vw, vb]];
      w.requiresGrad = true;
      b.requiresGrad = true;
    };
    for (let i = 0; i < 10; i++) step();
    const before = wg.memory();
    for (let i = 0; i < 1000; i++) step();
    const after = wg.memory();
    if (after.numTensors !== before.numTensors)
      throw new Error(`tensors grew: ${before.numTensors} -> ${after.numTensors}`);
    if (after.gpuBytes !== before.gpuBytes) throw new Error(`GPU bytes grew: ${before.gpuBytes} -> ${after.gpuBytes}`);
    if (!(after.wasmBytes > 0)) throw new Error('wasm memory is reported');
    // The loss went down: the loop really trained.
    const loss = await wg
      .tidy(() =>
        x
          .linear(w, b)
          .logSoftmax(-1)
          .mul(y)
          .sum()
          .mul(-1 / 16),
      )
      .item();
    if (!(loss < Math.log(4))) throw new Error(`loss ${loss} did not fall below ln 4`);
  },

  async 'creation and the seeded generator'(wg) {
    same(await wg.arange(1, 2, 0.25).data(), [1, 1.25, 1.5, 1.75], 'arange');
    same(await wg.linspace(0, 1, 3).data(), [0, 0.5, 1], 'linspace');
    same(await wg.eye(2).data(), [1, 0, 0, 1], 'eye');
    wg.manualSeed(3);
    const a = await wg.randn([5]).data();
    wg.manualSeed(3);
    same(await wg.randn([5]).data(), Array.from(a), 'same seed, same numbers');
    const r = await wg.randint(0, 3, [50]).data();
    if (!r.every((v) => v >= 0 && v < 3)) throw new Error('randint range');
    const nested = await wg
      .tensor([
        [1, 2],
        [3, 4],
      ])
      .array();
    if (JSON.stringify(nested) !== '[[1,2],[3,4]]') throw new Error(`array(): ${JSON.stringify(nested)}`);
  },

  async 'errors name op, shapes and dtypes'(wg) {
    const x = wg.tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    throws(() => x.sum(2), /^sum: axis 2 is out of range for shape \[2, 3\]$/, 'axis');
    throws(() => x.gather(1, wg.tensor([[0]])), /^gather: unsupported dtype float32/, 'index dtype');
    await failsBy(
      () => x.indexSelect(1, wg.tensor([7], undefined, { dtype: 'int32' })),
      /^indexSelect: index 7 is (out of range for axis 1 of size 3|outside an axis of size 3)/,
      'index range',
    );
    throws(
      () => {
        wg.tensor([1], undefined, { dtype: 'int32' }).requiresGrad = true;
      },
      /only float32 tensors get gradients/,
      'int grad',
    );
    throws(
      () => x.reshape([4, -1]),
      /^reshape: cannot reshape \[2, 3\] to \[4, -1\]: 6 elements do not divide into rows of 4$/,
      'reshape',
    );
    same(await x.sum().data(), [21], 'still working');
  },
};
