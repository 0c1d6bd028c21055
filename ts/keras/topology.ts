// The functional API's graph: symbolic tensors (shapes without data), the nodes that make them, and
// the ordering TensorFlow.js gives a model's layers (by depth from the outputs, then by traversal).
import { Layer, LayerList, TensorList, setShapeProbe } from '../../pkg/webgrad.js';
import { Tensor, wrap } from '../tensor.js';
import { zeros } from '../creation.js';
import { noGrad } from '../autograd.js';
import { fail, describe } from '../validate.js';

/** Anything a node can apply: a layer or a model used as a layer. */
export interface Applicable {
  readonly name: string;
  readonly className: string;
  /** @internal The core layer for these input sample shapes (built at the first call, then shared). */
  coreFor(shapes: number[][]): Layer;
}

let nodes = 0;

/** One application of a layer: its inputs and the symbolic outputs it made. */
export class GraphNode {
  readonly outputs: SymbolicTensor[] = [];
  /** @internal Creation order (a layer's nodes are numbered in it when a model is saved). */
  readonly id = ++nodes;
  constructor(
    /** The layer applied; `null` for a model input. */
    readonly layer: Applicable | null,
    readonly inputs: SymbolicTensor[],
    /** The input's name, for a model input. */
    readonly inputName?: string,
  ) {}
}

/**
 * A placeholder for a tensor in a functional model: its shape (`null` for the batch axis), dtype and
 * the node that makes it. Pass it to `layer.apply` and `wg.model`.
 */
export class SymbolicTensor {
  /** @internal */
  constructor(
    readonly name: string,
    /** The shape with the batch axis first, as `null` (TensorFlow.js's convention). */
    readonly shape: (number | null)[],
    readonly dtype: 'float32' | 'int32',
    /** @internal The node that makes it, and which of its outputs it is. */
    readonly node: GraphNode,
    readonly outputIndex: number,
  ) {}

  /** The layer that makes it (`null` for a model input). */
  get sourceLayer(): Applicable | null {
    return this.node.layer;
  }

  /** @internal The shape of one sample. */
  get sampleShape(): number[] {
    return this.shape.slice(1) as number[];
  }
}

let inputs = 0;

/**
 * A model input (TensorFlow.js's `tf.input`): `shape` is one sample's shape, without the batch axis.
 *
 * @example
 * ```ts
 * const x = wg.input({ shape: [784] });
 * const y = wg.layers.dense({ units: 10, activation: 'softmax' }).apply(x);
 * const model = wg.model({ inputs: x, outputs: y });
 * ```
 */
export function input(args: { shape: number[]; name?: string; dtype?: 'float32' | 'int32' }): SymbolicTensor {
  if (args === null || typeof args !== 'object') fail('input', `options must be an object, got ${describe(args)}`);
  const { shape, dtype = 'float32' } = args;
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 1 || d > 2 ** 32 - 1))
    fail('input', `shape must be an array of sizes >= 1 (one sample, no batch axis), got ${describe(shape)}`);
  if (dtype !== 'float32' && dtype !== 'int32')
    fail('input', `dtype must be 'float32' or 'int32', got ${describe(dtype)}`);
  if (args.name !== undefined && typeof args.name !== 'string')
    fail('input', `name must be a string, got ${describe(args.name)}`);
  inputs += 1;
  const name = args.name ?? `input${inputs}`;
  const node = new GraphNode(null, [], name);
  const t = new SymbolicTensor(name, [null, ...shape], dtype, node, 0);
  node.outputs.push(t);
  return t;
}

/** @internal The inputs of `apply` as a list, and whether they were symbolic. */
export function symbolicList(op: string, x: unknown): SymbolicTensor[] | null {
  const list = Array.isArray(x) ? x : [x];
  if (list.length > 0 && list.every((t) => t instanceof SymbolicTensor)) return list as SymbolicTensor[];
  if (list.some((t) => t instanceof SymbolicTensor))
    fail(op, 'apply takes symbolic tensors (from wg.input or another apply) or concrete tensors, not a mix');
  return null;
}

/** @internal A list of core tensors (the caller frees it). */
export function tensorList(ts: Tensor[], op: string): TensorList {
  const list = new TensorList();
  for (const t of ts) list.push(t.handle(op));
  return list;
}

/** @internal The tensors of a core list, which it frees. */
export function fromList(list: TensorList): Tensor[] {
  const out: Tensor[] = [];
  for (let i = 0; i < list.length; i++) out.push(wrap(list.get(i)!));
  list.free();
  return out;
}

/** @internal `core`'s outputs for concrete inputs. */
export function callCore(core: Layer, xs: Tensor[], op: string): Tensor[] {
  // Always the list call: a model of one input may have several outputs.
  const list = tensorList(xs, op);
  try {
    return fromList(core.call(list));
  } finally {
    list.free();
  }
}

/**
 * @internal Applies `layer` to symbolic inputs: builds it (first time), infers the output shapes with
 * a batch-1 shape probe (on WebGPU no kernel runs), adds a node.
 */
