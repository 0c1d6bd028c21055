// A TypeScript consumer, compiled with `strict` and `skipLibCheck: false` under each module
// resolution (tsconfig.*.json); the Node ones are run too. The names the API takes are string-literal
// types: each misspelling below must fail to compile (`@ts-expect-error` fails the build otherwise).
import * as wg from 'webgrad';

/** Never called: type errors only. */
export function misspellings(model: wg.Sequential, t: wg.Tensor): void {
  // @ts-expect-error an optimizer name
  model.compile({ optimizer: 'adamm', loss: 'meanSquaredError' });
  // @ts-expect-error a loss name
  model.compile({ optimizer: 'adam', loss: 'meanSquareError' });
  // @ts-expect-error a metric name
  model.compile({ optimizer: 'adam', loss: 'mse', metrics: ['acuracy'] });
  // @ts-expect-error an activation name
  wg.layers.dense({ units: 2, activation: 'rellu' });
  // @ts-expect-error an initializer name
  wg.layers.dense({ units: 2, kernelInitializer: 'glorot' });
  // @ts-expect-error a padding name
  wg.layers.conv2d({ filters: 2, kernelSize: 3, padding: 'full' });
  // @ts-expect-error a backend name
  void wg.init({ backend: 'gpu' });
  // @ts-expect-error internal members are not part of the types
  t.handle('x');
  // @ts-expect-error tensors come from wg.tensor() and the ops
  void new wg.Tensor();
  // @ts-expect-error layers come from wg.layers.*
  void new wg.LayerSpec();
  // @ts-expect-error the optimizers are its subclasses
  void new wg.optim.Optimizer('adam', [t], {});
}

async function main(): Promise<void> {
  const backend: string = await wg.init({ backend: 'cpu' });
  const model = wg.sequential({ layers: [wg.layers.dense({ units: 2, activation: 'softmax', inputShape: [3], kernelInitializer: 'zeros' })] });
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const x = wg.tensor([[1, 2, 3], [4, 5, 6]]);
  const y = wg.tensor([0, 1], { dtype: 'int32' });
  // Zero weights: both classes 1/2, so the loss is ln 2 and argmax (the first) is right once.
  const [loss, accuracy] = await model.evaluate(x, y);
  const product = x.matmul(wg.tensor([[1], [1], [1]]));
  // Bytes are a WasmSource in every configuration (a type check only).
  const source: wg.WasmSource = new Uint8Array([0, 97, 115, 109]);
  void source;
  console.log(JSON.stringify({
    backend,
    version: wg.version,
    loss: await loss.item(),
    accuracy: await accuracy.item(),
    product: Array.from(await product.data()),
    text: String(product),
  }));
}

void main();
