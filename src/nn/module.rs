//! The [`Module`] trait every layer implements, and the train/eval switch they share.

use std::cell::Cell;

use crate::error::{Error, Result};
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

    /// The outputs for several inputs: merge layers (`add`, `concatenate`) and graphs override it;
    /// any other layer takes exactly one input and gives one output.
    fn call(&self, inputs: &[Tensor]) -> Result<Vec<Tensor>> {
        match inputs {
            [x] => Ok(vec![self.forward(x)?]),
            _ => Err(Error::Invalid { op: self.kind(), msg: format!("takes one input, got {}", inputs.len()) }),
        }
    }

    /// TensorFlow.js's layout of the weight `name`, as the permutation of the stored tensor's axes
    /// that gives it (`None`: the same). Convolution kernels are stored `[out, in, ...window]`, and
    /// TensorFlow.js keeps them `[...window, in, out]`.
    fn keras_layout(&self, _name: &str) -> Option<&'static [usize]> {
        None
    }

    /// Freezes (`false`) or unfreezes the layer: frozen parameters get no gradient, so no update.
    /// Layers with state that training changes (batch normalisation's moving statistics) also stop
    /// changing it, as in Keras.
    fn set_trainable(&self, trainable: bool) {
        self.parameters().iter().for_each(|p| p.set_requires_grad(trainable));
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
