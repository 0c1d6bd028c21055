// Creating tensors: constants, ranges, identity, and seeded random values.
import { Tensor as WasmTensor, manualSeed as wasmManualSeed, randperm as randpermHandle } from '../pkg/webgrad.js';
import { dims, dtypeOf, tensorOf, wrap, type DType, type Tensor } from './tensor.js';
import { requireInit } from './runtime.js';
import { admit } from './boundary.js';
import { finite, int, num, size } from './validate.js';
import type { DistributionName } from './generated/selectors.js';

/** Checks that the module is ready for `op`, which makes a tensor. */
function start(op: string): void {
  requireInit(op);
  admit(op);
}

function fill(op: string, shape: number[], value: number, dtype: DType): Tensor {
  start(op);
  return wrap(WasmTensor.full(dims(op, shape), num(op, 'value', value), dtypeOf(op, dtype)));
}

/** `shape` filled with `value`. */
export function full(shape: number[], value: number, dtype: DType = 'float32'): Tensor {
  return fill('full', shape, value, dtype);
}
export function zeros(shape: number[], dtype: DType = 'float32'): Tensor {
  return fill('zeros', shape, 0, dtype);
}
export function ones(shape: number[], dtype: DType = 'float32'): Tensor {
  return fill('ones', shape, 1, dtype);
}
export function fullLike(t: Tensor, value: number): Tensor {
  const like = tensorOf('fullLike', 't', t);
  return fill('fullLike', like.shape, value, like.dtype);
}
export function zerosLike(t: Tensor): Tensor {
  return fill('zerosLike', tensorOf('zerosLike', 't', t).shape, 0, t.dtype);
}
export function onesLike(t: Tensor): Tensor {
  return fill('onesLike', tensorOf('onesLike', 't', t).shape, 1, t.dtype);
}

/**
 * `start, start + step, …` below `end`; with one argument, `0 … end - 1`.
 *
 * @example
 * ```ts
 * wg.arange(4);            // [0, 1, 2, 3]
 * wg.arange(1, 2, 0.25);   // [1, 1.25, 1.5, 1.75]
 * ```
 */
export function arange(begin: number, end?: number, step = 1, dtype: DType = 'float32'): Tensor {
  const op = 'arange';
  if (end === undefined) [begin, end] = [0, begin];
  start(op);
  return wrap(
    WasmTensor.arange(finite(op, 'start', begin), finite(op, 'end', end), finite(op, 'step', step), dtypeOf(op, dtype)),
  );
}

/** `steps` evenly spaced values from `start` to `end`, both included. */
export function linspace(begin: number, end: number, steps: number): Tensor {
  const op = 'linspace';
  start(op);
  return wrap(WasmTensor.linspace(finite(op, 'start', begin), finite(op, 'end', end), size(op, 'steps', steps)));
}

/** The identity matrix (`rows x cols`, square by default). */
export function eye(rows: number, cols = rows, dtype: DType = 'float32'): Tensor {
  const op = 'eye';
  start(op);
  const [r, c] = [size(op, 'rows', rows), size(op, 'cols', cols)];
  dims(op, [r, c]);
  return wrap(WasmTensor.eye(r, c, dtypeOf(op, dtype)));
}

function random(op: string, kind: DistributionName, shape: number[], a: number, b: number): Tensor {
  start(op);
  return wrap(WasmTensor.random(kind, dims(op, shape), a, b));
}

/** Uniform values in `[low, high)` from the seeded generator. */
export function uniform(shape: number[], low = 0, high = 1): Tensor {
  return random('uniform', 'uniform', shape, finite('uniform', 'low', low), finite('uniform', 'high', high));
}
/** Uniform values in `[0, 1)`. */
export function rand(shape: number[]): Tensor {
  return random('uniform', 'uniform', shape, 0, 1);
}
/** Normal values with `mean` and standard deviation `std`. */
export function normal(shape: number[], mean = 0, std = 1): Tensor {
  return random('normal', 'normal', shape, finite('normal', 'mean', mean), finite('normal', 'std', std));
}
/** Standard normal values. */
export function randn(shape: number[]): Tensor {
  return random('normal', 'normal', shape, 0, 1);
}
/** Int32 values in `[low, high)`. */
export function randint(low: number, high: number, shape: number[]): Tensor {
  const bound = (name: string, v: number) => int('randint', name, v, -(2 ** 31), 2 ** 31 - 1);
  return random('randint', 'randint', shape, bound('low', low), bound('high', high));
}

/** A random permutation of `0..n-1` (int32) from the seeded generator (PyTorch's `randperm`). */
export function randperm(n: number): Tensor {
  start('randperm');
  return wrap(randpermHandle(size('randperm', 'n', n)));
}

/** Reseeds the generator: the same seed gives the same numbers on every backend. */
export function manualSeed(seed: number): void {
  requireInit('manualSeed');
  wasmManualSeed(int('manualSeed', 'seed', seed, 0));
}
