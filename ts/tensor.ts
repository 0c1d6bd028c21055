// The Tensor class: a thin, typed wrapper over the wasm handle, with PyTorch-style names in camelCase.
import { Tensor as WasmTensor, TensorList, assign as assignValues } from '../pkg/webgrad.js';
import { requireInit } from './runtime.js';
import { EDGE, cutAxes, formatValues } from './format.js';
import { noGrad } from './autograd.js';

/** Element type: `'float32'` (compute), `'int32'` (indices, labels) or `'bool'` (masks). */
export type DType = 'float32' | 'int32' | 'bool';

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

const pair = (v: number | number[]): Uint32Array => Uint32Array.from(Array.isArray(v) ? v : [v]);
const axesOf = (axis: Axes | undefined): Int32Array | undefined =>
  axis === undefined ? undefined : Int32Array.from(Array.isArray(axis) ? axis : [axis]);

function paddingOf(p: PaddingSpec | undefined): [string, Uint32Array] {
  if (p === undefined || p === 'valid') return ['valid', new Uint32Array()];
  if (p === 'same') return ['same', new Uint32Array()];
  return ['explicit', pair(p)];
}

/** @internal */
export function listOf(tensors: Tensor[], op: string): TensorList {
  const list = new TensorList();
  for (const t of tensors) list.push(t.handle(op));
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
const finalizer = new FinalizationRegistry<WasmTensor>((handle) => handle.free());

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
  /** The handle `grad` returned, owned by this tensor, and the id of the gradient it wraps. */
  #grad: Tensor | null = null;
  #gradId = -1;

  // Tensors come from wg.tensor(), the creation functions and ops, never from `new`.
  private constructor(handle: WasmTensor, scoped: boolean) {
    if (!(handle instanceof WasmTensor)) throw new Error('Tensor: make tensors with wg.tensor(), wg.zeros() and the other creation functions, not new');
    this.#handle = handle;
    finalizer.register(this, handle, this);
    if (scoped) onCreate?.(this);
  }

  /** @internal Wraps a wasm handle; `scoped: false` keeps it out of `tidy`. */
  static fromHandle(handle: WasmTensor, scoped = true): Tensor {
    return new Tensor(handle, scoped);
  }

  /** @internal The live wasm handle, or an Error naming `op` once disposed. */
  handle(op: string): WasmTensor {
    if (this.#handle === null) throw new Error(`${op}: the tensor was disposed`);
    return this.#handle;
  }

  #scalar(value: TensorLike, op: string): Tensor {
    if (value instanceof Tensor) return value;
    const dtype = this.dtype === 'float32' || !Number.isInteger(value) ? 'float32' : this.dtype;
    return wrap(WasmTensor.full(new Uint32Array(), value, dtype === 'bool' ? 'int32' : dtype));
  }

  #binary(name: string, other: TensorLike): Tensor {
    const o = this.#scalar(other, name);
    const out = wrap(this.handle(name).binary(name, o.handle(name)));
    if (o !== other) o.dispose();
    return out;
  }

  #unary(name: string): Tensor {
    return wrap(this.handle(name).unary(name));
  }

  /** The dimensions, e.g. `[2, 3]`; `[]` for a scalar. */
  get shape(): number[] {
    return Array.from(this.handle('shape').shape);
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
    return this.handle('dtype').dtype as DType;
  }

  /** Whether gradients are tracked for this leaf tensor (float32 only). */
  get requiresGrad(): boolean {
    return this.handle('requiresGrad').requiresGrad;
  }

  set requiresGrad(value: boolean) {
    this.handle('requiresGrad').requiresGrad = value;
  }

  // ---- elementwise ----------------------------------------------------------------------------
  neg(): Tensor { return this.#unary('neg'); }
  abs(): Tensor { return this.#unary('abs'); }
  exp(): Tensor { return this.#unary('exp'); }
  log(): Tensor { return this.#unary('log'); }
  log1p(): Tensor { return this.#unary('log1p'); }
  sqrt(): Tensor { return this.#unary('sqrt'); }
  rsqrt(): Tensor { return this.#unary('rsqrt'); }
  square(): Tensor { return this.#unary('square'); }
  reciprocal(): Tensor { return this.#unary('reciprocal'); }
  sin(): Tensor { return this.#unary('sin'); }
  cos(): Tensor { return this.#unary('cos'); }
  tanh(): Tensor { return this.#unary('tanh'); }
  sigmoid(): Tensor { return this.#unary('sigmoid'); }
  relu(): Tensor { return this.#unary('relu'); }
  /** GELU; `approximate: 'tanh'` for the tanh form. */
  gelu(options: { approximate?: 'none' | 'tanh' } = {}): Tensor {
    return this.#unary(options.approximate === 'tanh' ? 'geluTanh' : 'gelu');
  }
  silu(): Tensor { return this.#unary('silu'); }
  softplus(): Tensor { return this.#unary('softplus'); }
  sign(): Tensor { return this.#unary('sign'); }
  floor(): Tensor { return this.#unary('floor'); }
  ceil(): Tensor { return this.#unary('ceil'); }
  /** Rounds half to even. */
  round(): Tensor { return this.#unary('round'); }
  erf(): Tensor { return this.#unary('erf'); }
  logicalNot(): Tensor { return this.#unary('logicalNot'); }
  /** `x` where positive, else `alpha * x` (default 0.01, as PyTorch). */
  leakyRelu(alpha = 0.01): Tensor { return wrap(this.handle('leakyRelu').leakyRelu(alpha)); }
  /** `x` where positive, else `alpha * (e^x - 1)`. */
  elu(alpha = 1): Tensor { return wrap(this.handle('elu').elu(alpha)); }
  /** Limits values to `[min, max]`; either bound may be omitted. */
  clamp(min?: number, max?: number): Tensor { return wrap(this.handle('clamp').clamp(min, max)); }

  add(other: TensorLike): Tensor { return this.#binary('add', other); }
  sub(other: TensorLike): Tensor { return this.#binary('sub', other); }
  mul(other: TensorLike): Tensor { return this.#binary('mul', other); }
  /** True division (int32 operands give float32). */
  div(other: TensorLike): Tensor { return this.#binary('div', other); }
  pow(other: TensorLike): Tensor { return this.#binary('pow', other); }
  maximum(other: TensorLike): Tensor { return this.#binary('maximum', other); }
  minimum(other: TensorLike): Tensor { return this.#binary('minimum', other); }
  eq(other: TensorLike): Tensor { return this.#binary('eq', other); }
  ne(other: TensorLike): Tensor { return this.#binary('ne', other); }
  lt(other: TensorLike): Tensor { return this.#binary('lt', other); }
  le(other: TensorLike): Tensor { return this.#binary('le', other); }
  gt(other: TensorLike): Tensor { return this.#binary('gt', other); }
  ge(other: TensorLike): Tensor { return this.#binary('ge', other); }
  logicalAnd(other: TensorLike): Tensor { return this.#binary('logicalAnd', other); }
  logicalOr(other: TensorLike): Tensor { return this.#binary('logicalOr', other); }
  /** The elements converted to `dtype`. */
  cast(dtype: DType): Tensor { return wrap(this.handle('cast').cast(dtype)); }

  // ---- reductions ----------------------------------------------------------------------------
  /** Sum over `axis` (all axes when omitted). */
  sum(axis?: Axes, keepdim = false): Tensor { return wrap(this.handle('sum').reduce('sum', axesOf(axis), keepdim)); }
  mean(axis?: Axes, keepdim = false): Tensor { return wrap(this.handle('mean').reduce('mean', axesOf(axis), keepdim)); }
  /** Maximum over `axis` (all when omitted); ties share the gradient. */
  max(axis?: Axes, keepdim = false): Tensor { return wrap(this.handle('max').reduce('max', axesOf(axis), keepdim)); }
  min(axis?: Axes, keepdim = false): Tensor { return wrap(this.handle('min').reduce('min', axesOf(axis), keepdim)); }
  prod(axis?: Axes, keepdim = false): Tensor { return wrap(this.handle('prod').reduce('prod', axesOf(axis), keepdim)); }
  logsumexp(axis?: Axes, keepdim = false): Tensor {
    return wrap(this.handle('logsumexp').reduce('logsumexp', axesOf(axis), keepdim));
  }
  /** Variance; `correction` 1 (default, PyTorch) is unbiased, 0 is the population variance (NumPy, TF). */
  var(axis?: Axes, options: { correction?: number; keepdim?: boolean } = {}): Tensor {
    return wrap(this.handle('var').moment('var', axesOf(axis), options.correction ?? 1, options.keepdim ?? false));
  }
  std(axis?: Axes, options: { correction?: number; keepdim?: boolean } = {}): Tensor {
    return wrap(this.handle('std').moment('std', axesOf(axis), options.correction ?? 1, options.keepdim ?? false));
  }
  /** Int32 position of the maximum along `axis` (of the flattened tensor when omitted). */
  argmax(axis?: number, keepdim = false): Tensor { return wrap(this.handle('argmax').argReduce('argmax', axis, keepdim)); }
  argmin(axis?: number, keepdim = false): Tensor { return wrap(this.handle('argmin').argReduce('argmin', axis, keepdim)); }
  softmax(axis = -1): Tensor { return wrap(this.handle('softmax').softmax(axis)); }
  logSoftmax(axis = -1): Tensor { return wrap(this.handle('logSoftmax').logSoftmax(axis)); }

  // ---- linear algebra ------------------------------------------------------------------------
  /** Matrix product with broadcast batch axes; 1-D operands act as vectors. */
  matmul(other: Tensor): Tensor { return wrap(this.handle('matmul').matmul(other.handle('matmul'))); }

  /**
   * A dense layer `activation(this @ weight + bias)` in one fused kernel on WebGPU: `this` is
   * `[..., k]`, `weight` `[k, n]`, `bias` `[n]`.
   */
  linear(weight: Tensor, bias: Tensor, activation: 'linear' | 'relu' | 'sigmoid' | 'tanh' = 'linear'): Tensor {
    return wrap(this.handle('linear').linear(weight.handle('linear'), bias.handle('linear'), activation));
  }

  // ---- movement ------------------------------------------------------------------------------
  /** The same elements under `shape`; one `-1` may stand for the size that fits. */
  reshape(shape: number[]): Tensor { return wrap(this.handle('reshape').reshape(Int32Array.from(shape))); }
  /** Alias of {@link Tensor.reshape}. */
  view(shape: number[]): Tensor { return this.reshape(shape); }
  flatten(startAxis = 0, endAxis = -1): Tensor { return wrap(this.handle('flatten').flatten(startAxis, endAxis)); }
  squeeze(axis?: number): Tensor { return wrap(this.handle('squeeze').squeeze(axis)); }
  unsqueeze(axis: number): Tensor { return wrap(this.handle('unsqueeze').unsqueeze(axis)); }
  permute(...order: number[]): Tensor { return wrap(this.handle('permute').permute(Int32Array.from(order))); }
  transpose(a: number, b: number): Tensor { return wrap(this.handle('transpose').transpose(a, b)); }
  /** Transpose of a 2-D tensor. */
  t(): Tensor { return this.transpose(0, 1); }
  /** Broadcast view; `-1` keeps a size. */
  expand(shape: number[]): Tensor { return wrap(this.handle('expand').expand(Int32Array.from(shape))); }
  broadcastTo(shape: number[]): Tensor { return this.expand(shape); }
  /** Elements `start, start + step, …` before `end` along `axis`, Python-style. */
  slice(axis: number, start?: number, end?: number, step = 1): Tensor {
    return wrap(this.handle('slice').slice(axis, start, end, step));
  }
  narrow(axis: number, start: number, length: number): Tensor { return wrap(this.handle('narrow').narrow(axis, start, length)); }
  /** Pieces of `sizes` (or of equal `size`) along `axis`. */
  split(sizes: number | number[], axis = 0): Tensor[] {
    if (typeof sizes === 'number') {
      const n = this.shape.at(axis) ?? 0;
      const list: number[] = [];
      for (let s = 0; s < n; s += sizes) list.push(Math.min(sizes, n - s));
      sizes = list;
    }
    return fromList(this.handle('split').split(Uint32Array.from(sizes), axis));
  }
  chunk(chunks: number, axis = 0): Tensor[] { return fromList(this.handle('chunk').chunk(chunks, axis)); }
  /** Pads with `value`; `widths[d] = [before, after]` for each axis from the first. */
  pad(widths: [number, number][], value = 0): Tensor {
    return wrap(this.handle('pad').pad(Uint32Array.from(widths.flat()), value));
  }
  flip(axes: Axes): Tensor { return wrap(this.handle('flip').flip(axesOf(axes)!)); }
  contiguous(): Tensor { return wrap(this.handle('contiguous').contiguous()); }

  // ---- indexing ------------------------------------------------------------------------------
  gather(axis: number, index: Tensor): Tensor { return wrap(this.handle('gather').gather(axis, index.handle('gather'))); }
  indexSelect(axis: number, index: Tensor): Tensor {
    return wrap(this.handle('indexSelect').indexSelect(axis, index.handle('indexSelect')));
  }
  scatterAdd(axis: number, index: Tensor, src: Tensor): Tensor {
    return wrap(this.handle('scatterAdd').scatterAdd(axis, index.handle('scatterAdd'), src.handle('scatterAdd')));
  }
  /** Int32 labels as one-hot int32 rows. */
  oneHot(numClasses: number): Tensor { return wrap(this.handle('oneHot').oneHot(numClasses)); }

  // ---- convolution and pooling (NCHW) ---------------------------------------------------------
  #withBias(out: Tensor, bias: Tensor | undefined): Tensor {
    if (!bias) return out;
    const shape = out.shape.map((_, i) => (i === 1 ? -1 : 1));
    const b = bias.reshape(shape);
    const result = out.add(b);
    out.dispose();
    b.dispose();
    return result;
  }

  /** 2-D convolution of an NCHW input with weights `[outChannels, inChannels / groups, kh, kw]`. */
  conv2d(weight: Tensor, o: Conv2dOptions = {}): Tensor {
    const [mode, pads] = paddingOf(o.padding);
    const out = this.handle('conv2d').conv2d(weight.handle('conv2d'), pair(o.stride ?? 1), mode, pads, pair(o.dilation ?? 1), o.groups ?? 1);
    return this.#withBias(wrap(out), o.bias);
  }

  /** 1-D convolution of an `[n, c, length]` input with weights `[outChannels, c / groups, k]`. */
  conv1d(weight: Tensor, o: Conv1dOptions = {}): Tensor {
    const [mode, pads] = paddingOf(o.padding);
    const out = this.handle('conv1d').conv1d(weight.handle('conv1d'), o.stride ?? 1, mode, pads, o.dilation ?? 1, o.groups ?? 1);
    return this.#withBias(wrap(out), o.bias);
  }

  /** Transposed 2-D convolution with weights `[inChannels, outChannels / groups, kh, kw]`. */
  convTranspose2d(weight: Tensor, o: ConvTranspose2dOptions = {}): Tensor {
    const out = this.handle('convTranspose2d').convTranspose2d(
      weight.handle('convTranspose2d'), pair(o.stride ?? 1), pair(o.padding ?? 0), pair(o.outputPadding ?? 0), pair(o.dilation ?? 1), o.groups ?? 1);
    return this.#withBias(wrap(out), o.bias);
  }

  #pool(kind: string, o: Pool2dOptions): Tensor {
    const [mode, pads] = paddingOf(o.padding);
    const stride = o.stride === undefined ? new Uint32Array() : pair(o.stride);
    return wrap(this.handle(`${kind}Pool2d`).pool2d(kind, pair(o.kernelSize), stride, mode, pads, pair(o.dilation ?? 1), o.countIncludePad ?? true));
  }

  maxPool2d(o: Pool2dOptions): Tensor { return this.#pool('max', o); }
  avgPool2d(o: Pool2dOptions): Tensor { return this.#pool('avg', o); }
  /** Mean over the spatial axes: `[n, c, h, w] -> [n, c]`. */
  globalAvgPool2d(): Tensor { return wrap(this.handle('globalAvgPool2d').globalAvgPool2d()); }

  // ---- autograd ------------------------------------------------------------------------------
  /**
   * Accumulates d(this)/d(leaf) into `leaf.grad` for every leaf with `requiresGrad`, then frees the
   * graph. A tensor with more than one element needs `gradient`.
   */
  backward(options: BackwardOptions | Tensor = {}): void {
    const o = options instanceof Tensor ? { gradient: options } : options;
    const seed = o.gradient ? wrap(o.gradient.handle('backward').detach()) : undefined;
    // The seed handle is consumed by the call.
    this.handle('backward').backward(seed ? seed.#take() : undefined, o.retainGraph ?? false);
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
    const id = this.handle('grad').gradId;
    if (id !== this.#gradId) {
      this.#grad?.dispose();
      const g = id < 0 ? undefined : this.handle('grad').grad;
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
    assignValues(this.handle('assign'), value.handle('assign'));
  }

  /** The same data, cut from the graph. */
  detach(): Tensor { return wrap(this.handle('detach').detach()); }

  /**
   * One fused Adam step of this parameter (one kernel per result on WebGPU, no readback): returns
   * the new `[param, m, v]`. `epsilonHat` selects Keras's form, `decoupled` AdamW's weight decay.
   */
  adamUpdate(grad: Tensor, m: Tensor, v: Tensor, o: AdamUpdateOptions): [Tensor, Tensor, Tensor] {
    const list = this.handle('adamUpdate').adamUpdate(
      grad.handle('adamUpdate'), m.handle('adamUpdate'), v.handle('adamUpdate'), o.lr, o.beta1 ?? 0.9, o.beta2 ?? 0.999,
      o.eps ?? 1e-8, o.weightDecay ?? 0, o.decoupled ?? false, o.epsilonHat ?? false, o.step);
    const [p, m2, v2] = fromList(list);
    return [p, m2, v2];
  }

  // ---- data ----------------------------------------------------------------------------------
  /** Reads the elements back (row-major): `Float32Array`, `Int32Array`, or `Uint8Array` for bool. */
  async data(): Promise<Float32Array | Int32Array | Uint8Array> {
    return (await this.handle('data').data()) as Float32Array | Int32Array | Uint8Array;
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
    const h = this.handle('toString');
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
    const values = this.#printed((part) => part.handle('toString').hostData() as Float32Array | Int32Array | Uint8Array | undefined);
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
    const h = this.handle('print');
    const shape = this.shape;
    const values = await this.#printed((part) => part.data());
    const lines = ['Tensor'];
    if (verbose) lines.push(`  dtype: ${h.dtype}`, `  rank: ${shape.length}`, `  shape: [${shape.join(',')}]`, `  backend: ${h.device}`, '  values:');
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
    if (rows === undefined) throw new TypeError('iterate: iteration over a 0-d tensor (shape []) has no rows; evaluate() without metrics gives one scalar');
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
    if (typeof data !== 'number' && typeof data !== 'boolean') throw new Error(`tensor: ragged nested array (expected shape [${shape}])`);
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
  requireInit('tensor');
  let shape = Array.isArray(shapeOrOptions) ? shapeOrOptions : undefined;
  if (shapeOrOptions && !Array.isArray(shapeOrOptions)) options = shapeOrOptions;
  let values: number[] | Float32Array | Int32Array | Uint8Array;
  let dtype = options.dtype;
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
  const dims = Uint32Array.from(shape);
  const handle =
    dtype === 'int32'
      ? WasmTensor.fromInt32(values instanceof Int32Array ? values : Int32Array.from(values), dims)
      : dtype === 'bool'
        ? WasmTensor.fromBool(values instanceof Uint8Array ? values : Uint8Array.from(values, (v) => (v ? 1 : 0)), dims)
        : WasmTensor.fromData(values instanceof Float32Array ? values : Float32Array.from(values), dims);
  const t = wrap(handle);
  if (options.requiresGrad) t.requiresGrad = true;
  return t;
}

/** `cond ? a : b` elementwise, broadcast together. */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  const ta = typeof a === 'number' ? tensor(a) : a;
  const tb = typeof b === 'number' ? tensor(b) : b;
  const out = wrap(WasmTensor.where(cond.handle('where'), ta.handle('where'), tb.handle('where')));
  if (ta !== a) ta.dispose();
  if (tb !== b) tb.dispose();
  return out;
}

/** `tensors` joined along `axis`. */
export function concat(tensors: Tensor[], axis = 0): Tensor {
  const list = listOf(tensors, 'concat');
  try {
    return wrap(WasmTensor.concat(list, axis));
  } finally {
    list.free();
  }
}

/** `tensors` (one shape) stacked along a new axis. */
export function stack(tensors: Tensor[], axis = 0): Tensor {
  const list = listOf(tensors, 'stack');
  try {
    return wrap(WasmTensor.stack(list, axis));
  } finally {
    list.free();
  }
}
