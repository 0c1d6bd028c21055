/**
 * webgrad: deep learning in the browser on WebGPU (or the CPU), with a Rust core compiled to
 * WebAssembly.
 *
 * @example
 * ```ts
 * import * as wg from 'webgrad';
 * await wg.init();
 * const x = wg.tensor([[1, 2, 3]]);
 * const w = wg.tensor([[1], [2], [3]], undefined, { requiresGrad: true });
 * const loss = x.matmul(w).sum();
 * loss.backward();
 * console.log(wg.backend(), await loss.data(), await w.grad!.data());
 * ```
 */
export { init, backend } from './runtime.js';
export type { BackendKind, InitOptions } from './runtime.js';
export { hasRelaxedSimd, wasmFile } from './wasm-source.js';
export type { WasmFile, WasmOption, WasmSource } from './wasm-source.js';
export { version } from './version.js';
export { ACTIVATIONS, INITIALIZERS, LOSSES, METRICS, OPTIMIZERS, PADDINGS } from './names.js';
export type { ActivationName, InitializerName, LossName, MetricName, OptimizerName, PaddingName } from './names.js';
export type { FusedActivationName } from './generated/ops.js';
export { Tensor, tensor, where, concat, stack } from './tensor.js';
export type {
  AdamUpdateOptions,
  Axes,
  BackwardOptions,
  Pair,
  Conv1dOptions,
  Conv2dOptions,
  ConvTranspose2dOptions,
  DType,
  NestedArray,
  PaddingSpec,
  Pool2dOptions,
  TensorLike,
  TensorOptions,
} from './tensor.js';
export {
  full,
  zeros,
  ones,
  fullLike,
  zerosLike,
  onesLike,
  arange,
  linspace,
  eye,
  uniform,
  rand,
  normal,
  randn,
  randint,
  randperm,
  manualSeed,
} from './creation.js';
export { noGrad } from './autograd.js';
export { tidy, keep, memory, setMemoryLimits, trimMemory } from './memory.js';
export type { MemoryInfo, MemoryLimits } from './memory.js';
/** @internal Test only: makes the module trap, as a bug in the core would. */
export { __trap } from './boundary.js';

// Keras-like front door.
export {
  sequential,
  Sequential,
  model,
  LayersModel,
  loadLayersModel,
  input,
  SymbolicTensor,
  layers,
  train,
  History,
  LayerSpec,
  WeightedLayer,
} from './keras/index.js';
export type {
  Applicable,
  LoadLayersModelOptions,
  ModelData,
  ModelLayer,
  ModelCompileArgs,
  ModelFitArgs,
  OptimizerSpec,
  OptimizerExtras,
  Callback,
  CustomCallbackArgs,
  EarlyStoppingArgs,
  Logs,
  Stoppable,
} from './keras/index.js';
import { earlyStopping } from './keras/index.js';
/** fit callbacks (TensorFlow.js's `tf.callbacks`). */
export const callbacks = { earlyStopping };

// PyTorch-like front door.
export * as nn from './nn/index.js';
export * as optim from './optim.js';

// Storage handlers shared by both front doors (TensorFlow.js's `tf.io`).
export * as io from './io/index.js';

// Hugging Face's safetensors format, both ways (PyTorch state dicts).
export * as safetensors from './safetensors.js';
