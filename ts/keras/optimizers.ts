// TensorFlow.js-style optimizer factories (`wg.train.adam(0.001)`), resolved by `compile`.

/** An optimizer description: `compile` binds it to the model's weights. */
export interface OptimizerSpec {
  readonly name: string;
  readonly config: Record<string, unknown>;
}

/** Options every optimizer takes: learning-rate schedule and gradient clipping. */
export interface OptimizerExtras {
  /** Clip each gradient element to `[-clipValue, clipValue]`. */
  clipValue?: number;
  /** Rescale each gradient whose L2 norm exceeds this. */
  clipNorm?: number;
  /** Rescale all gradients together when their joint L2 norm exceeds this. */
  globalClipNorm?: number;
  /** A per-step schedule: `{schedule: 'exponential', gamma, decaySteps, staircase}`, `{schedule: 'step', stepSize, gamma}` or `{schedule: 'cosine', tMax, minLr}`. */
  schedule?: 'constant' | 'step' | 'exponential' | 'cosine';
  gamma?: number;
  decaySteps?: number;
  staircase?: boolean;
  stepSize?: number;
  tMax?: number;
  minLr?: number;
}

const spec = (name: string, config: Record<string, unknown>): OptimizerSpec => ({ name, config });

/**
 * Optimizers with TensorFlow.js's defaults.
 *
 * @example
 * ```ts
 * model.compile({ optimizer: wg.train.adam(0.01), loss: 'meanSquaredError' });
 * ```
 */
export const train = {
  /** Plain SGD (`learningRate` default 0.01 through `'sgd'`). */
  sgd: (learningRate: number, extras: OptimizerExtras = {}) => spec('sgd', { lr: learningRate, ...extras }),
  /** SGD with momentum, optionally Nesterov. */
  momentum: (learningRate: number, momentum: number, useNesterov = false, extras: OptimizerExtras = {}) =>
    spec('momentum', { lr: learningRate, momentum, nesterov: useNesterov, ...extras }),
  /** Adam (0.001, 0.9, 0.999, epsilon 1e-7). */
  adam: (learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7, extras: OptimizerExtras = {}) =>
    spec('adam', { lr: learningRate, beta1, beta2, eps: epsilon, ...extras }),
  /** AdamW (Keras 3's defaults: weight decay 0.004). */
  adamw: (learningRate = 0.001, weightDecay = 0.004, extras: OptimizerExtras = {}) =>
    spec('adamw', { lr: learningRate, weightDecay, ...extras }),
  /** RMSprop (decay 0.9, momentum 0, epsilon 1e-7 inside the square root, as in TensorFlow.js). */
  rmsprop: (
    learningRate: number,
    decay = 0.9,
    momentum = 0,
    epsilon = 1e-7,
    centered = false,
    extras: OptimizerExtras = {},
  ) => spec('rmsprop', { lr: learningRate, rho: decay, momentum, eps: epsilon, centered, ...extras }),
  /** Adagrad (initial accumulator 0.1). */
  adagrad: (learningRate: number, initialAccumulatorValue = 0.1, extras: OptimizerExtras = {}) =>
    spec('adagrad', { lr: learningRate, initialAccumulator: initialAccumulatorValue, ...extras }),
};
