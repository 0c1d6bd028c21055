// Graph recording scopes.
import { setGradEnabled } from '../pkg/webgrad.js';
import { requireInit } from './runtime.js';

/**
 * Runs `fn` without recording the graph (PyTorch's `torch.no_grad()`), e.g. for inference or
 * optimizer updates. The function must be synchronous.
 *
 * @example
 * ```ts
 * const y = wg.noGrad(() => model.forward(x));
 * ```
 */
export function noGrad<T>(fn: () => T): T {
  requireInit('noGrad');
  if (typeof fn !== 'function') throw new Error(`noGrad: expected a function, got ${typeof fn}`);
  const previous = setGradEnabled(false);
  let result: T;
  try {
    result = fn();
  } finally {
    setGradEnabled(previous);
  }
  // What runs after an `await` would be recorded: the scope cannot span it.
  if (result instanceof Promise)
    throw new Error('noGrad: the function must be synchronous (an async one records the graph after its first await)');
  return result;
}
