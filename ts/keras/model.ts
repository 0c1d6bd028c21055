// The Keras-like Sequential model: layers built in the Rust core, `fit` driving one core training
// step per batch, yielding to the event loop between batches.
import { Layer, LayerList, Optimizer as WasmOptimizer, Trainer, randperm } from '../../pkg/webgrad.js';
import { Tensor, wrap, concat } from '../tensor.js';
import { arange, full, zeros } from '../creation.js';
import { noGrad } from '../autograd.js';
import { requireInit } from '../runtime.js';
import { layerTensors } from '../core-layer.js';
import { bool, describe, fail, int, options } from '../validate.js';
import { tensorArg } from '../checks.js';
import { LayerSpec } from './layers.js';
import { History, callAll } from './callbacks.js';
import type { Callback, CustomCallbackArgs, Logs } from './callbacks.js';
import type { OptimizerSpec } from './optimizers.js';
import type { LossName, MetricName, OptimizerName } from '../names.js';

/** Options of {@link Sequential.compile}. */
export interface ModelCompileArgs {
  /** A name in `wg.OPTIMIZERS` (TensorFlow.js's defaults), or `wg.train.adam(lr)` & co. */
  optimizer: OptimizerName | OptimizerSpec;
  loss: LossName;
  /** Treat predictions as logits (the cross-entropies). */
  fromLogits?: boolean;
  /** `['accuracy']`, `'mse'`, `['mae', 'mse']`, … */
  metrics?: MetricName | MetricName[];
}

/** Options of {@link Sequential.fit}. */
export interface ModelFitArgs {
  epochs?: number;
  batchSize?: number;
  /** Shuffle the training rows every epoch (default true). */
  shuffle?: boolean;
  /** Hold out this fraction of the rows (the last ones, before shuffling) for validation. */
  validationSplit?: number;
  validationData?: [Tensor, Tensor];
  callbacks?: CustomCallbackArgs | Callback[];
  /** 0: silent; 1 (default) or 2: one line per epoch on the console. */
  verbose?: 0 | 1 | 2;
  /** Let the page run between batches (default true). */
  yieldEveryBatch?: boolean;
}

interface BuiltLayer {
  spec: LayerSpec;
  core: Layer;
  outputShape: number[];
}

