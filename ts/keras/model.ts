// The Keras-like model (TensorFlow.js's LayersModel): a graph of layers from symbolic inputs to
// outputs, built in the Rust core as one functional `Graph`; `fit` drives one core training step per
// batch, yielding to the event loop between batches. `Sequential` (sequential.ts) is a model whose
// graph grows one layer at a time.
import { Layer, Optimizer as WasmOptimizer, Trainer, randperm } from '../../pkg/webgrad.js';
import { Tensor, wrap, concat } from '../tensor.js';
import { arange, full } from '../creation.js';
import { noGrad } from '../autograd.js';
import { bool, describe, fail, int, options } from '../validate.js';
import { tensorArg } from '../checks.js';
import { History, callAll } from './callbacks.js';
import type { Callback, CustomCallbackArgs, Logs } from './callbacks.js';
import type { OptimizerSpec } from './optimizers.js';
import type { LossName, MetricName, OptimizerName } from '../names.js';
import { SymbolicTensor, applySymbolic, callCore, coreGraph, symbolicList, tensorList, topology } from './topology.js';
import type { Applicable, GraphNode } from './topology.js';
import { WeightedLayer } from './weights.js';
import { handlerFor } from '../io/router.js';
import type { Destination } from '../io/router.js';
import type { SaveResult } from '../io/types.js';
import { modelArtifacts } from './format/write.js';
import type { WeightLists } from './weights.js';

/** Options of {@link LayersModel.compile}. */
export interface ModelCompileArgs {
  /** A name in `wg.OPTIMIZERS` (TensorFlow.js's defaults), or `wg.train.adam(lr)` & co. */
  optimizer: OptimizerName | OptimizerSpec;
  /** One loss for every output, one per output (in output order), or a map from output name. */
  loss: LossName | LossName[] | Record<string, LossName>;
  /** Weights of each output's loss in the total (default 1 each). */
  lossWeights?: number[] | Record<string, number>;
  /** Treat predictions as logits (the cross-entropies). */
  fromLogits?: boolean;
  /** `['accuracy']`, `'mse'`, `['mae', 'mse']`, … (for every output). */
  metrics?: MetricName | MetricName[];
}

/** Options of {@link LayersModel.fit}. */
export interface ModelFitArgs {
  epochs?: number;
  batchSize?: number;
  /** Shuffle the training rows every epoch (default true). */
  shuffle?: boolean;
  /** Hold out this fraction of the rows (the last ones, before shuffling) for validation. */
  validationSplit?: number;
  validationData?: [Tensor | Tensor[], Tensor | Tensor[]];
  callbacks?: CustomCallbackArgs | Callback[];
  /** 0: silent; 1 (default) or 2: one line per epoch on the console. */
  verbose?: 0 | 1 | 2;
  /** Let the page run between batches (default true). */
  yieldEveryBatch?: boolean;
}

/** Model inputs or targets: one tensor, one per input/output in order, or a map by name. */
export type ModelData = Tensor | Tensor[] | Record<string, Tensor>;

/** A layer of a model: a layer, or a model used as a layer. */
export type ModelLayer = WeightedLayer & Applicable & { dispose(): void };

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

/** What a compile made: the core trainer and optimizer, and the names of the logged values. */
interface Compiled {
  trainer: Trainer;
  optimizer: WasmOptimizer;
  logNames: string[];
}

/**
 * A model: layers wired from symbolic inputs to outputs (TensorFlow.js's `tf.model`), trained with
 * `compile` + `fit`. A model is itself a layer: apply it to symbolic tensors to nest it in another.
 *
 * @example
 * ```ts
 * const input = wg.input({ shape: [8] });
 * const hidden = wg.layers.dense({ units: 16, activation: 'relu' }).apply(input);
 * const output = wg.layers.dense({ units: 3, activation: 'softmax' }).apply(hidden);
 * const model = wg.model({ inputs: input, outputs: output });
 * model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
 * await model.fit(x, y, { epochs: 5 });
 * ```
 */
export class LayersModel extends WeightedLayer implements Applicable {
  readonly name: string;
  readonly className: string = 'Functional';
  /** Set to true (e.g. from a callback) to stop `fit` after the current batch. */
  stopTraining = false;
  #inputs: SymbolicTensor[] = [];
  #outputs: SymbolicTensor[] = [];
  #layers: ModelLayer[] = [];
  #core: Layer | null = null;
  #compiled: Compiled | null = null;
  #disposed = false;
  /** Whether a `fit` is running (a second one is refused, as in TensorFlow.js). */
  #fitting = false;

