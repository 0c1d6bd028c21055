// Creating tensors: constants, ranges, identity, and seeded random values.
import { Tensor as WasmTensor, manualSeed as wasmManualSeed , randperm as randpermHandle } from '../pkg/webgrad.js';
import { wrap, type DType, type Tensor } from './tensor.js';
import { requireInit } from './runtime.js';

const dims = (shape: number[]) => Uint32Array.from(shape);

/** `shape` filled with `value`. */
export function full(shape: number[], value: number, dtype: DType = 'float32'): Tensor {
  requireInit('full');
  return wrap(WasmTensor.full(dims(shape), value, dtype));
}
export function zeros(shape: number[], dtype: DType = 'float32'): Tensor { return full(shape, 0, dtype); }
export function ones(shape: number[], dtype: DType = 'float32'): Tensor { return full(shape, 1, dtype); }
export function fullLike(t: Tensor, value: number): Tensor { return full(t.shape, value, t.dtype); }
export function zerosLike(t: Tensor): Tensor { return fullLike(t, 0); }
export function onesLike(t: Tensor): Tensor { return fullLike(t, 1); }

/**
 * `start, start + step, …` below `end`; with one argument, `0 … end - 1`.
 *
 * @example
 * ```ts
 * wg.arange(4);            // [0, 1, 2, 3]
 * wg.arange(1, 2, 0.25);   // [1, 1.25, 1.5, 1.75]
 * ```
 */
export function arange(start: number, end?: number, step = 1, dtype: DType = 'float32'): Tensor {
  if (end === undefined) [start, end] = [0, start];
  requireInit('arange');
  return wrap(WasmTensor.arange(start, end, step, dtype));
}

/** `steps` evenly spaced values from `start` to `end`, both included. */
export function linspace(start: number, end: number, steps: number): Tensor {
  requireInit('linspace');
  return wrap(WasmTensor.linspace(start, end, steps));
}

/** The identity matrix (`rows x cols`, square by default). */
export function eye(rows: number, cols = rows, dtype: DType = 'float32'): Tensor {
  requireInit('eye');
  return wrap(WasmTensor.eye(rows, cols, dtype));
}

/** Uniform values in `[low, high)` from the seeded generator. */
export function uniform(shape: number[], low = 0, high = 1): Tensor { requireInit('uniform'); return wrap(WasmTensor.random('uniform', dims(shape), low, high)); }
/** Uniform values in `[0, 1)`. */
export function rand(shape: number[]): Tensor { return uniform(shape); }
/** Normal values with `mean` and standard deviation `std`. */
export function normal(shape: number[], mean = 0, std = 1): Tensor { requireInit('normal'); return wrap(WasmTensor.random('normal', dims(shape), mean, std)); }
/** Standard normal values. */
export function randn(shape: number[]): Tensor { return normal(shape); }
/** Int32 values in `[low, high)`. */
export function randint(low: number, high: number, shape: number[]): Tensor {
  requireInit('randint');
  return wrap(WasmTensor.random('randint', dims(shape), low, high));
}

/** Reseeds the generator: the same seed gives the same numbers on every backend. */
/** A random permutation of `0..n-1` (int32) from the seeded generator (PyTorch's `randperm`). */
export function randperm(n: number): Tensor { requireInit('randperm'); return wrap(randpermHandle(n)); }

export function manualSeed(seed: number): void {
  requireInit('manualSeed');
  wasmManualSeed(seed);
}
