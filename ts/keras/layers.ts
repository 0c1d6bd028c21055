// Keras-like layer factories (TensorFlow.js Layers conventions: camelCase config objects,
// channels-last images). A layer is a description until a model builds it with its input shape.
import { Layer } from '../../pkg/webgrad.js';
import type { Pair, Tensor } from '../tensor.js';
import { requireInit } from '../runtime.js';
import { applySymbolic, callCore, symbolicList } from './topology.js';
import type { Applicable, SymbolicTensor } from './topology.js';
import { WeightedLayer, coreEntries } from './weights.js';
import type { WeightLists } from './weights.js';
import { ACTIVATIONS, PADDINGS } from '../names.js';
import type { ActivationName, InitializerName, PaddingName } from '../names.js';
import type { CoreLayer, LayerConfigs, LayerKind } from '../generated/layers.js';
import { bool, describe, fail, finite, int, ints, oneOf, size, sizes } from '../validate.js';
import { nonNegative, rate, window } from '../checks.js';

/** Options every layer takes. */
export interface LayerArgs {
  /** Shape of one sample (no batch axis); the first layer of a model needs it. */
  inputShape?: number[];
  /** Alias of `inputShape: [inputDim]`. */
  inputDim?: number;
  name?: string;
}

let counter = 0;

/**
 * A layer: a description until it is first applied (to a symbolic input, by `wg.model`, or added to
 * a `Sequential`), then its core layer and weights, shared by every later application.
 */
export class LayerSpec extends WeightedLayer implements Applicable {
  readonly name: string;
  /** The sample shape given by `inputShape` / `inputDim`, if any. */
  readonly inputShape: number[] | undefined;
  #core: Layer | null = null;
  /** The output sample shape of its latest application. */
  #outputShape: number[] | null = null;
  /** The symbolic outputs of each application, in order. */
  #outputs: SymbolicTensor[][] = [];
  /** @internal The options it was made with (TensorFlow.js's config, camelCase), for saving. */
  readonly args: Readonly<Record<string, unknown>>;

  // Layers come from the wg.layers.* factories, never from `new`.
  private constructor(
    readonly className: string,
    args: LayerArgs,
    /** @internal The core layer kind and canonical config for a sample shape (and every input's). */
    readonly toCore: (shape: number[], shapes: number[][]) => CoreLayer,
    config: object,
  ) {
    super();
    if (typeof toCore !== 'function') throw new Error('LayerSpec: make layers with wg.layers.*, not new');
    this.args = { ...config };
    counter += 1;
    if (args.name !== undefined && typeof args.name !== 'string')
      fail(className, `name must be a string, got ${describe(args.name)}`);
    this.name = args.name ?? `${className.toLowerCase()}_${counter}`;
    this.inputShape =
      args.inputShape !== undefined
        ? sizes(className, 'inputShape', args.inputShape, 1)
        : args.inputDim !== undefined
          ? [size(className, 'inputDim', args.inputDim, 1)]
          : undefined;
  }

  /** @internal */
  static create(
    className: string,
    args: LayerArgs,
    toCore: (shape: number[], shapes: number[][]) => CoreLayer,
    /** The options to save, when `args` is not them (default `args`). */
    config: object = args,
  ): LayerSpec {
    return new LayerSpec(className, args, toCore, config);
  }

