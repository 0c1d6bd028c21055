// nn.functional: PyTorch's stateless functions (losses follow PyTorch's conventions: class scores
// on axis 1, mean over elements, BCELoss's log clamped at -100).
import { dropout as dropoutHandle, lossFn, softplusFn } from '../../pkg/webgrad.js';
import { Tensor, wrap } from '../tensor.js';
import type { Conv2dOptions, Pool2dOptions } from '../tensor.js';
import { bool, describe, fail, num, options } from '../validate.js';
import { positiveNumber, rate, tensorArg } from '../checks.js';

/** How a loss reduces: `'mean'` (default), `'sum'` or `'none'`. */
export type Reduction = 'mean' | 'sum' | 'none';

/** Options of the loss functions. */
export interface LossOptions {
  reduction?: Reduction;
}

const REDUCTIONS: readonly string[] = ['mean', 'sum', 'none'];

/**
 * @internal The options of loss `op` checked: the reduction (PyTorch's "… is not a valid value for
 * reduction" otherwise) and Huber's `delta` (> 0).
 */
export function lossOptions(op: string, o: unknown): { reduction: Reduction; delta?: number } {
  const opts = options(op, o as LossOptions & { delta?: number });
  const reduction = opts.reduction ?? 'mean';
  if (typeof reduction !== 'string' || !REDUCTIONS.includes(reduction)) {
    fail(op, `${typeof reduction === 'string' ? reduction : describe(reduction)} is not a valid value for reduction`);
  }
  const delta = opts.delta === undefined ? undefined : positiveNumber(op, 'delta', opts.delta);
  return { reduction, delta };
}

/** The core loss `name` as PyTorch's function `op`. */
function loss(op: string, name: string, input: Tensor, target: Tensor, o?: LossOptions & { delta?: number }): Tensor {
  const { reduction, delta } = lossOptions(op, o);
  const [i, t] = [tensorArg(op, 'input', input), tensorArg(op, 'target', target)];
  return wrap(lossFn(name, i.handle(op), t.handle(op), 'torch', reduction, { delta }));
}

/**
 * Cross-entropy of logits `[n, classes, ...]` against class indices `[n, ...]` (int32 or whole
 * floats) or class probabilities of the input's shape.
 *
 * @example
 * ```ts
 * const loss = F.crossEntropy(wg.tensor([[2, 0, 0]]), wg.tensor([0], { dtype: 'int32' }));
 * await loss.item();  // 0.2395
 * ```
 */
export const crossEntropy = (input: Tensor, target: Tensor, o?: LossOptions) =>
  loss('crossEntropy', 'crossEntropy', input, target, o);
/** Negative log-likelihood of log-probabilities at class indices. */
export const nllLoss = (input: Tensor, target: Tensor, o?: LossOptions) => loss('nllLoss', 'nll', input, target, o);
export const mseLoss = (input: Tensor, target: Tensor, o?: LossOptions) => loss('mseLoss', 'mse', input, target, o);
export const l1Loss = (input: Tensor, target: Tensor, o?: LossOptions) => loss('l1Loss', 'l1', input, target, o);
/** Huber loss: `0.5 e²` where `|e| <= delta` (default 1), else `delta (|e| - 0.5 delta)`. */
export const huberLoss = (input: Tensor, target: Tensor, o?: LossOptions & { delta?: number }) =>
  loss('huberLoss', 'huber', input, target, o);
/** Binary cross-entropy of probabilities. */
export const binaryCrossEntropy = (input: Tensor, target: Tensor, o?: LossOptions) =>
  loss('binaryCrossEntropy', 'bce', input, target, o);
/** Binary cross-entropy of logits (stable). */
export const binaryCrossEntropyWithLogits = (input: Tensor, target: Tensor, o?: LossOptions) =>
  loss('binaryCrossEntropyWithLogits', 'bceWithLogits', input, target, o);

export const relu = (x: Tensor) => x.relu();
export const sigmoid = (x: Tensor) => x.sigmoid();
export const tanh = (x: Tensor) => x.tanh();
export const silu = (x: Tensor) => x.silu();

/** @internal Softplus's `beta` (finite, non-zero) and `threshold` (a number) checked for `op`. */
export function softplusArgs(op: string, beta: unknown, threshold: unknown): [number, number] {
  if (typeof beta !== 'number' || !Number.isFinite(beta) || beta === 0)
    fail(op, `beta must be a finite non-zero number, got ${describe(beta)}`);
  return [beta, num(op, 'threshold', threshold)];
}

/**
 * PyTorch's `F.softplus`: `log(1 + exp(beta x)) / beta`, and `x` itself where `beta x > threshold`.
 *
 * @example
 * ```ts
 * await F.softplus(wg.tensor([0])).data();  // [0.6931] (log 2)
 * ```
 */
export function softplus(x: Tensor, beta = 1, threshold = 20): Tensor {
  const [b, t] = softplusArgs('softplus', beta, threshold);
  return wrap(softplusFn(tensorArg('softplus', 'input', x).handle('softplus'), b, t));
}
export const gelu = (x: Tensor, o?: { approximate?: 'none' | 'tanh' }) => x.gelu(o);
export const leakyRelu = (x: Tensor, negativeSlope = 0.01) => x.leakyRelu(negativeSlope);
export const elu = (x: Tensor, alpha = 1) => x.elu(alpha);
export const softmax = (x: Tensor, dim = -1) => x.softmax(dim);
export const logSoftmax = (x: Tensor, dim = -1) => x.logSoftmax(dim);

/** `x Wᵀ + b` with PyTorch's `[out, in]` weight. */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor): Tensor {
  const wt = weight.t();
  const y = x.matmul(wt);
  wt.dispose();
  if (!bias) return y;
  const out = y.add(bias);
  y.dispose();
  return out;
}

export const conv2d = (x: Tensor, weight: Tensor, o?: Conv2dOptions) => x.conv2d(weight, o);
export const maxPool2d = (x: Tensor, o: Pool2dOptions) => x.maxPool2d(o);
export const avgPool2d = (x: Tensor, o: Pool2dOptions) => x.avgPool2d(o);

/** Inverted dropout: zeroes elements with probability `p` when `training`, scaling the rest by `1/(1-p)`. */
export function dropout(x: Tensor, p = 0.5, training = true): Tensor {
  tensorArg('dropout', 'input', x);
  rate('dropout', 'rate', p);
  if (!bool('dropout', 'training', training)) return x.reshape(x.shape);
  return wrap(dropoutHandle(x.handle('dropout'), p));
}
