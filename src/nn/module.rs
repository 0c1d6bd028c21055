//! The [`Module`] trait every layer implements, and the train/eval switch they share.

use std::cell::Cell;

use crate::error::Result;
use crate::tensor::Tensor;

/// Whose defaults a layer, loss or optimizer follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// Keras as TensorFlow.js implements it: channels-last images, `[in, out]` kernels, glorot
    /// initialisers, names like `kernel` and `moving_mean`.
    Keras,
    /// PyTorch: channels-first images, `[out, in]` weights, kaiming initialisers, names like
    /// `weight` and `running_mean`.
    Torch,
}

/// A layer or a model: a function of one tensor with named trainable parameters and buffers.
/// Recurrent and attention layers fit the same trait (their state lives inside the module).
pub trait Module {
    /// The layer's output for a batch `x`.
    fn forward(&self, x: &Tensor) -> Result<Tensor>;

    /// What the layer is, for summaries and errors (`"Dense"`, `"Conv2d"`, …).
    fn kind(&self) -> &'static str;

    /// Trainable tensors and their names (`weight`, `bias`, …), in a stable order.
    fn named_parameters(&self) -> Vec<(String, Tensor)> {
        Vec::new()
    }

    /// Non-trainable state that is saved with the weights (running statistics).
    fn named_buffers(&self) -> Vec<(String, Tensor)> {
        Vec::new()
    }

    /// Switches between training (dropout active, batch statistics) and evaluation behaviour.
    fn set_training(&self, _training: bool) {}

    /// The trainable tensors.
    fn parameters(&self) -> Vec<Tensor> {
        self.named_parameters().into_iter().map(|(_, t)| t).collect()
    }
}

/// The train/eval flag of a layer whose behaviour depends on it (training by default, as in
/// PyTorch; Keras's `fit` and `predict` set it explicitly).
#[derive(Debug)]
pub struct Training(Cell<bool>);

impl Default for Training {
    fn default() -> Self {
        Training(Cell::new(true))
    }
}

impl Training {
    pub fn get(&self) -> bool {
        self.0.get()
    }

    pub fn set(&self, training: bool) {
        self.0.set(training)
    }
}