  /** @internal Use `wg.model` (or `wg.sequential`). */
  constructor(args: {
    inputs?: SymbolicTensor | SymbolicTensor[];
    outputs?: SymbolicTensor | SymbolicTensor[];
    name?: string;
  }) {
    super();
    if (args.name !== undefined && typeof args.name !== 'string')
      fail('model', `name must be a string, got ${describe(args.name)}`);
    this.name = args.name ?? 'model';
    if (args.inputs !== undefined || args.outputs !== undefined) {
      const list = (key: string, v: unknown) => {
        const ts = symbolicList('model', v);
        if (!ts) fail('model', `${key} must be symbolic tensors (from wg.input and layer.apply), got ${describe(v)}`);
        return ts;
      };
      this.setGraph(list('inputs', args.inputs), list('outputs', args.outputs));
    }
  }

  /** @internal Rewires the model: checks the graph, orders the layers, builds the core graph. */
  protected setGraph(inputs: SymbolicTensor[], outputs: SymbolicTensor[]): void {
    const names = new Set<string>();
    for (const t of inputs) {
      if (t.sourceLayer)
        fail('model', `inputs must come from wg.input, but ${t.name} is the output of ${t.sourceLayer.name}`);
      if (names.has(t.name)) fail('model', `two inputs are named '${t.name}'`);
      names.add(t.name);
    }
    const top = topology(inputs, outputs);
    const core = coreGraph(top, outputs);
    this.#core?.free();
    this.#core = core;
    this.#inputs = inputs;
    this.#outputs = outputs;
    this.#layers = top.layers as ModelLayer[];
    this.#layers.forEach((l) => l.attach(this));
    this.#dropCompiled();
  }

  /** Throws once the model is disposed. */
  protected usable(op: string): void {
    if (this.#disposed) fail(op, `the ${this.className} model was disposed`);
  }

  /** Throws once disposed, or while `fit` runs (what would change the layers or free them under it). */
  protected idle(op: string): void {
    this.usable(op);
    if (this.#fitting) fail(op, 'the model is training (fit() is running); await it first');
  }

  /** The symbolic inputs. */
  get inputs(): SymbolicTensor[] {
    return this.#inputs;
  }

  /** The symbolic outputs. */
  get outputs(): SymbolicTensor[] {
    return this.#outputs;
  }

  /** The layers, in TensorFlow.js's order (deepest from the outputs first); inputs are not listed. */
  get layers(): ModelLayer[] {
    return this.#layers;
  }

  /** The output sample shape (of the first output), without the batch axis. */
  get outputShape(): number[] {
    return this.#outputs[0]?.sampleShape ?? [];
  }

  /** The layer called `name`, or the `index`-th (TensorFlow.js's `getLayer`). */
  getLayer(name: string | number): ModelLayer {
    const found = typeof name === 'number' ? this.#layers[name] : this.#layers.find((l) => l.name === name);
    if (!found) fail('getLayer', `no layer ${typeof name === 'number' ? `at index ${name}` : `named '${name}'`}`);
    return found;
  }

  /** @internal */
  coreFor(shapes: number[][]): Layer {
    this.usable(this.name);
    const want = this.#inputs.map((t) => t.sampleShape.join());
    if (shapes.length !== want.length || shapes.some((s, i) => s.join() !== want[i]))
      fail(this.name, `expects inputs of shapes ${this.#shapesText()}, got ${shapes.map((s) => `[${s}]`).join(', ')}`);
    return this.#coreModel(this.name);
  }

  #shapesText(): string {
    return this.#inputs.map((t) => `[${t.sampleShape}]`).join(', ');
  }

  /** Applies the model as a layer: to symbolic tensors (nesting it in a graph) or to concrete ones. */
  apply(inputs: SymbolicTensor | SymbolicTensor[]): SymbolicTensor | SymbolicTensor[];
  apply(inputs: Tensor | Tensor[]): Tensor | Tensor[];
  apply(inputs: unknown): unknown {
    const symbolic = symbolicList(this.name, inputs);
    if (symbolic) {
      const outs = applySymbolic(this, symbolic);
      return outs.length === 1 ? outs[0] : outs;
    }
    return this.predict(inputs as Tensor | Tensor[]);
  }

  /** @internal */
  weightLists(): WeightLists {
    const lists: WeightLists = { trainable: [], nonTrainable: [] };
    for (const layer of this.#layers) {
      const own = layer.weightLists();
      lists.trainable.push(...own.trainable);
      lists.nonTrainable.push(...own.nonTrainable);
    }
    return this.trainable ? lists : { trainable: [], nonTrainable: [...lists.trainable, ...lists.nonTrainable] };
  }

  protected applyTrainable(trainable: boolean): void {
    // As in TensorFlow.js, freezing a model freezes each of its layers.
    for (const layer of this.#layers) layer.trainable = trainable;
  }

  #coreModel(op: string): Layer {
    if (!this.#core) throw new Error(`${op}: the model has no layers`);
    return this.#core;
  }

  /** Prints (or passes to `printFn`) a table of layers, output shapes, parameter counts and inbound layers. */
  summary(printFn: (line: string) => void = console.log): void {
    this.usable('summary');
    if (typeof printFn !== 'function') fail('summary', `printFn must be a function, got ${describe(printFn)}`);
    const connected = this.className !== 'Sequential';
    const count = (lists: WeightLists) => {
      const sizes = [lists.trainable, lists.nonTrainable].map((l) => l.reduce((a, e) => a + e.tensor.size, 0));
      [...lists.trainable, ...lists.nonTrainable].forEach((e) => e.tensor.dispose());
      return sizes;
    };
    const counts = this.#layers.map((l) => count(l.weightLists()));
    const inbound = (l: ModelLayer) =>
      this.#nodesOf(l)
        .flatMap((node) => node.inputs.map((t) => t.sourceLayer?.name ?? t.name))
        .join(', ');
    const rows = this.#layers.map((l, i) => [
      `${l.name} (${l.className})`,
      `[null,${this.#outputShapeOf(l).join(',')}]`,
      String(counts[i][0] + counts[i][1]),
      ...(connected ? [inbound(l)] : []),
    ]);
    const header = ['Layer (type)', 'Output shape', 'Param #', ...(connected ? ['Connected to'] : [])];
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

  /** The nodes of `layer` in this model's graph, in graph order. */
  #nodesOf(layer: ModelLayer): GraphNode[] {
    const seen = new Set<GraphNode>();
    const found: GraphNode[] = [];
    const visit = (node: GraphNode) => {
      if (seen.has(node)) return;
      seen.add(node);
      node.inputs.forEach((t) => visit(t.node));
      if (node.layer === layer) found.push(node);
    };
    this.#outputs.forEach((t) => visit(t.node));
    return found;
  }