  /** @internal The core layer, built for `shapes` at the first call. */
  coreFor(shapes: number[][]): Layer {
    if (this.#core) return this.#core;
    requireInit(this.name);
    const [kind, config] = this.toCore(shapes[0] ?? [], shapes);
    this.#core = Layer.create(kind, config, 'keras', this.className);
    if (!this.trainable) this.#core.setTrainable(false);
    return this.#core;
  }

  /** @internal The core layer, once built. */
  get built(): Layer | null {
    return this.#core;
  }

  /** The output sample shape (without the batch axis) of its latest application. */
  get outputShape(): number[] {
    if (!this.#outputShape) fail(this.name, 'the layer has not been applied yet, so it has no output shape');
    return this.#outputShape;
  }

  /** The symbolic output of its latest application (TensorFlow.js's `layer.output`). */
  get output(): SymbolicTensor | SymbolicTensor[] {
    return this.getOutputAt(this.#outputs.length - 1);
  }

  /** The symbolic output of its `nodeIndex`-th application (TensorFlow.js's `getOutputAt`; a shared layer has several). */
  getOutputAt(nodeIndex: number): SymbolicTensor | SymbolicTensor[] {
    if (this.#outputs.length === 0) fail(this.name, 'the layer has not been applied to a symbolic input yet');
    const outs = this.#outputs[int(this.name, 'nodeIndex', nodeIndex, 0, this.#outputs.length - 1)];
    return outs.length === 1 ? outs[0] : outs;
  }

  /**
   * Applies the layer: to symbolic tensors (from `wg.input`), it adds a node to a functional graph
   * and returns symbolic outputs; to concrete tensors, it computes (in inference mode).
   *
   * @example
   * ```ts
   * const x = wg.input({ shape: [4] });
   * const dense = wg.layers.dense({ units: 2 });
   * const y = dense.apply(x); // a SymbolicTensor of shape [null, 2]
   * ```
   */
  apply(inputs: SymbolicTensor | SymbolicTensor[]): SymbolicTensor | SymbolicTensor[];
  apply(inputs: Tensor | Tensor[]): Tensor | Tensor[];
  apply(inputs: unknown): unknown {
    const symbolic = symbolicList(this.name, inputs);
    if (symbolic) {
      const outs = applySymbolic(this, symbolic);
      this.#outputs.push(outs);
      this.#outputShape = outs[0].sampleShape;
      return outs.length === 1 ? outs[0] : outs;
    }
    const xs = (Array.isArray(inputs) ? inputs : [inputs]) as Tensor[];
    const core = this.coreFor(xs.map((x) => x.shape.slice(1)));
    core.setTraining(false);
    const outs = callCore(core, xs, this.name);
    return outs.length === 1 ? outs[0] : outs;
  }

  /** @internal Records the output shape of a `Sequential`'s application. */
  setOutputShape(shape: number[]): void {
    this.#outputShape = shape;
  }

  /** @internal */
  weightLists(): WeightLists {
    if (!this.#core) return { trainable: [], nonTrainable: [] };
    const { params, buffers } = coreEntries(this.name, this.#core);
    return this.trainable
      ? { trainable: params, nonTrainable: buffers }
      : { trainable: [], nonTrainable: [...params, ...buffers] };
  }

  protected applyTrainable(trainable: boolean): void {
    this.#core?.setTrainable(trainable);
  }

  /** @internal Frees the core layer (the model that built it was disposed). */
  dispose(): void {
    this.#core?.free();
    this.#core = null;
  }
}

function activationOf(layer: string, activation: unknown): ActivationName {
  return oneOf(layer, 'activation', activation ?? 'linear', ACTIVATIONS);
}

/** A size >= 1 (units, filters, dims). */
const positive = (layer: string, key: string, value: unknown): number => size(layer, key, value, 1);

/** The layer's args: an object (TensorFlow.js's config), required. */
function argsOf<T extends object>(layer: string, args: T | undefined): T {
  if (args === null || typeof args !== 'object' || Array.isArray(args))
    fail(layer, `options must be an object, got ${describe(args)}`);
  return args;
}

/** An optional boolean, or its default. */
const flag = (layer: string, key: string, v: unknown, fallback: boolean): boolean =>
  v === undefined ? fallback : bool(layer, key, v);

const channelsLastOf = (layer: string, format: unknown): boolean =>
  oneOf(layer, 'dataFormat', format ?? 'channelsLast', ['channelsLast', 'channelsFirst'] as const) === 'channelsLast';

const paddingOf = (layer: string, v: unknown): PaddingName => oneOf(layer, 'padding', v ?? 'valid', PADDINGS);

const last = (shape: number[]) => shape[shape.length - 1];

/** A core layer kind and its config (a call, so TypeScript checks the config's keys). */
const core = <K extends LayerKind>(kind: K, config: LayerConfigs[K]) => [kind, config] as CoreLayer;

export interface DenseArgs extends LayerArgs {
  units: number;
  activation?: ActivationName;
  useBias?: boolean;
  kernelInitializer?: InitializerName;
  biasInitializer?: InitializerName;
}

/**
 * A fully connected layer over the last axis: `activation(x · kernel + bias)`.
 *
 * @example
 * ```ts
 * const model = wg.sequential({ layers: [wg.layers.dense({ units: 10, activation: 'softmax', inputShape: [784] })] });
 * ```
 */
export function dense(args: DenseArgs): LayerSpec {
  const op = 'Dense';
  argsOf(op, args);
  const units = positive(op, 'units', args.units);
  const activation = activationOf(op, args.activation);
  const bias = flag(op, 'useBias', args.useBias, true);
  // The initializer names and types are checked by the core (the one list of them).
  return LayerSpec.create(op, args, (shape) =>
    core('dense', {
      inputs: last(shape),
      units,
      activation,
      bias,
      kernelInitializer: args.kernelInitializer,
      biasInitializer: args.biasInitializer,
    }),
  );
}

export interface Conv2DArgs extends LayerArgs {
  filters: number;
  kernelSize: Pair;
  strides?: Pair;
  padding?: PaddingName;
  dataFormat?: 'channelsLast' | 'channelsFirst';
  dilationRate?: Pair;
  activation?: ActivationName;
  useBias?: boolean;
}

/** 2-D convolution over `[h, w, channels]` samples (or `[channels, h, w]` with `dataFormat: 'channelsFirst'`). */
export function conv2d(args: Conv2DArgs): LayerSpec {
  const op = 'Conv2D';
  argsOf(op, args);
  const filters = positive(op, 'filters', args.filters);
  const kernel = window(op, 'kernelSize', args.kernelSize, 2);
  const stride = window(op, 'strides', args.strides ?? 1, 2);
  const dilation = window(op, 'dilationRate', args.dilationRate ?? 1, 2);
  const padding = paddingOf(op, args.padding);
  const activation = activationOf(op, args.activation);
  const bias = flag(op, 'useBias', args.useBias, true);
  const channelsLast = channelsLastOf(op, args.dataFormat);
  return LayerSpec.create(op, args, (shape) => {
    if (shape.length !== 3)
      throw new Error(`conv2d: expects samples of rank 3 ([h, w, channels]), got input shape [${shape}]`);
    return core('conv2d', {
      inChannels: channelsLast ? last(shape) : shape[0],
      outChannels: filters,
      kernel,
      stride,
      padding,
      dilation,
      bias,
      activation,
      channelsLast,
    });
  });
}

export interface Conv1DArgs extends LayerArgs {
  filters: number;
  kernelSize: number;
  strides?: number;
  padding?: PaddingName;
  dilationRate?: number;
  activation?: ActivationName;
  useBias?: boolean;
}

/** 1-D convolution over `[steps, channels]` samples. */
export function conv1d(args: Conv1DArgs): LayerSpec {
  const op = 'Conv1D';
  argsOf(op, args);
  const filters = positive(op, 'filters', args.filters);
  const kernel = positive(op, 'kernelSize', args.kernelSize);
  const stride = positive(op, 'strides', args.strides ?? 1);
  const dilation = positive(op, 'dilationRate', args.dilationRate ?? 1);
  const padding = paddingOf(op, args.padding);
  const activation = activationOf(op, args.activation);
  const bias = flag(op, 'useBias', args.useBias, true);
  return LayerSpec.create(op, args, (shape) => {
    if (shape.length !== 2)
      throw new Error(`conv1d: expects samples of rank 2 ([steps, channels]), got input shape [${shape}]`);
    return core('conv1d', {
      inChannels: last(shape),
      outChannels: filters,
      kernel,
      stride,
      padding,
      dilation,
      bias,
      activation,
    });
  });
}

export interface Pooling2DArgs extends LayerArgs {
  poolSize?: Pair;
  strides?: Pair;
  padding?: PaddingName;
  dataFormat?: 'channelsLast' | 'channelsFirst';
}

function pooling(kind: 'maxPool2d' | 'avgPool2d', className: string, args: Pooling2DArgs): LayerSpec {
  argsOf(className, args);
  const poolSize = window(className, 'poolSize', args.poolSize ?? 2, 2);
  const stride = args.strides === undefined ? poolSize : window(className, 'strides', args.strides, 2);
  const padding = paddingOf(className, args.padding);
  const channelsLast = channelsLastOf(className, args.dataFormat);
  return LayerSpec.create(className, args, () =>
    core(kind, { kernel: poolSize, stride, padding, channelsLast, countIncludePad: false }),
  );
}

/** Max pooling (pool size and strides default to 2). */
export const maxPooling2d = (args: Pooling2DArgs = {}) => pooling('maxPool2d', 'MaxPooling2D', args);
/** Average pooling; 'same' padding averages only the taps inside the image, as Keras does. */
export const averagePooling2d = (args: Pooling2DArgs = {}) => pooling('avgPool2d', 'AveragePooling2D', args);

/** Mean over the spatial axes: `[h, w, c] -> [c]`. */
export function globalAveragePooling2d(
  args: LayerArgs & { dataFormat?: 'channelsLast' | 'channelsFirst' } = {},
): LayerSpec {
  const op = 'GlobalAveragePooling2D';
  const channelsLast = channelsLastOf(op, argsOf(op, args).dataFormat);
  return LayerSpec.create(op, args, () => core('globalAvgPool2d', { channelsLast }));
}

/** Flattens each sample to one axis. */
export const flatten = (args: LayerArgs = {}) =>
  LayerSpec.create('Flatten', argsOf('Flatten', args), () => core('flatten', {}));

/** Reshapes each sample to `targetShape` (one entry may be -1). */
export function reshape(args: LayerArgs & { targetShape: number[] }): LayerSpec {
  argsOf('Reshape', args);
  if (!Array.isArray(args.targetShape))
    fail('Reshape', `targetShape must be an array of integers, got ${describe(args.targetShape)}`);
  const shape = ints('Reshape', 'targetShape', args.targetShape);
  if (shape.some((d) => d < -1))
    fail('Reshape', `targetShape must hold sizes and at most one -1, got ${describe(args.targetShape)}`);
  return LayerSpec.create('Reshape', args, () => core('reshape', { shape }));
}

/** Drops inputs with probability `rate` while training (inverted dropout). */
export function dropout(args: LayerArgs & { rate: number }): LayerSpec {
  const p = rate('Dropout', 'rate', argsOf('Dropout', args).rate);
  return LayerSpec.create('Dropout', args, () => core('dropout', { rate: p }));
}

/**
 * Batch normalisation over the last axis (momentum 0.99, epsilon 1e-3, as in Keras); `center: false`
 * drops the learned shift (`beta`) and `scale: false` the learned scale (`gamma`) from the weights.
 */
export function batchNormalization(
  args: LayerArgs & { axis?: number; momentum?: number; epsilon?: number; center?: boolean; scale?: boolean } = {},
): LayerSpec {
  const op = 'BatchNormalization';
  argsOf(op, args);
  const axis = int(op, 'axis', args.axis ?? -1);
  const momentum = args.momentum === undefined ? undefined : nonNegative(op, 'momentum', args.momentum);
  const epsilon = args.epsilon === undefined ? undefined : nonNegative(op, 'epsilon', args.epsilon);
  const center = flag(op, 'center', args.center, true);
  const scale = flag(op, 'scale', args.scale, true);
  return LayerSpec.create(op, args, (shape) => {
    if (axis !== -1 && axis !== shape.length)
      throw new Error(`batchNormalization: only the last axis is supported, got axis ${axis}`);
    return core('batchNorm', { channels: last(shape), momentum, eps: epsilon, center, scale });
  });
}

/** Layer normalisation over the last axis (epsilon 1e-3, as in Keras). */
export function layerNormalization(args: LayerArgs & { axis?: number; epsilon?: number } = {}): LayerSpec {
  const op = 'LayerNormalization';
  argsOf(op, args);
  if ((args.axis ?? -1) !== -1)
    throw new Error(`layerNormalization: only axis -1 is supported, got ${describe(args.axis)}`);
  const epsilon = args.epsilon === undefined ? undefined : nonNegative(op, 'epsilon', args.epsilon);
  return LayerSpec.create(op, args, (shape) => core('layerNorm', { shape: [last(shape)], eps: epsilon }));
}

/** Integer ids to vectors: `[...] -> [..., outputDim]`. */
export function embedding(args: LayerArgs & { inputDim: number; outputDim: number; inputLength?: number }): LayerSpec {
  argsOf('Embedding', args);
  const count = positive('Embedding', 'inputDim', args.inputDim);
  const dim = positive('Embedding', 'outputDim', args.outputDim);
  const length = args.inputLength === undefined ? undefined : positive('Embedding', 'inputLength', args.inputLength);
  const spec = { ...args, inputDim: undefined, inputShape: args.inputShape ?? (length ? [length] : undefined) };
  return LayerSpec.create('Embedding', spec, () => core('embedding', { count, dim }), args);
}

/** An activation as its own layer. */
export function activation(args: LayerArgs & { activation: ActivationName }): LayerSpec {
  const name = activationOf('Activation', argsOf('Activation', args).activation);
  return LayerSpec.create('Activation', args, () => core('activation', { activation: name }));
}

/** Zero rows and columns around each image: one size, `[rows, cols]`, or `[[top, bottom], [left, right]]` (default 1). */
export function zeroPadding2d(
  args: LayerArgs & {
    padding?: number | [number, number] | [[number, number], [number, number]];
    dataFormat?: 'channelsLast' | 'channelsFirst';
  } = {},
): LayerSpec {
  const op = 'ZeroPadding2D';
  const { padding = 1, dataFormat } = argsOf(op, args);
  const sides = borders(op, 'padding', padding);
  const channelsLast = channelsLastOf(op, dataFormat);
  return LayerSpec.create(op, args, () => core('zeroPad2d', { padding: sides, channelsLast }));
}

/** One size, `[rows, cols]` or `[[top, bottom], [left, right]]` as `[top, left, bottom, right]`. */
function borders(op: string, key: string, value: unknown): [number, number, number, number] {
  const bad = () =>
    fail(op, `${key} must be a number, [rows, cols] or [[top, bottom], [left, right]], got ${describe(value)}`);
  /** A number as itself twice, or a pair. */
  const twice = (v: unknown): unknown[] =>
    typeof v === 'number' ? [v, v] : Array.isArray(v) && v.length === 2 ? v : bad();
  const [[top, bottom], [left, right]] = twice(value).map(twice);
  const [t, l, b, r] = [top, left, bottom, right].map((v) => size(op, key, v));
  return [t, l, b, r];
}

// Activation, merge and shape layers (issue 14).

/**
 * A rectified linear unit: `min(x, maxValue)` above `threshold`, else `negativeSlope * (x - threshold)`.
 * TensorFlow.js's `reLU` takes only `maxValue`; `negativeSlope` and `threshold` (default 0) are Keras 3's.
 */
export function reLU(
  args: LayerArgs & { maxValue?: number; negativeSlope?: number; threshold?: number } = {},
): LayerSpec {
  const op = 'ReLU';
  const { maxValue, negativeSlope = 0, threshold = 0 } = argsOf(op, args);
  const config = {
    maxValue: maxValue === undefined || maxValue === null ? undefined : nonNegative(op, 'maxValue', maxValue),
    negativeSlope: nonNegative(op, 'negativeSlope', negativeSlope),
    threshold: nonNegative(op, 'threshold', threshold),
  };
  return LayerSpec.create(op, args, () => core('relu', config));
}

/** Leaky ReLU: `x` above zero, else `alpha * x` (alpha 0.3). */
export function leakyReLU(args: LayerArgs & { alpha?: number } = {}): LayerSpec {
  const alpha = finite('LeakyReLU', 'alpha', argsOf('LeakyReLU', args).alpha ?? 0.3);
  return LayerSpec.create('LeakyReLU', args, () => core('leakyRelu', { alpha }));
}

/**
 * Parametric ReLU: `x` above zero, else `alpha * x`, with a learnt `alpha` per sample element
 * (shared along the 1-based `sharedAxes`), initialised by `alphaInitializer` (zeros).
 */
export function prelu(
  args: LayerArgs & { sharedAxes?: number | number[]; alphaInitializer?: InitializerName } = {},
): LayerSpec {
  const op = 'PReLU';
  const { sharedAxes, alphaInitializer } = argsOf(op, args);
  const shared = sharedAxes === undefined || sharedAxes === null ? undefined : ints(op, 'sharedAxes', sharedAxes);
  return LayerSpec.create(op, args, (shape) => core('prelu', { shape, sharedAxes: shared, alphaInitializer }));
}

/** The exponential linear unit: `x` above zero, else `alpha * (e^x - 1)` (alpha 1; TensorFlow.js takes only 1). */
export function elu(args: LayerArgs & { alpha?: number } = {}): LayerSpec {
  const alpha = finite('ELU', 'alpha', argsOf('ELU', args).alpha ?? 1);
  return LayerSpec.create('ELU', args, () => core('elu', { alpha }));
}

/**
 * Softmax over `axis`, one axis or several (default the last, as Keras 3; TensorFlow.js's default 1
 * is the same axis on the rank-2 inputs its softmax takes).
 */
export function softmax(args: LayerArgs & { axis?: number | number[] } = {}): LayerSpec {
  const axis = ints('Softmax', 'axis', argsOf('Softmax', args).axis ?? -1);
  if (axis.length === 0) fail('Softmax', 'axis must name at least one axis, got []');
  return LayerSpec.create('Softmax', args, () => core('softmax', { axis }));
}

/** `x` above `theta`, else 0 (theta 1). */
export function thresholdedReLU(args: LayerArgs & { theta?: number } = {}): LayerSpec {
  const theta = nonNegative('ThresholdedReLU', 'theta', argsOf('ThresholdedReLU', args).theta ?? 1);
  return LayerSpec.create('ThresholdedReLU', args, () => core('thresholdedRelu', { theta }));
}

type MergeKind = 'add' | 'subtract' | 'multiply' | 'average' | 'maximum' | 'minimum';

/** An elementwise merge of a list of inputs (broadcast as TensorFlow.js does: a lower-rank input gets axes after the batch axis). */
const merge = (kind: MergeKind, className: string, args: LayerArgs) =>
  LayerSpec.create(className, argsOf(className, args), () => core(kind, {}));

/** The sum of its inputs. */
export const add = (args: LayerArgs = {}) => merge('add', 'Add', args);
/** The first of two inputs minus the second (Keras's `Subtract`; TensorFlow.js has none). */
export const subtract = (args: LayerArgs = {}) => merge('subtract', 'Subtract', args);
/** The elementwise product of its inputs. */
export const multiply = (args: LayerArgs = {}) => merge('multiply', 'Multiply', args);
/** The elementwise mean of its inputs. */
export const average = (args: LayerArgs = {}) => merge('average', 'Average', args);
/** The elementwise maximum of its inputs. */
export const maximum = (args: LayerArgs = {}) => merge('maximum', 'Maximum', args);
/** The elementwise minimum of its inputs. */
export const minimum = (args: LayerArgs = {}) => merge('minimum', 'Minimum', args);

/** Its inputs joined along `axis` (default -1; not the batch axis). */
export function concatenate(args: LayerArgs & { axis?: number } = {}): LayerSpec {
  const axis = int('Concatenate', 'axis', argsOf('Concatenate', args).axis ?? -1);
  return LayerSpec.create('Concatenate', args, () => core('concatenate', { axis }));
}

/**
 * Per-sample dot products of two inputs along `axes` (one axis for both, or one per input; axes of
 * the whole input, the batch axis 0 excluded); with `normalize`, cosine similarities.
 */
export function dot(args: LayerArgs & { axes: number | [number, number]; normalize?: boolean }): LayerSpec {
  const op = 'Dot';
  argsOf(op, args);
  if (args.axes === undefined) fail(op, 'axes is required');
  const axes = ints(op, 'axes', args.axes);
  if (axes.length < 1 || axes.length > 2) fail(op, `axes must be one integer or two, got ${describe(args.axes)}`);
  const normalize = flag(op, 'normalize', args.normalize, false);
  return LayerSpec.create(op, args, () => core('dot', { axes, normalize }));
}

/** Reorders the sample axes: `dims` is a permutation of the 1-based sample axes (`[2, 1]` swaps two). */
export function permute(args: LayerArgs & { dims: number[] }): LayerSpec {
  argsOf('Permute', args);
  if (!Array.isArray(args.dims)) fail('Permute', `dims must be an array of integers, got ${describe(args.dims)}`);
  const dims = ints('Permute', 'dims', args.dims);
  return LayerSpec.create('Permute', args, () => core('permute', { dims }));
}

/** Repeats each sample vector `n` times: `[batch, features] -> [batch, n, features]`. */
export function repeatVector(args: LayerArgs & { n: number }): LayerSpec {
  const n = positive('RepeatVector', 'n', argsOf('RepeatVector', args).n);
  return LayerSpec.create('RepeatVector', args, () => core('repeatVector', { n }));
}

/** `x * scale + offset` in float32 (offset 0). */
export function rescaling(args: LayerArgs & { scale: number; offset?: number }): LayerSpec {
  const op = 'Rescaling';
  const { scale, offset = 0 } = argsOf(op, args);
  const config = { scale: finite(op, 'scale', scale), offset: finite(op, 'offset', offset) };
  return LayerSpec.create(op, args, () => core('rescaling', config));
}
/** The channel count of an image sample `[h, w, c]` (or `[c, h, w]`), checked to be rank 3. */
function imageChannels(op: string, shape: number[], channelsLast: boolean): number {
  if (shape.length !== 3)
    throw new Error(`${op}: expects samples of rank 3 ([h, w, channels]), got input shape [${shape}]`);
  return channelsLast ? last(shape) : shape[0];
}

/** 'valid' or 'same' (the only modes TF.js's separable and transposed convolutions take). */
const namedPaddingOf = (layer: string, v: unknown) => oneOf(layer, 'padding', v ?? 'valid', ['valid', 'same'] as const);

export interface DepthwiseConv2DArgs extends LayerArgs {
  kernelSize: Pair;
  strides?: Pair;
  padding?: PaddingName;
  depthMultiplier?: number;
  dataFormat?: 'channelsLast' | 'channelsFirst';
  /** Applied, as in Keras (TF.js 4.22 ignores it for this layer). */
  dilationRate?: Pair;
  activation?: ActivationName;
  useBias?: boolean;
}

/**
 * Depthwise 2-D convolution: each input channel through its own `depthMultiplier` filters, giving
 * `channels * depthMultiplier` channels (channel `c * depthMultiplier + m`, as TensorFlow orders them).
 */
export function depthwiseConv2d(args: DepthwiseConv2DArgs): LayerSpec {
  const op = 'DepthwiseConv2D';
  argsOf(op, args);
  const kernel = window(op, 'kernelSize', args.kernelSize, 2);
  const stride = window(op, 'strides', args.strides ?? 1, 2);
  const dilation = window(op, 'dilationRate', args.dilationRate ?? 1, 2);
  const padding = paddingOf(op, args.padding);
  const depthMultiplier = positive(op, 'depthMultiplier', args.depthMultiplier ?? 1);
  const activation = activationOf(op, args.activation);
  const bias = flag(op, 'useBias', args.useBias, true);
  const channelsLast = channelsLastOf(op, args.dataFormat);
  return LayerSpec.create(op, args, (shape) =>
    core('depthwiseConv2d', {
      inChannels: imageChannels('depthwiseConv2d', shape, channelsLast),
      kernel,
      stride,
      padding,
      dilation,
      depthMultiplier,
      bias,
      activation,
      channelsLast,
    }),
  );
}

export interface SeparableConv2DArgs extends DepthwiseConv2DArgs {
  filters: number;
  padding?: 'valid' | 'same';
}

/** A depthwise convolution, then a pointwise (1×1) convolution to `filters` channels, then the bias. */
export function separableConv2d(args: SeparableConv2DArgs): LayerSpec {
  const op = 'SeparableConv2D';
  argsOf(op, args);
  const filters = positive(op, 'filters', args.filters);
  const kernel = window(op, 'kernelSize', args.kernelSize, 2);
  const stride = window(op, 'strides', args.strides ?? 1, 2);
  const dilation = window(op, 'dilationRate', args.dilationRate ?? 1, 2);
  const padding = namedPaddingOf(op, args.padding);
  const depthMultiplier = positive(op, 'depthMultiplier', args.depthMultiplier ?? 1);
  const activation = activationOf(op, args.activation);
  const bias = flag(op, 'useBias', args.useBias, true);
  const channelsLast = channelsLastOf(op, args.dataFormat);
  return LayerSpec.create(op, args, (shape) =>
    core('separableConv2d', {
      inChannels: imageChannels('separableConv2d', shape, channelsLast),
      filters,
      kernel,
      stride,
      padding,
      dilation,
      depthMultiplier,
      bias,
      activation,
      channelsLast,
    }),
  );
}

export interface Conv2DTransposeArgs extends LayerArgs {
  filters: number;
  kernelSize: Pair;
  strides?: Pair;
  padding?: 'valid' | 'same';
  dataFormat?: 'channelsLast' | 'channelsFirst';
  activation?: ActivationName;
  useBias?: boolean;
}

/**
 * Transposed 2-D convolution; each spatial size becomes `size * strides` with `'same'` padding and
 * `size * strides + max(kernelSize - strides, 0)` with `'valid'`, as in TF.js.
 */
export function conv2dTranspose(args: Conv2DTransposeArgs): LayerSpec {
  const op = 'Conv2DTranspose';
  argsOf(op, args);
  const filters = positive(op, 'filters', args.filters);
  const kernel = window(op, 'kernelSize', args.kernelSize, 2);
  const stride = window(op, 'strides', args.strides ?? 1, 2);
  const padding = namedPaddingOf(op, args.padding);
  const activation = activationOf(op, args.activation);
  const bias = flag(op, 'useBias', args.useBias, true);
  const channelsLast = channelsLastOf(op, args.dataFormat);
  return LayerSpec.create(op, args, (shape) =>
    core('conv2dTranspose', {
      inChannels: imageChannels('conv2dTranspose', shape, channelsLast),
      filters,
      kernel,
      stride,
      padding,
      bias,
      activation,
      channelsLast,
    }),
  );
}

/** Crops rows and columns at the borders: one size, `[rows, cols]`, or `[[top, bottom], [left, right]]` (default 0). */
export function cropping2D(
  args: LayerArgs & {
    cropping?: number | [number, number] | [[number, number], [number, number]];
    dataFormat?: 'channelsLast' | 'channelsFirst';
  } = {},
): LayerSpec {
  const op = 'Cropping2D';
  const { cropping = 0, dataFormat } = argsOf(op, args);
  const sides = borders(op, 'cropping', cropping);
  const channelsLast = channelsLastOf(op, dataFormat);
  return LayerSpec.create(op, args, () => core('cropping2d', { cropping: sides, channelsLast }));
}

/** Enlarges each image by `size` (default `[2, 2]`): nearest repeats pixels; bilinear as TF.js's `resizeBilinear`. */
export function upSampling2d(
  args: LayerArgs & {
    size?: Pair;
    interpolation?: 'nearest' | 'bilinear';
    dataFormat?: 'channelsLast' | 'channelsFirst';
  } = {},
): LayerSpec {
  const op = 'UpSampling2D';
  argsOf(op, args);
  const factor = window(op, 'size', args.size ?? 2, 2);
  const bilinear =
    oneOf(op, 'interpolation', args.interpolation ?? 'nearest', ['nearest', 'bilinear'] as const) === 'bilinear';
  const channelsLast = channelsLastOf(op, args.dataFormat);
  return LayerSpec.create(op, args, () => core('upSampling2d', { size: factor, bilinear, channelsLast }));
}

/** The maximum over the spatial axes: `[h, w, c] -> [c]`. */
export function globalMaxPooling2d(
  args: LayerArgs & { dataFormat?: 'channelsLast' | 'channelsFirst' } = {},
): LayerSpec {
  const op = 'GlobalMaxPooling2D';
  const channelsLast = channelsLastOf(op, argsOf(op, args).dataFormat);
  return LayerSpec.create(op, args, () => core('globalMaxPool2d', { channelsLast }));
}

export interface Pooling1DArgs extends LayerArgs {
  poolSize?: number | [number];
  strides?: number | [number];
  padding?: 'valid' | 'same';
}

function pooling1d(kind: 'maxPool1d' | 'avgPool1d', className: string, args: Pooling1DArgs): LayerSpec {
  argsOf(className, args);
  /** A number or a list of one (TF.js takes both). */
  const one = (key: string, v: unknown) => positive(className, key, Array.isArray(v) && v.length === 1 ? v[0] : v);
  const poolSize = one('poolSize', args.poolSize ?? 2);
  const stride = args.strides === undefined ? poolSize : one('strides', args.strides);
  const padding = namedPaddingOf(className, args.padding);
  return LayerSpec.create(className, args, () =>
    core(kind, { kernel: poolSize, stride, padding, channelsLast: true, countIncludePad: false }),
  );
}

/** 1-D max pooling over `[steps, channels]` samples (pool size 2, strides the pool size). */
export const maxPooling1d = (args: Pooling1DArgs = {}) => pooling1d('maxPool1d', 'MaxPooling1D', args);
/** 1-D average pooling; 'same' padding averages only the steps inside the sequence, as Keras does. */
export const averagePooling1d = (args: Pooling1DArgs = {}) => pooling1d('avgPool1d', 'AveragePooling1D', args);

/** The mean over the steps: `[steps, c] -> [c]`. */
export const globalAveragePooling1d = (args: LayerArgs = {}) =>
  LayerSpec.create('GlobalAveragePooling1D', argsOf('GlobalAveragePooling1D', args), () =>
    core('globalAvgPool1d', { channelsLast: true }),
  );

/** The maximum over the steps: `[steps, c] -> [c]`. */
export const globalMaxPooling1d = (args: LayerArgs = {}) =>
  LayerSpec.create('GlobalMaxPooling1D', argsOf('GlobalMaxPooling1D', args), () =>
    core('globalMaxPool1d', { channelsLast: true }),
  );
