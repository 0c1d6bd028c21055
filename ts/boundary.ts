// The guard between user code and the wasm module: which op is running (for error messages), the
// live-tensor ceiling, and traps. The patched glue (scripts/patch-glue.mjs) reports a trap (an
// exception escaping wasm: `unreachable`, an out-of-bounds access, a stack overflow) through the hooks
// set here; the instance is then dead and every call throws until `init()` makes a fresh one. Tensors
// and other objects of the dead instance stay invalid (using one throws; disposing one does nothing).
import {
  __wbg_current_generation,
  __wbg_set_hooks,
  __wbg_trapped,
  __trap as wasmTrap,
  liveTensors,
  setGpuLimits,
} from '../pkg/webgrad.js';

/** The op the program last called, named in trap messages. */
let lastOp: string | null = null;
/** Why the current instance trapped (its message), or null. */
let trapCause: string | null = null;
/** Readbacks in flight: each rejects when the instance traps (its promise would never settle). */
const pending = new Set<(e: Error) => void>();

const AGAIN =
  'webgrad will re-instantiate it on the next init(): call `await webgrad.init()` again (tensors made before are lost)';

/** The op a glue export belongs to: `tensor_oneHot` → `oneHot`. */
function opOf(exportName: string): string {
  return exportName.replace(/^(tensor|tensorlist|layer|layerlist|optimizer|trainer)_/, '');
}

__wbg_set_hooks({
  trap(e, name) {
    trapCause = e instanceof Error ? e.message : String(e);
    const error = new Error(`${lastOp ?? opOf(name)}: the WebAssembly module trapped (${trapCause}); ${AGAIN}`, {
      cause: e,
    });
    for (const reject of pending) reject(error);
    pending.clear();
    return error;
  },
  trapped: (name) => trappedError(lastOp ?? opOf(name)),
  stale: () => staleError(lastOp ?? 'webgrad'),
});

function trappedError(op: string): Error {
  return new Error(`${op}: the WebAssembly module trapped earlier (${trapCause}); ${AGAIN}`);
}

/** @internal The Error for an object made by an instance that trapped. */
export function staleError(op: string): Error {
  return new Error(
    `${op}: this tensor belongs to a WebAssembly instance that trapped; make it again after \`await webgrad.init()\``,
  );
}

/** @internal The generation of the current instance: objects record it and are stale once it changes. */
export function generation(): number {
  return __wbg_current_generation();
}

/** @internal Whether the current instance trapped (and `init()` must replace it). */
export function trapped(): boolean {
  return __wbg_trapped();
}

/** @internal The limits `setMemoryLimits` sets (the GPU ones `null` while the backend's defaults hold). */
export const limits: { liveTensors: number; gpuPoolBytes: number | null; gpuBudgetBytes: number | null } = {
  liveTensors: 50_000,
  gpuPoolBytes: null,
  gpuBudgetBytes: null,
};

/** @internal Gives the current backend the GPU limits set (each `init` makes a new GPU context). */
export function applyGpuLimits(): void {
  setGpuLimits(limits.gpuPoolBytes ?? -1, limits.gpuBudgetBytes ?? -1);
}

/**
 * @internal Before `op` runs: records it for error messages, refuses a trapped instance, and enforces the
 * live-tensor ceiling (a loop that never disposes would otherwise run wasm out of memory: the
 * finalization registry does not run inside a synchronous loop).
 */
export function admit(op: string): void {
  lastOp = op;
  if (trapped()) throw trappedError(op);
  const live = liveTensors();
  if (live >= limits.liveTensors) {
    throw new Error(
      `${op}: ${live} live tensors reach the ceiling of ${limits.liveTensors}: a loop is keeping the tensors it makes; ` +
        'use tidy() or dispose() to free them (or raise the ceiling with setMemoryLimits({ liveTensors }))',
    );
  }
}

/** @internal Records `op` for trap messages, and nothing else (`dispose`, which never refuses). */
export function record(op: string): void {
  lastOp = op;
}

/** @internal Records `op` (for trap messages) and refuses a trapped instance, without the ceiling. */
export function enter(op: string): void {
  lastOp = op;
  if (trapped()) throw trappedError(op);
}

/** @internal `promise`, rejected with the trap's Error if the instance traps before it settles. */
export function untilTrap<T>(promise: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    pending.add(reject);
    promise.then(resolve, reject).finally(() => pending.delete(reject));
  });
}

/** @internal Test only: makes the module trap (`unreachable`), as a bug in the core would. */
export function __trap(): void {
  enter('__trap');
  wasmTrap();
}
