// Loading the wasm module (browser, worker or Node) and choosing the backend.
import initWasm, { __wbg_reinstantiate, backendName, initBackend } from '../pkg/webgrad.js';
import { applyGpuLimits, enter, trapped } from './boundary.js';
import { oneOf, options as optionsOf } from './validate.js';
import { resolveWasm, wasmFile } from './wasm-source.js';
import type { WasmOption } from './wasm-source.js';
import { version } from './version.js';

/**
 * Which backend to run on: `'auto'` picks WebGPU on a hardware adapter and the CPU backend otherwise
 * (it outruns software adapters such as SwiftShader); `'webgpu'` takes any adapter.
 */
export type BackendKind = 'auto' | 'webgpu' | 'cpu';

/** Options of {@link init}. */
export interface InitOptions {
  /** Backend for new tensors; default `'auto'`. */
  backend?: BackendKind;
  /**
   * Where to load the WebAssembly module from, for apps that host it themselves; by default the
   * file packaged beside webgrad's JavaScript (which bundlers emit for you). Only the first
   * successful `init` loads the module; later calls ignore this option (after a trap, `init` makes
   * a fresh instance of the module it loaded).
   */
  wasm?: WasmOption;
}

let loaded: Promise<unknown> | null = null;
let exports: { memory?: WebAssembly.Memory } | null = null;

/** Bytes of the WebAssembly memory (0 before `init`). */
export function wasmMemory(): number {
  return exports?.memory?.buffer.byteLength ?? 0;
}

async function loadModule(option: WasmOption | undefined): Promise<unknown> {
  const file = wasmFile();
  const [input, where] = await resolveWasm(option, file);
  try {
    return await initWasm({ module_or_path: input });
  } catch (e) {
    // An engine without relaxed SIMD cannot compile the relaxed build; a module that does not link
    // was built from another version of the glue.
    const hint =
      e instanceof WebAssembly.CompileError && file === 'webgrad_bg.wasm'
        ? ` This engine has no relaxed SIMD: it needs ${file}.`
        : e instanceof WebAssembly.LinkError
          ? ` Is it the build of webgrad ${version}?`
          : '';
    throw new Error(`init: the WebAssembly module from ${where} failed to load: ${(e as Error).message}.${hint}`, {
      cause: e,
    });
  }
}

/**
 * Loads the module and selects a backend; resolves to the backend's name. Call (and await) it once
 * before making tensors; calling it again switches the backend for tensors made afterwards. Calls
 * run one after another: a second call made before the first resolves waits for it.
 *
 * If the WebAssembly module ever traps (a bug in webgrad: every op then throws an Error saying so),
 * `init` makes a fresh instance of it; tensors and models made before are lost.
 *
 * @example
 * ```ts
 * import * as wg from 'webgrad';
 * const name = await wg.init();            // 'webgpu (…adapter…)' in Chromium, 'cpu' in Node
 * await wg.init({ backend: 'cpu' });       // force the CPU backend
 * ```
 */
export function init(options: InitOptions = {}): Promise<string> {
  const run = queue.then(() => initNow(options));
  queue = run.catch(() => undefined);
  return run;
}

/** The calls of `init`, chained so that they run one at a time. */
let queue: Promise<unknown> = Promise.resolve();

const BACKENDS: readonly BackendKind[] = ['auto', 'webgpu', 'cpu'];

async function initNow(options: InitOptions): Promise<string> {
  const o = optionsOf('init', options);
  const kind = o.backend === undefined ? 'auto' : o.backend;
  if (typeof kind === 'string' && !BACKENDS.includes(kind)) {
    throw new Error(`init: unknown backend '${kind}' (expected 'auto', 'webgpu' or 'cpu')`);
  }
  oneOf('init', 'backend', kind, BACKENDS);
  loaded ??= loadModule(o.wasm).catch((e: unknown) => {
    loaded = null;
    throw e;
  });
  exports = (await loaded) as { memory?: WebAssembly.Memory };
  if (trapped()) exports = (await __wbg_reinstantiate()) as { memory?: WebAssembly.Memory };
  const name = await initBackend(kind);
  applyGpuLimits();
  return name;
}

/** Throws a clear Error naming `op` until {@link init} has loaded the module. */
export function requireInit(op: string): void {
  if (exports === null) throw new Error(`${op}: call \`await webgrad.init()\` first (it loads the WebAssembly module)`);
  enter(op);
}

/** The backend in use: `'cpu'`, or `'webgpu (<adapter>, …)'` with the adapter's description. */
export function backend(): string {
  if (loaded === null) throw new Error('backend: call `await init()` first');
  enter('backend');
  return backendName();
}
