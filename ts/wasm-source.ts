// Finding, fetching and checking the WebAssembly binary, in a form every bundler understands: each
// build's URL is a literal `new URL('…', import.meta.url)` (Vite and webpack emit the file and
// rewrite the URL), and Node reads `file:` URLs with `fs`, got from `process.getBuiltinModule` at
// run time, so that no bundler sees an import of a Node module.

/**
 * The two builds of the core: `webgrad_relaxed_bg.wasm` (SIMD with relaxed-SIMD fused multiply-add,
 * for engines that have it: Chromium) and `webgrad_bg.wasm` (SIMD only: Firefox, Safari, Node 20).
 */
export type WasmFile = 'webgrad_relaxed_bg.wasm' | 'webgrad_bg.wasm';

/**
 * `Response` where the program's lib declares it (DOM, WebWorker, `@types/node`), else `never`.
 * @inline
 */
type FetchResponse = typeof globalThis extends { Response: abstract new (...args: never) => infer T } ? T : never;

/**
 * `URL` where the program's lib declares it (DOM, WebWorker, `@types/node`), else `never`.
 * @inline
 */
type WebUrl = typeof globalThis extends { URL: abstract new (...args: never) => infer T } ? T : never;

/**
 * `WebAssembly.Module` where the program's lib declares it (DOM, WebWorker), else `never`.
 * @inline
 */
type CompiledModule = typeof globalThis extends { WebAssembly: { Module: abstract new (...args: never) => infer T } }
  ? T
  : never;

/**
 * Where the module comes from, for apps that host the `.wasm` file themselves (a CDN, a service
 * worker): a URL (string or `URL`), a `Response`, the bytes, or a compiled `WebAssembly.Module`.
 */
export type WasmSource = string | WebUrl | FetchResponse | ArrayBuffer | ArrayBufferView | CompiledModule;

/**
 * `init`'s `wasm` option: one source (it must be the build the engine can run), or a function that
 * is given the file this engine needs and returns its source.
 *
 * @example
 * ```ts
 * await wg.init({ wasm: (file) => `https://cdn.example.com/webgrad@0.1.0/pkg/${file}` });
 * ```
 */
export type WasmOption = WasmSource | Promise<WasmSource> | ((file: WasmFile) => WasmSource | Promise<WasmSource>);

/** @internal What the wasm-bindgen glue's `init` takes. */
export type GlueInput = Response | ArrayBuffer | ArrayBufferView | WebAssembly.Module;

/**
 * A minimal module using `i8x16.relaxed_swizzle` (opcode 0xfd 0x100): it validates exactly where the
 * engine has relaxed SIMD (Chromium does; Node 20 does not without a flag).
 */
const RELAXED_SIMD_PROBE = new Uint8Array([
  0,
  97,
  115,
  109,
  1,
  0,
  0,
  0, // magic, version
  1,
  5,
  1,
  96,
  0,
  1,
  123, // type section: () -> v128
  3,
  2,
  1,
  0, // function section: one function of type 0
  10,
  15,
  1,
  13,
  0, // code section: one body of 13 bytes, no locals
  65,
  1,
  253,
  15,
  65,
  2,
  253,
  15, // i32.const 1, i8x16.splat, i32.const 2, i8x16.splat
  253,
  128,
  2,
  11, // i8x16.relaxed_swizzle, end
]);

/** Whether this engine runs relaxed SIMD (fused multiply-add in the matmul kernel). */
export function hasRelaxedSimd(): boolean {
  try {
    return WebAssembly.validate(RELAXED_SIMD_PROBE);
  } catch {
    return false;
  }
}

/** The build this engine runs. */
export function wasmFile(): WasmFile {
  return hasRelaxedSimd() ? 'webgrad_relaxed_bg.wasm' : 'webgrad_bg.wasm';
}

/** The packaged file's URL: one literal per build, so that bundlers emit exactly these two files. */
function packagedUrl(file: WasmFile): URL {
  return file === 'webgrad_relaxed_bg.wasm'
    ? new URL('../pkg/webgrad_relaxed_bg.wasm', import.meta.url)
    : new URL('../pkg/webgrad_bg.wasm', import.meta.url);
}

const HOSTING_HINT =
  'Serve the .wasm files of the webgrad package beside its JavaScript (bundlers such as Vite and webpack do this with no configuration), ' +
  "or host them yourself and pass their location: init({ wasm: (file) => new URL(file, 'https://your.cdn/webgrad/') }).";

