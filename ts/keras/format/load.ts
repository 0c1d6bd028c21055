// `wg.loadLayersModel`: a TF.js Layers model (model.json + weight shards) from anywhere `wg.io`
// reaches, as TensorFlow.js's `tf.loadLayersModel`. The manifest is checked whole before the model
// is built, the model before any weight is decoded; then weights are decoded and set one at a time.
import { setLoadInit } from '../../../pkg/webgrad.js';
import { handlerFor } from '../../io/router.js';
import type { Destination } from '../../io/router.js';
import type { LoadOptions, ModelArtifacts } from '../../io/types.js';
import { requireInit } from '../../runtime.js';
import { tensor } from '../../tensor.js';
import { describe, fail } from '../../validate.js';
import type { LayersModel } from '../model.js';
import { assignKeras, kerasShape, ordered } from '../weights.js';
import type { WeightEntry } from '../weights.js';
import { decodeSlot, shardsOf, weightSlots } from './codec.js';
import type { WeightSlot } from './codec.js';
import { modelFromTopology } from './read.js';

const op = 'loadLayersModel';

/**
 * The weight values a loaded model may draw initial values for when the file does not hold them all
 * (a topology alone, or `strict: false`): 2^28, 1 GiB of float32. A file that holds every weight is
 * bounded by its own weights instead.
 */
const DRAWN_VALUES = 2 ** 28;

/** Options of {@link loadLayersModel}: TF.js's, those of the HTTP handler included. */
export interface LoadLayersModelOptions extends LoadOptions {
  /**
   * Every weight of the model must be in the file and every weight in the file must be the model's,
   * and the shards must hold exactly the manifest's bytes (default `true`, as TF.js). With `false`,
   * weights missing from the file keep their initial values and extra ones are skipped. A topology
   * with no weights at all loads with initial weights either way, as in TF.js.
   */
  strict?: boolean;
}

/**
 * Loads a TF.js Layers model (Keras 2 and Keras 3 style configs; Sequential, functional and nested
 * models; float32, int32 and quantized uint8/uint16/float16 weights over any number of shards) from
 * `source`: `indexeddb://name`, `localstorage://name`, an `http(s)://…/model.json` URL, a file path
 * in Node, `[jsonFile, ...weightFiles]` from an `<input type=file>`, or a handler
 * (`wg.io.fromMemory(artifacts)`). Layers marked `trainable: false` load frozen. Every refusal (an
 * unknown layer class, a shard that lies) is an Error naming the layer, weight or shard.
 *
 * @example
 * ```ts
 * const model = await wg.loadLayersModel('https://example.com/model/model.json', {
 *   onProgress: (f) => console.log(`${Math.round(f * 100)}%`),
 * });
 * const y = model.predict(wg.zeros([1, 224, 224, 3]));
 * ```
 */
export async function loadLayersModel(source: Destination, options: LoadLayersModelOptions = {}): Promise<LayersModel> {
  requireInit(op);
  if (options === null || typeof options !== 'object') fail(op, `options must be an object, got ${describe(options)}`);
  const { strict = true, ...loadOptions } = options;
  if (typeof strict !== 'boolean') fail(op, `strict must be a boolean, got ${describe(strict)}`);
  const handler = handlerFor(source, loadOptions);
  if (typeof handler.load !== 'function') fail(op, 'the handler cannot load (it has no load method)');
  const artifacts = await handler.load();
  return modelFromArtifacts(artifacts, strict);
}

/** @internal The model of loaded artifacts, its weights set. */
export function modelFromArtifacts(artifacts: ModelArtifacts, strict: boolean): LayersModel {
  if (artifacts === null || typeof artifacts !== 'object')
    fail(op, `the handler's load gave ${describe(artifacts)}, not model artifacts`);
  if (artifacts.format !== undefined && artifacts.format !== null && artifacts.format !== 'layers-model')
    fail(op, `the file is a '${String(artifacts.format)}', not a 'layers-model' (graph models are not supported)`);
  const topology = artifacts.modelTopology;
  if (topology === undefined || topology === null) fail(op, 'the artifacts have no modelTopology');
  if (topology instanceof ArrayBuffer) fail(op, 'the topology is a binary GraphDef: only Layers models are supported');
  // A topology alone (no weights at all) loads with initial weights, as in TF.js.
  const weighted = artifacts.weightSpecs != null || artifacts.weightData != null;
  const shards = shardsOf(artifacts.weightData);
  const slots = weightSlots(artifacts.weightSpecs, shards, strict);
  // Strict loading sets every weight: the layers skip drawing initial values (TF.js's
  // fastWeightInit), and may not take more values than the file holds (a lying size is refused
  // before it allocates). Otherwise they draw, at most DRAWN_VALUES in all.
  const everyWeight = strict && weighted;
  setLoadInit(everyWeight ? slots.reduce((n, s) => n + s.size, 0) : DRAWN_VALUES, everyWeight);
  let built: ReturnType<typeof modelFromTopology>;
  try {
    built = modelFromTopology(topology);
  } finally {
    setLoadInit(undefined, false);
  }
  const { model, ignored } = built;
  try {
    if (weighted) setWeights(model, slots, shards, strict);
  } catch (e) {
    model.dispose();
    throw e;
  }
  if (ignored.length > 0)
    console.warn(`${op}: regularizers and constraints are not applied in training: ${ignored.join(', ')}`);
  return model;
}

/** Sets the model's weights from the slots, matched by name, each shape checked first. */
function setWeights(model: LayersModel, slots: WeightSlot[], shards: ArrayBuffer[], strict: boolean): void {
  const entries = ordered(model.weightLists());
  try {
    const byName = new Map<string, WeightEntry>();
    for (const e of entries) {
      if (byName.has(e.name)) fail(op, `the model has two weights named '${e.name}' (two layers share a name)`);
      byName.set(e.name, e);
    }
    const found = slots.filter((s) => byName.has(s.name));
    if (strict) {
      const extra = slots.filter((s) => !byName.has(s.name)).map((s) => s.name);
      const inFile = new Set(slots.map((s) => s.name));
      const missing = entries.filter((e) => !inFile.has(e.name)).map((e) => e.name);
      if (missing.length) fail(op, `the file has no values for weights ${missing.join(', ')}`);
      if (extra.length) fail(op, `the file has weights the model does not: ${extra.join(', ')}`);
    }
    for (const slot of found) {
      // Every layer weight is float32; TF.js refuses another dtype when it writes the variable.
      if (slot.dtype !== 'float32')
        fail(op, `weight '${slot.name}' is ${slot.dtype} in the file, but the layer's weight is float32`);
      const want = kerasShape(byName.get(slot.name)!);
      if (want.join() !== slot.shape.join())
        fail(
          op,
          `weight '${slot.name}' has shape [${slot.shape.join(', ')}] in the file, the layer needs [${want.join(', ')}]`,
        );
    }
    for (const slot of found) {
      const w = tensor(decodeSlot(slot, shards), slot.shape);
      try {
        assignKeras(byName.get(slot.name)!, w);
      } finally {
        w.dispose();
      }
    }
  } finally {
    entries.forEach((e) => e.tensor.dispose());
  }
}
