// Graph recording scopes.
import { setGradEnabled } from '../pkg/webgrad.js';
import { requireInit } from './runtime.js';

/**
 * Runs `fn` without recording the graph (PyTorch's `torch.no_grad()`), e.g. for inference or
 * optimizer updates.
 *
 * @example
 * ```ts
 * const y = wg.noGrad(() => model.forward(x));
 * ```
 */
export function noGrad<T>(fn: () => T): T {
  requireInit('noGrad');
  const previous = setGradEnabled(false);
  try {
    return fn();
  } finally {
    setGradEnabled(previous);
  }
}
