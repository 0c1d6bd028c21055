// The Keras-like API: `sequential`, `layers.*`, `train.*`, `callbacks.*`.
export { Sequential, sequential } from './sequential.js';
export { LayersModel, model } from './model.js';
export type { ModelCompileArgs, ModelFitArgs, ModelData, ModelLayer } from './model.js';
export { SymbolicTensor, input } from './topology.js';
export { loadLayersModel } from './format/load.js';
export type { LoadLayersModelOptions } from './format/load.js';
export type { Applicable } from './topology.js';
export { WeightedLayer } from './weights.js';
export * as layers from './layers.js';
export { LayerSpec } from './layers.js';
export { train } from './optimizers.js';
export type { OptimizerSpec, OptimizerExtras } from './optimizers.js';
export { History, earlyStopping } from './callbacks.js';
export type { Callback, CustomCallbackArgs, EarlyStoppingArgs, Logs, Stoppable } from './callbacks.js';
