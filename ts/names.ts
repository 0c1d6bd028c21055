// The names the core accepts where an option takes a name, one table per kind: each string-literal
// type is derived from its table (so editors complete the names and typos fail to compile), and a
// test checks that the core accepts every name in every table. The lists the core's own name tables
// give are generated (ts/generated/names.ts) and re-exported here.

export { ACTIVATIONS, INITIALIZERS, PADDINGS } from './generated/names.js';
export type { ActivationName, InitializerName, PaddingName } from './generated/names.js';

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