/** The first bytes of every WebAssembly binary: `\0asm`. */
const MAGIC = [0x00, 0x61, 0x73, 0x6d];

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** `bytes`, or an Error saying what came from `where` instead of a WebAssembly binary. */
function checkMagic<T extends Uint8Array>(bytes: T, where: string): T {
  const head = bytes.subarray(0, 4);
  if (MAGIC.every((b, i) => head[i] === b)) return bytes;
  const text = new TextDecoder().decode(bytes.subarray(0, 64)).trimStart();
  const what = /^<(!doctype|html)/i.test(text)
    ? 'an HTML page (a server answers so for a missing file, e.g. a single-page-app fallback)'
    : `${bytes.byteLength} bytes starting ${hex(head) || '(empty)'}`;
  return fail(`${where} is not a WebAssembly module: got ${what}. ${HOSTING_HINT}`);
}

function fail(message: string): never {
  throw new Error(`init: ${message}`);
}

/** A fetched response as the glue's input: streamed when served as `application/wasm`, else checked bytes. */
async function fromResponse(response: Response, url: string): Promise<GlueInput> {
  const type = response.headers.get('content-type') ?? '(none)';
  const where = `${url} (HTTP ${response.status}, content-type ${type})`;
  if (!response.ok) fail(`fetching the WebAssembly module failed: ${where}. ${HOSTING_HINT}`);
  if (type.split(';')[0].trim() === 'application/wasm') return response;
  return checkMagic(new Uint8Array(await response.arrayBuffer()), where);
}

/** Node's `fs/promises`, got at run time without an `import` that bundlers would try to resolve. */
function nodeFs(url: URL): { readFile(u: URL): Promise<Uint8Array> } {
  type NodeProcess = { getBuiltinModule?(id: string): unknown };
  const fs = (globalThis as { process?: NodeProcess }).process?.getBuiltinModule?.('node:fs/promises');
  if (!fs)
    fail(
      `reading ${url.href} needs Node 20.16+ or 22.3+ (process.getBuiltinModule); elsewhere pass the bytes: init({ wasm: bytes })`,
    );
  return fs as { readFile(u: URL): Promise<Uint8Array> };
}

async function readFileBytes(url: URL): Promise<Uint8Array> {
  const fs = nodeFs(url);
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(url);
  } catch (e) {
    return fail(`reading the WebAssembly module ${url.href} failed: ${(e as Error).message}. ${HOSTING_HINT}`);
  }
  return checkMagic(bytes, url.href);
}

async function fromUrl(url: URL): Promise<GlueInput> {
  if (url.protocol === 'file:') return readFileBytes(url);
  let response: Response;
  try {
    response = await fetch(url);
  } catch (e) {
    return fail(`fetching the WebAssembly module ${url.href} failed: ${(e as Error).message}. ${HOSTING_HINT}`);
  }
  return fromResponse(response, url.href);
}

function isResponse(v: unknown): v is Response {
  return typeof Response !== 'undefined' && v instanceof Response;
}

function isModule(v: unknown): v is WebAssembly.Module {
  return typeof WebAssembly !== 'undefined' && v instanceof WebAssembly.Module;
}

/**
 * @internal The glue's input for `option` (the packaged file when absent) and a description of where it came
 * from, for errors. Relative URL strings resolve against the page (`location`), as `fetch` does.
 */
export async function resolveWasm(option: WasmOption | undefined, file: WasmFile): Promise<[GlueInput, string]> {
  const source = await (typeof option === 'function' ? option(file) : (option ?? packagedUrl(file)));
  if (isModule(source)) return [source, 'the WebAssembly.Module passed to init'];
  if (isResponse(source)) {
    const where = source.url || 'the Response passed to init';
    return [await fromResponse(source, where), where];
  }
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) {
    const where = 'the bytes passed to init';
    const bytes =
      source instanceof ArrayBuffer
        ? new Uint8Array(source)
        : new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
    return [checkMagic(bytes, where), where];
  }
  if (typeof source === 'string' || source instanceof URL) {
    const base = (globalThis as { location?: { href: string } }).location?.href;
    let url: URL;
    try {
      url = new URL(source, base);
    } catch {
      return fail(`the wasm option '${String(source)}' is not a URL`);
    }
    return [await fromUrl(url), url.href];
  }
  return fail(
    `the wasm option must be a URL, a Response, bytes or a WebAssembly.Module, got ${Object.prototype.toString.call(source)}`,
  );
}
