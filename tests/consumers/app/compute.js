// What every consumer app computes, on the backend it asks for; consumers.test.mjs checks the
// numbers against hand-derived values. `wg` is passed in so one file serves `import` and `require`.
export async function compute(wg, backend) {
  const name = await wg.init({ backend });
  const a = wg.tensor([[1, 2], [3, 4]]);
  const w = wg.tensor([[5, 6], [7, 8]], { requiresGrad: true });
  const product = a.matmul(w);
  const loss = product.relu().sum();
  loss.backward();
  // The Keras-like front door: one dense unit with known weights.
  const model = wg.sequential({ layers: [wg.layers.dense({ units: 1, inputShape: [2] })] });
  const kernel = wg.tensor([[1], [2]]);
  const bias = wg.tensor([0.5]);
  model.setWeights([kernel, bias]);
  const predicted = model.predict(a);
  const result = {
    backend: name,
    version: wg.version,
    wasm: wg.wasmFile(),
    product: Array.from(await product.data()),
    loss: await loss.item(),
    grad: Array.from(await w.grad.data()),
    predict: Array.from(await predicted.data()),
    text: product.toString(),
  };
  for (const t of [a, w, product, loss, kernel, bias, predicted]) t.dispose();
  model.dispose();
  return result;
}
