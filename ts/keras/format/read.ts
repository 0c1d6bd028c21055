// A model from the topology of a TF.js Layers model.json: a Sequential (a list of layers) or a
// functional model (layers with `inbound_nodes`, in Keras 2's list form or Keras 3's dict form),
// nested models included. The file is untrusted: every reference is checked, a node whose inputs
// never appear (a cycle, a dangling name or index) is an Error, and a failure frees what was built.
import { describe, fail } from '../../validate.js';
import { LayerSpec } from '../layers.js';
import { LayersModel, model as functional } from '../model.js';
import { Sequential } from '../sequential.js';
import { input } from '../topology.js';
import type { SymbolicTensor } from '../topology.js';
import { factoryOf, layerClassNames, MODEL_CLASSES } from './classes.js';
import { optionsFrom } from './config.js';

const op = 'loadLayersModel';

/** How deep models may nest in a file. */
const MAX_DEPTH = 32;

/** One input of a node: the layer read, which of its nodes, which output of that node. */
interface Ref {
  layer: string;
  node: number;
  tensor: number;
}

type Built = LayerSpec | LayersModel;

/** What the build made so far, freed if it fails. */
class Scope {
  readonly made: Built[] = [];
  /** Regularizers and constraints the file sets, which webgrad does not apply. */
  readonly ignored: string[] = [];
  add<T extends Built>(b: T): T {
    this.made.push(b);
    return b;
  }
  dispose(): void {
    for (const b of this.made) b.dispose();
  }
  /** Frees what the file made but `model` does not use (layers outside every path to an output). */
  disposeUnused(model: LayersModel): void {
    const used = new Set<unknown>();
    const visit = (m: LayersModel) => {
      used.add(m);
      for (const l of m.layers) {
        used.add(l);
        if (l instanceof LayersModel) visit(l);
      }
    };
    visit(model);
    for (const b of this.made) if (!used.has(b)) b.dispose();
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The model of a topology (`{class_name, config}`; TF.js's converter form `{model_config}` too). */
export function modelFromTopology(topology: unknown): { model: LayersModel; ignored: string[] } {
  if (isObject(topology) && isObject(topology.model_config)) topology = topology.model_config;
  const scope = new Scope();
  try {
    const model = modelOf(topology, scope, 0);
    scope.disposeUnused(model);
    return { model, ignored: scope.ignored };
  } catch (e) {
    scope.dispose();
    throw e;
  }
}

function modelOf(entry: unknown, scope: Scope, depth: number): LayersModel {
  if (depth > MAX_DEPTH) fail(op, `models nest more than ${MAX_DEPTH} deep`);
  if (!isObject(entry)) fail(op, `the model topology must be an object {class_name, config}, got ${describe(entry)}`);
  const className = entry.class_name;
  if (className === 'Sequential') return sequentialOf(entry.config, scope, depth);
  if (className === 'Model' || className === 'Functional') return functionalOf(entry.config, scope, depth);
  return fail(op, `the model class must be one of ${MODEL_CLASSES.join(', ')}, got ${describe(className)}`);
}

/** The layer (or nested model) of one entry of a model's `layers`. */
function layerOf(entry: Record<string, unknown>, scope: Scope, depth: number): Built {
  const className = entry.class_name;
  if (typeof className !== 'string') fail(op, `a layer's class_name must be a string, got ${describe(className)}`);
  if ((MODEL_CLASSES as readonly string[]).includes(className)) {
    const nested = modelOf(entry, scope, depth + 1);
    const trainable = isObject(entry.config) ? entry.config.trainable : undefined;
    if (trainable === false) nested.trainable = false;
    return nested;
  }
  const name = nameOf(entry);
  const factory = factoryOf(className);
  if (!factory)
    fail(
      op,
      `unknown layer class '${className}' (layer '${name}'); webgrad reads ${layerClassNames().join(', ')}, Sequential and Model`,
    );
  const { options, header, ignored } = optionsFrom(name, entry.config);
  scope.ignored.push(...ignored.map((k) => `${name}.${k}`));
  const spec = made(className, { ...options, ...(header.inputShape ? { inputShape: header.inputShape } : {}), name });
  scope.add(spec);
  if (!header.trainable) spec.trainable = false;
  return spec;
}

/** The layer of class `className` (one `factoryOf` knows) with `options`; its refusal names the layer. */
function made(className: string, options: Record<string, unknown> & { name: string }): LayerSpec {
  try {
    return factoryOf(className)!(options);
  } catch (e) {
    throw new Error(`${op}: layer '${options.name}' (${className}): ${(e as Error).message}`);
  }
}

/** An entry's name: `entry.name`, else `entry.config.name` (Sequential entries). */
function nameOf(entry: Record<string, unknown>): string {
  const name = entry.name ?? (isObject(entry.config) ? entry.config.name : undefined);
  if (typeof name !== 'string' || name.length === 0)
    fail(op, `a layer of class ${describe(entry.class_name)} has no name (a non-empty string)`);
  return name;
}

function sequentialOf(config: unknown, scope: Scope, depth: number): LayersModel {
  // Keras 2.2 wrote the layer list alone; later versions write {name, layers}.
  const { name, layers } = Array.isArray(config) ? { name: undefined, layers: config } : isObject(config) ? config : {};
  if (!Array.isArray(layers) || layers.length === 0)
    fail(op, `a Sequential config must list its layers, got ${describe(layers)}`);
  if (name !== undefined && typeof name !== 'string')
    fail(op, `the model name must be a string, got ${describe(name)}`);
  let inputShape: number[] | undefined;
  const specs: LayerSpec[] = [];
  for (const entry of layers) {
    if (!isObject(entry)) fail(op, `a Sequential layer must be an object {class_name, config}, got ${describe(entry)}`);
    if (entry.class_name === 'InputLayer') {
      if (specs.length > 0) fail(op, `an InputLayer can only come first in a Sequential`);
      inputShape = inputOf(entry).shape.slice(1) as number[];
      continue;
    }
    const layer = layerOf(entry, scope, depth);
    if (!(layer instanceof LayerSpec))
      fail(op, `a model nested in a Sequential (${layer.name}) is not supported; save it as a functional model`);
    specs.push(layer);
  }
  if (specs.length === 0) fail(op, 'a Sequential needs a layer besides its InputLayer');
  if (inputShape && !specs[0].inputShape) {
    // Keras 3 gives the shape on an InputLayer: the first layer is remade with it.
    const first = specs[0];
    const remade = made(first.className, { ...first.args, inputShape, name: first.name });
    remade.trainable = first.trainable;
    scope.add(remade);
    specs[0] = remade;
  }
  const seq = scope.add(new Sequential({ name: name ?? 'sequential' }));
  for (const spec of specs) {
    try {
      seq.add(spec);
    } catch (e) {
      throw new Error(`${op}: layer '${spec.name}' (${spec.className}): ${(e as Error).message}`);
    }
  }
  return seq;
}

/** The symbolic input of an InputLayer entry (Keras 2's `batch_input_shape`, Keras 3's `batch_shape`). */
function inputOf(entry: Record<string, unknown>): SymbolicTensor {
  const name = nameOf(entry);
  const config = isObject(entry.config) ? entry.config : {};
  const shape = config.batch_input_shape ?? config.batch_shape;
  if (!Array.isArray(shape) || shape.length < 2)
    fail(op, `input '${name}': batch_input_shape must be [null, ...sizes], got ${describe(shape)}`);
  const dtype = config.dtype ?? 'float32';
  const kind =
    typeof dtype === 'string' && /^u?int(8|16|32|64)$/.test(dtype)
      ? 'int32'
      : dtype === 'float32' || (isObject(dtype) && isObject(dtype.config) && dtype.config.name === 'float32')
        ? 'float32'
        : fail(op, `input '${name}': dtype must be float32 or an integer type, got ${describe(dtype)}`);
  try {
    return input({ shape: shape.slice(1) as number[], name, dtype: kind });
  } catch (e) {
    throw new Error(`${op}: input '${name}': ${(e as Error).message}`);
  }
}

/** A reference `[layer, node, tensor(, kwargs)]`, or Keras 3's `{config: {keras_history: [...]}}`. */
function refOf(v: unknown, where: string): Ref {
  const history = isObject(v) && isObject(v.config) ? v.config.keras_history : v;
  if (!Array.isArray(history) || history.length < 3)
    fail(op, `${where}: an input must be [layer, node, tensor], got ${describe(history)}`);
  const [layer, node, tensor] = history;
  const index = (x: unknown) => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x < 2 ** 31;
  if (typeof layer !== 'string' || !index(node) || !index(tensor))
    fail(op, `${where}: an input must be [layer name, node index, tensor index], got ${describe(history)}`);
  return { layer, node: node as number, tensor: tensor as number };
}

/** The inputs of one inbound node: Keras 2's list of references or Keras 3's `{args, kwargs}`. */
function nodeRefs(node: unknown, where: string): Ref[] {
  if (Array.isArray(node)) {
    if (node.length === 0) fail(op, `${where}: a node has no inputs`);
    return node.map((r) => refOf(r, where));
  }
  if (isObject(node) && Array.isArray(node.args) && node.args.length > 0) {
    const first = node.args[0];
    return (Array.isArray(first) ? first : [first]).map((r) => refOf(r, where));
  }
  return fail(op, `${where}: an inbound node must be a list of inputs or {args, kwargs}, got ${describe(node)}`);
}

/** `input_layers`/`output_layers`: a list of references, or one reference (Keras 3). */
function endpoints(v: unknown, key: string): Ref[] {
  if (!Array.isArray(v) || v.length === 0) fail(op, `${key} must list at least one [layer, node, tensor]`);
  return (typeof v[0] === 'string' ? [v] : v).map((r) => refOf(r, key));
}

function functionalOf(config: unknown, scope: Scope, depth: number): LayersModel {
  if (!isObject(config)) fail(op, `a functional model's config must be an object, got ${describe(config)}`);
  const { name, layers } = config;
  if (name !== undefined && typeof name !== 'string')
    fail(op, `the model name must be a string, got ${describe(name)}`);
  if (!Array.isArray(layers) || layers.length === 0) fail(op, `a functional model must list its layers`);
  /** The outputs of each node of each layer, by layer name, as nodes are applied. */
  const made = new Map<string, SymbolicTensor[][]>();
  const pending: { name: string; layer: Built; nodes: Ref[][]; next: number }[] = [];
  for (const entry of layers) {
    if (!isObject(entry)) fail(op, `a layer must be an object {name, class_name, config}, got ${describe(entry)}`);
    const layerName = nameOf(entry);
    if (made.has(layerName)) fail(op, `two layers are named '${layerName}'`);
    if (entry.class_name === 'InputLayer') {
      made.set(layerName, [[inputOf(entry)]]);
      continue;
    }
    const inbound = entry.inbound_nodes ?? [];
    if (!Array.isArray(inbound)) fail(op, `layer '${layerName}': inbound_nodes must be a list`);
    const nodes = inbound.map((n, i) => nodeRefs(n, `layer '${layerName}' node ${i}`));
    const layer = layerOf(entry, scope, depth);
    // A model's node 0 is its own graph (its outputs); its applications are numbered from 1, as in Keras.
    made.set(layerName, layer instanceof LayersModel ? [layer.outputs] : []);
    pending.push({ name: layerName, layer, nodes, next: 0 });
  }
  // Apply the nodes whose inputs exist, each layer's in order, until none is left; a pass that
  // applies nothing means the rest wait on each other (a cycle) or on a node that never comes.
  let left = pending.reduce((n, p) => n + p.nodes.length, 0);
  while (left > 0) {
    let progress = false;
    for (const p of pending) {
      while (p.next < p.nodes.length) {
        const refs = p.nodes[p.next];
        const xs = refs.map((r) => tensorAt(made, r, `layer '${p.name}' node ${p.next}`));
        if (xs.some((x) => x === null)) break;
        let outs: SymbolicTensor | SymbolicTensor[];
        try {
          outs = p.layer.apply(xs.length === 1 ? xs[0]! : (xs as SymbolicTensor[]));
        } catch (e) {
          throw new Error(`${op}: layer '${p.name}' node ${p.next}: ${(e as Error).message}`);
        }
        made.get(p.name)!.push(Array.isArray(outs) ? outs : [outs]);
        p.next += 1;
        left -= 1;
        progress = true;
      }
    }
    if (!progress) {
      const stuck = pending.find((p) => p.next < p.nodes.length)!;
      const waits = stuck.nodes[stuck.next].find((r) => !made.get(r.layer)?.[r.node])!;
      fail(
        op,
        `layer '${stuck.name}' node ${stuck.next} reads node ${waits.node} of '${waits.layer}', which never comes (a cycle, or a node index the file does not have)`,
      );
    }
  }
  const resolve = (key: string) => (r: Ref) => {
    const t = tensorAt(made, r, key);
    if (!t) fail(op, `${key}: layer '${r.layer}' has no node ${r.node}`);
    return t;
  };
  const inputs = endpoints(config.input_layers, 'input_layers').map(resolve('input_layers'));
  const outputs = endpoints(config.output_layers, 'output_layers').map(resolve('output_layers'));
  try {
    return scope.add(functional({ inputs, outputs, name: name ?? 'model' }));
  } catch (e) {
    throw new Error(`${op}: ${(e as Error).message}`);
  }
}

/** The tensor a reference names, `null` while its node is not applied yet, or an Error if it cannot exist. */
function tensorAt(made: Map<string, SymbolicTensor[][]>, r: Ref, where: string): SymbolicTensor | null {
  const nodes = made.get(r.layer);
  if (!nodes) fail(op, `${where} reads layer '${r.layer}', which the model does not have`);
  const outs = nodes[r.node];
  if (!outs) return null;
  if (r.tensor >= outs.length)
    fail(op, `${where} reads output ${r.tensor} of '${r.layer}' node ${r.node}, which has ${outs.length}`);
  return outs[r.tensor];
}
