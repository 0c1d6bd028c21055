// The Tensor class: a thin, typed wrapper over the wasm handle.
import { Tensor as WasmTensor } from '../pkg/webgrad.js';

/** Nested arrays of numbers, e.g. `[[1, 2], [3, 4]]`. */
export type NestedArray = number | NestedArray[];

/** Options of {@link tensor}. */
export interface TensorOptions {
  /** Track gradients for this (leaf) tensor. */
  requiresGrad?: boolean;
}

/**
 * An n-dimensional float32 array on the active backend, with reverse-mode autograd.
 * Ops return new tensors; free them with {@link Tensor.dispose} (GPU memory is not garbage-collected
 * promptly).
 *
 * @example
 * ```ts
 * const a = wg.tensor([[1, 2], [3, 4]], { requiresGrad: true });
 * const loss = a.matmul(a).sum();
 * loss.backward();
 * await loss.data();      // Float32Array [54]
 * await a.grad!.data();   // Float32Array [7, 11, 9, 13]
 * ```
 */
export class Tensor {
  #handle: WasmTensor | null;

  /** @internal Wraps a wasm handle; use {@link tensor} to make tensors. */
  constructor(handle: WasmTensor) {
    this.#handle = handle;
  }

  /** @internal The live wasm handle, or an Error naming `op` once disposed. */
  handle(op: string): WasmTensor {
    if (this.#handle === null) throw new Error(`${op}: the tensor was disposed`);
    return this.#handle;
  }

  /** The dimensions, e.g. `[2, 3]`; `[]` for a scalar. */
  get shape(): number[] {
    return Array.from(this.handle('shape').shape);
  }

  /** Whether gradients are tracked for this leaf tensor. */
  get requiresGrad(): boolean {
    return this.handle('requiresGrad').requiresGrad;
  }

  set requiresGrad(value: boolean) {
    this.handle('requiresGrad').requiresGrad = value;
  }

  /** Elementwise sum with NumPy broadcasting. */
  add(other: Tensor): Tensor {
    return new Tensor(this.handle('add').add(other.handle('add')));
  }

  /** Matrix product of 2-D tensors: `[m, k] @ [k, n] -> [m, n]`. */
  matmul(other: Tensor): Tensor {
    return new Tensor(this.handle('matmul').matmul(other.handle('matmul')));
  }

  /** Sum of all elements, as a scalar tensor. */
  sum(): Tensor {
    return new Tensor(this.handle('sum').sum());
  }

  /** Accumulates d(this)/d(leaf) into `leaf.grad` for every leaf with `requiresGrad`; `this` must hold one element. */
  backward(): void {
    this.handle('backward').backward();
  }

  /** The accumulated gradient, or `null`. */
  get grad(): Tensor | null {
    const g = this.handle('grad').grad;
    return g === undefined ? null : new Tensor(g);
  }

  /** Clears the accumulated gradient. */
  zeroGrad(): void {
    this.handle('zeroGrad').zeroGrad();
  }

  /** Reads the elements back (row-major). The only point where queued GPU work is awaited. */
  async data(): Promise<Float32Array> {
    return (await this.handle('data').data()) as Float32Array;
  }

  /** Frees the tensor's memory now; using it afterwards throws. Safe to call twice. */
  dispose(): void {
    this.#handle?.free();
    this.#handle = null;
  }

  /** True once {@link Tensor.dispose} has run. */
  get isDisposed(): boolean {
    return this.#handle === null;
  }
}

function inferShape(data: NestedArray): number[] {
  const shape: number[] = [];
  let level: NestedArray = data;
  while (Array.isArray(level)) {
    shape.push(level.length);
    if (level.length === 0) break;
    level = level[0];
  }
  return shape;
}

function flatten(data: NestedArray, shape: number[], depth: number, out: number[]): void {
  if (depth === shape.length) {
    if (typeof data !== 'number') throw new Error(`tensor: ragged nested array (expected shape [${shape}])`);
    out.push(data);
    return;
  }
  if (!Array.isArray(data) || data.length !== shape[depth]) {
    throw new Error(`tensor: ragged nested array (expected shape [${shape}])`);
  }
  for (const item of data) flatten(item, shape, depth + 1, out);
}

/**
 * Makes a tensor from nested arrays (shape inferred) or from flat values with an explicit shape.
 *
 * @example
 * ```ts
 * wg.tensor([[1, 2, 3], [4, 5, 6]]);                  // shape [2, 3]
 * wg.tensor(new Float32Array([1, 2, 3, 4]), [2, 2]);  // shape [2, 2]
 * wg.tensor(3);                                       // a scalar
 * ```
 */
export function tensor(data: NestedArray | Float32Array, shape?: number[], options: TensorOptions = {}): Tensor {
  let values: Float32Array;
  if (data instanceof Float32Array) {
    values = data;
    shape ??= [data.length];
  } else {
    const inferred = inferShape(data);
    const flat: number[] = [];
    flatten(data, inferred, 0, flat);
    values = Float32Array.from(flat);
    shape ??= inferred;
  }
  const t = new Tensor(WasmTensor.fromData(values, Uint32Array.from(shape)));
  if (options.requiresGrad) t.requiresGrad = true;
  return t;
}
