// The PyTorch-like `nn` namespace.
export { Module, Parameter } from './module.js';
export {
  Linear,
  Conv2d,
  Conv1d,
  MaxPool2d,
  AvgPool2d,
  Dropout,
  BatchNorm1d,
  BatchNorm2d,
  LayerNorm,
  Embedding,
  ZeroPad2d,
} from './native.js';
export type { Conv2dOptions } from './native.js';
export {
  Sequential,
  Flatten,
  Identity,
  ReLU,
  Sigmoid,
  Tanh,
  SiLU,
  Softplus,
  GELU,
  LeakyReLU,
  ELU,
  Softmax,
  LogSoftmax,
} from './containers.js';
export { CrossEntropyLoss, NLLLoss, MSELoss, L1Loss, BCELoss, BCEWithLogitsLoss, HuberLoss } from './losses.js';
export * as functional from './functional.js';
export * as utils from './utils.js';
