// Modules whose forward runs in the Rust core (one wasm call per layer): the base of nn.Linear & co.
import { Layer } from '../../pkg/webgrad.js';
import { Tensor, wrap } from '../tensor.js';
import type { Pair } from '../tensor.js';
import { keep } from '../memory.js';
import { requireInit } from '../runtime.js';
import { Module, Parameter } from './module.js';

/** @internal Tensors of a Rust layer as unscoped, kept TS tensors by name. */
export function layerTensors(names: string[], list: { length: number; get(i: number): unknown; free(): void }): [string, Tensor][] {
  const out: [string, Tensor][] = [];
  for (let i = 0; i < list.length; i++) out.push([names[i], keep(Tensor.fromHandle(list.get(i) as never, false))]);
  list.free();
  return out;
}

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

  constructor(kind: string, config: object) {
    super();
    requireInit(new.target.name);
    this.layer = Layer.create(kind, config, 'torch');
    for (const [name, t] of layerTensors(this.layer.parameterNames(), this.layer.parameters())) {
      (this as Record<string, unknown>)[name] = Parameter(t);
    }
    this.#buffers = layerTensors(this.layer.bufferNames(), this.layer.buffers());
  }

  protected override ownBuffers(): [string, Tensor][] {
    return this.#buffers;
  }

  forward(x: Tensor): Tensor {
    return wrap(this.layer.forward(x.handle(this.layer.kind())));
  }

  override train(mode = true): this {
    this.layer.setTraining(mode);
    return super.train(mode);
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
    super('dense', { inputs: inFeatures, units: outFeatures, bias });
  }
}

/** 2-D convolution over NCHW input (PyTorch's `nn.Conv2d`). */
export class Conv2d extends NativeModule {
  declare weight: Tensor;
  declare bias: Tensor | undefined;
  constructor(inChannels: number, outChannels: number, kernelSize: Pair, o: Conv2dOptions = {}) {
    super('conv2d', { inChannels, outChannels, kernel: kernelSize, stride: o.stride, padding: o.padding ?? 0, dilation: o.dilation, groups: o.groups, bias: o.bias ?? true, channelsLast: false });
  }
}

/** 1-D convolution over `[n, c, length]` (PyTorch's `nn.Conv1d`). */
export class Conv1d extends NativeModule {
  declare weight: Tensor;
  declare bias: Tensor | undefined;
  constructor(inChannels: number, outChannels: number, kernelSize: number, o: { stride?: number; padding?: number | 'same' | 'valid'; dilation?: number; groups?: number; bias?: boolean } = {}) {
    super('conv1d', { inChannels, outChannels, kernel: kernelSize, stride: o.stride, padding: o.padding ?? 0, dilation: o.dilation, groups: o.groups, bias: o.bias ?? true, channelsLast: false });
  }
}

/** Max pooling over NCHW (PyTorch's `nn.MaxPool2d`; stride defaults to the kernel size). */
export class MaxPool2d extends NativeModule {
  constructor(kernelSize: Pair, stride?: Pair, padding: Pair = 0) {
    super('maxPool2d', { kernel: kernelSize, stride: stride ?? kernelSize, padding, channelsLast: false });
  }
}

/** Average pooling over NCHW (PyTorch's `nn.AvgPool2d`, padding counted in the divisor). */
export class AvgPool2d extends NativeModule {
  constructor(kernelSize: Pair, stride?: Pair, padding: Pair = 0) {
    super('avgPool2d', { kernel: kernelSize, stride: stride ?? kernelSize, padding, channelsLast: false, countIncludePad: true });
  }
}

/** Inverted dropout with probability `p` in training mode (PyTorch's `nn.Dropout`). */
export class Dropout extends NativeModule {
  constructor(p = 0.5) {
    super('dropout', { rate: p });
  }
}

/** Batch normalisation over `[n, c]` or `[n, c, length]` (PyTorch's `nn.BatchNorm1d`). */
export class BatchNorm1d extends NativeModule {
  declare weight: Tensor;
  declare bias: Tensor;
  constructor(numFeatures: number, o: { eps?: number; momentum?: number } = {}) {
    super('batchNorm', { channels: numFeatures, eps: o.eps, momentum: o.momentum });
  }
}

/** Batch normalisation over NCHW (PyTorch's `nn.BatchNorm2d`). */
export class BatchNorm2d extends BatchNorm1d {}

/** Layer normalisation over the trailing `normalizedShape` (PyTorch's `nn.LayerNorm`). */
export class LayerNorm extends NativeModule {
  declare weight: Tensor;
  declare bias: Tensor;
  constructor(normalizedShape: number | number[], o: { eps?: number } = {}) {
    super('layerNorm', { shape: normalizedShape, eps: o.eps });
  }
}

/** A lookup table of `numEmbeddings` vectors of `embeddingDim` (PyTorch's `nn.Embedding`). */
export class Embedding extends NativeModule {
  declare weight: Tensor;
  constructor(numEmbeddings: number, embeddingDim: number) {
    super('embedding', { count: numEmbeddings, dim: embeddingDim });
  }
}
