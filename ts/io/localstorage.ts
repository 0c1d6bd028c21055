// `localstorage://name`: TF.js's layout, so either library loads what the other saved. Five keys
// `tensorflowjs_models/<name>/{info, model_topology, weight_specs, weight_data, model_metadata}`,
// JSON strings but for the weights, which are base64 (4/3 larger). Browsers allow about 5 MB per
// origin, so this suits small models; a save over the quota leaves nothing behind and says so.
import { artifactsInfo, fail, fromBase64, joinWeights, toBase64 } from './artifacts.js';
import type { IOHandler, ModelArtifacts, ModelArtifactsInfo, SaveResult } from './types.js';

const OP = 'io.localstorage';
const PREFIX = 'tensorflowjs_models';
const SUFFIXES = ['info', 'model_topology', 'weight_specs', 'weight_data', 'model_metadata'] as const;
type Keys = Record<(typeof SUFFIXES)[number], string>;
const METADATA = [
  'format',
  'generatedBy',
  'convertedBy',
  'signature',
  'userDefinedMetadata',
  'modelInitializer',
  'initializerSignature',
  'trainingConfig',
] as const;

/** Whether this runtime has localStorage. */
export function hasLocalStorage(): boolean {
  return typeof localStorage !== 'undefined';
}

function storage(): Storage {
  if (!hasLocalStorage()) fail(OP, 'this runtime has no localStorage (localstorage:// is for browsers)');
  return localStorage;
}

function keysOf(path: string): Keys {
  if (typeof path !== 'string' || path.length === 0) fail(OP, 'the model path must be a non-empty string');
  return Object.fromEntries(SUFFIXES.map((s) => [s, `${PREFIX}/${path}/${s}`])) as Keys;
}

function parse(text: string | null, what: string): unknown {
  if (text == null) return null;
  try {
    return JSON.parse(text);
  } catch (e) {
    return fail(OP, `${what} is not JSON: ${(e as Error).message}`);
  }
}

/** The info with its date revived (JSON keeps it as a string). */
function revive(info: ModelArtifactsInfo): ModelArtifactsInfo {
  return { ...info, dateSaved: new Date(info.dateSaved) };
}

/** The handler for the model stored as `path`. */
export function browserLocalStorage(path: string): IOHandler {
  const keys = keysOf(path);
  async function save(artifacts: ModelArtifacts): Promise<SaveResult> {
    const LS = storage();
    const modelArtifactsInfo = artifactsInfo(OP, artifacts);
    // As TF.js: format, generatedBy and convertedBy as they are (convertedBy may be null), the rest if set.
    const metadata = Object.fromEntries(
      METADATA.map((k, i) => [k, i < 3 ? artifacts[k] : (artifacts[k] ?? undefined)]),
    );
    try {
      LS.setItem(keys.info, JSON.stringify(modelArtifactsInfo));
      LS.setItem(keys.model_topology, JSON.stringify(artifacts.modelTopology));
      LS.setItem(keys.weight_specs, JSON.stringify(artifacts.weightSpecs));
      LS.setItem(keys.weight_data, toBase64(joinWeights(artifacts.weightData)));
      LS.setItem(keys.model_metadata, JSON.stringify(metadata));
    } catch (e) {
      for (const key of Object.values(keys)) LS.removeItem(key);
      const { modelTopologyBytes, weightSpecsBytes, weightDataBytes } = modelArtifactsInfo;
      fail(
        OP,
        `saving model '${path}' failed, most likely because it exceeds the storage quota (about 5 MB an origin): ` +
          `topology ${modelTopologyBytes} bytes, weight specs ${weightSpecsBytes} bytes, weights ${weightDataBytes} bytes ` +
          `(stored as base64, 4/3 of that); use indexeddb:// for larger models (${(e as Error).message})`,
      );
    }
    return { modelArtifactsInfo };
  }
  async function load(): Promise<ModelArtifacts> {
    const LS = storage();
    const info = parse(LS.getItem(keys.info), `the info of '${path}'`) as ModelArtifactsInfo | null;
    if (info == null) fail(OP, `there is no model '${path}' in localStorage`);
    if (info.modelTopologyType !== 'JSON') fail(OP, `model '${path}' has a binary topology: only JSON is supported`);
    const modelTopology = parse(LS.getItem(keys.model_topology), `the topology of '${path}'`);
    if (modelTopology == null) fail(OP, `the topology of model '${path}' is missing`);
    const weightSpecs = parse(LS.getItem(keys.weight_specs), `the weight specs of '${path}'`);
    if (weightSpecs == null) fail(OP, `the weight specs of model '${path}' are missing`);
    const out: ModelArtifacts = { modelTopology, weightSpecs } as ModelArtifacts;
    const metadata = parse(LS.getItem(keys.model_metadata), `the metadata of '${path}'`) as Record<string, unknown>;
    if (metadata != null)
      METADATA.forEach((k, i) => {
        if (i < 3 ? k in metadata : metadata[k] != null) Object.assign(out, { [k]: metadata[k] });
      });
    const weights = LS.getItem(keys.weight_data);
    if (weights == null) fail(OP, `the weights of model '${path}' are missing`);
    out.weightData = fromBase64(weights);
    return out;
  }
  return { save, load };
}

/** The models in localStorage, by path. */
export async function listLocalStorage(): Promise<Record<string, ModelArtifactsInfo>> {
  const LS = storage();
  const out: Record<string, ModelArtifactsInfo> = {};
  for (let i = 0; i < LS.length; i++) {
    const key = LS.key(i) as string;
    if (key.startsWith(`${PREFIX}/`) && key.endsWith('/info')) {
      const path = key.slice(PREFIX.length + 1, key.length - '/info'.length);
      if (path.length > 0) out[path] = revive(parse(LS.getItem(key), `the info of '${path}'`) as ModelArtifactsInfo);
    }
  }
  return out;
}

/** Removes the model `path` from localStorage; resolves to its info. */
export async function removeLocalStorage(path: string): Promise<ModelArtifactsInfo> {
  const LS = storage();
  const keys = keysOf(path);
  const info = parse(LS.getItem(keys.info), `the info of '${path}'`) as ModelArtifactsInfo | null;
  if (info == null) fail(OP, `there is no model '${path}' in localStorage`);
  for (const key of Object.values(keys)) LS.removeItem(key);
  return revive(info);
}
