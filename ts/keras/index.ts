// The Keras-like API: `sequential`, `layers.*`, `train.*`, `callbacks.*`.
export { Sequential, sequential } from './model.js';
export type { ModelCompileArgs, ModelFitArgs } from './model.js';
export * as layers from './layers.js';
export { LayerSpec } from './layers.js';
export { train } from './optimizers.js';
export type { OptimizerSpec, OptimizerExtras } from './optimizers.js';
export { History, earlyStopping } from './callbacks.js';
export type { Callback, CustomCallbackArgs, EarlyStoppingArgs, Logs, Stoppable } from './callbacks.js';
