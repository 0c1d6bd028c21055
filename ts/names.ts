// The names the core accepts where an option takes a name, one table per kind: each string-literal
// type is derived from its table (so editors complete the names and typos fail to compile), and a
// test checks that the core accepts every name in every table.

/** Activation names of the Keras-like layers (TensorFlow.js's, plus `geluTanh`, `silu` and `logSoftmax`). */
export const ACTIVATIONS = [
  'linear',
  'relu',
  'leakyRelu',
  'elu',
  'gelu',
  'geluTanh',
  'swish',
  'silu',
  'sigmoid',
  'tanh',
  'softplus',
  'softmax',
  'logSoftmax',
] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];

/** Loss names `compile` accepts: TensorFlow.js's, `huber`, and Keras's `mse`/`mae`. */
export const LOSSES = [
  'meanSquaredError',
  'meanAbsoluteError',
  'huber',
  'binaryCrossentropy',
  'categoricalCrossentropy',
  'sparseCategoricalCrossentropy',
  'mse',
  'mae',
] as const;
export type LossName = (typeof LOSSES)[number];

/** Optimizer names `compile` accepts, each with TensorFlow.js's defaults (`adamw`: Keras 3's). */
export const OPTIMIZERS = ['sgd', 'momentum', 'adam', 'adamw', 'rmsprop', 'adagrad'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

/** Metric names `compile` accepts (`accuracy` picks the kind that fits the loss, as Keras does). */
export const METRICS = [
  'accuracy',
  'acc',
  'binaryAccuracy',
  'categoricalAccuracy',
  'sparseCategoricalAccuracy',
  'meanSquaredError',
  'mse',
  'meanAbsoluteError',
  'mae',
] as const;
export type MetricName = (typeof METRICS)[number];

/** Weight initializer names, spelled as TensorFlow.js spells them (`leCunNormal`). */
export const INITIALIZERS = [
  'zeros',
  'ones',
  'glorotUniform',
  'glorotNormal',
  'heUniform',
  'heNormal',
  'leCunUniform',
  'leCunNormal',
  'randomUniform',
  'randomNormal',
  'truncatedNormal',
] as const;
export type InitializerName = (typeof INITIALIZERS)[number];

/** Padding modes of the Keras-like convolution and pooling layers. */
export const PADDINGS = ['valid', 'same'] as const;
export type PaddingName = (typeof PADDINGS)[number];
