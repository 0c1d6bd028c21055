// Artifacts already in memory: `fromMemory` loads them, `withSaveHandler` saves through a function,
// and model.json bytes load as TF.js's json-only `browserFiles` does (the topology, no weights).
import { artifactsFromJSON, artifactsInfo, fail, parseModelJSON } from './artifacts.js';
import type { IOHandler, ModelArtifacts, SaveResult } from './types.js';

/** A handler whose load resolves to `artifacts` (TF.js's `tf.io.fromMemory`). */
export function fromMemory(artifacts: ModelArtifacts): IOHandler {
  if (artifacts === null || typeof artifacts !== 'object') fail('io.fromMemory', 'expects a ModelArtifacts object');
  return { load: async () => artifacts };
}

/**
 * A handler whose save calls `save(artifacts)` (TF.js's `tf.io.withSaveHandler`); when `save`
 * resolves to nothing, the result is the artifacts' info.
 */
export function withSaveHandler(save: (artifacts: ModelArtifacts) => Promise<SaveResult | void>): IOHandler {
  if (typeof save !== 'function') fail('io.withSaveHandler', 'expects a function (artifacts) => Promise<SaveResult>');
  return {
    save: async (artifacts) =>
      (await save(artifacts)) ?? { modelArtifactsInfo: artifactsInfo('io.withSaveHandler', artifacts) },
  };
}

/** A handler loading the model.json held in `bytes`: its topology and metadata, no weights. */
export function fromJSONBytes(bytes: ArrayBuffer | Uint8Array): IOHandler {
  return {
    load: async () => {
      const text = new TextDecoder().decode(bytes);
      return artifactsFromJSON(parseModelJSON('io.bytes', text, 'the model.json bytes'));
    },
  };
}
