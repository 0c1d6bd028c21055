// What every handler shares: joining shards, the artifacts' info, model.json in and out, and the
// check that the shards hold the bytes their manifest promises. As TF.js's io_utils.ts does it.
import type {
  ModelArtifacts,
  ModelArtifactsInfo,
  ModelJSON,
  WeightData,
  WeightsManifestConfig,
  WeightsManifestEntry,
} from './types.js';

/** Throws the Error of handler `op` (`io.http`, `io.indexeddb`…). */
export function fail(op: string, message: string): never {
  throw new Error(`${op}: ${message}`);
}

/** The weights as one buffer (shards concatenated in order). */
export function joinWeights(data: WeightData | undefined): ArrayBuffer {
  if (data == null) return new ArrayBuffer(0);
  if (!Array.isArray(data)) return data;
  if (data.length === 1) return data[0];
  const out = new Uint8Array(data.reduce((n, b) => n + b.byteLength, 0));
  let at = 0;
  for (const b of data) {
    out.set(new Uint8Array(b), at);
    at += b.byteLength;
  }
  return out.buffer;
}

/** Bytes of `value`'s JSON in UTF-8. */
function jsonBytes(value: unknown): number {
  return new TextEncoder().encode(JSON.stringify(value)).byteLength;
}

/** The info a store records for `artifacts`, dated now (TF.js's `getModelArtifactsInfoForJSON`). */
export function artifactsInfo(op: string, artifacts: ModelArtifacts): ModelArtifactsInfo {
  if (artifacts.modelTopology instanceof ArrayBuffer)
    fail(op, 'saving a binary model topology (a GraphDef) is not supported: only JSON topologies');
  const data = artifacts.weightData;
  return {
    dateSaved: new Date(),
    modelTopologyType: 'JSON',
    modelTopologyBytes: artifacts.modelTopology == null ? 0 : jsonBytes(artifacts.modelTopology),
    weightSpecsBytes: artifacts.weightSpecs == null ? 0 : jsonBytes(artifacts.weightSpecs),
    weightDataBytes: data == null ? 0 : (Array.isArray(data) ? data : [data]).reduce((n, b) => n + b.byteLength, 0),
  };
}

const OPTIONAL = [
  'signature',
  'userDefinedMetadata',
  'modelInitializer',
  'initializerSignature',
  'trainingConfig',
] as const;

/** The model.json of `artifacts` with the weights in `paths` (one group, as every TF.js saver writes). */
export function modelJSONFor(artifacts: ModelArtifacts, paths: string[]): ModelJSON {
  const json: ModelJSON = {
    modelTopology: artifacts.modelTopology as object,
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    weightsManifest: [{ paths, weights: artifacts.weightSpecs ?? [] }],
  };
  for (const key of OPTIONAL) if (artifacts[key] != null) Object.assign(json, { [key]: artifacts[key] });
  return json;
}

/** Parses model.json text from `where`, checking it is a model.json. */
export function parseModelJSON(op: string, text: string, where: string): ModelJSON {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return fail(op, `${where} is not JSON: ${(e as Error).message}`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json))
    fail(op, `${where} is not a model.json: its JSON is not an object`);
  const model = json as Partial<ModelJSON>;
  if (model.modelTopology == null && model.weightsManifest == null)
    fail(op, `${where} is not a model.json: it has neither modelTopology nor weightsManifest`);
  if (model.weightsManifest != null) checkManifest(op, model.weightsManifest, where);
  return model as ModelJSON;
}

function checkManifest(op: string, manifest: unknown, where: string): void {
  if (!Array.isArray(manifest)) fail(op, `${where}: weightsManifest must be an array of groups`);
  manifest.forEach((group: unknown, i) => {
    const g = group as Partial<{ paths: unknown; weights: unknown }>;
    if (g === null || typeof g !== 'object' || !Array.isArray(g.paths) || !Array.isArray(g.weights))
      fail(op, `${where}: weightsManifest[${i}] must be {paths: string[], weights: [...]}`);
    if (!g.paths.every((p) => typeof p === 'string')) fail(op, `${where}: weightsManifest[${i}].paths must be strings`);
  });
}

