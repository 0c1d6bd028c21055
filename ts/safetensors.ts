// `wg.safetensors`: Hugging Face's safetensors format (what PyTorch's `safetensors.torch.save_file`
// writes), both ways. The core checks a file whole before it makes any tensor (src/safetensors.rs);
// its dtypes become webgrad's by one rule: F32, F16, BF16 → float32; I64 (an Error outside int32's
// range), I32, I16, I8, U8 → int32; BOOL → bool; others are an Error. float32, int32 and bool write
// as F32, I32 and BOOL.
import { safetensorsLoad, safetensorsSave } from '../pkg/webgrad.js';
import { fromList, tensorList } from './keras/topology.js';
import { hasFileSystem, readFileBytes } from './io/node-file.js';
import { requireInit } from './runtime.js';
import { Tensor } from './tensor.js';
import { describe, fail } from './validate.js';

/** Where a safetensors file comes from: its bytes, a `Blob`/`File`, a URL (in Node, `http(s)://` ones; other strings are paths). */
export type SafetensorsSource = Uint8Array | ArrayBuffer | Blob | string;

async function bytesOf(op: string, source: SafetensorsSource): Promise<Uint8Array> {
  if (source instanceof Uint8Array) return source;
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  if (typeof Blob !== 'undefined' && source instanceof Blob) return new Uint8Array(await source.arrayBuffer());
  if (typeof source === 'string' && source.length > 0) {
    // A URL (relative ones against the page), or in Node a path.
    if (hasFileSystem() && !/^https?:\/\//.test(source)) {
      try {
        return await readFileBytes(source);
      } catch (e) {
        return fail(op, `reading ${source} failed: ${(e as Error).message}`);
      }
    }
    let response: Response;
    try {
      response = await fetch(source);
    } catch (e) {
      return fail(op, `fetching ${source} failed: ${(e as Error).message}`);
    }
    if (!response.ok) fail(op, `fetching ${source} gave HTTP ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
  }
  return fail(op, `the source must be bytes, a Blob, a URL or (in Node) a path, got ${describe(source)}`);
}

/** A read file: its tensors by name and its `__metadata__`. */
export interface SafetensorsFile {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string>;
}

/**
 * Reads a safetensors file into tensors on the current backend, by name, with its metadata. The
 * file is untrusted: a header that lies (offsets past the end or overlapping, sizes that disagree
 * with the shapes, a name twice, a dtype webgrad does not read, an I64 outside int32) is an Error,
 * and no tensor is left behind.
 *
 * @example
 * ```ts
 * const { tensors, metadata } = await wg.safetensors.loadFile(await file.arrayBuffer());
 * console.log(metadata.format); // 'pt' for PyTorch's save_file
 * ```
 */
export async function loadFile(source: SafetensorsSource): Promise<SafetensorsFile> {
  const op = 'safetensors.load';
  requireInit(op);
  const file = safetensorsLoad(await bytesOf(op, source));
  try {
    const tensors = fromList(file.tensors());
    const pairs = file.metadata;
    const metadata: Record<string, string> = {};
    for (let i = 0; i + 1 < pairs.length; i += 2) metadata[pairs[i]] = pairs[i + 1];
    return { tensors: Object.fromEntries(file.names.map((name, i) => [name, tensors[i]])), metadata };
  } finally {
    file.free();
  }
}

/**
 * The tensors of a safetensors file by name (a PyTorch `state_dict`), on the current backend (see
 * {@link loadFile}).
 *
 * @example
 * ```ts
 * const state = await wg.safetensors.load('https://example.com/model.safetensors');
 * ```
 */
export async function load(source: SafetensorsSource): Promise<Record<string, Tensor>> {
  return (await loadFile(source)).tensors;
}

/** Options of {@link save}. */
export interface SaveOptions {
  /** The file's `__metadata__`: text only, as PyTorch's `save_file(..., metadata=)` takes it. */
  metadata?: Record<string, string>;
}

/**
 * A safetensors file of `stateDict`'s tensors (read back from the device), which PyTorch's
 * `safetensors.torch.load_file` reads as the same tensors.
 *
 * @example
 * ```ts
 * const bytes = await wg.safetensors.save({ weight: w, bias: b }, { metadata: { format: 'pt' } });
 * ```
 */
export async function save(stateDict: Record<string, Tensor>, options: SaveOptions = {}): Promise<Uint8Array> {
  const op = 'safetensors.save';
  requireInit(op);
  if (stateDict === null || typeof stateDict !== 'object')
    fail(op, `the state dict must be an object, got ${describe(stateDict)}`);
  const entries = Object.entries(stateDict);
  for (const [name, t] of entries)
    if (!(t instanceof Tensor)) fail(op, `'${name}' must be a Tensor, got ${describe(t)}`);
  const metadata = Object.entries(options.metadata ?? {});
  for (const [k, v] of metadata)
    if (typeof v !== 'string') fail(op, `metadata '${k}' must be a string, got ${describe(v)}`);
  const list = tensorList(
    entries.map(([, t]) => t),
    op,
  );
  try {
    return (await safetensorsSave(
      entries.map(([n]) => n),
      list,
      metadata.flat(),
    )) as Uint8Array;
  } finally {
    list.free();
  }
}
