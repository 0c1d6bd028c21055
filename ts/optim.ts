// PyTorch-like optimizers and learning-rate schedulers over the Rust optimizers: `step()` is one
// wasm call that updates every parameter in place on the device (nothing is read back).
import { Optimizer as WasmOptimizer } from '../pkg/webgrad.js';
import { Tensor, listOf } from './tensor.js';

/** Options shared by the optimizers (each class documents its defaults). */
export interface OptimizerOptions {
  lr?: number;
  weightDecay?: number;
  /** Clip each element of each gradient to `[-clipValue, clipValue]` before the step. */
  clipValue?: number;
  /** Rescale all gradients together when their joint L2 norm exceeds this (`clip_grad_norm_`). */
  globalClipNorm?: number;
}

/**
 * The base of the optimizers: holds the parameters and the update state.
 *
 * @example
 * ```ts
 * const opt = new optim.Adam(net.parameters(), { lr: 1e-3 });
 * opt.zeroGrad();
 * criterion.forward(net.forward(x), y).backward();
 * opt.step();
 * ```
 */
export class Optimizer {
  /** @internal */
  readonly inner: WasmOptimizer;
  readonly params: Tensor[];

  /** For the subclasses: `name` and `flavor` pick the Rust optimizer and its defaults. */
  protected constructor(name: string, params: Tensor[], options: object, flavor: 'torch' | 'keras' = 'torch') {
    if (!Array.isArray(params) || params.length === 0) throw new Error(`${name}: the optimizer needs a non-empty list of parameters`);
    this.params = params;
    const list = listOf(params, name);
    try {
      this.inner = new WasmOptimizer(name, list, options, flavor);
    } finally {
      list.free();
    }
  }

  /** Updates every parameter that has a gradient. */
  step(): void { this.inner.step(); }

  /** Clears every parameter's gradient. */
  zeroGrad(): void { for (const p of this.params) p.zeroGrad(); }

  /** The learning rate (schedulers set it). */
  get lr(): number { return this.inner.lr; }
  set lr(value: number) { this.inner.lr = value; }

  /** Frees the optimizer state (not the parameters). */
  dispose(): void { this.inner.free(); }
}

/** SGD with optional momentum, dampening, Nesterov and weight decay (lr default 0.001). */
export class SGD extends Optimizer {
  constructor(params: Tensor[], o: OptimizerOptions & { momentum?: number; dampening?: number; nesterov?: boolean } = {}) { super('sgd', params, o); }
}

/** Adam (lr 0.001, betas 0.9/0.999, eps 1e-8); `weightDecay` is L2 added to the gradient. */
export class Adam extends Optimizer {
  constructor(params: Tensor[], o: OptimizerOptions & { betas?: [number, number]; eps?: number } = {}) {
    super('adam', params, { ...o, beta1: o.betas?.[0], beta2: o.betas?.[1] });
  }
}

/** AdamW: Adam with decoupled weight decay (default 0.01). */
export class AdamW extends Optimizer {
  constructor(params: Tensor[], o: OptimizerOptions & { betas?: [number, number]; eps?: number } = {}) {
    super('adamw', params, { ...o, beta1: o.betas?.[0], beta2: o.betas?.[1] });
  }
}

/** RMSprop (lr 0.01, alpha 0.99, eps 1e-8, optional momentum and centering). */
export class RMSprop extends Optimizer {
  constructor(params: Tensor[], o: OptimizerOptions & { alpha?: number; eps?: number; momentum?: number; centered?: boolean } = {}) {
    super('rmsprop', params, { ...o, rho: o.alpha });
  }
}

/** Adagrad (lr 0.01, eps 1e-10, initial accumulator 0). */
export class Adagrad extends Optimizer {
  constructor(params: Tensor[], o: OptimizerOptions & { eps?: number; initialAccumulatorValue?: number } = {}) {
    super('adagrad', params, { ...o, initialAccumulator: o.initialAccumulatorValue });
  }
}

/** A learning-rate schedule stepped once per epoch (PyTorch's `lr_scheduler`). */
export abstract class LRScheduler {
  lastEpoch = 0;
  readonly baseLr: number;
  constructor(readonly optimizer: Optimizer) { this.baseLr = optimizer.lr; }
  /** The rate for epoch `t`. */
  abstract lrAt(t: number): number;
  /** Advances one epoch and sets the optimizer's rate. */
  step(): void {
    this.lastEpoch += 1;
    this.optimizer.lr = this.lrAt(this.lastEpoch);
  }
  getLastLr(): number { return this.optimizer.lr; }
}

/** Multiplies the rate by `gamma` every `stepSize` epochs. */
export class StepLR extends LRScheduler {
  constructor(optimizer: Optimizer, readonly o: { stepSize: number; gamma?: number }) { super(optimizer); }
  lrAt(t: number): number { return this.baseLr * (this.o.gamma ?? 0.1) ** Math.floor(t / this.o.stepSize); }
}

/** Multiplies the rate by `gamma` every epoch. */
export class ExponentialLR extends LRScheduler {
  constructor(optimizer: Optimizer, readonly o: { gamma: number }) { super(optimizer); }
  lrAt(t: number): number { return this.baseLr * this.o.gamma ** t; }
}

/** Half a cosine from the base rate to `etaMin` over `tMax` epochs. */
export class CosineAnnealingLR extends LRScheduler {
  constructor(optimizer: Optimizer, readonly o: { tMax: number; etaMin?: number }) { super(optimizer); }
  lrAt(t: number): number {
    const min = this.o.etaMin ?? 0;
    return min + ((this.baseLr - min) * (1 + Math.cos((Math.PI * Math.min(t, this.o.tMax)) / this.o.tMax))) / 2;
  }
}

export const lr_scheduler = { StepLR, ExponentialLR, CosineAnnealingLR };
