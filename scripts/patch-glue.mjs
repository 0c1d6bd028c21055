// Patches wasm-bindgen's generated glue (pkg/webgrad.js and its .d.ts) so that a trapped module can
// be replaced (scripts/build.sh runs this after wasm-pack). wasm-bindgen keeps one instance in a
// module-level `wasm` and never lets it go; after a trap (`unreachable`, out-of-bounds access, stack
// overflow) that instance's state is broken for good. The patch:
//  - wraps every export so that an exception escaping wasm (which skips Rust's destructors and leaves
//    borrows held) marks the instance trapped: the call throws the TypeScript layer's Error, and
//    later calls throw until `__wbg_reinstantiate()` makes a fresh instance of the same module;
//  - tags every wasm-bindgen object with the generation of the instance that made it: an object of
//    an older generation cannot reach the new instance (it throws; `free` does nothing), and the
//    finalization registries and closures of an older generation do nothing.
// Each edit must match, or the build fails: a wasm-bindgen upgrade that changes the glue is caught here.
import { readFile, writeFile } from 'node:fs/promises';

const js = 'pkg/webgrad.js';
const dts = 'pkg/webgrad.d.ts';
let src = await readFile(js, 'utf8');
if (src.includes('__wbg_generation')) throw new Error(`patch-glue: ${js} is already patched`);

function edit(what, pattern, replacement) {
  const before = src;
  src = src.replace(pattern, replacement);
  if (src === before) throw new Error(`patch-glue: ${what} not found in ${js} (did wasm-bindgen's output change?)`);
}

const prelude = `
// ---- patched by scripts/patch-glue.mjs: a trapped instance can be replaced ----
/** Generation of the current instance: bumped when it traps; objects of older ones are stale. */
let __wbg_generation = 0;
/** The exception that trapped the current instance, or null. */
let __wbg_trap = null;
/** Errors as the TypeScript layer words them (\`name\`: the export called). */
let __wbg_hooks = {
    trap: (e, name) => new Error(\`\${name}: the WebAssembly module trapped (\${e && e.message})\`),
    trapped: (name) => new Error(\`\${name}: the WebAssembly module trapped earlier\`),
    stale: () => new Error('this object belongs to a WebAssembly instance that trapped'),
};
/** @param {object} hooks */
export function __wbg_set_hooks(hooks) { __wbg_hooks = hooks; }
/** @returns {number} */
export function __wbg_current_generation() { return __wbg_generation; }
/** @returns {boolean} */
export function __wbg_trapped() { return __wbg_trap !== null; }
/** A fresh instance of the same module (after a trap): resolves when it is ready. */
export async function __wbg_reinstantiate() {
    if (wasmModule === undefined) throw new Error('the WebAssembly module was never loaded');
    const instance = await WebAssembly.instantiate(wasmModule, __wbg_get_imports());
    __wbg_trap = null;
    return __wbg_finalize_init(instance, wasmModule);
}
function __wbg_guard(exports) {
    const guarded = {};
    for (const [name, f] of Object.entries(exports)) {
        if (typeof f !== 'function') { guarded[name] = f; continue; }
        // A closure's body runs from the event loop (a promise's continuation): throwing there is an
        // uncaught exception, so after a trap it reports through the hook and returns "no error".
        const quiet = name.startsWith('wasm_bindgen__convert__closures');
        guarded[name] = (...args) => {
            if (__wbg_trap !== null) {
                if (quiet) return [0, 0, 0];
                throw __wbg_hooks.trapped(name);
            }
            try {
                return f(...args);
            } catch (e) {
                // Nothing is meant to unwind through wasm: whatever did (a trap, a stack overflow, a
                // throwing import) left the instance's state broken.
                __wbg_trap = e;
                __wbg_generation++;
                const error = __wbg_hooks.trap(e, name);
                if (quiet) return [0, 0, 0];
                throw error;
            }
        };
    }
    return guarded;
}
/** \`obj\`'s pointer, or the stale-object Error when an older instance made it. */
function __wbg_p(obj) {
    if (obj.__wbg_gen !== __wbg_generation) throw __wbg_hooks.stale();
    return obj.__wbg_ptr;
}
/** A finalization registry that forgets the registrations of older instances. */
function __wbg_registry(cleanup) {
    if (typeof FinalizationRegistry === 'undefined') return { register: () => {}, unregister: () => {} };
    let generation = -1;
    let registry = null;
    const current = () => {
        if (generation !== __wbg_generation) {
            const mine = (generation = __wbg_generation);
            registry = new FinalizationRegistry((held) => { if (mine === __wbg_generation) cleanup(held); });
        }
        return registry;
    };
    return { register: (o, held, token) => current().register(o, held, token), unregister: (token) => current().unregister(token) };
}
// ---- end of patch ----
`;
// Objects: tagged when made, checked when used, `free` a no-op once stale.
edit(
  'pointer assignments',
  /(\b[a-z_]+)\.__wbg_ptr = (?!0;)([^;]+);/g,
  '$1.__wbg_ptr = $2; $1.__wbg_gen = __wbg_generation;',
);
edit(
  'free()',
  /free\(\) \{\n(\s+)const ptr = this\.__destroy_into_raw\(\);/g,
  'free() {\n$1if (this.__wbg_gen !== __wbg_generation) { this.__wbg_ptr = 0; return; }\n$1const ptr = this.__destroy_into_raw();',
);
edit('pointer reads', /(\b[a-z_]+)\.__wbg_ptr\b(?!\s*=[^=])/gi, '__wbg_p($1)');
// Registries and closures.
edit(
  'finalization registries',
  /\(typeof FinalizationRegistry === 'undefined'\)\n\s+\? \{ register: \(\) => \{\}, unregister: \(\) => \{\} \}\n\s+: new FinalizationRegistry\(/g,
  '__wbg_registry(',
);
edit(
  'closure state',
  /const state = \{ a: arg0, b: arg1, cnt: 1 \};/g,
  'const state = { a: arg0, b: arg1, cnt: 1, g: __wbg_generation };',
);
edit(
  'closure calls',
  /const real = \(\.\.\.args\) => \{\n/g,
  'const real = (...args) => {\n        if (state.g !== __wbg_generation) return;\n',
);
edit(
  'closure drops',
  /real\._wbg_cb_unref = \(\) => \{\n\s+if \(--state\.cnt === 0\) \{/g,
  'real._wbg_cb_unref = () => {\n        if (--state.cnt === 0 && state.g === __wbg_generation) {',
);
// The instance's exports, guarded.
edit('finalize_init', /wasm = instance\.exports;/, 'wasm = __wbg_guard(instance.exports);');
// Last, so that the edits above leave the prelude's own code alone.
edit('the first line', /^(\/\* @ts-self-types=[^\n]*\n)/, `$1${prelude}`);
await writeFile(js, src);

let types = await readFile(dts, 'utf8');
types += `
/** @internal (scripts/patch-glue.mjs) Errors for traps, calls after one, and objects of a trapped instance. */
export function __wbg_set_hooks(hooks: { trap(e: unknown, name: string): Error; trapped(name: string): Error; stale(): Error }): void;
/** @internal The generation of the current instance (bumped by each trap). */
export function __wbg_current_generation(): number;
/** @internal Whether the current instance trapped. */
export function __wbg_trapped(): boolean;
/** @internal A fresh instance of the same module. */
export function __wbg_reinstantiate(): Promise<InitOutput>;
`;
await writeFile(dts, types);
