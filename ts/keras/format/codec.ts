// Weight bytes of the TF.js Layers format: the manifest is checked whole (names, shapes, dtypes,
// quantization, and that the shards hold every byte it promises) before anything is decoded, then
// one weight at a time is decoded from the shards in place (a weight cut across two shards is
// joined alone; the shards are never concatenated). Encoding writes float32 in one buffer, as TF.js.
import type { WeightData, WeightsManifestEntry } from '../../io/types.js';
import { describe, fail } from '../../validate.js';

const op = 'loadLayersModel';

/** Bytes per stored value, by dtype (quantized dtypes first). */
const BYTES: Record<string, number> = { uint8: 1, uint16: 2, float16: 2, float32: 4, int32: 4, bool: 1 };

/** The most values of one weight: the core's tensors hold at most 2^32 - 1 bytes of float32. */
const MAX_VALUES = 2 ** 30 - 1;

/** A manifest entry, checked, with where its bytes are. */
export interface WeightSlot {
  name: string;
  shape: number[];
  size: number;
  dtype: 'float32' | 'int32' | 'bool';
  quantization?: { dtype: 'uint8' | 'uint16' | 'float16'; scale: number; min: number };
  /** Byte offset in the shards read as one. */
  offset: number;
  bytes: number;
}

function shapeOf(name: string, v: unknown): { shape: number[]; size: number } {
  if (!Array.isArray(v) || v.length > 8)
    fail(op, `weight '${name}': shape must be an array of at most 8 sizes, got ${describe(v)}`);
  let size = 1;
  for (const d of v) {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0)
      fail(op, `weight '${name}': shape [${v.map(describe).join(', ')}] must hold sizes >= 0`);
    size *= d;
    if (size > MAX_VALUES) fail(op, `weight '${name}': shape [${v.join(', ')}] has more than ${MAX_VALUES} values`);
  }
  return { shape: v as number[], size };
}

function quantizationOf(name: string, q: unknown): WeightSlot['quantization'] {
  if (q === undefined || q === null) return undefined;
  if (typeof q !== 'object') fail(op, `weight '${name}': quantization must be an object, got ${describe(q)}`);
  const { dtype, scale, min } = q as Record<string, unknown>;
  if (dtype !== 'uint8' && dtype !== 'uint16' && dtype !== 'float16')
    fail(op, `weight '${name}': quantization dtype must be 'uint8', 'uint16' or 'float16', got ${describe(dtype)}`);
  if (dtype !== 'float16')
    for (const [key, v] of [
      ['scale', scale],
      ['min', min],
    ] as const)
      if (typeof v !== 'number' || !Number.isFinite(v))
        fail(op, `weight '${name}': quantization ${key} must be a finite number, got ${describe(v)}`);
  // float16 has no scale or min.
  return { dtype, scale: (scale as number | undefined) ?? 1, min: (min as number | undefined) ?? 0 };
}

/** The shards as a list of buffers. */
export function shardsOf(data: WeightData | undefined): ArrayBuffer[] {
  if (data === undefined || data === null) return [];
  const list = Array.isArray(data) ? data : [data];
  list.forEach((b, i) => {
    if (!(b instanceof ArrayBuffer)) fail(op, `weight shard ${i} must be an ArrayBuffer, got ${describe(b)}`);
  });
  return list;
}

/**
 * The manifest's entries, checked, with their byte ranges; an Error for an entry that lies (a bad
 * shape, dtype or quantization, a name twice, bytes past the shards' end) before anything is read.
 */
export function weightSlots(specs: unknown, shards: ArrayBuffer[], strict: boolean): WeightSlot[] {
  if (specs === undefined || specs === null) specs = [];
  if (!Array.isArray(specs)) fail(op, `weightSpecs must be an array, got ${describe(specs)}`);
  const total = shards.reduce((n, b) => n + b.byteLength, 0);
  const names = new Set<string>();
  let offset = 0;
  const slots = specs.map((spec: WeightsManifestEntry, i): WeightSlot => {
    if (spec === null || typeof spec !== 'object') fail(op, `weight ${i} must be an object, got ${describe(spec)}`);
    const name = spec.name;
    if (typeof name !== 'string' || name.length === 0)
      fail(op, `weight ${i} must have a name (a non-empty string), got ${describe(name)}`);
    if (names.has(name)) fail(op, `weight '${name}' appears twice in the manifest`);
    names.add(name);
    const { shape, size } = shapeOf(name, spec.shape);
    const dtype = spec.dtype as string;
    if (dtype !== 'float32' && dtype !== 'int32' && dtype !== 'bool')
      fail(op, `weight '${name}': dtype must be 'float32', 'int32' or 'bool', got ${describe(dtype)}`);
    const quantization = quantizationOf(name, spec.quantization);
    const bytes = size * BYTES[quantization?.dtype ?? dtype];
    if (offset + bytes > total)
      fail(
        op,
        `weight '${name}' (shape [${shape.join(', ')}], ${quantization?.dtype ?? dtype}) needs bytes ${offset}..${offset + bytes}, but the shards hold ${total} bytes (a shard is missing or truncated)`,
      );
    const slot: WeightSlot = { name, shape, size, dtype, quantization, offset, bytes };
    offset += bytes;
    return slot;
  });
  if (strict && offset !== total)
    fail(op, `the shards hold ${total} bytes but the manifest describes ${offset} (an extra or wrong shard)`);
  return slots;
}

/** The bytes of `slot` as their own buffer (a copy of its range, joined when it spans shards). */
function bytesOf(slot: WeightSlot, shards: ArrayBuffer[]): ArrayBuffer {
  const out = new Uint8Array(slot.bytes);
  let start = slot.offset;
  let written = 0;
  let base = 0;
  for (const shard of shards) {
    const end = base + shard.byteLength;
    if (written < slot.bytes && start < end) {
      const from = start - base;
      const n = Math.min(shard.byteLength - from, slot.bytes - written);
      out.set(new Uint8Array(shard, from, n), written);
      written += n;
      start += n;
    }
    base = end;
  }
  return out.buffer;
}

/** An IEEE half-precision value. */
function fromHalf(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** The float32 values of `slot` (int32 and bool weights as float32, as the layers hold them). */
export function decodeSlot(slot: WeightSlot, shards: ArrayBuffer[]): Float32Array {
  const buffer = bytesOf(slot, shards);
  const q = slot.quantization;
  if (q?.dtype === 'float16') return Float32Array.from(new Uint16Array(buffer), fromHalf);
  if (q) {
    const stored = q.dtype === 'uint8' ? new Uint8Array(buffer) : new Uint16Array(buffer);
    const round = slot.dtype === 'int32' ? Math.round : (v: number) => v;
    return Float32Array.from(stored, (v) => round(v * q.scale + q.min));
  }
  if (slot.dtype === 'float32') return new Float32Array(buffer);
  return Float32Array.from(slot.dtype === 'int32' ? new Int32Array(buffer) : new Uint8Array(buffer));
}

/** Weights as TF.js writes them: float32 values, one buffer, entries in order. */
export function encodeWeights(weights: { name: string; shape: number[]; values: Float32Array }[]): {
  specs: WeightsManifestEntry[];
  data: ArrayBuffer;
} {
  const data = new Uint8Array(weights.reduce((n, w) => n + w.values.byteLength, 0));
  let at = 0;
  const specs = weights.map(({ name, shape, values }): WeightsManifestEntry => {
    data.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), at);
    at += values.byteLength;
    return { name, shape, dtype: 'float32' };
  });
  return { specs, data: data.buffer };
}
