// Deterministic memory management: `tidy` scopes and live-tensor accounting.
import { memoryInfo, trimMemory as wasmTrimMemory } from '../pkg/webgrad.js';
import { applyGpuLimits, limits } from './boundary.js';
import { requireInit, wasmMemory } from './runtime.js';
import { Tensor, setCreationHook } from './tensor.js';
import { int, options } from './validate.js';

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
  /** The limits in force (see {@link setMemoryLimits}). */
  limits: MemoryLimits;
}

/** Memory limits; see {@link setMemoryLimits}. */
export interface MemoryLimits {
  /** Live tensors past which every op throws (default 50,000). */
  liveTensors: number;
  /** WebGPU: bytes of freed buffers kept for reuse (`null`: the backend's default, 256 MiB). */
  gpuPoolBytes: number | null;
  /** WebGPU: bytes of GPU memory past which an allocation is an out-of-memory Error (0 on the CPU backend; default 2 GiB). */
  gpuBudgetBytes: number | null;
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
  const [numTensors, gpuBytes, gpuPooledBytes, gpuBudget] = memoryInfo();
  const gpuBudgetBytes = limits.gpuBudgetBytes ?? (gpuBudget > 0 ? gpuBudget : null);
  return { numTensors, wasmBytes: wasmMemory(), gpuBytes, gpuPooledBytes, limits: { ...limits, gpuBudgetBytes } };
}

/**
 * Sets memory limits; omitted ones stay as they are. They hold across `init` calls.
 *
 * - `liveTensors` (default 50,000, far above what a model's step holds): once this many tensors are
 *   alive, every op throws an Error saying to use `tidy()` or `dispose()`. JavaScript's garbage
 *   collector does not free forgotten tensors inside a synchronous loop, so without the ceiling such
 *   a loop runs the WebAssembly memory out; disposing tensors lets ops run again.
 * - `gpuPoolBytes` (WebGPU, default 256 MiB): freed GPU buffers kept for reuse.
 * - `gpuBudgetBytes` (WebGPU, default 2 GiB): GPU memory (tensors and pool) past which an allocation
 *   is an out-of-memory Error rather than a lost device.
 *
 * @example
 * ```ts
 * wg.setMemoryLimits({ liveTensors: 200_000, gpuPoolBytes: 64 * 2 ** 20 });
 * ```
 */
export function setMemoryLimits(newLimits: Partial<MemoryLimits>): void {
  const op = 'setMemoryLimits';
  requireInit(op);
  const o = options(op, newLimits);
  const bytes = (name: keyof MemoryLimits): number | null | undefined =>
    o[name] === undefined || o[name] === null ? o[name] : int(op, name, o[name], 0);
  for (const key of Object.keys(o)) {
    if (!['liveTensors', 'gpuPoolBytes', 'gpuBudgetBytes'].includes(key))
      throw new Error(`${op}: unknown limit '${key}' (expected liveTensors, gpuPoolBytes or gpuBudgetBytes)`);
  }
  const live = o.liveTensors === undefined ? undefined : int(op, 'liveTensors', o.liveTensors, 1);
  const pool = bytes('gpuPoolBytes');
  const budget = bytes('gpuBudgetBytes');
  if (live !== undefined) limits.liveTensors = live;
  if (pool !== undefined) limits.gpuPoolBytes = pool;
  if (budget !== undefined) limits.gpuBudgetBytes = budget;
  applyGpuLimits();
}

/** Frees the GPU buffers kept for reuse (WebGPU's pool); nothing on the CPU backend. */
export function trimMemory(): void {
  requireInit('trimMemory');
  wasmTrimMemory();
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
 * arrays and objects too), as TensorFlow.js's `tidy` does; if `fn` throws, every tensor it made is
 * disposed. Scopes nest.
 *
 * @example
 * ```ts
 * const loss = wg.tidy(() => pred.sub(target).square().mean());  // the intermediates are freed
 * ```
 */
export function tidy<T>(fn: () => T): T {
  if (typeof fn !== 'function') throw new Error(`tidy: expected a function, got ${typeof fn}`);
  const made: Tensor[] = [];
  const outer = setCreationHook((t) => {
    made.push(t);
    outer?.(t);
  });
  let result: T;
  try {
    result = fn();
  } catch (e) {
    // What `fn` made before it threw is garbage too.
    setCreationHook(outer);
    for (const t of made) if (!kept.has(t)) t.dispose();
    throw e;
  }
  setCreationHook(outer);
  if (result instanceof Promise) {
    for (const t of made) if (!kept.has(t)) t.dispose();
    throw new Error('tidy: the function must be synchronous (await outside tidy)');
  }
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
