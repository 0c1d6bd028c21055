// Bad input at the tensor boundary: sizes, axes, indices, strings and options are checked and each
// failure is an Error naming the op; traps are reported as Errors and the module recovers.
// Shared by the Node and Chromium harnesses.

/** `fn()` throws an Error whose message starts with `op: ` and matches `pattern`. */
function rejects(fn, op, pattern, what = op) {
  let result;
  try {
    result = fn();
  } catch (e) {
    if (!(e instanceof Error)) throw new Error(`${what}: threw a non-Error ${String(e)}`);
    if (!e.message.startsWith(`${op}: `) || !pattern.test(e.message))
      throw new Error(`${what}: unexpected error "${e.message}"`);
    return e;
  }
  result?.dispose?.();
  throw new Error(`${what}: did not throw`);
}

/** `promise` rejects with an Error starting `op: ` and matching `pattern`. */
async function rejectsAsync(promise, op, pattern, what = op) {
  try {
    await promise;
  } catch (e) {
    if (!(e instanceof Error) || !e.message.startsWith(`${op}: `) || !pattern.test(e.message))
      throw new Error(`${what}: unexpected rejection "${e?.message ?? e}"`);
    return;
  }
  throw new Error(`${what}: did not reject`);
}

/** The backend request that gives the backend in use again (after a fresh instance). */
const sameBackend = (wg) => ({ backend: wg.backend().startsWith('webgpu') ? 'webgpu' : 'cpu' });

function live(wg) {
  return wg.memory().numTensors;
}

