/**
 * Saving and loading models anywhere, as TensorFlow.js's `tf.io`: one handler scheme shared by
 * both front doors, over model artifacts of TF.js's shape (model.json + weight shards).
 *
 * @example
 * ```ts
 * const saved = await wg.io.handlerFor('indexeddb://my-model').save!(artifacts);
 * const again = await wg.io.handlerFor('indexeddb://my-model').load!();
 * console.log(await wg.io.listModels());
 * ```
 */
export { handlerFor } from './router.js';
export type { Destination } from './router.js';
export { fromMemory, withSaveHandler } from './memory.js';
export { http } from './http.js';
export { browserFiles } from './files.js';
export { browserDownloads } from './downloads.js';
export { browserIndexedDB } from './indexeddb.js';
export { browserLocalStorage } from './localstorage.js';
export { fileSystem } from './node-file.js';
export { listModels, removeModel, copyModel, moveModel } from './manage.js';
export type {
  IOHandler,
  LoadHandler,
  LoadOptions,
  ModelArtifacts,
  ModelArtifactsInfo,
  ModelJSON,
  OnProgressCallback,
  SaveHandler,
  SaveResult,
  TrainingConfig,
  WeightData,
  WeightDType,
  WeightsManifestConfig,
  WeightsManifestEntry,
  WeightsManifestGroupConfig,
} from './types.js';
