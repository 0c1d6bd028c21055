// Loading the wasm module (browser or Node) and choosing the backend.
import initWasm, { backendName, initBackend } from '../pkg/webgrad.js';

/**
 * Which backend to run on: `'auto'` picks WebGPU on a hardware adapter and the CPU backend otherwise
 * (it outruns software adapters such as SwiftShader); `'webgpu'` takes any adapter.
 */
export type BackendKind = 'auto' | 'webgpu' | 'cpu';

/** Options of {@link init}. */
export interface InitOptions {
  /** Backend for new tensors; default `'auto'`. */
  backend?: BackendKind;
}

let loaded: Promise<unknown> | null = null;
let exports: { memory?: WebAssembly.Memory } | null = null;

/** Bytes of the WebAssembly memory (0 before `init`). */
export function wasmMemory(): number {
  return exports?.memory?.buffer.byteLength ?? 0;
}

function isNode(): boolean {
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof proc?.versions?.node === 'string';
}

/**
 * A minimal module using `i8x16.relaxed_swizzle` (opcode 0xfd 0x100): it validates exactly where the
 * engine has relaxed SIMD (Chromium does; Node 20 does not without a flag).
 */
const RELAXED_SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, // magic, version
  1, 5, 1, 96, 0, 1, 123, // type section: () -> v128
  3, 2, 1, 0, // function section: one function of type 0
  10, 15, 1, 13, 0, // code section: one body of 13 bytes, no locals
  65, 1, 253, 15, 65, 2, 253, 15, // i32.const 1, i8x16.splat, i32.const 2, i8x16.splat
  253, 128, 2, 11, // i8x16.relaxed_swizzle, end
]);

/** Whether this engine runs relaxed SIMD (fused multiply-add in the matmul kernel). */
export function hasRelaxedSimd(): boolean {
  try {
    return WebAssembly.validate(RELAXED_SIMD_PROBE);
  } catch {
    return false;
  }
}

async function loadModule(): Promise<unknown> {
  const file = hasRelaxedSimd() ? '../pkg/webgrad_relaxed_bg.wasm' : '../pkg/webgrad_bg.wasm';
  const url = new URL(file, import.meta.url);
  if (isNode()) {
    const { readFile } = await import('node:fs/promises');
    return initWasm({ module_or_path: await readFile(url) });
  }
  return initWasm({ module_or_path: url });
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
  loaded ??= loadModule().catch((e: unknown) => {
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