export const boundaryChecks = {
  'sizes are integers in range, checked before the glue coerces them'(wg) {
    const before = live(wg);
    rejects(() => wg.zeros([-1]), 'zeros', /shape\[0\] must be in \[0, 4294967295\], got -1/);
    rejects(() => wg.zeros([2.7, 3.9]), 'zeros', /shape\[0\] must be an integer, got 2\.7/);
    rejects(() => wg.zeros('23'), 'zeros', /shape must be an array of integers, got "23"/);
    rejects(() => wg.zeros([2 ** 32]), 'zeros', /shape\[0\] must be in \[0, 4294967295\], got 4294967296/);
    rejects(() => wg.zeros([1e5, 1e5]), 'zeros', /shape|elements/);
    rejects(() => wg.ones([65536, 65536]), 'ones', /elements/);
    rejects(() => wg.full([NaN], 1), 'full', /must be an integer, got NaN/);
    rejects(() => wg.linspace(0, 1, -1), 'linspace', /steps must be in \[0, 4294967295\], got -1/);
    rejects(() => wg.eye(-1), 'eye', /rows must be/);
    rejects(() => wg.eye(65536), 'eye', /elements/);
    rejects(() => wg.randn([3, -2]), 'normal', /shape\[1\]/);
    rejects(() => wg.randint(0, 2 ** 40, [2]), 'randint', /high must be in/);
    rejects(() => wg.randperm(-3), 'randperm', /n must be in/);
    rejects(() => wg.tensor([1, 2], [-2]), 'tensor', /shape\[0\]/);
    rejects(() => wg.manualSeed(1.5), 'manualSeed', /seed must be an integer/);
    if (live(wg) !== before) throw new Error(`rejected calls left ${live(wg) - before} tensors`);
  },

  'axes, indices, strides and paddings are checked'(wg) {
    const x = wg.tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const labels = wg.tensor([0, 2], { dtype: 'int32' });
    const img = wg.zeros([1, 1, 4, 4]);
    const w = wg.zeros([1, 1, 2, 2]);
    const two = wg.ones([2]);
    const before = live(wg);
    rejects(() => labels.oneHot(-1), 'oneHot', /numClasses must be in \[0, 4294967295\], got -1/);
    rejects(() => two.pad([[-1, 0]]), 'pad', /widths\[0\]\[0\] must be in \[0, 4294967295\], got -1/);
    rejects(() => x.pad([1, 1]), 'pad', /widths\[0\] must be \[before, after\]/);
    rejects(() => x.sum(0.5), 'sum', /axis must be an integer, got 0\.5/);
    rejects(() => x.sum([0, 2 ** 40]), 'sum', /axis\[1\]/);
    rejects(() => x.softmax('1'), 'softmax', /axis must be an integer, got "1"/);
    rejects(() => x.transpose(0, NaN), 'transpose', /axis must be an integer, got NaN/);
    rejects(() => x.reshape([-2, 3]), 'reshape', /shape\[0\] must be in \[-1/);
    rejects(() => x.slice(0, 0, 2, 0), 'slice', /step must be in \[1,/);
    rejects(() => x.narrow(0, 0, -1), 'narrow', /length must be/);
    rejects(() => x.narrow(5, 0, 1), 'narrow', /axis 5 is out of range/);
    rejects(() => x.chunk(0), 'chunk', /chunks must be in \[1,/);
    rejects(() => img.conv2d(w, { stride: -1 }), 'conv2d', /stride must be in \[1,/);
    rejects(() => img.conv2d(w, { padding: -1 }), 'conv2d', /padding must be in \[0,/);
    rejects(() => img.conv2d(w, { padding: [1, 2, 3] }), 'conv2d', /padding must be 'valid', 'same' or 1, 2, 4/);
    rejects(() => img.conv2d(w, { groups: 1.5 }), 'conv2d', /groups must be an integer/);
    rejects(() => img.maxPool2d({ kernelSize: 2, stride: [1, -1] }), 'maxPool2d', /stride\[1\] must be in \[1,/);
    rejects(() => img.avgPool2d({}), 'avgPool2d', /kernelSize is required/);
    rejects(() => img.convTranspose2d(w, { outputPadding: -1 }), 'convTranspose2d', /outputPadding must be in \[0,/);
    rejects(() => wg.concat([x, x], 1.5), 'concat', /axis must be an integer/);
    rejects(() => wg.stack([x, 3]), 'stack', /tensors\[1\] must be a Tensor, got 3/);
    if (live(wg) !== before) throw new Error(`rejected calls left ${live(wg) - before} tensors`);
    // PyTorch's narrow takes a negative start from the end.
    const tail = x.narrow(1, -2, 2);
    if (String(tail.shape) !== '2,2') throw new Error(`narrow(1, -2, 2) has shape [${tail.shape}]`);
    for (const t of [x, labels, img, w, two, tail]) t.dispose();
  },

  'split(0) and split(-1) throw at once; t() needs rank 2 at most'(wg) {
    const x = wg.tensor([1, 2, 3]);
    const t0 = Date.now();
    rejects(() => x.split(0), 'split', /size must be in \[1,/);
    rejects(() => x.split(-1), 'split', /size must be in \[1,/);
    rejects(() => x.split(1, 3), 'split', /axis 3 is out of range/);
    if (Date.now() - t0 > 1000) throw new Error('split took over a second to refuse');
    const parts = x.split(2);
    if (parts.map((p) => p.shape[0]).join() !== '2,1') throw new Error('split(2) of 3 elements');
    const cube = wg.zeros([2, 2, 2]);
    rejects(() => cube.t(), 't', /at most 2 dimensions, got shape \[2, 2, 2\]/);
    const v = x.t();
    if (String(v.shape) !== '3') throw new Error('t() of a vector is the vector (PyTorch)');
    for (const t of [x, ...parts, cube, v]) t.dispose();
  },

  'operands: a Tensor or a number; strings from their lists'(wg) {
    const x = wg.tensor([1, 2, 3]);
    const w = wg.zeros([3, 2]);
    const b = wg.zeros([2]);
    const mask = x.gt(1);
    const before = live(wg);
    rejects(() => x.add([1, 2, 3]), 'add', /expected a Tensor or a number, got \[1, 2, 3\]/);
    rejects(() => x.mul('2'), 'mul', /expected a Tensor or a number/);
    rejects(() => x.matmul([[1]]), 'matmul', /other must be a Tensor/);
    rejects(() => wg.where(mask, x, 'a'), 'where', /b must be a Tensor or a number/);
    rejects(() => x.cast(7), 'cast', /dtype must be one of 'float32', 'int32', 'bool', got 7/);
    rejects(() => x.cast(null), 'cast', /dtype must be one of/);
    rejects(() => x.cast('float64'), 'cast', /dtype must be one of 'float32', 'int32', 'bool'/);
    rejects(() => wg.zeros([2], 7), 'zeros', /dtype must be one of/);
    rejects(
      () => wg.tensor([1, 2], { dtype: 'int64' }),
      'tensor',
      /dtype must be one of 'float32', 'int32', 'bool', got "int64"/,
    );
    rejects(() => wg.arange(3, undefined, 1, 'int64'), 'arange', /dtype must be one of/);
    rejects(() => x.linear(w, b, 5), 'linear', /activation must be one of 'linear', 'relu', 'sigmoid', 'tanh', got 5/);
    rejects(() => x.gelu({ approximate: 'fast' }), 'gelu', /approximate must be one of 'none', 'tanh'/);
    rejects(() => x.sum(0, 'yes'), 'sum', /keepdim must be true or false/);
    rejects(() => wg.tensor([1, 2], { requiresGrad: 1 }), 'tensor', /requiresGrad must be true or false/);
    rejects(() => wg.tensor(['a']), 'tensor', /elements must be numbers or booleans, got "a"/);
    rejects(() => x.backward({ retainGraph: 'no' }), 'backward', /retainGraph must be true or false/);
    rejects(() => x.var(0, { correction: NaN }), 'var', /correction must be a finite number/);
    if (live(wg) !== before) throw new Error(`rejected calls left ${live(wg) - before} tensors`);
    for (const t of [x, w, b, mask]) t.dispose();
  },

  async 'init: a non-string backend is an Error; concurrent calls are serialized'(wg) {
    const keep = sameBackend(wg);
    await rejectsAsync(wg.init({ backend: 5 }), 'init', /backend must be one of 'auto', 'webgpu', 'cpu', got 5/);
    await rejectsAsync(wg.init({ backend: null }), 'init', /backend must be one of/);
    const names = await Promise.all([wg.init(keep), wg.init(keep), wg.init(keep)]);
    if (new Set(names).size !== 1) throw new Error(`concurrent init calls disagree: ${names}`);
    const x = wg.tensor([1, 2]);
    const sum = await x.sum().item();
    x.dispose();
    if (sum !== 3) throw new Error('the module works after concurrent init calls');
  },

  'tidy disposes what a throwing function made'(wg) {
    const before = live(wg);
    for (let i = 0; i < 100; i++) {
      try {
        wg.tidy(() => {
          const a = wg.ones([2]).add(1);
          a.mul(2);
          throw new Error('boom');
        });
      } catch (e) {
        if (e.message !== 'boom') throw e;
      }
    }
    const leaked = live(wg) - before;
    if (leaked !== 0) throw new Error(`100 throwing tidies leaked ${leaked} tensors`);
  },

  'a loop that never disposes hits the live-tensor ceiling with a clear Error; disposing recovers'(wg) {
    const { liveTensors } = wg.memory().limits;
    if (liveTensors !== 50000) throw new Error(`default ceiling ${liveTensors}`);
    const base = live(wg);
    wg.setMemoryLimits({ liveTensors: base + 200 });
    const leaked = [];
    try {
      const error = rejects(
        () => {
          for (let i = 0; i < 1000; i++) leaked.push(wg.ones([4]));
        },
        'ones',
        /live tensors reach the ceiling of \d+.*use tidy\(\) or dispose\(\)/,
      );
      if (leaked.length !== 200) throw new Error(`the ceiling stopped the loop after ${leaked.length} steps`);
      if (!/setMemoryLimits/.test(error.message)) throw new Error('the message says how to raise the ceiling');
      for (const t of leaked) t.dispose();
      const y = wg.ones([4]).add(1); // ops run again
      y.dispose();
    } finally {
      for (const t of leaked) t.dispose();
      wg.setMemoryLimits({ liveTensors });
    }
    rejects(() => wg.setMemoryLimits({ liveTensors: 0 }), 'setMemoryLimits', /liveTensors must be at least 1, got 0/);
    rejects(() => wg.setMemoryLimits({ gpuPoolBytes: -1 }), 'setMemoryLimits', /gpuPoolBytes must be at least 0/);
    rejects(() => wg.setMemoryLimits({ poolBytes: 1 }), 'setMemoryLimits', /unknown limit 'poolBytes'/);
  },

  async 'GPU pool cap and trim (WebGPU; no-ops on the CPU)'(wg) {
    const gpu = wg.backend().startsWith('webgpu');
    const m = wg.memory();
    if (gpu && !(m.limits.gpuBudgetBytes > 0))
      throw new Error(`memory() reports the GPU budget: ${JSON.stringify(m.limits)}`);
    const x = wg.ones([1 << 16]).add(1);
    await x.data();
    x.dispose();
    wg.trimMemory();
    if (wg.memory().gpuPooledBytes !== 0) throw new Error(`trimMemory left ${wg.memory().gpuPooledBytes} pooled bytes`);
    wg.setMemoryLimits({ gpuPoolBytes: 0 });
    try {
      const y = wg.ones([1 << 16]).add(1);
      await y.data();
      y.dispose();
      if (wg.memory().gpuPooledBytes !== 0)
        throw new Error(`a pool capped at 0 holds ${wg.memory().gpuPooledBytes} bytes`);
      if (wg.memory().limits.gpuPoolBytes !== 0) throw new Error('memory() reports the pool cap set');
    } finally {
      wg.setMemoryLimits({ gpuPoolBytes: 256 * 2 ** 20 });
    }
  },

  // Last: it replaces the module's instance.
  async 'a trap is an Error naming the op; init() makes a fresh instance; old tensors are invalid'(wg) {
    const keep = sameBackend(wg);
    const old = wg.tensor([1, 2, 3]);
    const kept = wg.tensor([4, 5]);
    const pending = old.data(); // a readback in flight when the module traps
    rejects(
      () => wg.__trap(),
      '__trap',
      /the WebAssembly module trapped \(.*unreachable.*\); webgrad will re-instantiate it on the next init\(\)/,
    );
    await pending.catch(() => {}); // settles either way, never hangs
    rejects(() => wg.tensor([1]), 'tensor', /trapped earlier.*call `await webgrad\.init\(\)` again/);
    rejects(() => old.add(1), 'add', /this tensor belongs to a WebAssembly instance that trapped/);
    rejects(() => wg.memory(), 'memory', /trapped earlier/);
    old.dispose(); // a no-op, never "attempted to take ownership … while it was borrowed"
    old.dispose();
    await wg.init(keep);
    const x = wg.tensor([1, 2, 3]);
    const sum = await x.sum().item();
    if (sum !== 6) throw new Error(`after init, sum is ${sum}`);
    await rejectsAsync(kept.data(), 'data', /this tensor belongs to a WebAssembly instance that trapped/);
    rejects(
      () => x.add(kept),
      'add',
      /this tensor belongs to a WebAssembly instance that trapped/,
      'an old tensor as an operand',
    );
    if (!/trapped/.test(String(kept))) throw new Error(`String of an old tensor: ${String(kept)}`);
    kept.dispose(); // a no-op on the new instance
    x.dispose();
  },
};
