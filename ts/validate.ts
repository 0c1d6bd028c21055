// Argument checks at the TypeScript boundary. Every number that becomes a size, axis, index, stride
// or padding is checked here before it reaches the glue: the glue converts with `>>> 0` / `Uint32Array`
// (−1 becomes 4294967295, 2.7 becomes 2, '23' becomes [2, 3]) and a string that is not a string reads
// out of bounds. Each failure is an Error naming the op and the argument.

/** @internal Throws `Error('<op>: <msg>')`. */
export function fail(op: string, msg: string): never {
  throw new Error(`${op}: ${msg}`);
}

/** @internal A short description of a value for an error message. */
export function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' || v == null) return String(v);
  if (Array.isArray(v)) return v.length > 8 ? `an array of ${v.length}` : `[${v.map(describe).join(', ')}]`;
  if (typeof v === 'function') return 'a function';
  return (v as object).constructor?.name ? `a ${(v as object).constructor.name}` : 'an object';
}

/** @internal An integer in `[min, max]` (both default to the safe-integer range). */
export function int(
  op: string,
  name: string,
  v: unknown,
  min = Number.MIN_SAFE_INTEGER,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) fail(op, `${name} must be an integer, got ${describe(v)}`);
  if (v < min || v > max)
    fail(
      op,
      `${name} must be ${max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `in [${min}, ${max}]`}, got ${v}`,
    );
  return v;
}

/** Largest size of one axis (the core's sizes are 32-bit in wasm). */
export const MAX_SIZE = 2 ** 32 - 1;

/** @internal A size: an integer in `[min, MAX_SIZE]`. */
export function size(op: string, name: string, v: unknown, min = 0): number {
  return int(op, name, v, min, MAX_SIZE);
}

/** @internal A list of sizes (a shape), as an array of integers ≥ `min`. */
export function sizes(op: string, name: string, v: unknown, min = 0): number[] {
  if (!Array.isArray(v)) fail(op, `${name} must be an array of integers, got ${describe(v)}`);
  return v.map((d, i) => size(op, `${name}[${i}]`, d, min));
}

/** @internal One integer or an array of them (axes; negative counts from the end). */
export function ints(op: string, name: string, v: unknown): number[] {
  const list = Array.isArray(v) ? v : [v];
  return list.map((d, i) => int(op, Array.isArray(v) ? `${name}[${i}]` : name, d, -(2 ** 31), 2 ** 31 - 1));
}

/** @internal A finite number (`NaN` and `±Infinity` are refused). */
export function finite(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(op, `${name} must be a finite number, got ${describe(v)}`);
  return v;
}

/** @internal Any number, `NaN` and infinities included (fill values, clamp bounds). */
export function num(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number') fail(op, `${name} must be a number, got ${describe(v)}`);
  return v;
}

/** @internal A boolean. */
export function bool(op: string, name: string, v: unknown): boolean {
  if (typeof v !== 'boolean') fail(op, `${name} must be true or false, got ${describe(v)}`);
  return v;
}

/** @internal One of `allowed` (a string; anything else, strings included, is refused by name). */
export function oneOf<T extends string>(op: string, name: string, v: unknown, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    fail(op, `${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${describe(v)}`);
  }
  return v as T;
}

/** @internal An options object (`undefined` gives `{}`). */
export function options<T extends object>(op: string, v: T | undefined): T {
  if (v === undefined) return {} as T;
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    fail(op, `options must be an object, got ${describe(v)}`);
  return v;
}
