// The Keras-like Sequential model: a LayersModel whose graph is a chain, grown one layer at a time.
import { requireInit } from '../runtime.js';
import { LayerSpec } from './layers.js';
import { LayersModel } from './model.js';
import { input } from './topology.js';
import type { SymbolicTensor } from './topology.js';

/**
 * A stack of layers trained with `compile` + `fit`, as in TensorFlow.js.
 *
 * @example
 * ```ts
 * const model = wg.sequential({ layers: [
 *   wg.layers.dense({ units: 128, activation: 'relu', inputShape: [784] }),
 *   wg.layers.dense({ units: 10, activation: 'softmax' }),
 * ] });
 * model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
 * const history = await model.fit(x, y, { epochs: 2, batchSize: 64 });
 * const probs = model.predict(x);
 * ```
 */
export class Sequential extends LayersModel {
  readonly className: string = 'Sequential';
  #input: SymbolicTensor | null = null;
  #last: SymbolicTensor | null = null;

  constructor(args: { layers?: LayerSpec[]; name?: string } = {}) {
    super({ name: args.name ?? 'sequential' });
    for (const layer of args.layers ?? []) this.add(layer);
  }

  /** Appends a layer (built at once: the first layer needs an `inputShape`). */
  add(layer: LayerSpec): void {
    requireInit('add');
    this.idle('add');
    if (!(layer instanceof LayerSpec)) throw new Error('add: expected a layer made by wg.layers.*');
    if (!this.#input) {
      if (!layer.inputShape) throw new Error(`add: the first layer (${layer.name}) needs an inputShape`);
      this.#input = input({ shape: layer.inputShape, name: `${layer.name}_input` });
      this.#last = this.#input;
    }
    let out: SymbolicTensor;
    try {
      out = layer.apply(this.#last!) as SymbolicTensor;
    } catch (e) {
      if (this.#last === this.#input) this.#input = this.#last = null;
      throw e;
    }
    this.#last = out;
    // A compiled trainer holds the old layer list and parameters: compile again after adding.
    this.setGraph([this.#input], [out]);
  }

  /** The sample shape this model produces (`[null, ...]` in Keras; here without the batch axis). */
  get outputShape(): number[] {
    return this.#last?.sampleShape ?? [];
  }
}

/** Creates a {@link Sequential} model (TensorFlow.js's `tf.sequential`). */
export function sequential(args: { layers?: LayerSpec[]; name?: string } = {}): Sequential {
  return new Sequential(args);
}
