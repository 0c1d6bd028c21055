// nn.Module: PyTorch's base class, with parameters and sub-modules registered by assignment.
import { Tensor } from '../tensor.js';
import { keep } from '../memory.js';
import { bool, describe, fail } from '../validate.js';

/** Tensors marked as trainable parameters by {@link Parameter}. */
const parameters = new WeakSet<Tensor>();

/**
 * Marks `t` as a trainable parameter (PyTorch's `nn.Parameter`): it requires gradients, is kept out
 * of `tidy`, and is found by {@link Module.parameters} when assigned to a module's property.
 */
export function Parameter(t: Tensor): Tensor {
  t.requiresGrad = true;
  parameters.add(t);
  return keep(t);
}

/** Whether `t` was marked by {@link Parameter}. */
export function isParameter(t: unknown): t is Tensor {
  return t instanceof Tensor && parameters.has(t);
}

/**
 * The base of every layer and model, as in PyTorch: assign sub-modules and {@link Parameter}s to
 * properties in the constructor and they are registered by name; override `forward`.
 *
 * @example
 * ```ts
 * class Net extends nn.Module {
 *   fc1 = new nn.Linear(784, 128);
 *   fc2 = new nn.Linear(128, 10);
 *   forward(x: wg.Tensor) { return this.fc2.forward(this.fc1.forward(x).relu()); }
 * }
 * const net = new Net();
 * net.namedParameters().map(([name]) => name);  // ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']
 * ```
 */
export abstract class Module {
  /** Training mode (dropout active, batch statistics); switch with {@link Module.train}/{@link Module.eval}. */
  training = true;

  /** The module's computation. */
  abstract forward(...inputs: Tensor[]): Tensor;

  #disposed = false;

  /** @internal Throws `'<Class>.<op>: the module was disposed'` once {@link Module.dispose} ran. */
  protected assertAlive(op: string): void {
    if (this.#disposed) fail(`${this.constructor.name}.${op}`, 'the module was disposed');
  }

  /** Sub-modules by property name (arrays of modules register as `name.0`, `name.1`, …). */
  namedChildren(): [string, Module][] {
    const out: [string, Module][] = [];
    for (const [name, value] of Object.entries(this)) {
      if (value instanceof Module) out.push([name, value]);
      else if (Array.isArray(value))
        value.forEach((v, i) => {
          if (v instanceof Module) out.push([`${name}.${i}`, v]);
        });
    }
    return out;
  }

  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /** This module's own parameters (not its children's), by property name. */
  protected ownParameters(): [string, Tensor][] {
    return Object.entries(this).filter(([, v]) => isParameter(v)) as [string, Tensor][];
  }

  /** Non-trainable state saved in {@link Module.stateDict} (running statistics). */
  protected ownBuffers(): [string, Tensor][] {
    return [];
  }

  /** Every parameter with its dotted name, children included (`fc1.weight`, …). */
  namedParameters(prefix = ''): [string, Tensor][] {
    this.assertAlive('namedParameters');
    const own = this.ownParameters().map(([n, t]) => [prefix + n, t] as [string, Tensor]);
    return own.concat(...this.namedChildren().map(([n, m]) => m.namedParameters(`${prefix}${n}.`)));
  }

  /** Every parameter, children included. */
  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  namedBuffers(prefix = ''): [string, Tensor][] {
    this.assertAlive('namedBuffers');
    const own = this.ownBuffers().map(([n, t]) => [prefix + n, t] as [string, Tensor]);
    return own.concat(...this.namedChildren().map(([n, m]) => m.namedBuffers(`${prefix}${n}.`)));
  }

  /** Sets training mode here and in every child; returns `this`. */
  train(mode = true): this {
    this.assertAlive('train');
    bool(`${this.constructor.name}.train`, 'mode', mode);
    this.training = mode;
    for (const child of this.children()) child.train(mode);
    return this;
  }

  /** Evaluation mode (`train(false)`). */
  eval(): this {
    return this.train(false);
  }

  /** Clears every parameter's gradient. */
  zeroGrad(): void {
    this.assertAlive('zeroGrad');
    for (const p of this.parameters()) p.zeroGrad();
  }

  /** Parameters and buffers by dotted name: the tensors themselves (read them with `await t.data()`). */
  stateDict(): Record<string, Tensor> {
    this.assertAlive('stateDict');
    return Object.fromEntries([...this.namedParameters(), ...this.namedBuffers()]);
  }

  /**
   * Copies values from `state` (as {@link Module.stateDict} returns) into this module's tensors.
   * With `strict` (the default), missing or unexpected names are errors; a value that is not a
   * Tensor, or whose shape differs, is always one (PyTorch's messages). Nothing is copied unless
   * everything fits.
   */
  loadStateDict(state: Record<string, Tensor>, strict = true): void {
    const op = 'loadStateDict';
    this.assertAlive(op);
    if (state === null || typeof state !== 'object' || Array.isArray(state))
      fail(op, `state_dict must be an object of tensors, got ${describe(state)}`);
    bool(op, 'strict', strict);
    const own = this.stateDict();
    const errors: string[] = [];
    const quoted = (keys: string[]) => keys.map((k) => `"${k}"`).join(', ');
    if (strict) {
      const missing = Object.keys(own).filter((k) => !(k in state));
      const unexpected = Object.keys(state).filter((k) => !(k in own));
      if (missing.length) errors.push(`Missing key(s) in state_dict: ${quoted(missing)}.`);
      if (unexpected.length) errors.push(`Unexpected key(s) in state_dict: ${quoted(unexpected)}.`);
    }
    const pairs: [Tensor, Tensor][] = [];
    for (const [name, t] of Object.entries(own)) {
      if (!(name in state)) continue;
      const v: unknown = state[name];
      let shape: number[] | null = null;
      try {
        shape = v instanceof Tensor ? v.shape : null;
      } catch {
        errors.push(`The tensor for "${name}" in the checkpoint was disposed.`);
        continue;
      }
      if (!shape) {
        errors.push(
          `While copying the parameter named "${name}", expected a Tensor from checkpoint but received ${describe(v)}.`,
        );
      } else if (shape.join() !== t.shape.join()) {
        errors.push(
          `size mismatch for ${name}: copying a param with shape [${shape.join(', ')}] from checkpoint, the shape in current model is [${t.shape.join(', ')}].`,
        );
      } else {
        pairs.push([t, v as Tensor]);
      }
    }
    if (errors.length) fail(op, `Error(s) in loading state_dict for ${this.constructor.name}: ${errors.join(' ')}`);
    for (const [t, v] of pairs) t.assign(v);
  }

  /** Frees every parameter and buffer, here and in every child; later calls on the module are Errors naming it (disposing twice is harmless). */
  dispose(): void {
    if (this.#disposed) return;
    for (const [, t] of [...this.ownParameters(), ...this.ownBuffers()]) t.dispose();
    for (const child of this.children()) child.dispose();
    this.#disposed = true;
  }
}
