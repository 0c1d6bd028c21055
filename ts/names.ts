// The names the core accepts where an option takes a name, one table per kind in the Rust core
// (src/nn/names.rs and the tables it serves): each list and its string-literal type is generated
// (ts/generated/names.ts) and re-exported here, so editors complete the names and typos fail to
// compile; a test checks that the core accepts every name in every list.

export { ACTIVATIONS, INITIALIZERS, LOSSES, METRICS, OPTIMIZERS, PADDINGS } from './generated/names.js';
export type {
  ActivationName,
  InitializerName,
  LossName,
  MetricName,
  OptimizerName,
  PaddingName,
} from './generated/names.js';