/** Lets the event loop run (no 4 ms timer clamping in browsers). */
function nextTask(): Promise<void> {
  const g = globalThis as { setImmediate?: (f: () => void) => void };
  if (g.setImmediate) return new Promise((resolve) => g.setImmediate!(resolve));
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

/**
 * A stack of layers trained with `compile` + `fit`, as in TensorFlow.js.
 *
 * @example
 * ```ts
 * const model = wg.sequential({ layers: [
 *   wg.layers.dense({ units: 128, activation: 'relu', inputShape: [784] }),
 *   wg.layers.dense({ units: 10, activation: 'softmax' }),
 * ] });
 * model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
 * const history = await model.fit(x, y, { epochs: 2, batchSize: 64 });
 * const probs = model.predict(x);
 * ```
 */
export class Sequential {
  readonly name: string;
  /** Set to true (e.g. from a callback) to stop `fit` after the current batch. */
  stopTraining = false;
  #built: BuiltLayer[] = [];
  #pending: LayerSpec[] = [];
  #inputShape: number[] | null = null;
  #core: Layer | null = null;
  #trainer: Trainer | null = null;
  #optimizer: WasmOptimizer | null = null;
  #metricNames: string[] = [];
  #disposed = false;
  /** Whether a `fit` is running (a second one is refused, as in TensorFlow.js). */
  #fitting = false;

  /** Throws once the model is disposed. */
  #usable(op: string): void {
    if (this.#disposed) fail(op, 'the Sequential model was disposed');
  }

  /** Throws once disposed, or while `fit` runs (what would change the layers or free them under it). */
  #idle(op: string): void {
    this.#usable(op);
    if (this.#fitting) fail(op, 'the model is training (fit() is running); await it first');
  }

  constructor(args: { layers?: LayerSpec[]; name?: string } = {}) {
    this.name = args.name ?? 'sequential';
    for (const layer of args.layers ?? []) this.add(layer);
  }

  /** Appends a layer (built at once when the input shape is known). */
  add(layer: LayerSpec): void {
    requireInit('add');
    this.#idle('add');
    if (!(layer instanceof LayerSpec)) throw new Error('add: expected a layer made by wg.layers.*');
    if (this.#built.length === 0 && this.#pending.length === 0) {
      if (!layer.inputShape) throw new Error(`add: the first layer (${layer.name}) needs an inputShape`);
      this.#inputShape = layer.inputShape;
    }
    this.#pending.push(layer);
    this.#buildPending();
    // A compiled trainer holds the old layer list and parameters: compile again after adding.
    this.#trainer?.free();
    this.#optimizer?.free();
    this.#trainer = this.#optimizer = null;
  }

  #buildPending(): void {
    for (const spec of this.#pending.splice(0)) {
      const input = this.outputShape;
      const [kind, config] = spec.toCore(input);
      const core = Layer.create(kind, config, 'keras', spec.className);
      const outputShape = noGrad(() => {
        core.setTraining(false);
        const probe = zeros([1, ...input]);
        try {
          const out = wrap(core.forward(probe.handle(spec.name)));
          const shape = out.shape.slice(1);
          out.dispose();
          return shape;
        } catch (e) {
          core.free();
          throw new Error(`${spec.name}: cannot take input of shape [${input}]: ${(e as Error).message}`);
        } finally {
          probe.dispose();
        }
      });
      this.#built.push({ spec, core, outputShape });
    }
    this.#core?.free();
    const list = new LayerList();
    for (const b of this.#built) list.push(b.core);
    this.#core = Layer.sequential(list);
    list.free();
  }

  /** The sample shape this model produces (`[null, ...]` in Keras; here without the batch axis). */
  get outputShape(): number[] {
    return this.#built.length ? this.#built[this.#built.length - 1].outputShape : (this.#inputShape ?? []);
  }

  /** The layers' names, classes and output shapes. */
  get layers(): { name: string; className: string; outputShape: number[] }[] {
    return this.#built.map((b) => ({ name: b.spec.name, className: b.spec.className, outputShape: b.outputShape }));
  }

  #coreModel(op: string): Layer {
    if (!this.#core) throw new Error(`${op}: the model has no layers`);
    return this.#core;
  }

  /** Prints (or passes to `printFn`) a table of layers, output shapes and parameter counts. */
  summary(printFn: (line: string) => void = console.log): void {
    this.#usable('summary');
    if (typeof printFn !== 'function') fail('summary', `printFn must be a function, got ${describe(printFn)}`);
    const counts = this.#built.map((b) => [countValues(b.core.parameters()), countValues(b.core.buffers())]);
    const rows = this.#built.map((b, i) => [
      `${b.spec.name} (${b.spec.className})`,
      `[null,${b.outputShape.join(',')}]`,
      String(counts[i][0] + counts[i][1]),
    ]);
    const header = ['Layer (type)', 'Output shape', 'Param #'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)) + 2);
    const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('');
    const rule = (ch: string) => ch.repeat(widths.reduce((a, b) => a + b, 0));
    const trainable = counts.reduce((a, c) => a + c[0], 0);
    const frozen = counts.reduce((a, c) => a + c[1], 0);
    printFn(`Model: "${this.name}"`);
    printFn(rule('_'));
    printFn(line(header));
    printFn(rule('='));
    rows.forEach((r, i) => {
      printFn(line(r));
      printFn(rule(i === rows.length - 1 ? '=' : '_'));
    });
    printFn(`Total params: ${trainable + frozen}`);
    printFn(`Trainable params: ${trainable}`);
    printFn(`Non-trainable params: ${frozen}`);
  }

  /** Total parameters, trainable and not (batch normalisation's moving statistics), as Keras counts. */
  countParams(): number {
    this.#usable('countParams');
    return this.#built.reduce((a, b) => a + countValues(b.core.parameters()) + countValues(b.core.buffers()), 0);
  }

  /** Chooses the optimizer, loss and metrics. */
  compile(args: ModelCompileArgs): void {
    this.#idle('compile');
    if (args === null || typeof args !== 'object' || Array.isArray(args))
      fail('compile', `options must be an object, got ${describe(args)}`);
    const core = this.#coreModel('compile');
    const spec = typeof args.optimizer === 'string' ? { name: args.optimizer, config: {} } : args.optimizer;
    if (!spec || typeof spec !== 'object' || typeof spec.name !== 'string')
      fail('compile', `optimizer must be a name in wg.OPTIMIZERS or wg.train.*(...), got ${describe(args.optimizer)}`);
    if (typeof args.loss !== 'string')
      fail('compile', `loss must be a loss name such as 'sparseCategoricalCrossentropy', got ${describe(args.loss)}`);
    const fromLogits = args.fromLogits === undefined ? false : bool('compile', 'fromLogits', args.fromLogits);
    // TensorFlow.js takes one name or a list of them.
    const metrics: unknown[] = typeof args.metrics === 'string' ? [args.metrics] : (args.metrics ?? []);
    if (!Array.isArray(metrics))
      fail('compile', `metrics must be a metric name or an array of them, got ${describe(args.metrics)}`);
    metrics.forEach((m, i) => {
      if (typeof m !== 'string') fail('compile', `metrics[${i}] must be a metric name, got ${describe(m)}`);
    });
    const params = core.parameters();
    let optimizer: WasmOptimizer;
    try {
      optimizer = new WasmOptimizer(spec.name, params, spec.config, 'keras');
    } finally {
      params.free();
    }
    let trainer: Trainer;
    try {
      trainer = new Trainer(core, args.loss, { fromLogits }, optimizer, metrics as string[], 'keras');
    } catch (e) {
      optimizer.free();
      throw e;
    }
    // Only a compile that succeeded replaces the previous one.
    this.#trainer?.free();
    this.#optimizer?.free();
    this.#trainer = trainer;
    this.#optimizer = optimizer;
    this.#metricNames = trainer.metricNames();
  }

  #compiled(op: string): Trainer {
    if (!this.#trainer) throw new Error(`${op}: call compile() before ${op}()`);
    return this.#trainer;
  }

  /**
   * Trains for `epochs` over `x` and `y` in batches, one core step per batch (forward, loss,
   * backward, update, all on the device). Resolves to the per-epoch {@link History}.
   */
  async fit(x: Tensor, y: Tensor, args: ModelFitArgs = {}): Promise<History> {
    this.#usable('fit');
    if (this.#fitting) throw new Error('Cannot start training because another fit() call is ongoing.');
    this.#fitting = true;
    try {
      return await this.#fit(x, y, args);
    } finally {
      this.#fitting = false;
    }
  }

  async #fit(x: Tensor, y: Tensor, fitArgs: ModelFitArgs): Promise<History> {
    const trainer = this.#compiled('fit');
    // Keys TensorFlow.js does not know are ignored, as there.
    const args = options('fit', fitArgs);
    tensorArg('fit', 'x', x);
    tensorArg('fit', 'y', y);
    const n = x.shape[0];
    if (y.shape[0] !== n)
      throw new Error(`fit: x has ${n} samples but y has ${y.shape[0]} (shapes [${x.shape}] and [${y.shape}])`);
    const epochs = int('fit', 'epochs', args.epochs ?? 1, 0);
    const batchSize = batchSizeOf('fit', args.batchSize);
    const split = args.validationSplit ?? 0;
    if (typeof split !== 'number' || !(split >= 0 && split < 1))
      fail('fit', `validationSplit must be in [0, 1), got ${describe(split)}`);
    const shuffle = args.shuffle === undefined ? true : bool('fit', 'shuffle', args.shuffle);
    const verbose = int('fit', 'verbose', args.verbose ?? 1, 0, 2);
    const yieldEveryBatch =
      args.yieldEveryBatch === undefined ? true : bool('fit', 'yieldEveryBatch', args.yieldEveryBatch);
    const vd = args.validationData;
    if (vd !== undefined && !(Array.isArray(vd) && vd.length === 2 && vd.every((t) => t instanceof Tensor))) {
      fail('fit', `validationData must be [x, y] tensors, got ${describe(vd)}`);
    }
    const nTrain = vd ? n : Math.floor(n * (1 - split));
    if (nTrain === 0) throw new Error('fit: no training samples');
    const validation: [Tensor, Tensor, number, number] | null = vd
      ? [vd[0], vd[1], 0, vd[0].shape[0]]
      : nTrain < n
        ? [x, y, nTrain, n]
        : null;
    const cbs = args.callbacks;
    if (cbs !== undefined && (cbs === null || typeof cbs !== 'object'))
      fail('fit', `callbacks must be a callback object or an array of them, got ${describe(cbs)}`);
    const callbacks: Callback[] = Array.isArray(args.callbacks)
      ? args.callbacks
      : args.callbacks
        ? [args.callbacks]
        : [];
    for (const c of callbacks) c.setModel?.(this);
    const history = new History();
    const names = ['loss', ...this.#metricNames];
    this.stopTraining = false;
    await callAll(callbacks, 'onTrainBegin', {});
    for (let epoch = 0; epoch < epochs && !this.stopTraining; epoch++) {
      await callAll(callbacks, 'onEpochBegin', epoch, {});
      const order = shuffle ? wrap(randperm(nTrain)) : arange(0, nTrain, 1, 'int32');
      let sum: Tensor | null = null;
      let seen = 0;
      let totals: ArrayLike<number>;
      try {
        for (let start = 0, batch = 0; start < nTrain && !this.stopTraining; start += batchSize, batch++) {
          const end = Math.min(start + batchSize, nTrain);
          await callAll(callbacks, 'onBatchBegin', batch, { batch, size: end - start });
          const logs = wrap(trainer.trainRows(x.handle('fit'), y.handle('fit'), order.handle('fit'), start, end));
          try {
            sum = addWeighted(sum, logs, end - start);
            seen += end - start;
            if (callbacks.some((c) => c.onBatchEnd)) {
              const values = await logs.data();
              await callAll(callbacks, 'onBatchEnd', batch, { batch, size: end - start, ...named(names, values) });
            }
          } finally {
            logs.dispose();
          }
          if (yieldEveryBatch) await nextTask();
        }
        if (!sum) break;
        totals = await sum.data();
      } finally {
        order.dispose();
        sum?.dispose();
      }
      const epochLogs: Logs = named(
        names,
        Array.from(totals, (v) => v / seen),
      );
      if (validation) {
        const val = await this.#evaluateRows(trainer, ...validation, batchSize);
        names.forEach((k, i) => {
          epochLogs[`val_${k}`] = val[i];
        });
      }
      history.record(epoch, epochLogs);
      if (verbose > 0)
        console.log(
          `Epoch ${epoch + 1} / ${epochs}: ${Object.entries(epochLogs)
            .map(([k, v]) => `${k}=${v.toFixed(4)}`)
            .join(' ')}`,
        );
      await callAll(callbacks, 'onEpochEnd', epoch, epochLogs);
    }
    await callAll(callbacks, 'onTrainEnd', {});
    return history;
  }

  async #evaluateRows(
    trainer: Trainer,
    x: Tensor,
    y: Tensor,
    from: number,
    to: number,
    batchSize: number,
  ): Promise<number[]> {
    const order = arange(0, to, 1, 'int32');
    let sum: Tensor | null = null;
    try {
      for (let start = from; start < to; start += batchSize) {
        const end = Math.min(start + batchSize, to);
        const logs = wrap(
          trainer.evaluateRows(x.handle('evaluate'), y.handle('evaluate'), order.handle('evaluate'), start, end),
        );
        try {
          sum = addWeighted(sum, logs, end - start);
        } finally {
          logs.dispose();
        }
      }
      if (!sum) throw new Error(`evaluate: no samples (shape [${x.shape}])`);
      return Array.from(await sum.data(), (v) => v / (to - from));
    } finally {
      sum?.dispose();
      order.dispose();
    }
  }

  /**
   * The loss and metrics over `x` and `y` in evaluation mode, as scalars (one tensor without
   * metrics, else `[loss, ...metrics]`).
   */
  async evaluate(x: Tensor, y: Tensor, args: { batchSize?: number } = {}): Promise<Tensor | Tensor[]> {
    this.#usable('evaluate');
    const trainer = this.#compiled('evaluate');
    tensorArg('evaluate', 'x', x);
    tensorArg('evaluate', 'y', y);
    const batchSize = batchSizeOf('evaluate', options('evaluate', args).batchSize);
    if (y.shape[0] !== x.shape[0]) throw new Error(`evaluate: x has ${x.shape[0]} samples but y has ${y.shape[0]}`);
    const values = await this.#evaluateRows(trainer, x, y, 0, x.shape[0], batchSize);
    const scalars = values.map((v) => full([], v));
    return scalars.length === 1 ? scalars[0] : scalars;
  }

  /** The model's output for `x` in evaluation mode (no graph is recorded). */
  predict(x: Tensor, args: { batchSize?: number } = {}): Tensor {
    this.#usable('predict');
    const core = this.#coreModel('predict');
    tensorArg('predict', 'x', x);
    const batchSize = batchSizeOf('predict', options('predict', args).batchSize);
    const want = this.#inputShape ?? [];
    if (x.rank !== want.length + 1 || x.shape.slice(1).some((d, i) => d !== want[i])) {
      throw new Error(`predict: expected input of shape [null,${want}], got [${x.shape}]`);
    }
    return noGrad(() => {
      core.setTraining(false);
      const n = x.shape[0];
      if (n <= batchSize) return wrap(core.forward(x.handle('predict')));
      const parts: Tensor[] = [];
      for (let start = 0; start < n; start += batchSize) {
        const rows = x.narrow(0, start, Math.min(batchSize, n - start));
        parts.push(wrap(core.forward(rows.handle('predict'))));
        rows.dispose();
      }
      const out = concat(parts, 0);
      parts.forEach((p) => p.dispose());
      return out;
    });
  }

  /**
   * Every layer's weights in Keras's order (parameters, then running statistics), each with its
   * name and the permutations between the core's layout and TensorFlow.js's; dispose the tensors.
   */
  #weightEntries(): { label: string; tensor: Tensor; toKeras: number[] | null; fromKeras: number[] | null }[] {
    return this.#built.flatMap((b) => {
      return [
        ...layerTensors(b.core.parameterNames(), b.core.parameters()),
        ...layerTensors(b.core.bufferNames(), b.core.buffers()),
      ].map(([name, tensor]) => {
        const layout = b.core.kerasLayout(name);
        const toKeras = layout ? Array.from(layout) : null;
        const fromKeras = toKeras ? inverse(toKeras) : null;
        return { label: `${b.spec.name}/${name}`, tensor, toKeras, fromKeras };
      });
    });
  }

  /** The weights, layer by layer (kernels, biases, then running statistics) in TensorFlow.js's layouts, as new tensors to dispose. */
  getWeights(): Tensor[] {
    this.#usable('getWeights');
    return this.#weightEntries().map(({ tensor, toKeras }) => {
      const copy = toKeras ? tensor.permute(...toKeras) : tensor.reshape(tensor.shape);
      tensor.dispose();
      return copy;
    });
  }

  /**
   * Sets the weights in {@link Sequential.getWeights}'s order and TensorFlow.js's layouts (Dense
   * `[in, out]`, Conv1D `[k, in, out]`, Conv2D `[kh, kw, in, out]`); each shape must match.
   */
  setWeights(weights: Tensor[]): void {
    this.#idle('setWeights');
    const targets = this.#weightEntries();
    try {
      if (!Array.isArray(weights)) fail('setWeights', `weights must be an array of tensors, got ${describe(weights)}`);
      if (weights.length !== targets.length)
        throw new Error(`setWeights: expected ${targets.length} tensors, got ${weights.length}`);
      const values = targets.map(({ label, tensor, toKeras, fromKeras }, i) => {
        const w = tensorArg('setWeights', `weights[${i}]`, weights[i]);
        const want = toKeras ? toKeras.map((a) => tensor.shape[a]) : tensor.shape;
        if (w.shape.join() !== want.join())
          fail(
            'setWeights',
            `weight ${i} (${label}) must have shape [${want.join(', ')}], got [${w.shape.join(', ')}]`,
          );
        return { tensor, w, fromKeras };
      });
      // Every shape checked first: a refused call changes nothing.
      for (const { tensor, w, fromKeras } of values) {
        if (!fromKeras) {
          tensor.assign(w);
          continue;
        }
        const v = w.permute(...fromKeras);
        try {
          tensor.assign(v);
        } finally {
          v.dispose();
        }
      }
    } finally {
      targets.forEach(({ tensor }) => tensor.dispose());
    }
  }

  /** Frees the model's weights and optimizer state. */
  dispose(): void {
    if (this.#disposed) return;
    if (this.#fitting)
      fail('dispose', 'the model is training (fit() is running); await it first, or set stopTraining and await it');
    this.#disposed = true;
    this.#trainer?.free();
    this.#optimizer?.free();
    this.#core?.free();
    this.#built.forEach((b) => b.core.free());
    this.#trainer = this.#optimizer = this.#core = null;
    this.#built = [];
  }
}

/** The permutation that undoes `p`. */
function inverse(p: number[]): number[] {
  const q = new Array<number>(p.length);
  p.forEach((axis, i) => (q[axis] = i));
  return q;
}

/** A batch size: an integer >= 1 (default 32, as in TensorFlow.js). */
function batchSizeOf(op: string, v: unknown): number {
  return int(op, 'batchSize', v ?? 32, 1);
}

/** The number of values in a list of core tensors (which it frees). */
function countValues(list: ReturnType<Layer['parameters']>): number {
  let count = 0;
  for (let i = 0; i < list.length; i++) {
    const t = list.get(i)!;
    count += Array.from(t.shape).reduce((a, s) => a * s, 1);
    t.free();
  }
  list.free();
  return count;
}

/** `sum + logs * count` (or `logs * count` at first), freeing the old sum: a running weighted total. */
function addWeighted(sum: Tensor | null, logs: Tensor, count: number): Tensor {
  const weighted = logs.mul(count);
  if (!sum) return weighted;
  const next = sum.add(weighted);
  sum.dispose();
  weighted.dispose();
  return next;
}

function named(names: string[], values: ArrayLike<number>): Logs {
  return Object.fromEntries(names.map((k, i) => [k, values[i]]));
}

/** Creates a {@link Sequential} model (TensorFlow.js's `tf.sequential`). */
export function sequential(args: { layers?: LayerSpec[]; name?: string } = {}): Sequential {
  return new Sequential(args);
}
