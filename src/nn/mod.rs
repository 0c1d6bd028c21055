//! The model layer, written on tensor ops so it runs on every backend: modules (layers), their
//! initialisers, losses, optimizers with schedules and clipping, metrics, and a [`Trainer`] that
//! runs a whole training step (forward, loss, backward, update) as one call.
//!
//! Each constructor takes a [`Flavor`]: the same layer follows Keras's (TensorFlow.js's) or
//! PyTorch's defaults — initialisers, epsilons, momentum conventions, weight layouts and names.

mod activation;
mod clip;
mod init;
pub mod layers;
mod loss;
mod metrics;
mod module;
pub mod names;
mod optimizer;
mod schedule;
mod trainer;

pub use activation::{softplus, Act, ActivationConfig, MakeAct, ACTIVATION_NAMES};
pub use clip::{clip_grad_norm, clip_grad_value, GradClip};
pub use init::{set_load_init, Fans, Init, LoadInit, INITIALIZER_NAMES};
pub use loss::{Loss, Reduction, LOSS_NAMES};
pub use metrics::{Metric, METRIC_NAMES};
pub use module::{Flavor, Module, Training};
pub use optimizer::{MakeOptimizer, Optimizer, OptimizerKind, OPTIMIZER_NAMES};
pub use schedule::LrSchedule;
pub use trainer::{Head, Trainer};
