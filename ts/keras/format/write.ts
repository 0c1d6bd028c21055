// A model as TF.js Layers artifacts: the topology TF.js 4.22 writes (`Sequential`, or `Model` with
// InputLayers, `inbound_nodes` and input/output layers; nested models inside) and the weights in
// `model.getWeights()`'s order and TF.js's layouts, as float32.
import type { ModelArtifacts } from '../../io/types.js';
import { version } from '../../version.js';
import { fail } from '../../validate.js';
import { LayerSpec } from '../layers.js';
import type { LayersModel, ModelLayer } from '../model.js';
import { graphNodes } from '../topology.js';
import type { GraphNode, SymbolicTensor } from '../topology.js';
import { ordered } from '../weights.js';
import { factoryOf } from './classes.js';
import { configFrom } from './config.js';
import { encodeWeights } from './codec.js';

const op = 'save';

/** What the file calls a model class: TF.js 4.22 writes `Model` for a functional model. */
const classOf = (m: LayersModel) => (m.className === 'Sequential' ? 'Sequential' : 'Model');

/** The config of a layer (a LayerSpec: its options in Keras's spelling). */
function layerConfig(layer: LayerSpec, inputShape?: number[]): Record<string, unknown> {
  if (!factoryOf(layer.className)) fail(op, `layer '${layer.name}' (${layer.className}) has no TF.js class`);
  return configFrom(layer.args, {
    name: layer.name,
    trainable: layer.trainable,
    inputShape: inputShape ?? layer.inputShape,
  });
}

/** An entry of a model's `layers`: a layer, or a nested model with its own config. */
function entryOf(layer: ModelLayer, inputShape?: number[]): { class_name: string; config: object } {
  if (layer instanceof LayerSpec) return { class_name: layer.className, config: layerConfig(layer, inputShape) };
  const nested = layer as unknown as LayersModel;
  return { class_name: classOf(nested), config: { ...modelConfig(nested), trainable: nested.trainable } };
}

/** The name a tensor's source has in the file: its layer's, or the input's. */
const sourceName = (t: SymbolicTensor) => t.sourceLayer?.name ?? t.name;

/** `config` of a model: `{name, layers}` for a Sequential, `{name, layers, input_layers, output_layers}` else. */
function modelConfig(model: LayersModel): Record<string, unknown> {
  if (model.className === 'Sequential') {
    const first = model.inputs[0]?.sampleShape;
    return { name: model.name, layers: model.layers.map((l, i) => entryOf(l, i === 0 ? first : undefined)) };
  }
  // Each layer's nodes in this model, numbered in the order they were made.
  const numbers = new Map<GraphNode, number>();
  const byLayer = new Map<unknown, GraphNode[]>();
  for (const node of graphNodes(model.outputs)) {
    if (!node.layer) continue;
    byLayer.set(node.layer, [...(byLayer.get(node.layer) ?? []), node]);
  }
  // A nested model's node 0 is its own graph: its applications count from 1, as in Keras and TF.js.
  for (const [layer, nodes] of byLayer)
    nodes.sort((a, b) => a.id - b.id).forEach((n, i) => numbers.set(n, i + (layer instanceof LayerSpec ? 0 : 1)));
  const ref = (t: SymbolicTensor) => [sourceName(t), numbers.get(t.node) ?? 0, t.outputIndex];
  const inputs = model.inputs.map((t) => ({
    name: t.name,
    class_name: 'InputLayer',
    config: { batch_input_shape: t.shape, dtype: t.dtype, sparse: false, name: t.name },
    inbound_nodes: [],
  }));
  const layers = model.layers.map((l) => ({
    name: l.name,
    ...entryOf(l),
    inbound_nodes: (byLayer.get(l) ?? []).map((node) => node.inputs.map((t) => [...ref(t), {}])),
  }));
  return {
    name: model.name,
    layers: [...inputs, ...layers],
    input_layers: model.inputs.map(ref),
    output_layers: model.outputs.map(ref),
  };
}

/** The model's artifacts: its topology and its weights (read back from the device). */
export async function modelArtifacts(model: LayersModel): Promise<ModelArtifacts> {
  const entries = ordered(model.weightLists());
  const weights: { name: string; shape: number[]; values: Float32Array }[] = [];
  try {
    // A layer applied both inside a nested model and outside it lists its weights twice: no loader
    // (TF.js's included) can tell the copies apart.
    const twice = entries.map((e) => e.name).filter((name, i, names) => names.indexOf(name) !== i);
    if (twice.length > 0)
      fail(
        op,
        `weights ${[...new Set(twice)].join(', ')} appear twice (a layer is used both inside a nested model and outside it), which the format cannot hold`,
      );
    for (const e of entries) {
      const t = e.toKeras ? e.tensor.permute(...e.toKeras) : e.tensor;
      try {
        weights.push({ name: e.name, shape: t.shape, values: Float32Array.from(await t.data()) });
      } finally {
        if (t !== e.tensor) t.dispose();
      }
    }
  } finally {
    entries.forEach((e) => e.tensor.dispose());
  }
  const { specs, data } = encodeWeights(weights);
  return {
    modelTopology: {
      class_name: classOf(model),
      config: modelConfig(model),
      keras_version: `webgrad ${version}`,
      backend: 'webgrad',
    },
    weightSpecs: specs,
    weightData: data,
    format: 'layers-model',
    generatedBy: `webgrad ${version}`,
    convertedBy: null,
  };
}
