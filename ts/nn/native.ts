// Modules whose forward runs in the Rust core (one wasm call per layer): the base of nn.Linear & co.
import { Layer } from '../../pkg/webgrad.js';
import { Tensor, wrap } from '../tensor.js';
import type { Pair } from '../tensor.js';
import { layerTensors } from '../core-layer.js';
import type { Conv1dConfig, Conv2dConfig, CoreLayer, MaxPool2dConfig } from '../generated/layers.js';
import { requireInit } from '../runtime.js';
import { Module, Parameter } from './module.js';
import { bool, describe, fail, options, size, sizes } from '../validate.js';
import { nonNegative, rate, tensorArg, window } from '../checks.js';

/**
 * A module implemented by a Rust layer of `kind` built from a canonical `config`; its parameters
 * become properties (`weight`, `bias`, …) shared with the core, so optimizer steps and
 * `loadStateDict` update them in place.
 */
export class NativeModule extends Module {
  /** @internal */
  readonly layer: Layer;
  /** @internal */
  readonly #buffers: [string, Tensor][];

  constructor(...[kind, config]: CoreLayer) {
    super();
    const name = new.target.name;
    requireInit(name);
    try {
      this.layer = Layer.create(kind, config, 'torch', name);
    } catch (e) {
      const message = (e as Error).message;
      throw message.startsWith(`${name}:`) ? e : new Error(`${name}: ${message}`, { cause: e });
    }
    for (const [name, t] of layerTensors(this.layer.parameterNames(), this.layer.parameters())) {
      (this as Record<string, unknown>)[name] = Parameter(t);
    }
    this.#buffers = layerTensors(this.layer.bufferNames(), this.layer.buffers());
  }

  protected override ownBuffers(): [string, Tensor][] {
    return this.#buffers;
  }

  forward(x: Tensor): Tensor {
    this.assertAlive('forward');
    const op = `${this.constructor.name}.forward`;
    return wrap(this.layer.forward(tensorArg(op, 'input', x).handle(op)));
  }

  override train(mode = true): this {
    super.train(mode);
    this.layer.setTraining(mode);
    return this;
  }

