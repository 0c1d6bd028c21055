// nn.utils: gradient clipping between `backward()` and `step()`, as in PyTorch.
import { clipGradNorm, clipGradValue } from '../../pkg/webgrad.js';
import { Tensor, listOf, wrap } from '../tensor.js';
import { nonNegative, tensorList } from '../checks.js';

function withList<T>(params: Tensor[], op: string, f: (list: ReturnType<typeof listOf>) => T): T {
  const list = listOf(tensorList(op, 'parameters', params), op);
  try {
    return f(list);
  } finally {
    list.free();
  }
}

/**
 * Rescales the parameters' gradients in place so their joint L2 norm is at most `maxNorm`; returns
 * the norm before clipping (a scalar tensor to dispose), or `null` when no parameter has a gradient.
 *
 * @example
 * ```ts
 * loss.backward();
 * nn.utils.clipGradNorm_(net.parameters(), 1.0)?.dispose();
 * opt.step();
 * ```
 */
export function clipGradNorm_(params: Tensor[], maxNorm: number): Tensor | null {
  nonNegative('clipGradNorm_', 'maxNorm', maxNorm);
  const norm = withList(params, 'clipGradNorm_', (list) => clipGradNorm(list, maxNorm));
  return norm ? wrap(norm) : null;
}

/** Clamps every gradient element to `[-clipValue, clipValue]` in place. */
export function clipGradValue_(params: Tensor[], clipValue: number): void {
  nonNegative('clipGradValue_', 'clipValue', clipValue);
  withList(params, 'clipGradValue_', (list) => clipGradValue(list, clipValue));
}
