// The Tensor class: a thin, typed wrapper over the wasm handle, with PyTorch-style names in camelCase.
import { Tensor as WasmTensor, TensorList, assign as assignValues } from '../pkg/webgrad.js';
import { requireInit } from './runtime.js';
import { EDGE, cutAxes, formatValues } from './format.js';
import { noGrad } from './autograd.js';
import { admit, enter, generation, record, staleError, untilTrap } from './boundary.js';
import { FUSED_ACTIVATIONS, type FusedActivationName, type BinaryName, type UnaryName } from './generated/ops.js';
import type { ArgReductionName, MomentName, PadModeName, PoolName, ReductionName } from './generated/selectors.js';
import {
  MAX_SIZE,
  bool,
  describe,
  fail,
  finite,
  int,
  num,
  oneOf,
  options,
  options as optionsOf,
  size,
  sizes,
  sizes as sizeList,
} from './validate.js';

/** Element type: `'float32'` (compute), `'int32'` (indices, labels) or `'bool'` (masks). */
export type DType = 'float32' | 'int32' | 'bool';

/** @internal The dtypes, for checks. */
export const DTYPES: readonly DType[] = ['float32', 'int32', 'bool'];

/** @internal `v` as a dtype, or an Error naming `op` that lists the supported ones. */
export function dtypeOf(op: string, v: unknown): DType {
  return oneOf(op, 'dtype', v, DTYPES);
}

/** @internal A shape as the glue takes it: sizes, with an element count a 32-bit module can address. */
export function dims(op: string, shape: unknown, name = 'shape'): Float64Array {
  const d = sizes(op, name, shape);
  const elements = d.reduce((a, b) => a * b, 1);
  if (elements > MAX_SIZE)
    fail(
      op,
      `${name} [${d.join(', ')}] has ${elements} elements, more than the ${MAX_SIZE} a 32-bit WebAssembly module can address`,
    );
  return Float64Array.from(d);
}

/** @internal An axis (negative counts from the end). */
export function axisOf(op: string, v: unknown, name = 'axis'): number {
  return int(op, name, v, -(2 ** 31), 2 ** 31 - 1);
}

/** @internal `v`, which must be a Tensor. */
export function tensorOf(op: string, name: string, v: unknown): Tensor {
  if (!(v instanceof Tensor)) fail(op, `${name} must be a Tensor, got ${describe(v)}`);
  return v;
}

/** Integers of a shape that may hold `-1` (reshape, expand). */
function shapeInts(op: string, v: unknown): Float64Array {
  if (!Array.isArray(v)) fail(op, `shape must be an array of integers, got ${describe(v)}`);
  return Float64Array.from(v, (d, i) => int(op, `shape[${i}]`, d, -1, MAX_SIZE));
}

/** Nested arrays of numbers or booleans, e.g. `[[1, 2], [3, 4]]`. */
export type NestedArray = number | boolean | NestedArray[];

/** One size for both spatial axes, or `[rows, cols]`. */
export type Pair = number | [number, number];

/** A tensor, or a number standing for a scalar tensor. */
export type TensorLike = Tensor | number;

/** One or several axes; negative axes count from the end. */
export type Axes = number | number[];

/** Padding of a convolution or pooling window: `'valid'`, `'same'`, one number for every side,
 * `[rows, cols]`, or `[top, left, bottom, right]`. */
export type PaddingSpec = 'valid' | 'same' | number | number[];

/** Options of {@link tensor}. */
export interface TensorOptions {
  /** Element type; default `'float32'` (or inferred from a typed array / booleans). */
  dtype?: DType;
  /** Track gradients for this (leaf) tensor. */
  requiresGrad?: boolean;
}

/** Options of {@link Tensor.conv2d}. */
export interface Conv2dOptions {
  bias?: Tensor;
  stride?: number | [number, number];
  padding?: PaddingSpec;
  dilation?: number | [number, number];
  groups?: number;
}

/** Options of {@link Tensor.conv1d}; explicit padding is one number or `[left, right]`. */
export interface Conv1dOptions {
  bias?: Tensor;
  stride?: number;
  padding?: 'valid' | 'same' | number | [number, number];
  dilation?: number;
  groups?: number;
}

/** Options of {@link Tensor.convTranspose2d} (PyTorch's `ConvTranspose2d` arguments). */
export interface ConvTranspose2dOptions {
  bias?: Tensor;
  stride?: number | [number, number];
  padding?: number | [number, number];
  outputPadding?: number | [number, number];
  dilation?: number | [number, number];
  groups?: number;
}

/** Options of {@link Tensor.maxPool2d} and {@link Tensor.avgPool2d}. */
export interface Pool2dOptions {
  kernelSize: number | [number, number];
  /** Default: the kernel size. */
  stride?: number | [number, number];
  padding?: PaddingSpec;
  dilation?: number | [number, number];
  /** Average pooling: divide by the whole window (default, PyTorch) or only the taps inside the image (Keras). */
  countIncludePad?: boolean;
}

/** Options of {@link Tensor.adamUpdate}. */
export interface AdamUpdateOptions {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
  decoupled?: boolean;
  epsilonHat?: boolean;
  /** The step number, from 1. */
  step: number;
}

/** Options of {@link Tensor.backward}. */
export interface BackwardOptions {
  /** Seed gradient, required when the tensor has more than one element. */
  gradient?: Tensor;
  /** Keep the graph for another backward pass. */
  retainGraph?: boolean;
}

/** Called with each tensor made, so scopes such as `tidy` can track them. */
let onCreate: ((t: Tensor) => void) | null = null;

/** @internal Installs the creation hook (used by `tidy`). */
export function setCreationHook(hook: ((t: Tensor) => void) | null): ((t: Tensor) => void) | null {
  const previous = onCreate;
  onCreate = hook;
  return previous;
}