/** The artifacts of `json` with its weights (TF.js's `getModelArtifactsForJSONSync`). */
export function artifactsFromJSON(json: ModelJSON, weightData?: ArrayBuffer[]): ModelArtifacts {
  const artifacts: ModelArtifacts = {
    modelTopology: json.modelTopology,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy,
  };
  for (const key of OPTIONAL) if (json[key] != null) Object.assign(artifacts, { [key]: json[key] });
  if (json.weightsManifest != null && weightData != null) {
    artifacts.weightSpecs = json.weightsManifest.flatMap((g) => g.weights);
    artifacts.weightData = weightData.length === 1 ? weightData[0] : weightData;
  }
  return artifacts;
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8, uint8: 1, uint16: 2, float16: 2 };

/** Bytes `spec` takes in a shard, or undefined for strings (their length is in the data). */
function specBytes(spec: WeightsManifestEntry): number | undefined {
  // The manifest is untrusted: an entry this cannot size is left to the loader, which names what is wrong.
  if (spec === null || typeof spec !== 'object' || !Array.isArray(spec.shape)) return undefined;
  if (!spec.shape.every((d) => Number.isInteger(d) && d >= 0)) return undefined;
  const dtype = (spec.quantization as { dtype?: unknown } | null | undefined)?.dtype ?? spec.dtype;
  if (typeof dtype !== 'string' || !Object.hasOwn(BYTES, dtype)) return undefined;
  return spec.shape.reduce((n, d) => n * d, 1) * BYTES[dtype];
}

/**
 * Checks that each group's shards (`buffers`, in manifest order, named by `paths`) hold at least the
 * bytes of the group's weights: an Error names the group's paths, their sizes and the size needed.
 */
export function checkShardSizes(op: string, manifest: WeightsManifestConfig, buffers: ArrayBuffer[], where: string) {
  let at = 0;
  for (const [i, group] of manifest.entries()) {
    if (!Array.isArray(group.paths)) return;
    const shards = buffers.slice(at, at + group.paths.length);
    at += group.paths.length;
    if (!Array.isArray(group.weights)) continue;
    const sizes = group.weights.map(specBytes);
    if (sizes.some((s) => s === undefined)) continue;
    const need = (sizes as number[]).reduce((n, s) => n + s, 0);
    const have = shards.reduce((n, b) => n + b.byteLength, 0);
    if (have < need) {
      const files = group.paths.map((p, j) => `${p} (${shards[j]?.byteLength ?? 0} bytes)`).join(', ');
      const names = group.weights.map((w) => `${w.name} ${w.dtype} [${w.shape.join(', ')}]`).join(', ');
      fail(
        op,
        `${where}: weight group ${i} is ${have} bytes in ${files}, but its weights need ${need} bytes: ${names}`,
      );
    }
  }
}

/** The last part of a `/`-separated path (TF.js's `basename`). */
export function basename(path: string): string {
  const parts = path.trim().replace(/\/+$/, '').split('/');
  return parts[parts.length - 1];
}

/** Base64 of `buffer` (localStorage holds strings). */
export function toBase64(buffer: ArrayBuffer): string {
  const bytes = new Uint8Array(buffer);
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** The bytes of base64 `text`. */
export function fromBase64(text: string): ArrayBuffer {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out.buffer;
}

/** A copy of `artifacts` with its weights in one buffer, as the browser stores keep them. */
export function withJoinedWeights(artifacts: ModelArtifacts): ModelArtifacts {
  const copy = { ...artifacts };
  if (artifacts.weightData != null) copy.weightData = joinWeights(artifacts.weightData);
  return copy;
}
