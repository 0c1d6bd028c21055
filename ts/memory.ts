// Deterministic memory management: `tidy` scopes and live-tensor accounting.
import { memoryInfo } from '../pkg/webgrad.js';
import { requireInit, wasmMemory } from './runtime.js';
import { Tensor, setCreationHook } from './tensor.js';

/** What {@link memory} reports. */
export interface MemoryInfo {
  /** Tensors alive in the core (views and graph intermediates included). */
  numTensors: number;
  /** Bytes of the WebAssembly memory (the CPU backend's tensors live there). */
  wasmBytes: number;
  /** GPU bytes held by live tensors (0 on the CPU backend). */
  gpuBytes: number;
  /** GPU bytes of freed buffers kept for reuse. */
  gpuPooledBytes: number;
}

/**
 * Memory in use, for spotting leaks: a training loop that disposes what it makes keeps these flat.
 *
 * @example
 * ```ts
 * const before = wg.memory().numTensors;
 * wg.tidy(() => x.matmul(w).relu().sum());
 * console.assert(wg.memory().numTensors === before);
 * ```
 */
export function memory(): MemoryInfo {
  requireInit('memory');
  const [numTensors, gpuBytes, gpuPooledBytes] = memoryInfo();
  return { numTensors, wasmBytes: wasmMemory(), gpuBytes, gpuPooledBytes };
}

/** Tensors exempted from every enclosing `tidy` by {@link keep}. */
const kept = new WeakSet<Tensor>();

function collect(value: unknown, keep: Set<Tensor>, seen = new Set<unknown>()): void {
  if (value instanceof Tensor) {
    keep.add(value);
  } else if (value !== null && typeof value === 'object' && !seen.has(value)) {
    seen.add(value);
    for (const v of Array.isArray(value) ? value : Object.values(value)) collect(v, keep, seen);
  }
}

/**
 * Runs `fn` and disposes every tensor made inside it except those it returns (found in returned
 * arrays and objects too), as TensorFlow.js's `tidy` does. Scopes nest.
 *
 * @example
 * ```ts
 * const loss = wg.tidy(() => pred.sub(target).square().mean());  // the intermediates are freed
 * ```
 */
export function tidy<T>(fn: () => T): T {
  const made: Tensor[] = [];
  const outer = setCreationHook((t) => {
    made.push(t);
    outer?.(t);
  });
  let result: T;
  try {
    result = fn();
  } finally {
    setCreationHook(outer);
  }
  if (result instanceof Promise) throw new Error('tidy: the function must be synchronous (await outside tidy)');
  const keep = new Set<Tensor>();
  collect(result, keep);
  for (const t of made) if (!keep.has(t) && !kept.has(t)) t.dispose();
  return result;
}

/** Keeps `t` alive past the enclosing `tidy` scopes (returns it). */
export function keep<T extends Tensor>(t: T): T {
  kept.add(t);
  return t;
}