export function applySymbolic(layer: Applicable, xs: SymbolicTensor[]): SymbolicTensor[] {
  const core = layer.coreFor(xs.map((x) => x.sampleShape));
  const shapes = noGrad(() => {
    core.setTraining(false);
    const probes: Tensor[] = [];
    const probing = setShapeProbe(true);
    try {
      for (const x of xs) probes.push(zeros([1, ...x.sampleShape], x.dtype));
      const outs = callCore(core, probes, layer.name);
      const result = outs.map((o) => [o.shape.slice(1), o.dtype] as const);
      outs.forEach((o) => o.dispose());
      return result;
    } catch (e) {
      const got = xs.map((x) => `[${x.sampleShape}]`).join(', ');
      throw new Error(`${layer.name}: cannot take input of shape ${got}: ${(e as Error).message}`);
    } finally {
      setShapeProbe(probing);
      probes.forEach((p) => p.dispose());
    }
  });
  const node = new GraphNode(layer, xs);
  shapes.forEach(([shape, dtype], i) => {
    const name = shapes.length === 1 ? `${layer.name}/out` : `${layer.name}/out${i}`;
    node.outputs.push(new SymbolicTensor(name, [null, ...shape], dtype === 'int32' ? 'int32' : 'float32', node, i));
  });
  return node.outputs;
}

/** @internal Every node `outputs` depend on, each after the nodes it reads (inputs first). */
export function graphNodes(outputs: SymbolicTensor[]): GraphNode[] {
  const seen = new Set<GraphNode>();
  const order: GraphNode[] = [];
  const visit = (node: GraphNode) => {
    if (seen.has(node)) return;
    seen.add(node);
    node.inputs.forEach((t) => visit(t.node));
    order.push(node);
  };
  outputs.forEach((t) => visit(t.node));
  return order;
}

/** @internal A model's graph, in the core's encoding and TensorFlow.js's layer order. */
export interface Topology {
  /** The layers in TensorFlow.js's `model.layers` order (inputs excluded). */
  layers: Applicable[];
  /** Nodes in the core's order: the inputs, then each applied node after the nodes it reads. */
  nodes: GraphNode[];
}

/**
 * @internal
 * Walks back from `outputs` to `inputs`: every node the outputs depend on, the layers ordered as
 * TensorFlow.js orders them (deepest first, ties by first visit), and an Error for an input the
 * graph needs but was not given, or a cycle.
 */
export function topology(inputs: SymbolicTensor[], outputs: SymbolicTensor[]): Topology {
  const finished = new Set<GraphNode>();
  const inProgress = new Set<GraphNode>();
  const postorder: GraphNode[] = [];
  const visitOrder = new Map<Applicable, number>();
  const given = new Set(inputs.map((t) => t.node));
  const visit = (node: GraphNode) => {
    if (finished.has(node)) return;
    if (inProgress.has(node)) fail('model', `the graph has a cycle through ${node.layer?.name}`);
    if (!node.layer && !given.has(node))
      fail('model', `output depends on input '${node.inputName}', which is not in the model's inputs`);
    if (node.layer && !visitOrder.has(node.layer)) visitOrder.set(node.layer, visitOrder.size);
    inProgress.add(node);
    node.inputs.forEach((x) => visit(x.node));
    inProgress.delete(node);
    finished.add(node);
    postorder.push(node);
  };
  outputs.forEach((t) => visit(t.node));
  // Depths: outputs 0, each input of a node one deeper than it; a layer at its deepest node.
  const nodeDepth = new Map<GraphNode, number>();
  const layerDepth = new Map<Applicable, number>();
  for (const node of postorder.slice().reverse()) {
    let depth = nodeDepth.get(node) ?? 0;
    if (node.layer) {
      depth = Math.max(depth, layerDepth.get(node.layer) ?? 0);
      layerDepth.set(node.layer, depth);
    }
    nodeDepth.set(node, depth);
    for (const x of node.inputs) nodeDepth.set(x.node, Math.max(depth + 1, nodeDepth.get(x.node) ?? 0));
  }
  const layers = [...layerDepth.keys()].sort(
    (a, b) => layerDepth.get(b)! - layerDepth.get(a)! || visitOrder.get(a)! - visitOrder.get(b)!,
  );
  const inputNodes = inputs.map((t) => t.node);
  return { layers, nodes: [...inputNodes, ...postorder.filter((n) => n.layer)] };
}

/** @internal The core graph of a topology. */
export function coreGraph(top: Topology, outputs: SymbolicTensor[]): Layer {
  const index = new Map(top.nodes.map((n, i) => [n, i]));
  const layerIndex = new Map(top.layers.map((l, i) => [l, i]));
  const encoded: number[] = [];
  top.nodes.forEach((node, i) => {
    if (!node.layer) encoded.push(0, i);
    else
      encoded.push(
        1,
        layerIndex.get(node.layer)!,
        node.inputs.length,
        ...node.inputs.flatMap((x) => [index.get(x.node)!, x.outputIndex]),
      );
  });
  const list = new LayerList();
  for (const l of top.layers) {
    const node = top.nodes.find((n) => n.layer === l)!;
    list.push(l.coreFor(node.inputs.map((x) => x.sampleShape)));
  }
  try {
    return Layer.graph(
      list,
      top.layers.map((l) => l.name),
      new Uint32Array(encoded),
      new Uint32Array(top.nodes.map((n) => n.outputs.length)),
      new Uint32Array(outputs.flatMap((t) => [index.get(t.node)!, t.outputIndex])),
    );
  } finally {
    list.free();
  }
}
