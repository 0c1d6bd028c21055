// Keras-like layer factories (TensorFlow.js Layers conventions: camelCase config objects,
// channels-last images). A layer is a description until a model builds it with its input shape.
import type { Pair } from '../tensor.js';
import { ACTIVATIONS } from '../names.js';
import type { ActivationName, InitializerName, PaddingName } from '../names.js';

/** Options every layer takes. */
export interface LayerArgs {
  /** Shape of one sample (no batch axis); the first layer of a model needs it. */
  inputShape?: number[];
  /** Alias of `inputShape: [inputDim]`. */
  inputDim?: number;
  name?: string;
}

let counter = 0;

/** A layer description: what to build in the core once the input shape is known. */
export class LayerSpec {
  readonly name: string;
  /** The sample shape given by `inputShape` / `inputDim`, if any. */
  readonly inputShape: number[] | undefined;

  // Layers come from the wg.layers.* factories, never from `new`.
  private constructor(
    readonly className: string,
    args: LayerArgs,
    /** @internal The core layer kind and canonical config for a sample shape. */
    readonly toCore: (shape: number[]) => [string, object],
  ) {
    if (typeof toCore !== 'function') throw new Error('LayerSpec: make layers with wg.layers.*, not new');
    counter += 1;
    this.name = args.name ?? `${className.toLowerCase()}_${counter}`;
    this.inputShape = args.inputShape ?? (args.inputDim !== undefined ? [args.inputDim] : undefined);
  }

  /** @internal */
  static create(className: string, args: LayerArgs, toCore: (shape: number[]) => [string, object]): LayerSpec {
    return new LayerSpec(className, args, toCore);
  }
}

function activationOf(layer: string, activation: string | undefined): string {
  const name = activation ?? 'linear';
  if (!(ACTIVATIONS as readonly string[]).includes(name)) {
    throw new Error(`${layer}: unknown activation '${name}'; expected one of ${ACTIVATIONS.join(', ')}`);
  }
  return name;
}

function positive(layer: string, key: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new Error(`${layer}: '${key}' must be a positive integer, got ${String(value)}`);
  }
  return value;
}