  #outputShapeOf(layer: ModelLayer): number[] {
    return this.#nodesOf(layer)[0]?.outputs[0].sampleShape ?? [];
  }

  /** The output names, in order (TensorFlow.js logs `${name}_loss` for each when there are several). */
  get outputNames(): string[] {
    return this.#outputs.map((t) => t.sourceLayer?.name ?? t.name);
  }

  /** Chooses the optimizer, the loss of each output and the metrics. */
  compile(args: ModelCompileArgs): void {
    this.idle('compile');
    if (args === null || typeof args !== 'object' || Array.isArray(args))
      fail('compile', `options must be an object, got ${describe(args)}`);
    const core = this.#coreModel('compile');
    const spec = typeof args.optimizer === 'string' ? { name: args.optimizer, config: {} } : args.optimizer;
    if (!spec || typeof spec !== 'object' || typeof spec.name !== 'string')
      fail('compile', `optimizer must be a name in wg.OPTIMIZERS or wg.train.*(...), got ${describe(args.optimizer)}`);
    const outputs = this.outputNames;
    const losses = perOutput('loss', args.loss, outputs, undefined);
    losses.forEach((l) => {
      if (typeof l !== 'string')
        fail('compile', `loss must be a loss name such as 'sparseCategoricalCrossentropy', got ${describe(args.loss)}`);
    });
    const weights = perOutput('lossWeights', args.lossWeights, outputs, 1);
    weights.forEach((w) => {
      if (typeof w !== 'number' || !Number.isFinite(w))
        fail('compile', `lossWeights must be finite numbers, got ${describe(args.lossWeights)}`);
    });
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
      trainer =
        outputs.length === 1 && weights[0] === 1
          ? new Trainer(core, losses[0] as string, { fromLogits }, optimizer, metrics as string[], 'keras')
          : Trainer.withHeads(
              core,
              losses as string[],
              new Float32Array(weights as number[]),
              { fromLogits },
              optimizer,
              outputs.flatMap(() => metrics as string[]),
              new Uint32Array(outputs.map(() => metrics.length)),
              'keras',
            );
    } catch (e) {
      optimizer.free();
      throw e;
    }
    // Only a compile that succeeded replaces the previous one.
    this.#dropCompiled();
    const metricNames = trainer.metricNames();
    const logNames =
      outputs.length === 1
        ? ['loss', ...metricNames]
        : [
            'loss',
            ...outputs.map((o) => `${o}_loss`),
            ...metricNames.map((m, i) => `${outputs[Math.floor(i / Math.max(metrics.length, 1))]}_${m}`),
          ];
    this.#compiled = { trainer, optimizer, logNames };
  }

  #dropCompiled(): void {
    this.#compiled?.trainer.free();
    this.#compiled?.optimizer.free();
    this.#compiled = null;
  }

  #trainer(op: string): Compiled {
    if (!this.#compiled) throw new Error(`${op}: call compile() before ${op}()`);
    return this.#compiled;
  }

  /** Inputs (or targets) as a list in the model's order, each checked to be a tensor. */
  #list(op: string, key: string, data: unknown, names: string[]): Tensor[] {
    let list: unknown[];
    const isMap = data !== null && typeof data === 'object' && !Array.isArray(data) && !(data instanceof Tensor);
    // One input or target: a tensor, or a list or map of one (anything else is "must be a Tensor").
    if (names.length === 1 && !(Array.isArray(data) && data.length === 1) && !(isMap && names[0] in data))
      return [tensorArg(op, key, data)];
    if (data instanceof Tensor) list = [data];
    else if (Array.isArray(data)) list = data;
    else if (data !== null && typeof data === 'object') {
      const map = data as Record<string, unknown>;
      list = names.map((n) => {
        if (!(n in map)) fail(op, `${key} has no entry for '${n}' (expected ${names.map((k) => `'${k}'`).join(', ')})`);
        return map[n];
      });
    } else fail(op, `${key} must be a tensor, an array of tensors or a map by name, got ${describe(data)}`);
    if (list.length !== names.length)
      fail(
        op,
        `${key} must hold ${names.length} tensor${names.length === 1 ? '' : 's'} (${names.join(', ')}), got ${list.length}`,
      );
    return list.map((t, i) => tensorArg(op, names.length === 1 ? key : `${key}[${i}]`, t));
  }

  #inputList(op: string, x: unknown): Tensor[] {
    return this.#list(
      op,
      'x',
      x,
      this.#inputs.map((t) => t.name),
    );
  }

  #targetList(op: string, y: unknown): Tensor[] {
    return this.#list(op, 'y', y, this.outputNames);
  }

  /**
   * Trains for `epochs` over `x` and `y` in batches, one core step per batch (forward, loss,
   * backward, update, all on the device). Resolves to the per-epoch {@link History}.
   */
  async fit(x: ModelData, y: ModelData, args: ModelFitArgs = {}): Promise<History> {
    this.usable('fit');
    if (this.#fitting) throw new Error('Cannot start training because another fit() call is ongoing.');
    this.#fitting = true;
    try {
      return await this.#fit(x, y, args);
    } finally {
      this.#fitting = false;
    }
  }

  async #fit(xData: ModelData, yData: ModelData, fitArgs: ModelFitArgs): Promise<History> {
    const { trainer, logNames: names } = this.#trainer('fit');
    // Keys TensorFlow.js does not know are ignored, as there.
    const args = options('fit', fitArgs);
    const xs = this.#inputList('fit', xData);
    const ys = this.#targetList('fit', yData);
    const n = xs[0].shape[0];
    for (const t of [...xs, ...ys])
      if (t.shape[0] !== n)
        throw new Error(`fit: x has ${n} samples but y has ${t.shape[0]} (shapes [${xs[0].shape}] and [${t.shape}])`);
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
    if (vd !== undefined && !(Array.isArray(vd) && vd.length === 2))
      fail('fit', `validationData must be [x, y] tensors, got ${describe(vd)}`);
    const vx = vd ? this.#inputList('fit', vd[0]) : null;
    const vy = vd ? this.#targetList('fit', vd[1]) : null;
    const nTrain = vd ? n : Math.floor(n * (1 - split));
    if (nTrain === 0) throw new Error('fit: no training samples');
    const validation: [Tensor[], Tensor[], number, number] | null =
      vx && vy ? [vx, vy, 0, vx[0].shape[0]] : nTrain < n ? [xs, ys, nTrain, n] : null;
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
          const logs = rowsStep(trainer, 'train', xs, ys, order, start, end);
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
        const val = await evaluateRows(trainer, ...validation, batchSize);
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

  /** One training step on a batch (TensorFlow.js's `trainOnBatch`): resolves to the loss (and metrics). */
  async trainOnBatch(x: ModelData, y: ModelData): Promise<number | number[]> {
    this.idle('trainOnBatch');
    const { trainer } = this.#trainer('trainOnBatch');
    const xs = this.#inputList('trainOnBatch', x);
    const ys = this.#targetList('trainOnBatch', y);
    const order = arange(0, xs[0].shape[0], 1, 'int32');
    try {
      const logs = rowsStep(trainer, 'train', xs, ys, order, 0, xs[0].shape[0]);
      const values = Array.from(await logs.data());
      logs.dispose();
      return values.length === 1 ? values[0] : values;
    } finally {
      order.dispose();
    }
  }

  /**
   * The loss and metrics over `x` and `y` in evaluation mode, as scalars (one tensor without
   * metrics and with one output, else `[loss, ...]` in the order `fit` logs them).
   */
  async evaluate(x: ModelData, y: ModelData, args: { batchSize?: number } = {}): Promise<Tensor | Tensor[]> {
    this.usable('evaluate');
    const { trainer } = this.#trainer('evaluate');
    const xs = this.#inputList('evaluate', x);
    const ys = this.#targetList('evaluate', y);
    const batchSize = batchSizeOf('evaluate', options('evaluate', args).batchSize);
    for (const t of ys)
      if (t.shape[0] !== xs[0].shape[0])
        throw new Error(`evaluate: x has ${xs[0].shape[0]} samples but y has ${t.shape[0]}`);
    const values = await evaluateRows(trainer, xs, ys, 0, xs[0].shape[0], batchSize);
    const scalars = values.map((v) => full([], v));
    return scalars.length === 1 ? scalars[0] : scalars;
  }

  /** The model's output (one per output) for `x` in evaluation mode (no graph is recorded). */
  predict(x: ModelData, args: { batchSize?: number } = {}): Tensor | Tensor[] {
    this.usable('predict');
    const core = this.#coreModel('predict');
    const xs = this.#inputList('predict', x);
    const batchSize = batchSizeOf('predict', options('predict', args).batchSize);
    xs.forEach((t, i) => {
      const want = this.#inputs[i].sampleShape;
      if (t.rank !== want.length + 1 || t.shape.slice(1).some((d, j) => d !== want[j]))
        throw new Error(`predict: expected input of shape [null,${want}], got [${t.shape}]`);
    });
    const outs = noGrad(() => {
      core.setTraining(false);
      const n = xs[0].shape[0];
      if (n <= batchSize) return callCore(core, xs, 'predict');
      const parts: Tensor[][] = [];
      for (let start = 0; start < n; start += batchSize) {
        const rows = xs.map((t) => t.narrow(0, start, Math.min(batchSize, n - start)));
        parts.push(callCore(core, rows, 'predict'));
        rows.forEach((r) => r.dispose());
      }
      const joined = parts[0].map((_, k) =>
        concat(
          parts.map((p) => p[k]),
          0,
        ),
      );
      parts.flat().forEach((p) => p.dispose());
      return joined;
    });
    return outs.length === 1 ? outs[0] : outs;
  }

  getWeights(): Tensor[] {
    this.usable('getWeights');
    return super.getWeights();
  }

  setWeights(weights: Tensor[]): void {
    this.idle('setWeights');
    super.setWeights(weights);
  }

  countParams(): number {
    this.usable('countParams');
    return super.countParams();
  }

  /**
   * Saves the model in the TF.js Layers format (model.json + weights), which TensorFlow.js's
   * `tf.loadLayersModel` and {@link loadLayersModel} read back, through any `wg.io` destination:
   * `indexeddb://name`, `localstorage://name`, `downloads://name`, an `http(s)://` URL (a POST),
   * a folder path in Node, or a handler (`wg.io.withSaveHandler(fn)`).
   *
   * @example
   * ```ts
   * await model.save('indexeddb://my-model');
   * const again = await wg.loadLayersModel('indexeddb://my-model');
   * ```
   */
  async save(destination: Destination): Promise<SaveResult> {
    this.idle('save');
    const handler = handlerFor(destination);
    if (typeof handler.save !== 'function')
      fail('save', 'the destination cannot save (its handler has no save method)');
    return handler.save(await modelArtifacts(this));
  }

  /** Frees the model's weights and optimizer state (and those of its layers). */
  dispose(): void {
    if (this.#disposed) return;
    if (this.#fitting)
      fail('dispose', 'the model is training (fit() is running); await it first, or set stopTraining and await it');
    this.#disposed = true;
    this.#dropCompiled();
    this.#core?.free();
    this.#core = null;
    this.#layers.forEach((l) => l.release(this));
    this.#layers = [];
  }
}

/** One value per output from a single value, a list in output order, or a map by output name. */
function perOutput<T>(
  key: string,
  v: T | T[] | Record<string, T> | undefined,
  outputs: string[],
  fallback: T | undefined,
): unknown[] {
  if (v === undefined) {
    if (fallback === undefined) fail('compile', `${key} is required`);
    return outputs.map(() => fallback);
  }
  if (Array.isArray(v)) {
    if (v.length !== outputs.length)
      fail('compile', `${key} must have one entry per output (${outputs.length}), got ${v.length}`);
    return v;
  }
  if (v !== null && typeof v === 'object' && !(v instanceof Tensor)) {
    const map = v as Record<string, T>;
    const unknown = Object.keys(map).filter((k) => !outputs.includes(k));
    if (unknown.length)
      fail('compile', `${key} names unknown outputs ${unknown.join(', ')} (outputs: ${outputs.join(', ')})`);
    return outputs.map((o) => {
      if (o in map) return map[o];
      if (fallback === undefined) fail('compile', `${key} has no entry for output '${o}'`);
      return fallback;
    });
  }
  return outputs.map(() => v);
}

/** One training or evaluation step on rows `order[start..end]`: `[loss, ...]` on the device. */
function rowsStep(
  trainer: Trainer,
  mode: 'train' | 'evaluate',
  xs: Tensor[],
  ys: Tensor[],
  order: Tensor,
  start: number,
  end: number,
): Tensor {
  const op = mode === 'train' ? 'fit' : 'evaluate';
  if (xs.length === 1 && ys.length === 1) {
    const [x, y, o] = [xs[0].handle(op), ys[0].handle(op), order.handle(op)];
    return wrap(mode === 'train' ? trainer.trainRows(x, y, o, start, end) : trainer.evaluateRows(x, y, o, start, end));
  }
  const [xl, yl] = [tensorList(xs, op), tensorList(ys, op)];
  try {
    const o = order.handle(op);
    return wrap(
      mode === 'train' ? trainer.trainRowsMany(xl, yl, o, start, end) : trainer.evaluateRowsMany(xl, yl, o, start, end),
    );
  } finally {
    xl.free();
    yl.free();
  }
}

/** The mean logs over rows `from..to`, in batches. */
async function evaluateRows(
  trainer: Trainer,
  xs: Tensor[],
  ys: Tensor[],
  from: number,
  to: number,
  batchSize: number,
): Promise<number[]> {
  const order = arange(0, to, 1, 'int32');
  let sum: Tensor | null = null;
  try {
    for (let start = from; start < to; start += batchSize) {
      const end = Math.min(start + batchSize, to);
      const logs = rowsStep(trainer, 'evaluate', xs, ys, order, start, end);
      try {
        sum = addWeighted(sum, logs, end - start);
      } finally {
        logs.dispose();
      }
    }
    if (!sum) throw new Error(`evaluate: no samples (shape [${xs[0].shape}])`);
    return Array.from(await sum.data(), (v) => v / (to - from));
  } finally {
    sum?.dispose();
    order.dispose();
  }
}

/** A batch size: an integer >= 1 (default 32, as in TensorFlow.js). */
function batchSizeOf(op: string, v: unknown): number {
  return int(op, 'batchSize', v ?? 32, 1);
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

/**
 * A functional model from symbolic inputs to outputs (TensorFlow.js's `tf.model`): several inputs
 * and outputs, shared layers, nested models.
 */
export function model(args: {
  inputs: SymbolicTensor | SymbolicTensor[];
  outputs: SymbolicTensor | SymbolicTensor[];
  name?: string;
}): LayersModel {
  if (args === null || typeof args !== 'object') fail('model', `options must be an object, got ${describe(args)}`);
  return new LayersModel(args);
}
