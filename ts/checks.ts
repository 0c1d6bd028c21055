// Argument checks both front doors and the optimizers share (on top of ./validate.ts): tensors, lists of tensors,
// non-negative factors, rates in [0, 1), and objects that refuse use after dispose.
import { Tensor } from './tensor.js';
import { describe, fail, size } from './validate.js';

/** @internal A Tensor. */
export function tensorArg(op: string, name: string, v: unknown): Tensor {
  if (!(v instanceof Tensor)) fail(op, `${name} must be a Tensor, got ${describe(v)}`);
  return v;
}

/** @internal A non-empty-or-empty array of Tensors. */
export function tensorList(op: string, name: string, v: unknown): Tensor[] {
  if (!Array.isArray(v) || !v.every((t) => t instanceof Tensor))
    fail(op, `${name} must be an array of tensors, got ${describe(v)}`);
  return v;
}

/** @internal A finite number ≥ 0 (rates, factors, epsilons). */
export function nonNegative(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
    fail(op, `${name} must be a finite number >= 0, got ${describe(v)}`);
  return v;
}

/** @internal A finite number > 0. */
export function positiveNumber(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
    fail(op, `${name} must be a finite number > 0, got ${describe(v)}`);
  return v;
}

/** @internal A probability of dropping: a number in [0, 1). */
export function rate(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !(v >= 0 && v < 1)) fail(op, `${name} must be in [0, 1), got ${describe(v)}`);
  return v;
}

/** @internal A size ≥ 1, or `n` of them (`[h, w]` from one number or two). */
export function window(op: string, name: string, v: unknown, n: 1 | 2): number | number[] {
  if (typeof v === 'number' || n === 1) return size(op, name, v, 1);
  if (!Array.isArray(v) || v.length < 1 || v.length > n)
    fail(op, `${name} must be a number or ${n} numbers, got ${describe(v)}`);
  return v.map((d, i) => size(op, `${name}[${i}]`, d, 1));
}

/** @internal Throws `'<op>: the <what> was disposed'` once `disposed`. */
export function alive(disposed: boolean, op: string, what: string): void {
  if (disposed) fail(op, `the ${what} was disposed`);
}