const last = (shape: number[]) => shape[shape.length - 1];

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
  const units = positive('dense', 'units', args.units);
  const activation = activationOf('dense', args.activation);
  return LayerSpec.create('Dense', args, (shape) => ['dense', {
    inputs: last(shape), units, activation, bias: args.useBias ?? true, kernelInitializer: args.kernelInitializer, biasInitializer: args.biasInitializer,
  }]);
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
  const filters = positive('conv2d', 'filters', args.filters);
  const activation = activationOf('conv2d', args.activation);
  const channelsLast = (args.dataFormat ?? 'channelsLast') === 'channelsLast';
  return LayerSpec.create('Conv2D', args, (shape) => {
    if (shape.length !== 3) throw new Error(`conv2d: expects samples of rank 3 ([h, w, channels]), got input shape [${shape}]`);
    return ['conv2d', {
      inChannels: channelsLast ? last(shape) : shape[0], outChannels: filters, kernel: args.kernelSize, stride: args.strides ?? 1,
      padding: args.padding ?? 'valid', dilation: args.dilationRate ?? 1, bias: args.useBias ?? true, activation, channelsLast,
    }];
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
  const filters = positive('conv1d', 'filters', args.filters);
  const activation = activationOf('conv1d', args.activation);
  return LayerSpec.create('Conv1D', args, (shape) => {
    if (shape.length !== 2) throw new Error(`conv1d: expects samples of rank 2 ([steps, channels]), got input shape [${shape}]`);
    return ['conv1d', {
      inChannels: last(shape), outChannels: filters, kernel: args.kernelSize, stride: args.strides ?? 1, padding: args.padding ?? 'valid',
      dilation: args.dilationRate ?? 1, bias: args.useBias ?? true, activation, channelsLast: true,
    }];
  });
}

export interface Pooling2DArgs extends LayerArgs {
  poolSize?: Pair;
  strides?: Pair;
  padding?: PaddingName;
  dataFormat?: 'channelsLast' | 'channelsFirst';
}

function pooling(kind: 'maxPool2d' | 'avgPool2d', className: string, args: Pooling2DArgs): LayerSpec {
  const poolSize = args.poolSize ?? 2;
  return LayerSpec.create(className, args, () => [kind, {
    kernel: poolSize, stride: args.strides ?? poolSize, padding: args.padding ?? 'valid',
    channelsLast: (args.dataFormat ?? 'channelsLast') === 'channelsLast', countIncludePad: false,
  }]);
}

/** Max pooling (pool size and strides default to 2). */
export const maxPooling2d = (args: Pooling2DArgs = {}) => pooling('maxPool2d', 'MaxPooling2D', args);
/** Average pooling; 'same' padding averages only the taps inside the image, as Keras does. */
export const averagePooling2d = (args: Pooling2DArgs = {}) => pooling('avgPool2d', 'AveragePooling2D', args);

/** Mean over the spatial axes: `[h, w, c] -> [c]`. */
export function globalAveragePooling2d(args: LayerArgs & { dataFormat?: 'channelsLast' | 'channelsFirst' } = {}): LayerSpec {
  return LayerSpec.create('GlobalAveragePooling2D', args, () => ['globalAvgPool2d', { channelsLast: (args.dataFormat ?? 'channelsLast') === 'channelsLast' }]);
}

/** Flattens each sample to one axis. */
export const flatten = (args: LayerArgs = {}) => LayerSpec.create('Flatten', args, () => ['flatten', {}]);

/** Reshapes each sample to `targetShape` (one entry may be -1). */
export const reshape = (args: LayerArgs & { targetShape: number[] }) => LayerSpec.create('Reshape', args, () => ['reshape', { shape: args.targetShape }]);

/** Drops inputs with probability `rate` while training (inverted dropout). */
export function dropout(args: LayerArgs & { rate: number }): LayerSpec {
  if (!(args.rate >= 0 && args.rate < 1)) throw new Error(`dropout: 'rate' must be in [0, 1), got ${args.rate}`);
  return LayerSpec.create('Dropout', args, () => ['dropout', { rate: args.rate }]);
}

/** Batch normalisation over the last axis (momentum 0.99, epsilon 1e-3, as in Keras). */
export function batchNormalization(args: LayerArgs & { axis?: number; momentum?: number; epsilon?: number } = {}): LayerSpec {
  return LayerSpec.create('BatchNormalization', args, (shape) => {
    const axis = args.axis ?? -1;
    if (axis !== -1 && axis !== shape.length) throw new Error(`batchNormalization: only the last axis is supported, got axis ${axis}`);
    return ['batchNorm', { channels: last(shape), momentum: args.momentum, eps: args.epsilon }];
  });
}

/** Layer normalisation over the last axis (epsilon 1e-3, as in Keras). */
export function layerNormalization(args: LayerArgs & { axis?: number; epsilon?: number } = {}): LayerSpec {
  return LayerSpec.create('LayerNormalization', args, (shape) => {
    if ((args.axis ?? -1) !== -1) throw new Error(`layerNormalization: only axis -1 is supported, got ${args.axis}`);
    return ['layerNorm', { shape: [last(shape)], eps: args.epsilon }];
  });
}

/** Integer ids to vectors: `[...] -> [..., outputDim]`. */
export function embedding(args: LayerArgs & { inputDim: number; outputDim: number; inputLength?: number }): LayerSpec {
  const count = positive('embedding', 'inputDim', args.inputDim);
  const dim = positive('embedding', 'outputDim', args.outputDim);
  const spec = { ...args, inputDim: undefined, inputShape: args.inputShape ?? (args.inputLength ? [args.inputLength] : undefined) };
  return LayerSpec.create('Embedding', spec, () => ['embedding', { count, dim }]);
}

/** An activation as its own layer. */
export function activation(args: LayerArgs & { activation: ActivationName }): LayerSpec {
  const name = activationOf('activation', args.activation);
  return LayerSpec.create('Activation', args, () => ['activation', { activation: name }]);
}