  /** Frees the parameters, buffers and the core layer (which holds them too). */
  override dispose(): void {
    super.dispose();
    if (!this.#freed) this.layer.free();
    this.#freed = true;
  }

  #freed = false;
}

/** Options of {@link Conv2d}. */
export interface Conv2dOptions {
  stride?: Pair;
  /** A number, `[rows, cols]`, or `'same'`/`'valid'`. */
  padding?: Pair | 'same' | 'valid';
  dilation?: Pair;
  groups?: number;
  bias?: boolean;
}

/** `y = x Wᵀ + b` (PyTorch's `nn.Linear`: weight `[out, in]`, kaiming-uniform(√5) init). */
export class Linear extends NativeModule {
  declare weight: Tensor;
  declare bias: Tensor | undefined;
  constructor(inFeatures: number, outFeatures: number, bias = true) {
    const op = new.target.name;
    super('dense', {
      inputs: size(op, 'inFeatures', inFeatures, 1),
      units: size(op, 'outFeatures', outFeatures, 1),
      bias: bool(op, 'bias', bias),
    });
  }
}

/** 2-D convolution over NCHW input (PyTorch's `nn.Conv2d`). */
export class Conv2d extends NativeModule {
  declare weight: Tensor;
  declare bias: Tensor | undefined;
  constructor(inChannels: number, outChannels: number, kernelSize: Pair, o: Conv2dOptions = {}) {
    super('conv2d', convConfig(new.target.name, inChannels, outChannels, kernelSize, o, 2));
  }
}

/** 1-D convolution over `[n, c, length]` (PyTorch's `nn.Conv1d`). */
export class Conv1d extends NativeModule {
  declare weight: Tensor;
  declare bias: Tensor | undefined;
  constructor(
    inChannels: number,
    outChannels: number,
    kernelSize: number,
    o: {
      stride?: number;
      padding?: number | 'same' | 'valid';
      dilation?: number;
      groups?: number;
      bias?: boolean;
    } = {},
  ) {
    super('conv1d', convConfig(new.target.name, inChannels, outChannels, kernelSize, o, 1));
  }
}

/** Max pooling over NCHW (PyTorch's `nn.MaxPool2d`; stride defaults to the kernel size). */
export class MaxPool2d extends NativeModule {
  constructor(kernelSize: Pair, stride?: Pair, padding: Pair = 0) {
    super('maxPool2d', { ...poolConfig(new.target.name, kernelSize, stride, padding), channelsLast: false });
  }
}

/** Average pooling over NCHW (PyTorch's `nn.AvgPool2d`, padding counted in the divisor). */
export class AvgPool2d extends NativeModule {
  constructor(kernelSize: Pair, stride?: Pair, padding: Pair = 0) {
    super('avgPool2d', {
      ...poolConfig(new.target.name, kernelSize, stride, padding),
      channelsLast: false,
      countIncludePad: true,
    });
  }
}

/** Inverted dropout with probability `p` in training mode (PyTorch's `nn.Dropout`). */
export class Dropout extends NativeModule {
  constructor(p = 0.5) {
    super('dropout', { rate: rate(new.target.name, 'p', p) });
  }
}

/** Batch normalisation over `[n, c]` or `[n, c, length]` (PyTorch's `nn.BatchNorm1d`). */
export class BatchNorm1d extends NativeModule {
  declare weight: Tensor;
  declare bias: Tensor;
  constructor(numFeatures: number, o: { eps?: number; momentum?: number } = {}) {
    const op = new.target.name;
    const opts = options(op, o);
    super('batchNorm', {
      channels: size(op, 'numFeatures', numFeatures, 1),
      eps: optional(op, 'eps', opts.eps),
      momentum: optional(op, 'momentum', opts.momentum),
    });
  }
}

/** Batch normalisation over NCHW (PyTorch's `nn.BatchNorm2d`). */
export class BatchNorm2d extends BatchNorm1d {}

/** Layer normalisation over the trailing `normalizedShape` (PyTorch's `nn.LayerNorm`). */
export class LayerNorm extends NativeModule {
  declare weight: Tensor;
  declare bias: Tensor;
  constructor(normalizedShape: number | number[], o: { eps?: number } = {}) {
    const op = new.target.name;
    const shape =
      typeof normalizedShape === 'number'
        ? [size(op, 'normalizedShape', normalizedShape, 1)]
        : sizes(op, 'normalizedShape', normalizedShape, 1);
    super('layerNorm', { shape, eps: optional(op, 'eps', options(op, o).eps) });
  }
}

/** A lookup table of `numEmbeddings` vectors of `embeddingDim` (PyTorch's `nn.Embedding`). */
export class Embedding extends NativeModule {
  declare weight: Tensor;
  constructor(numEmbeddings: number, embeddingDim: number) {
    const op = new.target.name;
    super('embedding', {
      count: size(op, 'numEmbeddings', numEmbeddings, 1),
      dim: size(op, 'embeddingDim', embeddingDim, 1),
    });
  }
}

/** Zero padding of the last two axes (PyTorch's `nn.ZeroPad2d`): one size, or `[left, right, top, bottom]`. */
export class ZeroPad2d extends NativeModule {
  constructor(padding: number | [number, number, number, number]) {
    const op = new.target.name;
    const p = typeof padding === 'number' ? [padding, padding, padding, padding] : padding;
    if (!Array.isArray(p) || p.length !== 4)
      fail(op, `padding must be a number or [left, right, top, bottom], got ${describe(padding)}`);
    const [left, right, top, bottom] = p.map((d, i) => size(op, `padding[${i}]`, d));
    super('zeroPad2d', { padding: [top, left, bottom, right], channelsLast: false });
  }
}

/** A finite number >= 0 when given. */
function optional(op: string, name: string, v: unknown): number | undefined {
  return v === undefined ? undefined : nonNegative(op, name, v);
}

/** Explicit paddings (`n` of them at most) or `'same'`/`'valid'`. */
function paddingArg(op: string, v: unknown, n: 1 | 2): number | number[] | 'same' | 'valid' {
  if (v === 'same' || v === 'valid') return v;
  if (typeof v === 'number') return size(op, 'padding', v);
  if (!Array.isArray(v) || v.length < 1 || v.length > n)
    fail(op, `padding must be a number${n === 2 ? ', [rows, cols]' : ''}, 'same' or 'valid', got ${describe(v)}`);
  return v.map((d, i) => size(op, `padding[${i}]`, d));
}

/** The core config of a PyTorch convolution of `dims` spatial axes, checked. */
function convConfig(op: string, i: number, o: number, k: unknown, opts: object, dims: 1): Conv1dConfig;
function convConfig(op: string, i: number, o: number, k: unknown, opts: object, dims: 2): Conv2dConfig;
function convConfig(
  op: string,
  inChannels: number,
  outChannels: number,
  kernelSize: unknown,
  o: Conv2dOptions | object,
  dims: 1 | 2,
): Conv1dConfig | Conv2dConfig {
  const opts = options(op, o) as Conv2dOptions;
  return {
    inChannels: size(op, 'inChannels', inChannels, 1),
    outChannels: size(op, 'outChannels', outChannels, 1),
    kernel: window(op, 'kernelSize', kernelSize, dims),
    stride: opts.stride === undefined ? undefined : window(op, 'stride', opts.stride, dims),
    padding: paddingArg(op, opts.padding ?? 0, dims),
    dilation: opts.dilation === undefined ? undefined : window(op, 'dilation', opts.dilation, dims),
    groups: opts.groups === undefined ? undefined : size(op, 'groups', opts.groups, 1),
    bias: bool(op, 'bias', opts.bias ?? true),
  };
}

/** The core config of a PyTorch pooling (stride defaults to the kernel), checked. */
function poolConfig(op: string, kernelSize: unknown, stride: unknown, padding: unknown): MaxPool2dConfig {
  const kernel = window(op, 'kernelSize', kernelSize, 2);
  const pad =
    typeof padding === 'number'
      ? size(op, 'padding', padding)
      : Array.isArray(padding) && padding.length <= 2
        ? padding.map((d, i) => size(op, `padding[${i}]`, d))
        : fail(op, `padding must be a number or [rows, cols], got ${describe(padding)}`);
  return { kernel, stride: stride === undefined ? kernel : window(op, 'stride', stride, 2), padding: pad };
}
