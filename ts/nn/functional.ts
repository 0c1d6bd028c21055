// nn.functional: PyTorch's stateless functions (losses follow PyTorch's conventions: class scores
// on axis 1, mean over elements, BCELoss's log clamped at -100).
import { dropout as dropoutHandle, lossFn } from '../../pkg/webgrad.js';
import { Tensor, wrap } from '../tensor.js';
import type { Conv2dOptions, Pool2dOptions } from '../tensor.js';

/** How a loss reduces: `'mean'` (default), `'sum'` or `'none'`. */
export type Reduction = 'mean' | 'sum' | 'none';

/** Options of the loss functions. */
export interface LossOptions {
  reduction?: Reduction;
}

function loss(name: string, input: Tensor, target: Tensor, o: LossOptions & { delta?: number } = {}): Tensor {
  return wrap(lossFn(name, input.handle(name), target.handle(name), 'torch', o.reduction ?? 'mean', { delta: o.delta }));
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
export const crossEntropy = (input: Tensor, target: Tensor, o?: LossOptions) => loss('crossEntropy', input, target, o);
/** Negative log-likelihood of log-probabilities at class indices. */
export const nllLoss = (input: Tensor, target: Tensor, o?: LossOptions) => loss('nll', input, target, o);
export const mseLoss = (input: Tensor, target: Tensor, o?: LossOptions) => loss('mse', input, target, o);
export const l1Loss = (input: Tensor, target: Tensor, o?: LossOptions) => loss('l1', input, target, o);
export const huberLoss = (input: Tensor, target: Tensor, o?: LossOptions & { delta?: number }) => loss('huber', input, target, o);
/** Binary cross-entropy of probabilities. */
export const binaryCrossEntropy = (input: Tensor, target: Tensor, o?: LossOptions) => loss('bce', input, target, o);
/** Binary cross-entropy of logits (stable). */
export const binaryCrossEntropyWithLogits = (input: Tensor, target: Tensor, o?: LossOptions) => loss('bceWithLogits', input, target, o);

export const relu = (x: Tensor) => x.relu();
export const sigmoid = (x: Tensor) => x.sigmoid();
export const tanh = (x: Tensor) => x.tanh();
export const silu = (x: Tensor) => x.silu();
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
  if (!training) return x.reshape(x.shape);
  return wrap(dropoutHandle(x.handle('dropout'), p));
}
