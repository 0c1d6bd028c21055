// Weights of layers and models in TensorFlow.js's order and layouts: every trainable weight first,
// then every non-trainable one (a frozen layer's weights, batch normalisation's moving statistics),
// each permuted from the core's layout to TensorFlow.js's where they differ.
import type { Layer } from '../../pkg/webgrad.js';
import type { Tensor } from '../tensor.js';
import { layerTensors } from '../core-layer.js';
import { describe, fail } from '../validate.js';
import { tensorArg } from '../checks.js';

/** One weight: its Keras name (`dense_1/kernel`), the core's tensor, and the layout permutations. */
export interface WeightEntry {
  name: string;
  tensor: Tensor;
  toKeras: number[] | null;
  fromKeras: number[] | null;
}

/** TensorFlow.js's weight lists. */
export interface WeightLists {
  trainable: WeightEntry[];
  nonTrainable: WeightEntry[];
}

/** The permutation that undoes `p`. */
export function inverse(p: number[]): number[] {
  const q = new Array<number>(p.length);
  p.forEach((axis, i) => (q[axis] = i));
  return q;
}

/** @internal A core layer's parameters and buffers as entries named `${prefix}/${name}` (tensors to dispose). */
export function coreEntries(prefix: string, core: Layer): { params: WeightEntry[]; buffers: WeightEntry[] } {
  const entry = ([name, tensor]: [string, Tensor]): WeightEntry => {
    const layout = core.kerasLayout(name);
    const toKeras = layout ? Array.from(layout) : null;
    return { name: `${prefix}/${name}`, tensor, toKeras, fromKeras: toKeras ? inverse(toKeras) : null };
  };
  return {
    params: layerTensors(core.parameterNames(), core.parameters()).map(entry),
    buffers: layerTensors(core.bufferNames(), core.buffers()).map(entry),
  };
}

/** The entries in TensorFlow.js's order (disposing them is the caller's job). */
export const ordered = (lists: WeightLists): WeightEntry[] => [...lists.trainable, ...lists.nonTrainable];

/** @internal The shape a weight has in TensorFlow.js's layout. */
export const kerasShape = (e: WeightEntry): number[] =>
  e.toKeras ? e.toKeras.map((a) => e.tensor.shape[a]) : e.tensor.shape;

/** What layers and models share: the trainable flag and weights in TensorFlow.js's order. */
export abstract class WeightedLayer {
  #trainable = true;
  /** The models whose graphs use it. */
  #users = new Set<object>();

  /** @internal Frees its weights. */
  abstract dispose(): void;

  /** @internal Model `user` uses it. */
  attach(user: object): void {
    this.#users.add(user);
  }

  /** @internal Model `user` was disposed: freed once no model uses it (a layer shared with a sub-model lives on). */
  release(user: object): void {
    this.#users.delete(user);
    if (this.#users.size === 0) this.dispose();
  }

  abstract readonly name: string;

  /** @internal TensorFlow.js's `trainableWeights` and `nonTrainableWeights` (tensors to dispose). */
  abstract weightLists(): WeightLists;

  /** @internal Applies the flag to the built core layers. */
  protected abstract applyTrainable(trainable: boolean): void;

  /** Whether training updates this layer's weights (set `false` to freeze it, as in Keras). */
  get trainable(): boolean {
    return this.#trainable;
  }

  set trainable(value: boolean) {
    if (typeof value !== 'boolean') fail(this.name, `trainable must be a boolean, got ${describe(value)}`);
    this.#trainable = value;
    this.applyTrainable(value);
  }

  /** The weights in TensorFlow.js's order and layouts, as new tensors to dispose. */
  getWeights(): Tensor[] {
    return ordered(this.weightLists()).map(({ tensor, toKeras }) => {
      const copy = toKeras ? tensor.permute(...toKeras) : tensor.reshape(tensor.shape);
      tensor.dispose();
      return copy;
    });
  }

  /**
   * Sets the weights in {@link WeightedLayer.getWeights}'s order and TensorFlow.js's layouts (Dense
   * `[in, out]`, Conv1D `[k, in, out]`, Conv2D `[kh, kw, in, out]`); each shape must match, and a
   * refused call changes nothing.
   */
  setWeights(weights: Tensor[]): void {
    const targets = ordered(this.weightLists());
    try {
      if (!Array.isArray(weights)) fail('setWeights', `weights must be an array of tensors, got ${describe(weights)}`);
      if (weights.length !== targets.length)
        throw new Error(`setWeights: expected ${targets.length} tensors, got ${weights.length}`);
      const values = targets.map((target, i) => {
        const w = tensorArg('setWeights', `weights[${i}]`, weights[i]);
        const want = kerasShape(target);
        if (w.shape.join() !== want.join())
          fail(
            'setWeights',
            `weight ${i} (${target.name}) must have shape [${want.join(', ')}], got [${w.shape.join(', ')}]`,
          );
        return { target, w };
      });
      for (const { target, w } of values) assignKeras(target, w);
    } finally {
      targets.forEach(({ tensor }) => tensor.dispose());
    }
  }

  /** The number of weight values, trainable and not, as Keras counts. */
  countParams(): number {
    const entries = ordered(this.weightLists());
    const n = entries.reduce((a, e) => a + e.tensor.size, 0);
    entries.forEach((e) => e.tensor.dispose());
    return n;
  }
}

/** Sets a weight from a tensor in TensorFlow.js's layout (shape already checked). */
export function assignKeras(target: WeightEntry, w: Tensor): void {
  if (!target.fromKeras) {
    target.tensor.assign(w);
    return;
  }
  const v = w.permute(...target.fromKeras);
  try {
    target.tensor.assign(v);
  } finally {
    v.dispose();
  }
}
