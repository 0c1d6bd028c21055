// The model artifacts and handler types, shaped as TensorFlow.js 4.22's `tf.io` types
// (tfjs-core/src/io/types.ts) so artifacts pass between the two unchanged. webgrad's own
// declarations: the package does not depend on TensorFlow.js.

/** The dtype of one weight in a manifest. */
export type WeightDType = 'float32' | 'int32' | 'bool' | 'string' | 'complex64';

/** One weight in a weights manifest: its name, shape and dtype, and its quantization if any. */
export interface WeightsManifestEntry {
  name: string;
  shape: number[];
  dtype: WeightDType;
  /** `'model'` or `'optimizer'` (optimizer weights follow the model's). */
  group?: 'model' | 'optimizer';
  quantization?: { scale?: number; min?: number; dtype: 'uint16' | 'uint8' | 'float16' };
}

/** A group of weights stored in the shard files `paths`, concatenated in that order. */
export interface WeightsManifestGroupConfig {
  paths: string[];
  weights: WeightsManifestEntry[];
}

/** The `weightsManifest` of a model.json. */
export type WeightsManifestConfig = WeightsManifestGroupConfig[];

/** Keras's training configuration, as TF.js writes it in model.json. */
export interface TrainingConfig {
  optimizer_config: object;
  loss: string | string[] | { [key: string]: string };
  metrics?: string[] | { [key: string]: string };
  weighted_metrics?: string[];
  sample_weight_mode?: string;
  loss_weights?: number[] | { [key: string]: number };
}

/** The weights' bytes: one buffer, or several (shards) read as their concatenation. */
export type WeightData = ArrayBuffer | ArrayBuffer[];

/** A model in memory: what a save handler receives and a load handler returns. */
export interface ModelArtifacts {
  /** The Keras model JSON (`{class_name, config, keras_version, backend}`), or a binary graph. */
  modelTopology?: object | ArrayBuffer;
  trainingConfig?: TrainingConfig;
  /** The weights, in the order of `weightData`. */
  weightSpecs?: WeightsManifestEntry[];
  weightData?: WeightData;
  /** `'layers-model'` for Keras models. */
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  signature?: object;
  userDefinedMetadata?: { [key: string]: object };
  modelInitializer?: object;
  initializerSignature?: object;
}

/** The model.json file: the artifacts with a weights manifest in place of the weights. */
export interface ModelJSON {
  modelTopology: object;
  trainingConfig?: TrainingConfig;
  weightsManifest: WeightsManifestConfig;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  signature?: object;
  userDefinedMetadata?: { [key: string]: object };
  modelInitializer?: object;
  initializerSignature?: object;
}

/** What a store records about a saved model (`listModels`, a save's result). */
export interface ModelArtifactsInfo {
  dateSaved: Date;
  modelTopologyType: 'JSON' | 'GraphDef';
  /** Bytes of the topology's JSON, UTF-8. */
  modelTopologyBytes?: number;
  /** Bytes of the weight specs' JSON, UTF-8. */
  weightSpecsBytes?: number;
  weightDataBytes?: number;
}

/** What a save resolves to. */
export interface SaveResult {
  modelArtifactsInfo: ModelArtifactsInfo;
  /** The HTTP responses of an `http(s)://` save. */
  responses?: Response[];
  errors?: Array<object | string>;
}

/** Saves artifacts somewhere. */
export type SaveHandler = (artifacts: ModelArtifacts) => Promise<SaveResult>;
/** Loads artifacts from somewhere. */
export type LoadHandler = () => Promise<ModelArtifacts>;

/** A storage handler: it can save, load, or both. */
export interface IOHandler {
  save?: SaveHandler;
  load?: LoadHandler;
}

/** Called with the fraction (0 to 1) of a load done. */
export type OnProgressCallback = (fraction: number) => void;

/** Options of `handlerFor` (those of TF.js's `tf.io.http` that apply to a layers model). */
export interface LoadOptions {
  /** Passed to every fetch (headers, credentials); it must have no `body`. */
  requestInit?: RequestInit;
  /** Called after model.json and after each weight shard with the fraction of files read. */
  onProgress?: OnProgressCallback;
  /** Used in place of the global `fetch`. */
  fetchFunc?: typeof fetch;
  /** Where the shards are, in place of model.json's folder (ends with `/`). */
  weightPathPrefix?: string;
}
