// Loading the wasm module (browser, worker or Node) and choosing the backend.
import initWasm, { backendName, initBackend } from '../pkg/webgrad.js';
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
   * successful `init` loads the module; later calls ignore this option.
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
    const hint = e instanceof WebAssembly.CompileError && file === 'webgrad_bg.wasm'
      ? ` This engine has no relaxed SIMD: it needs ${file}.`
      : e instanceof WebAssembly.LinkError ? ` Is it the build of webgrad ${version}?` : '';
    throw new Error(`init: the WebAssembly module from ${where} failed to load: ${(e as Error).message}.${hint}`, { cause: e });
  }
}

/**
 * Loads the module and selects a backend; resolves to the backend's name. Call (and await) it once
 * before making tensors; calling it again switches the backend for tensors made afterwards.
 *
 * @example
 * ```ts
 * import * as wg from 'webgrad';
 * const name = await wg.init();            // 'webgpu (…adapter…)' in Chromium, 'cpu' in Node
 * await wg.init({ backend: 'cpu' });       // force the CPU backend
 * ```
 */
export async function init(options: InitOptions = {}): Promise<string> {
  loaded ??= loadModule(options.wasm).catch((e: unknown) => {
    loaded = null;
    throw e;
  });
  exports = (await loaded) as { memory?: WebAssembly.Memory };
  return initBackend(options.backend ?? 'auto');
}

/** Throws a clear Error naming `op` until {@link init} has loaded the module. */
export function requireInit(op: string): void {
  if (exports === null) throw new Error(`${op}: call \`await webgrad.init()\` first (it loads the WebAssembly module)`);
}

/** The backend in use: `'cpu'`, or `'webgpu (<adapter>, …)'` with the adapter's description. */
export function backend(): string {
  if (loaded === null) throw new Error('backend: call `await init()` first');
  return backendName();
}
