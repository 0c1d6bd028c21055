// PyTorch-like optimizers and learning-rate schedulers over the Rust optimizers: `step()` is one
// wasm call that updates every parameter in place on the device (nothing is read back).
import { Optimizer as WasmOptimizer } from '../pkg/webgrad.js';
import { Tensor, listOf } from './tensor.js';
import { describe, fail, int, options } from './validate.js';
import { nonNegative, tensorList } from './checks.js';

/** The class each core optimizer name belongs to (the name errors use). */
const CLASS_NAMES: Record<string, string> = {
  sgd: 'SGD',
  adam: 'Adam',
  adamw: 'AdamW',
  rmsprop: 'RMSprop',
  adagrad: 'Adagrad',
};

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
  #inner: WasmOptimizer | null;
  readonly params: Tensor[];
  /** The class name errors use (`SGD`, `Adam`, …). */
  readonly #name: string;

  /**
   * For the subclasses: `name` and `flavor` pick the Rust optimizer and its defaults; the core
   * checks the hyper-parameters with PyTorch's messages ("SGD: Invalid learning rate: -1").
   */
  protected constructor(name: string, params: Tensor[], config: object, flavor: 'torch' | 'keras' = 'torch') {
    this.#name = CLASS_NAMES[name] ?? name;
    tensorList(this.#name, 'params', params);
    if (params.length === 0) fail(this.#name, 'the optimizer needs a non-empty list of parameters');
    this.params = [...params];
    const list = listOf(params, this.#name);
    try {
      this.#inner = new WasmOptimizer(name, list, config, flavor);
    } finally {
      list.free();
    }
  }

  /** The core optimizer, or an Error once disposed. */
  #live(): WasmOptimizer {
    if (this.#inner === null) fail(this.#name, 'the optimizer was disposed');
    return this.#inner;
  }

  /** The core optimizer, its parameters checked alive (a disposed module's are refused by name). */
  #withParams(op: string): WasmOptimizer {
    const inner = this.#live();
    this.params.forEach((p, i) => {
      try {
        p.handle(op);
      } catch {
        fail(
          `${this.#name}.${op}`,
          `parameter ${i} was disposed (was its module disposed? make a new optimizer for a new module)`,
        );
      }
    });
    return inner;
  }

  /** Updates every parameter that has a gradient. */
  step(): void {
    this.#withParams('step').step();
  }

  /** Clears every parameter's gradient. */
  zeroGrad(): void {
    this.#withParams('zeroGrad');
    for (const p of this.params) p.zeroGrad();
  }

  /** The learning rate (schedulers set it): a finite number >= 0. */
  get lr(): number {
    return this.#live().lr;
  }
  set lr(value: number) {
    const inner = this.#live();
    if (typeof value !== 'number') fail(this.#name, `lr must be a number, got ${describe(value)}`);
    inner.setLr(value);
  }

  /** Frees the optimizer state (not the parameters); later calls are Errors. Disposing twice is harmless. */
  dispose(): void {
    this.#inner?.free();
    this.#inner = null;
  }
}

/** SGD with optional momentum, dampening, Nesterov and weight decay (lr default 0.001). */
export class SGD extends Optimizer {
  constructor(
    params: Tensor[],
    o: OptimizerOptions & { momentum?: number; dampening?: number; nesterov?: boolean } = {},
  ) {
    super('sgd', params, options('SGD', o));
  }
}

/** Adam (lr 0.001, betas 0.9/0.999, eps 1e-8); `weightDecay` is L2 added to the gradient. */
export class Adam extends Optimizer {
  constructor(params: Tensor[], o: OptimizerOptions & { betas?: [number, number]; eps?: number } = {}) {
    super('adam', params, withBetas('Adam', o));
  }
}

/** AdamW: Adam with decoupled weight decay (default 0.01). */
export class AdamW extends Optimizer {
  constructor(params: Tensor[], o: OptimizerOptions & { betas?: [number, number]; eps?: number } = {}) {
    super('adamw', params, withBetas('AdamW', o));
  }
}

/** The options with `betas` as the core's `beta1`/`beta2` (values checked by the core). */
function withBetas(op: string, o: { betas?: [number, number] }): object {
  const opts = options(op, o);
  const betas = opts.betas;
  if (betas !== undefined && !(Array.isArray(betas) && betas.length === 2))
    fail(op, `betas must be an array of two numbers, got ${describe(betas)}`);
  return { ...opts, beta1: betas?.[0], beta2: betas?.[1] };
}

/** RMSprop (lr 0.01, alpha 0.99, eps 1e-8, optional momentum and centering). */
export class RMSprop extends Optimizer {
  constructor(
    params: Tensor[],
    o: OptimizerOptions & { alpha?: number; eps?: number; momentum?: number; centered?: boolean } = {},
  ) {
    super('rmsprop', params, { ...options('RMSprop', o), rho: o.alpha });
  }
}

/** Adagrad (lr 0.01, eps 1e-10, initial accumulator 0). */
export class Adagrad extends Optimizer {
  constructor(params: Tensor[], o: OptimizerOptions & { eps?: number; initialAccumulatorValue?: number } = {}) {
    super('adagrad', params, { ...options('Adagrad', o), initialAccumulator: o.initialAccumulatorValue });
  }
}

/** A learning-rate schedule stepped once per epoch (PyTorch's `lr_scheduler`). */
export abstract class LRScheduler {
  lastEpoch = 0;
  readonly baseLr: number;
  readonly optimizer: Optimizer;
  /** `name` is the class errors use (`StepLR`, …). */
  constructor(optimizer: Optimizer, name = 'LRScheduler') {
    if (!(optimizer instanceof Optimizer))
      fail(name, `expected an optimizer from wg.optim, got ${describe(optimizer)}`);
    this.optimizer = optimizer;
    this.baseLr = optimizer.lr;
  }
  /** The rate for epoch `t`. */
  abstract lrAt(t: number): number;
  /** Advances one epoch and sets the optimizer's rate. */
  step(): void {
    this.lastEpoch += 1;
    this.optimizer.lr = this.lrAt(this.lastEpoch);
  }
  getLastLr(): number {
    return this.optimizer.lr;
  }
}

/** Multiplies the rate by `gamma` (default 0.1) every `stepSize` epochs (an integer >= 1). */
export class StepLR extends LRScheduler {
  readonly o: { stepSize: number; gamma: number };
  constructor(optimizer: Optimizer, o: { stepSize: number; gamma?: number }) {
    super(optimizer, 'StepLR');
    const opts = options('StepLR', o);
    this.o = {
      stepSize: int('StepLR', 'stepSize', opts.stepSize, 1),
      gamma: nonNegative('StepLR', 'gamma', opts.gamma ?? 0.1),
    };
  }
  lrAt(t: number): number {
    return this.baseLr * this.o.gamma ** Math.floor(t / this.o.stepSize);
  }
}

/** Multiplies the rate by `gamma` every epoch. */
export class ExponentialLR extends LRScheduler {
  readonly o: { gamma: number };
  constructor(optimizer: Optimizer, o: { gamma: number }) {
    super(optimizer, 'ExponentialLR');
    this.o = { gamma: nonNegative('ExponentialLR', 'gamma', options('ExponentialLR', o).gamma) };
  }
  lrAt(t: number): number {
    return this.baseLr * this.o.gamma ** t;
  }
}

/** Half a cosine from the base rate to `etaMin` (default 0) over `tMax` epochs (an integer >= 1). */
export class CosineAnnealingLR extends LRScheduler {
  readonly o: { tMax: number; etaMin: number };
  constructor(optimizer: Optimizer, o: { tMax: number; etaMin?: number }) {
    super(optimizer, 'CosineAnnealingLR');
    const opts = options('CosineAnnealingLR', o);
    this.o = {
      tMax: int('CosineAnnealingLR', 'tMax', opts.tMax, 1),
      etaMin: nonNegative('CosineAnnealingLR', 'etaMin', opts.etaMin ?? 0),
    };
  }
  lrAt(t: number): number {
    const min = this.o.etaMin;
    return min + ((this.baseLr - min) * (1 + Math.cos((Math.PI * Math.min(t, this.o.tMax)) / this.o.tMax))) / 2;
  }
}

export const lr_scheduler = { StepLR, ExponentialLR, CosineAnnealingLR };