/** One size or `[rows, cols]`, each at least `min`. */
function pair(op: string, name: string, v: unknown, min: number): Float64Array {
  if (Array.isArray(v) && (v.length === 1 || v.length === 2))
    return Float64Array.from(v, (d, i) => size(op, `${name}[${i}]`, d, min));
  if (typeof v === 'number') return Float64Array.of(size(op, name, v, min));
  return fail(op, `${name} must be a number or [rows, cols], got ${describe(v)}`);
}

/** Axes: one integer or an array of them (`undefined`: all). */
function axesOf(op: string, axis: unknown): Float64Array | undefined {
  if (axis === undefined) return undefined;
  return Float64Array.from(Array.isArray(axis) ? axis : [axis], (a, i) =>
    axisOf(op, a, Array.isArray(axis) ? `axis[${i}]` : 'axis'),
  );
}

/** `'valid'`, `'same'`, or 1, 2 or 4 (`counts`) non-negative sizes. */
function paddingOf(op: string, p: unknown, counts = [1, 2, 4]): [PadModeName, Float64Array] {
  if (p === undefined || p === 'valid') return ['valid', new Float64Array()];
  if (p === 'same') return ['same', new Float64Array()];
  if (typeof p === 'number') return ['explicit', Float64Array.of(size(op, 'padding', p))];
  if (Array.isArray(p) && counts.includes(p.length)) return ['explicit', Float64Array.from(sizes(op, 'padding', p))];
  return fail(op, `padding must be 'valid', 'same' or ${counts.join(', ')} non-negative integers, got ${describe(p)}`);
}

/** @internal */
export function listOf(tensors: Tensor[], op: string): TensorList {
  if (!Array.isArray(tensors)) fail(op, `expected an array of tensors, got ${describe(tensors)}`);
  const checked = tensors.map((t, i) => tensorOf(op, `tensors[${i}]`, t).handle(op));
  const list = new TensorList();
  for (const h of checked) list.push(h);
  return list;
}

/** @internal */
export function fromList(list: TensorList): Tensor[] {
  const out: Tensor[] = [];
  for (let i = 0; i < list.length; i++) out.push(wrap(list.get(i)!));
  list.free();
  return out;
}

/**
 * A backstop only: frees the wasm handle of a Tensor the program dropped without `dispose` once the
 * JS garbage collector notices. Deterministic freeing (`dispose`, `tidy`) is the way to keep memory
 * flat; collection may come late or never.
 */
const finalizer = new FinalizationRegistry<WasmTensor>((handle) => {
  try {
    handle.free(); // a no-op for a handle of an instance that trapped
  } catch {
    // A trap while freeing (reported to the next call): nothing in a finalizer may throw.
  }
});

/** @internal Wraps a wasm handle into a Tensor. */
export function wrap(handle: WasmTensor): Tensor {
  return Tensor.fromHandle(handle);
}

/**
 * An n-dimensional array of float32, int32 or bool on the active backend, with reverse-mode autograd
 * for float32. Ops return new tensors; free them with {@link Tensor.dispose} or inside `tidy`.
 *
 * @example
 * ```ts
 * const a = wg.tensor([[1, 2], [3, 4]], { requiresGrad: true });
 * const loss = a.matmul(a).relu().sum();
 * loss.backward();
 * await loss.data();      // Float32Array [54]
 * await a.grad!.data();   // Float32Array [7, 11, 9, 13]
 * ```
 */
export class Tensor {
  #handle: WasmTensor | null;
  /** The generation of the wasm instance that made the handle (see boundary.ts). */
  readonly #generation = generation();
  /** The handle `grad` returned, owned by this tensor, and the id of the gradient it wraps. */
  #grad: Tensor | null = null;
  #gradId = -1;

  // Tensors come from wg.tensor(), the creation functions and ops, never from `new`.
  private constructor(handle: WasmTensor, scoped: boolean) {
    if (!(handle instanceof WasmTensor))
      throw new Error('Tensor: make tensors with wg.tensor(), wg.zeros() and the other creation functions, not new');
    this.#handle = handle;
    finalizer.register(this, handle, this);
    if (scoped) onCreate?.(this);
  }

  /** @internal Wraps a wasm handle; `scoped: false` keeps it out of `tidy`. */
  static fromHandle(handle: WasmTensor, scoped = true): Tensor {
    return new Tensor(handle, scoped);
  }

  /**
   * @internal The live wasm handle for `op`, which makes tensors (so the live-tensor ceiling is
   * checked), or an Error naming `op` once disposed or made by an instance that trapped.
   */
  handle(op: string): WasmTensor {
    const h = this.#live(op);
    admit(op);
    return h;
  }

  /** The handle for reading this tensor (no ceiling). */
  #live(op: string): WasmTensor {
    if (this.#handle === null) throw new Error(`${op}: the tensor was disposed`);
    if (this.#generation !== generation()) throw staleError(op);
    enter(op);
    return this.#handle;
  }

  #scalar(value: TensorLike, op: string): Tensor {
    if (value instanceof Tensor) return value;
    if (typeof value !== 'number') fail(op, `expected a Tensor or a number, got ${describe(value)}`);
    const dtype = this.dtype === 'float32' || !Number.isInteger(value) ? 'float32' : this.dtype;
    return wrap(WasmTensor.full(new Float64Array(), value, dtype === 'bool' ? 'int32' : dtype));
  }

