// The TypeScript API checks, shared by the Node (CPU) and Chromium (WebGPU) harnesses. Each check
// throws on a wrong number; expected values are hand-derived in the comments.

function assertClose(actual, expected, what, tol = 1e-4) {
  const a = Array.from(actual);
  if (a.length !== expected.length || a.some((v, i) => Math.abs(v - expected[i]) > tol * (1 + Math.abs(expected[i])))) {
    throw new Error(`${what}: got [${a}], expected [${expected}]`);
  }
}

function assertThrows(fn, pattern, what) {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof Error)) throw new Error(`${what}: threw a non-Error ${e}`);
    if (!pattern.test(e.message)) throw new Error(`${what}: message "${e.message}" does not match ${pattern}`);
    return;
  }
  throw new Error(`${what}: did not throw`);
}

/** Named checks; each receives the webgrad module after `init`. */
export const checks = {
  async 'add broadcasts a row over a matrix'(wg) {
    const a = wg.tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const b = wg.tensor([10, 20, 30]);
    const c = a.add(b);
    assertClose(c.shape, [2, 3], 'shape');
    assertClose(await c.data(), [11, 22, 33, 14, 25, 36], 'a + b');
    for (const t of [a, b, c]) t.dispose();
  },

  async 'matmul and sum'(wg) {
    // [[1,2,3],[4,5,6]] @ [[1,2],[3,4],[5,6]] = [[22,28],[49,64]]; total 163.
    const a = wg.tensor(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]);
    const b = wg.tensor(new Float32Array([1, 2, 3, 4, 5, 6]), [3, 2]);
    const c = a.matmul(b);
    assertClose(await c.data(), [22, 28, 49, 64], 'a @ b');
    const s = c.sum();
    assertClose(s.shape, [], 'scalar shape');
    assertClose(await s.data(), [163], 'sum');
  },

  async 'backward gives hand-derived gradients'(wg) {
    // loss = sum(a @ b + bias): da = row sums of b per column of a, db = column sums of a, dbias = rows.
    const a = wg.tensor(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      undefined,
      { requiresGrad: true },
    );
    const b = wg.tensor(
      [
        [1, 2],
        [3, 4],
        [5, 6],
      ],
      undefined,
      { requiresGrad: true },
    );
    const bias = wg.tensor([0.5, -0.5], undefined, { requiresGrad: true });
    const loss = a.matmul(b).add(bias).sum();
    loss.backward();
    assertClose(await loss.data(), [163], 'loss');
    assertClose(await a.grad.data(), [3, 7, 11, 3, 7, 11], 'a.grad');
    assertClose(await b.grad.data(), [5, 5, 7, 7, 9, 9], 'b.grad');
    assertClose(await bias.grad.data(), [2, 2], 'bias.grad');
    bias.zeroGrad();
    if (bias.grad !== null) throw new Error('zeroGrad left a gradient');
  },

  async 'shape errors are JS Errors naming op and shapes, and the module keeps working'(wg) {
    const a = wg.tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const b = wg.tensor([1, 2, 3, 4]);
    assertThrows(() => a.add(b), /^add: shapes \[2, 3\] and \[4\] cannot be broadcast together$/, 'add');
    assertThrows(() => a.matmul(a), /^matmul: shapes \[2, 3\] and \[2, 3\] do not match/, 'matmul');
    assertThrows(() => a.backward(), /^backward: .*\[2, 3\]/, 'backward of a non-scalar');
    assertThrows(() => wg.tensor([1, 2, 3], [2, 2]), /^tensor: 3 values cannot fill shape \[2, 2\]/, 'tensor');
    assertClose(await a.add(a).sum().data(), [42], 'after errors');
  },

  async 'disposed tensors say so'(wg) {
    const a = wg.tensor([1, 2]);
    a.dispose();
    a.dispose();
    assertThrows(() => a.sum(), /^sum: the tensor was disposed$/, 'use after dispose');
  },
};
