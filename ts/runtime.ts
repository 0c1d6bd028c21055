// Loading the wasm module (browser or Node) and choosing the backend.
import initWasm, { backendName, initBackend } from '../pkg/webgrad.js';

/** Which backend to run on: WebGPU when an adapter exists (`'auto'`), or one named explicitly. */
export type BackendKind = 'auto' | 'webgpu' | 'cpu';

/** Options of {@link init}. */
export interface InitOptions {
  /** Backend for new tensors; default `'auto'`. */
  backend?: BackendKind;
}

let loaded: Promise<unknown> | null = null;

function isNode(): boolean {
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof proc?.versions?.node === 'string';
}

async function loadModule(): Promise<unknown> {
  const url = new URL('../pkg/webgrad_bg.wasm', import.meta.url);
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
  await loaded;
  return initBackend(options.backend ?? 'auto');
}

/** The backend in use: `'cpu'`, or `'webgpu (<adapter>, …)'` with the adapter's description. */
export function backend(): string {
  if (loaded === null) throw new Error('backend: call `await init()` first');
  return backendName();
}