  #binary(name: BinaryName, other: TensorLike): Tensor {
    this.handle(name);
    const o = this.#scalar(other, name);
    const out = wrap(this.handle(name).binary(name, o.handle(name)));
    if (o !== other) o.dispose();
    return out;
  }

  #unary(name: UnaryName): Tensor {
    return wrap(this.handle(name).unary(name));
  }

  /** The dimensions, e.g. `[2, 3]`; `[]` for a scalar. */
  get shape(): number[] {
    return Array.from(this.#live('shape').shape);
  }

  /** Number of dimensions. */
  get rank(): number {
    return this.shape.length;
  }

  /** Number of elements. */
  get size(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }

  get dtype(): DType {
    return this.#live('dtype').dtype as DType;
  }

  /** Whether gradients are tracked for this leaf tensor (float32 only). */
  get requiresGrad(): boolean {
    return this.#live('requiresGrad').requiresGrad;
  }

  set requiresGrad(value: boolean) {
    this.#live('requiresGrad').requiresGrad = bool('requiresGrad', 'requiresGrad', value);
  }

  // ---- elementwise ----------------------------------------------------------------------------
  // generated:unary start (by `cargo run --example gen_ts` from src/backend/unary.rs: do not edit)
  /** `-x`. */
  neg(): Tensor {
    return this.#unary('neg');
  }
  /** `|x|`. */
  abs(): Tensor {
    return this.#unary('abs');
  }
  /** `e^x`. */
  exp(): Tensor {
    return this.#unary('exp');
  }
  /** `e^x - 1`, accurate near 0 (as PyTorch's `expm1` and TF.js's `tf.expm1`). */
  expm1(): Tensor {
    return this.#unary('expm1');
  }
  /** Natural logarithm. */
  log(): Tensor {
    return this.#unary('log');
  }
  /** `ln(1 + x)`, accurate near 0. */
  log1p(): Tensor {
    return this.#unary('log1p');
  }
  /** Square root. */
  sqrt(): Tensor {
    return this.#unary('sqrt');
  }
  /** `1 / sqrt(x)`. */
  rsqrt(): Tensor {
    return this.#unary('rsqrt');
  }
  /** `x * x`. */
  square(): Tensor {
    return this.#unary('square');
  }
  /** `1 / x`. */
  reciprocal(): Tensor {
    return this.#unary('reciprocal');
  }
  /** Sine (radians). */
  sin(): Tensor {
    return this.#unary('sin');
  }
  /** Cosine (radians). */
  cos(): Tensor {
    return this.#unary('cos');
  }
  /** Hyperbolic tangent. */
  tanh(): Tensor {
    return this.#unary('tanh');
  }
  /** `1 / (1 + e^-x)`, stable for large |x|. */
  sigmoid(): Tensor {
    return this.#unary('sigmoid');
  }
  /** `max(x, 0)` (gradient 0 at 0; NaN passes through). */
  relu(): Tensor {
    return this.#unary('relu');
  }
  /** `x * sigmoid(x)` (swish). */
  silu(): Tensor {
    return this.#unary('silu');
  }
  /** `ln(1 + e^x)`, stable. */
  softplus(): Tensor {
    return this.#unary('softplus');
  }
  /** -1, 0 or 1 (NaN passes through). */
  sign(): Tensor {
    return this.#unary('sign');
  }
  /** The largest integer not above `x`. */
  floor(): Tensor {
    return this.#unary('floor');
  }
  /** The smallest integer not below `x`. */
  ceil(): Tensor {
    return this.#unary('ceil');
  }
  /** Rounds half to even, as NumPy, PyTorch and TensorFlow do. */
  round(): Tensor {
    return this.#unary('round');
  }
  /** The error function. */
  erf(): Tensor {
    return this.#unary('erf');
  }
  /** Elementwise negation of truth (nonzero is true). */
  logicalNot(): Tensor {
    return this.#unary('logicalNot');
  }
  // generated:unary end
  /** GELU; `approximate: 'tanh'` for the tanh form. */
  gelu(o: { approximate?: 'none' | 'tanh' } = {}): Tensor {
    const approximate = oneOf('gelu', 'approximate', options('gelu', o).approximate ?? 'none', ['none', 'tanh']);
    return this.#unary(approximate === 'tanh' ? 'geluTanh' : 'gelu');
  }
  /** `x` where positive, else `alpha * x` (default 0.01, as PyTorch). */
  leakyRelu(alpha = 0.01): Tensor {
    return wrap(this.handle('leakyRelu').leakyRelu(num('leakyRelu', 'alpha', alpha)));
  }
  /** `x` where positive, else `alpha * (e^x - 1)`. */
  elu(alpha = 1): Tensor {
    return wrap(this.handle('elu').elu(num('elu', 'alpha', alpha)));
  }
  /** Limits values to `[min, max]`; either bound may be omitted. */
  clamp(min?: number, max?: number): Tensor {
    const bound = (name: string, v: unknown) => (v === undefined ? undefined : num('clamp', name, v));
    return wrap(this.handle('clamp').clamp(bound('min', min), bound('max', max)));
  }

  add(other: TensorLike): Tensor {
    return this.#binary('add', other);
  }
  sub(other: TensorLike): Tensor {
    return this.#binary('sub', other);
  }
  mul(other: TensorLike): Tensor {
    return this.#binary('mul', other);
  }
  /** True division (int32 operands give float32). */
  div(other: TensorLike): Tensor {
    return this.#binary('div', other);
  }
  pow(other: TensorLike): Tensor {
    return this.#binary('pow', other);
  }
  maximum(other: TensorLike): Tensor {
    return this.#binary('maximum', other);
  }
  minimum(other: TensorLike): Tensor {
    return this.#binary('minimum', other);
  }
  eq(other: TensorLike): Tensor {
    return this.#binary('eq', other);
  }
  ne(other: TensorLike): Tensor {
    return this.#binary('ne', other);
  }
  lt(other: TensorLike): Tensor {
    return this.#binary('lt', other);
  }
  le(other: TensorLike): Tensor {
    return this.#binary('le', other);
  }
  gt(other: TensorLike): Tensor {
    return this.#binary('gt', other);
  }
  ge(other: TensorLike): Tensor {
    return this.#binary('ge', other);
  }
  logicalAnd(other: TensorLike): Tensor {
    return this.#binary('logicalAnd', other);
  }
  logicalOr(other: TensorLike): Tensor {
    return this.#binary('logicalOr', other);
  }
  /** The elements converted to `dtype`. */
  cast(dtype: DType): Tensor {
    return wrap(this.handle('cast').cast(dtypeOf('cast', dtype)));
  }

  // ---- reductions ----------------------------------------------------------------------------
  /** Sum over `axis` (all axes when omitted). */
  sum(axis?: Axes, keepdim = false): Tensor {
    return this.#reduce('sum', axis, keepdim);
  }
  mean(axis?: Axes, keepdim = false): Tensor {
    return this.#reduce('mean', axis, keepdim);
  }
  /** Maximum over `axis` (all when omitted); ties share the gradient. */
  max(axis?: Axes, keepdim = false): Tensor {
    return this.#reduce('max', axis, keepdim);
  }
  min(axis?: Axes, keepdim = false): Tensor {
    return this.#reduce('min', axis, keepdim);
  }
  prod(axis?: Axes, keepdim = false): Tensor {
    return this.#reduce('prod', axis, keepdim);
  }
  logsumexp(axis?: Axes, keepdim = false): Tensor {
    return this.#reduce('logsumexp', axis, keepdim);
  }

  #reduce(name: ReductionName, axis: unknown, keepdim: unknown): Tensor {
    return wrap(this.handle(name).reduce(name, axesOf(name, axis), bool(name, 'keepdim', keepdim)));
  }

  #moment(name: MomentName, axis: unknown, o: { correction?: number; keepdim?: boolean }): Tensor {
    const { correction = 1, keepdim = false } = options(name, o);
    return wrap(
      this.handle(name).moment(
        name,
        axesOf(name, axis),
        finite(name, 'correction', correction),
        bool(name, 'keepdim', keepdim),
      ),
    );
  }
  /** Variance; `correction` 1 (default, PyTorch) is unbiased, 0 is the population variance (NumPy, TF). */
  var(axis?: Axes, options: { correction?: number; keepdim?: boolean } = {}): Tensor {
    return this.#moment('var', axis, options);
  }
  std(axis?: Axes, options: { correction?: number; keepdim?: boolean } = {}): Tensor {
    return this.#moment('std', axis, options);
  }
  /** Int32 position of the maximum along `axis` (of the flattened tensor when omitted). */
  argmax(axis?: number, keepdim = false): Tensor {
    return this.#argReduce('argmax', axis, keepdim);
  }
  argmin(axis?: number, keepdim = false): Tensor {
    return this.#argReduce('argmin', axis, keepdim);
  }
  #argReduce(name: ArgReductionName, axis: unknown, keepdim: unknown): Tensor {
    const a = axis === undefined ? undefined : axisOf(name, axis);
    return wrap(this.handle(name).argReduce(name, a, bool(name, 'keepdim', keepdim)));
  }
  softmax(axis = -1): Tensor {
    return wrap(this.handle('softmax').softmax(axisOf('softmax', axis)));
  }
  logSoftmax(axis = -1): Tensor {
    return wrap(this.handle('logSoftmax').logSoftmax(axisOf('logSoftmax', axis)));
  }

  // ---- linear algebra ------------------------------------------------------------------------
  /** Matrix product with broadcast batch axes; 1-D operands act as vectors. */
  matmul(other: Tensor): Tensor {
    return wrap(this.handle('matmul').matmul(tensorOf('matmul', 'other', other).handle('matmul')));
  }

  /**
   * A dense layer `activation(this @ weight + bias)` in one fused kernel on WebGPU: `this` is
   * `[..., k]`, `weight` `[k, n]`, `bias` `[n]`.
   */
  linear(weight: Tensor, bias: Tensor, activation: FusedActivationName = 'linear'): Tensor {
    const op = 'linear';
    const act = oneOf(op, 'activation', activation, FUSED_ACTIVATIONS);
    return wrap(
      this.handle(op).linear(tensorOf(op, 'weight', weight).handle(op), tensorOf(op, 'bias', bias).handle(op), act),
    );
  }

  // ---- movement ------------------------------------------------------------------------------
  /** The same elements under `shape`; one `-1` may stand for the size that fits. */
  reshape(shape: number[]): Tensor {
    return wrap(this.handle('reshape').reshape(shapeInts('reshape', shape)));
  }
  /** Alias of {@link Tensor.reshape}. */
  view(shape: number[]): Tensor {
    return this.reshape(shape);
  }
  flatten(startAxis = 0, endAxis = -1): Tensor {
    return wrap(
      this.handle('flatten').flatten(axisOf('flatten', startAxis, 'startAxis'), axisOf('flatten', endAxis, 'endAxis')),
    );
  }
  squeeze(axis?: number): Tensor {
    return wrap(this.handle('squeeze').squeeze(axis === undefined ? undefined : axisOf('squeeze', axis)));
  }
  unsqueeze(axis: number): Tensor {
    return wrap(this.handle('unsqueeze').unsqueeze(axisOf('unsqueeze', axis)));
  }
  permute(...order: number[]): Tensor {
    return wrap(
      this.handle('permute').permute(Float64Array.from(order, (a, i) => axisOf('permute', a, `order[${i}]`))),
    );
  }
  transpose(a: number, b: number): Tensor {
    return wrap(this.handle('transpose').transpose(axisOf('transpose', a), axisOf('transpose', b)));
  }
  /** Transpose of a 2-D tensor; a 0-D or 1-D tensor comes back as it is (a new view), as in PyTorch. */
  t(): Tensor {
    const shape = this.#live('t').shape;
    if (shape.length > 2)
      fail(
        't',
        `expects a tensor with at most 2 dimensions, got shape [${Array.from(shape).join(', ')}]; use transpose(a, b) or permute`,
      );
    return shape.length === 2 ? this.transpose(0, 1) : this.reshape(Array.from(shape));
  }
  /** Broadcast view; `-1` keeps a size. */
  expand(shape: number[]): Tensor {
    return wrap(this.handle('expand').expand(shapeInts('expand', shape)));
  }
  broadcastTo(shape: number[]): Tensor {
    return this.expand(shape);
  }
  /** Elements `start, start + step, …` before `end` along `axis`, Python-style. */
  slice(axis: number, start?: number, end?: number, step = 1): Tensor {
    const op = 'slice';
    // Python clamps bounds past the ends: so may these, to what the 32-bit core takes.
    const bound = (name: string, v: unknown) =>
      v === undefined ? undefined : Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, int(op, name, v)));
    return wrap(
      this.handle(op).slice(axisOf(op, axis), bound('start', start), bound('end', end), size(op, 'step', step, 1)),
    );
  }
  /** `length` elements from `start` along `axis`; a negative `start` counts from the end (PyTorch). */
  narrow(axis: number, start: number, length: number): Tensor {
    const op = 'narrow';
    const shape = this.#live(op).shape;
    const a = this.#axisIn(op, axis, shape.length);
    let s = int(op, 'start', start);
    if (s < 0) s += shape[a];
    if (s < 0)
      fail(
        op,
        `start ${start} is out of range for an axis of size ${shape[a]} (shape [${Array.from(shape).join(', ')}])`,
      );
    return wrap(this.handle(op).narrow(a, size(op, 'start', s), size(op, 'length', length)));
  }

  /** `axis` in `[0, rank)` (negative counts from the end), or an Error naming `op`. */
  #axisIn(op: string, axis: unknown, rank: number): number {
    const a = axisOf(op, axis);
    const r = Math.max(rank, 1);
    if (a < -r || a >= r)
      fail(op, `axis ${a} is out of range for a tensor of rank ${rank} (expected in [${-r}, ${r - 1}])`);
    return a < 0 ? a + r : a;
  }
  /** Pieces of `sizes` (or of equal `size`) along `axis`. */
  split(sizes: number | number[], axis = 0): Tensor[] {
    const op = 'split';
    const shape = this.#live(op).shape;
    const a = this.#axisIn(op, axis, shape.length);
    let list: number[];
    if (typeof sizes === 'number') {
      const piece = size(op, 'size', sizes, 1);
      const n = shape[a] ?? 0;
      list = [];
      for (let s = 0; s < n; s += piece) list.push(Math.min(piece, n - s));
    } else {
      list = sizeList(op, 'sizes', sizes);
    }
    return fromList(this.handle(op).split(Float64Array.from(list), a));
  }
  chunk(chunks: number, axis = 0): Tensor[] {
    return fromList(this.handle('chunk').chunk(size('chunk', 'chunks', chunks, 1), axisOf('chunk', axis)));
  }
  /** Pads with `value`; `widths[d] = [before, after]` for each axis from the first. */
  pad(widths: [number, number][], value = 0): Tensor {
    const op = 'pad';
    if (!Array.isArray(widths)) fail(op, `widths must be an array of [before, after] pairs, got ${describe(widths)}`);
    const flat = widths.flatMap((w, i) => {
      if (!Array.isArray(w) || w.length !== 2) fail(op, `widths[${i}] must be [before, after], got ${describe(w)}`);
      return [size(op, `widths[${i}][0]`, w[0]), size(op, `widths[${i}][1]`, w[1])];
    });
    return wrap(this.handle(op).pad(Float64Array.from(flat), num(op, 'value', value)));
  }
  flip(axes: Axes): Tensor {
    if (axes === undefined) fail('flip', 'axes are required');
    return wrap(this.handle('flip').flip(axesOf('flip', axes)!));
  }
  contiguous(): Tensor {
    return wrap(this.handle('contiguous').contiguous());
  }

  // ---- indexing ------------------------------------------------------------------------------
  gather(axis: number, index: Tensor): Tensor {
    return wrap(
      this.handle('gather').gather(axisOf('gather', axis), tensorOf('gather', 'index', index).handle('gather')),
    );
  }
  indexSelect(axis: number, index: Tensor): Tensor {
    const op = 'indexSelect';
    return wrap(this.handle(op).indexSelect(axisOf(op, axis), tensorOf(op, 'index', index).handle(op)));
  }
  scatterAdd(axis: number, index: Tensor, src: Tensor): Tensor {
    const op = 'scatterAdd';
    return wrap(
      this.handle(op).scatterAdd(
        axisOf(op, axis),
        tensorOf(op, 'index', index).handle(op),
        tensorOf(op, 'src', src).handle(op),
      ),
    );
  }
  /** Int32 labels as one-hot int32 rows. */
  oneHot(numClasses: number): Tensor {
    return wrap(this.handle('oneHot').oneHot(size('oneHot', 'numClasses', numClasses)));
  }

  // ---- convolution and pooling (NCHW) ---------------------------------------------------------
  #withBias(op: string, out: Tensor, bias: Tensor | undefined): Tensor {
    if (bias === undefined) return out;
    const channels = out.shape[1];
    if (bias.shape.length !== 1 || bias.shape[0] !== channels) {
      out.dispose();
      fail(op, `bias must have shape [${channels}] (one value per output channel), got [${bias.shape.join(', ')}]`);
    }
    const shape = out.shape.map((_, i) => (i === 1 ? -1 : 1));
    const b = bias.reshape(shape);
    const result = out.add(b);
    out.dispose();
    b.dispose();
    return result;
  }

  /** 2-D convolution of an NCHW input with weights `[outChannels, inChannels / groups, kh, kw]`. */
  conv2d(weight: Tensor, o: Conv2dOptions = {}): Tensor {
    const op = 'conv2d';
    const { stride = 1, padding, dilation = 1, groups = 1, bias } = options(op, o);
    const [mode, pads] = paddingOf(op, padding);
    const args = [
      pair(op, 'stride', stride, 1),
      mode,
      pads,
      pair(op, 'dilation', dilation, 1),
      size(op, 'groups', groups, 1),
    ] as const;
    const b = bias === undefined ? undefined : tensorOf(op, 'bias', bias);
    return this.#withBias(op, wrap(this.handle(op).conv2d(tensorOf(op, 'weight', weight).handle(op), ...args)), b);
  }

  /** 1-D convolution of an `[n, c, length]` input with weights `[outChannels, c / groups, k]`. */
  conv1d(weight: Tensor, o: Conv1dOptions = {}): Tensor {
    const op = 'conv1d';
    const { stride = 1, padding, dilation = 1, groups = 1, bias } = options(op, o);
    const [mode, pads] = paddingOf(op, padding, [1, 2]);
    const args = [
      size(op, 'stride', stride, 1),
      mode,
      pads,
      size(op, 'dilation', dilation, 1),
      size(op, 'groups', groups, 1),
    ] as const;
    const b = bias === undefined ? undefined : tensorOf(op, 'bias', bias);
    return this.#withBias(op, wrap(this.handle(op).conv1d(tensorOf(op, 'weight', weight).handle(op), ...args)), b);
  }

  /** Transposed 2-D convolution with weights `[inChannels, outChannels / groups, kh, kw]`. */
  convTranspose2d(weight: Tensor, o: ConvTranspose2dOptions = {}): Tensor {
    const op = 'convTranspose2d';
    const { stride = 1, padding = 0, outputPadding = 0, dilation = 1, groups = 1, bias } = options(op, o);
    const args = [
      pair(op, 'stride', stride, 1),
      pair(op, 'padding', padding, 0),
      pair(op, 'outputPadding', outputPadding, 0),
      pair(op, 'dilation', dilation, 1),
      size(op, 'groups', groups, 1),
    ] as const;
    const b = bias === undefined ? undefined : tensorOf(op, 'bias', bias);
    return this.#withBias(
      op,
      wrap(this.handle(op).convTranspose2d(tensorOf(op, 'weight', weight).handle(op), ...args)),
      b,
    );
  }

  #pool(kind: PoolName, o: Pool2dOptions): Tensor {
    const op = `${kind}Pool2d`;
    const { kernelSize, stride, padding, dilation = 1, countIncludePad = true } = options(op, o);
    if (kernelSize === undefined) fail(op, 'kernelSize is required');
    const [mode, pads] = paddingOf(op, padding);
    const strides = stride === undefined ? new Float64Array() : pair(op, 'stride', stride, 1);
    const args = [
      pair(op, 'kernelSize', kernelSize, 1),
      strides,
      mode,
      pads,
      pair(op, 'dilation', dilation, 1),
      bool(op, 'countIncludePad', countIncludePad),
    ] as const;
    return wrap(this.handle(op).pool2d(kind, ...args));
  }

  maxPool2d(o: Pool2dOptions): Tensor {
    return this.#pool('max', o);
  }
  avgPool2d(o: Pool2dOptions): Tensor {
    return this.#pool('avg', o);
  }
  /** Mean over the spatial axes: `[n, c, h, w] -> [n, c]`. */
  globalAvgPool2d(): Tensor {
    return wrap(this.handle('globalAvgPool2d').globalAvgPool2d());
  }

  // ---- autograd ------------------------------------------------------------------------------
  /**
   * Accumulates d(this)/d(leaf) into `leaf.grad` for every leaf with `requiresGrad`, then frees the
   * graph. A tensor with more than one element needs `gradient`.
   */
  backward(o: BackwardOptions | Tensor = {}): void {
    const op = 'backward';
    const { gradient, retainGraph = false } = o instanceof Tensor ? { gradient: o } : options(op, o);
    const retain = bool(op, 'retainGraph', retainGraph);
    const handle = this.handle(op);
    const seed = gradient === undefined ? undefined : wrap(tensorOf(op, 'gradient', gradient).handle(op).detach());
    // The seed handle is consumed by the call.
    handle.backward(seed ? seed.#take() : undefined, retain);
  }

  #take(): WasmTensor {
    const h = this.handle('take');
    finalizer.unregister(this);
    this.#handle = null;
    return h;
  }

  /**
   * The accumulated gradient, or `null`. The tensor returned is owned by this one (as in
   * TensorFlow.js): it stays valid until the next `backward`, `zeroGrad` or `dispose` of this
   * tensor, needs no `dispose`, and is never freed by `tidy`.
   */
  get grad(): Tensor | null {
    const id = this.#live('grad').gradId;
    if (id !== this.#gradId) {
      this.#grad?.dispose();
      const g = id < 0 ? undefined : this.#live('grad').grad;
      this.#grad = g === undefined ? null : Tensor.fromHandle(g, false);
      this.#gradId = id;
    }
    return this.#grad;
  }

  /** Clears the accumulated gradient. */
  zeroGrad(): void {
    this.handle('zeroGrad').zeroGrad();
    this.#grad?.dispose();
    this.#grad = null;
    this.#gradId = -1;
  }

  /**
   * Replaces this tensor's values with `value`'s, in place, as TensorFlow.js's `Variable.assign` or
   * PyTorch's `p.data = value`: every holder of this tensor sees the new values. Only tensors no op
   * made (leaves such as parameters) can be assigned; shape and dtype must match.
   *
   * @example
   * ```ts
   * const w = wg.zeros([2]);
   * w.assign(wg.tensor([1, 2]));
   * await w.data();   // Float32Array [1, 2]
   * ```
   */
  assign(value: Tensor): void {
    assignValues(this.#live('assign'), tensorOf('assign', 'value', value).handle('assign'));
  }

  /** The same data, cut from the graph. */
  detach(): Tensor {
    return wrap(this.handle('detach').detach());
  }

  /**
   * One fused Adam step of this parameter (one kernel per result on WebGPU, no readback): returns
   * the new `[param, m, v]`. `epsilonHat` selects Keras's form, `decoupled` AdamW's weight decay.
   */
  adamUpdate(grad: Tensor, m: Tensor, v: Tensor, o: AdamUpdateOptions): [Tensor, Tensor, Tensor] {
    const op = 'adamUpdate';
    const {
      lr,
      beta1 = 0.9,
      beta2 = 0.999,
      eps = 1e-8,
      weightDecay = 0,
      decoupled = false,
      epsilonHat = false,
      step,
    } = options(op, o);
    const f = (name: string, x: unknown) => finite(op, name, x);
    const args = [
      f('lr', lr),
      f('beta1', beta1),
      f('beta2', beta2),
      f('eps', eps),
      f('weightDecay', weightDecay),
      bool(op, 'decoupled', decoupled),
      bool(op, 'epsilonHat', epsilonHat),
      int(op, 'step', step, 1, 2 ** 32 - 1),
    ] as const;
    const h = (name: string, x: unknown) => tensorOf(op, name, x).handle(op);
    const list = this.handle(op).adamUpdate(h('grad', grad), h('m', m), h('v', v), ...args);
    const [p, m2, v2] = fromList(list);
    return [p, m2, v2];
  }

  // ---- data ----------------------------------------------------------------------------------
  /** Reads the elements back (row-major): `Float32Array`, `Int32Array`, or `Uint8Array` for bool. */
  async data(): Promise<Float32Array | Int32Array | Uint8Array> {
    return (await untilTrap(this.#live('data').data())) as Float32Array | Int32Array | Uint8Array;
  }

  /** Reads the elements back as nested arrays of the tensor's shape. */
  async array(): Promise<NestedArray> {
    const shape = this.shape;
    const flat = Array.from(await this.data(), (v) => (this.dtype === 'bool' ? v !== 0 : v));
    const build = (d: number, offset: number): NestedArray => {
      if (d === shape.length) return flat[offset];
      const step = shape.slice(d + 1).reduce((a, b) => a * b, 1);
      return Array.from({ length: shape[d] }, (_, i) => build(d + 1, offset + i * step));
    };
    return build(0, 0);
  }

  /** The value of a one-element tensor. */
  async item(): Promise<number> {
    if (this.size !== 1) throw new Error(`item: the tensor has shape [${this.shape}], not one element`);
    return (await this.data())[0];
  }

  // ---- looking at it ---------------------------------------------------------------------------
  /** `Tensor float32 [2, 3] cpu`, with `requiresGrad` when it tracks gradients. */
  #header(): string {
    const h = this.#live('toString');
    return `Tensor ${h.dtype} [${Array.from(h.shape).join(', ')}] ${h.device}${h.requiresGrad ? ' requiresGrad' : ''}`;
  }

  /**
   * The dtype, shape and backend, and the values where they are in host memory (the CPU backend);
   * on WebGPU reading values needs a readback, so use {@link Tensor.print}.
   *
   * @example
   * ```ts
   * String(wg.tensor([[1, 2], [3, 4]]));
   * // Tensor float32 [2, 2] cpu
   * //     [[1, 2],
   * //      [3, 4]]
   * ```
   */
  toString(): string {
    if (this.#handle === null) return 'Tensor (disposed)';
    if (this.#generation !== generation()) return 'Tensor (of a WebAssembly instance that trapped)';
    const values = this.#printed(
      (part) => part.#live('toString').hostData() as Float32Array | Int32Array | Uint8Array | undefined,
    );
    if (!values) return `${this.#header()} (values on the GPU: await t.print() or t.data())`;
    return `${this.#header()}\n${formatValues(values, this.shape, this.dtype)}`;
  }

  /**
   * `read` of the part of this tensor that prints: itself, or a small copy with each axis longer
   * than the print limit cut to its first and last entries (so printing a large tensor reads only
   * what shows).
   */
  #printed<T>(read: (part: Tensor) => T): T {
    const axes = cutAxes(this.shape);
    if (axes.length === 0) return read(this);
    const part = noGrad(() => {
      // eslint-disable-next-line @typescript-eslint/no-this-alias -- the cut starts as this tensor
      let cut: Tensor = this;
      for (const axis of axes) {
        const size = cut.shape[axis];
        const ends = [cut.narrow(axis, 0, EDGE), cut.narrow(axis, size - EDGE, EDGE)];
        const next = concat(ends, axis);
        for (const t of [...ends, cut]) if (t !== this) t.dispose();
        cut = next;
      }
      return cut;
    });
    try {
      return read(part);
    } finally {
      part.dispose(); // a readback `read` started keeps its own reference
    }
  }

  /**
   * Reads the values back and prints them (to `console.log`, or `printFn`) in TensorFlow.js's
   * layout: `Tensor` and the values; with `verbose`, the dtype, rank, shape and backend too.
   *
   * @example
   * ```ts
   * await wg.tensor([[1, 2], [3, 4]]).print();
   * // Tensor
   * //     [[1, 2],
   * //      [3, 4]]
   * ```
   */
  async print(verbose = false, printFn: (text: string) => void = console.log): Promise<void> {
    const h = this.#live('print');
    const shape = this.shape;
    const values = await this.#printed((part) => part.data());
    const lines = ['Tensor'];
    if (verbose)
      lines.push(
        `  dtype: ${h.dtype}`,
        `  rank: ${shape.length}`,
        `  shape: [${shape.join(',')}]`,
        `  backend: ${h.device}`,
        '  values:',
      );
    lines.push(formatValues(values, shape, this.dtype));
    printFn(lines.join('\n'));
  }

  /** Node's `console.log` and `util.inspect` show {@link Tensor.toString}. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  /**
   * The sub-tensors along the first axis, as PyTorch iterates a tensor, so `const [a, b] = t`
   * unpacks rows (and `const [loss, acc] = await model.evaluate(x, y)` type-checks). Each is a new
   * tensor to dispose; a scalar cannot be iterated.
   */
  *[Symbol.iterator](): Iterator<Tensor> {
    const rows = this.shape[0];
    if (rows === undefined)
      throw new TypeError(
        'iterate: iteration over a 0-d tensor (shape []) has no rows; evaluate() without metrics gives one scalar',
      );
    for (let i = 0; i < rows; i++) {
      const row = this.narrow(0, i, 1);
      const item = row.squeeze(0);
      row.dispose();
      yield item;
    }
  }

  /** Frees the tensor's memory now (and the gradient it owns); using it afterwards throws. Safe to call twice. */
  dispose(): void {
    this.#grad?.dispose();
    this.#grad = null;
    finalizer.unregister(this);
    const h = this.#handle;
    this.#handle = null;
    record('dispose');
    // A handle of an instance that trapped is gone with it (its `free` does nothing).
    h?.free();
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
    if (typeof data !== 'number' && typeof data !== 'boolean') {
      throw new Error(
        Array.isArray(data)
          ? `tensor: ragged nested array (expected shape [${shape}])`
          : `tensor: elements must be numbers or booleans, got ${describe(data)}`,
      );
    }
    out.push(Number(data));
    return;
  }
  if (!Array.isArray(data) || data.length !== shape[depth]) {
    throw new Error(`tensor: ragged nested array (expected shape [${shape}])`);
  }
  for (const item of data) flatten(item, shape, depth + 1, out);
}

function firstLeaf(data: NestedArray): number | boolean | undefined {
  let level = data;
  while (Array.isArray(level)) {
    if (level.length === 0) return undefined;
    level = level[0];
  }
  return level;
}

/**
 * Makes a tensor from nested arrays (shape inferred) or from a typed array with an explicit shape.
 *
 * @example
 * ```ts
 * wg.tensor([[1, 2, 3], [4, 5, 6]]);                   // float32, shape [2, 3]
 * wg.tensor(new Int32Array([1, 2, 3, 4]), [2, 2]);     // int32
 * wg.tensor([true, false]);                            // bool
 * wg.tensor([0, 2, 1], { dtype: 'int32' });                  // options second, PyTorch-style
 * wg.tensor([[1, 2], [3, 4]], { requiresGrad: true });
 * ```
 */
export function tensor(
  data: NestedArray | Float32Array | Int32Array | Uint8Array,
  shapeOrOptions?: number[] | TensorOptions,
  options: TensorOptions = {},
): Tensor {
  const op = 'tensor';
  requireInit(op);
  admit(op);
  let shape = Array.isArray(shapeOrOptions) ? shapeOrOptions : undefined;
  if (shapeOrOptions !== undefined && !Array.isArray(shapeOrOptions)) options = shapeOrOptions;
  options = optionsOf(op, options);
  let values: number[] | Float32Array | Int32Array | Uint8Array;
  let dtype = options.dtype === undefined ? undefined : dtypeOf(op, options.dtype);
  const requiresGrad = bool(op, 'requiresGrad', options.requiresGrad ?? false);
  if (data instanceof Float32Array || data instanceof Int32Array || data instanceof Uint8Array) {
    values = data;
    shape ??= [data.length];
    dtype ??= data instanceof Int32Array ? 'int32' : data instanceof Uint8Array ? 'bool' : 'float32';
  } else {
    const inferred = inferShape(data);
    const flat: number[] = [];
    flatten(data, inferred, 0, flat);
    values = flat;
    shape ??= inferred;
    dtype ??= typeof firstLeaf(data) === 'boolean' ? 'bool' : 'float32';
  }
  const d = dims(op, shape);
  const handle =
    dtype === 'int32'
      ? WasmTensor.fromInt32(values instanceof Int32Array ? values : Int32Array.from(values), d)
      : dtype === 'bool'
        ? WasmTensor.fromBool(values instanceof Uint8Array ? values : Uint8Array.from(values, (v) => (v ? 1 : 0)), d)
        : WasmTensor.fromData(values instanceof Float32Array ? values : Float32Array.from(values), d);
  const t = wrap(handle);
  if (requiresGrad) t.requiresGrad = true;
  return t;
}

/** `cond ? a : b` elementwise, broadcast together. */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  const op = 'where';
  const c = tensorOf(op, 'cond', cond).handle(op);
  const operand = (name: string, v: TensorLike): Tensor =>
    typeof v === 'number'
      ? tensor(v)
      : v instanceof Tensor
        ? v
        : fail(op, `${name} must be a Tensor or a number, got ${describe(v)}`);
  const ta = operand('a', a);
  const tb = operand('b', b);
  const out = wrap(WasmTensor.where(c, ta.handle(op), tb.handle(op)));
  if (ta !== a) ta.dispose();
  if (tb !== b) tb.dispose();
  return out;
}

/** `tensors` joined along `axis`. */
export function concat(tensors: Tensor[], axis = 0): Tensor {
  const a = axisOf('concat', axis);
  const list = listOf(tensors, 'concat');
  try {
    return wrap(WasmTensor.concat(list, a));
  } finally {
    list.free();
  }
}

/** `tensors` (one shape) stacked along a new axis. */
export function stack(tensors: Tensor[], axis = 0): Tensor {
  const a = axisOf('stack', axis);
  const list = listOf(tensors, 'stack');
  try {
    return wrap(WasmTensor.stack(list, a));
  } finally {
    list.free();
  }
}
