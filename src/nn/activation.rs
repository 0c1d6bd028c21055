//! Activation functions by name, as layers and as the fused epilogue of dense layers.

use super::module::{Flavor, Module};
use crate::backend::Activation;
use crate::error::{Error, Result};
use crate::tensor::Tensor;

/// An activation function.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Act {
    Linear,
    Relu,
    /// `max(x, alpha * x)`.
    LeakyRelu(f32),
    Elu(f32),
    /// The exact (erf) form.
    Gelu,
    /// The tanh approximation.
    GeluTanh,
    /// `x * sigmoid(x)` (Keras's `swish`).
    Silu,
    Sigmoid,
    Tanh,
    Softplus,
    /// Softmax over an axis.
    Softmax(isize),
    LogSoftmax(isize),
}

impl Act {
    /// The activation called `name` in Keras (`'relu'`, `'swish'`, `'leakyRelu'`, …) or PyTorch
    /// (`'silu'`, `'leaky_relu'`, …); leaky ReLU takes the flavour's default slope (Keras 0.3,
    /// PyTorch 0.01).
    pub fn from_name(name: &str, flavor: Flavor) -> Result<Act> {
        let leaky = if flavor == Flavor::Keras { 0.3 } else { 0.01 };
        Ok(match name {
            "linear" | "identity" | "none" => Act::Linear,
            "relu" => Act::Relu,
            "leakyRelu" | "leaky_relu" | "leakyReLU" => Act::LeakyRelu(leaky),
            "elu" => Act::Elu(1.0),
            "gelu" => Act::Gelu,
            "gelu_new" | "geluTanh" => Act::GeluTanh,
            "swish" | "silu" => Act::Silu,
            "sigmoid" => Act::Sigmoid,
            "tanh" => Act::Tanh,
            "softplus" => Act::Softplus,
            "softmax" => Act::Softmax(-1),
            "logSoftmax" | "log_softmax" => Act::LogSoftmax(-1),
            _ => {
                let msg = format!(
                    "unknown activation '{name}'; expected one of linear, relu, leakyRelu, elu, gelu, geluTanh, swish/silu, sigmoid, tanh, softplus, softmax, logSoftmax"
                );
                return Err(Error::Invalid { op: "activation", msg });
            }
        })
    }

    /// The same activation fused into a matmul epilogue, when a kernel has it.
    pub(crate) fn fused(self) -> Option<Activation> {
        match self {
            Act::Linear => Some(Activation::Identity),
            Act::Relu => Some(Activation::Relu),
            Act::Sigmoid => Some(Activation::Sigmoid),
            Act::Tanh => Some(Activation::Tanh),
            _ => None,
        }
    }

    /// The activation of `x`.
    pub fn apply(self, x: &Tensor) -> Result<Tensor> {
        match self {
            Act::Linear => Ok(x.clone()),
            Act::Relu => x.relu(),
            Act::LeakyRelu(alpha) => x.leaky_relu(alpha as f64),
            Act::Elu(alpha) => x.elu(alpha as f64),
            Act::Gelu => x.gelu(),
            Act::GeluTanh => x.gelu_tanh(),
            Act::Silu => x.silu(),
            Act::Sigmoid => x.sigmoid(),
            Act::Tanh => x.tanh(),
            Act::Softplus => x.softplus(),
            Act::Softmax(axis) => x.softmax(axis),
            Act::LogSoftmax(axis) => x.log_softmax(axis),
        }
    }
}

impl Module for Act {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        self.apply(x)
    }

    fn kind(&self) -> &'static str {
        "Activation"
    }
}

/// PyTorch's `softplus(x, beta, threshold)`: `log1p(exp(beta x)) / beta`, and `x` itself where
/// `beta x > threshold` (where the two agree to float precision). `beta` must be non-zero and finite.
pub fn softplus(x: &Tensor, beta: f32, threshold: f32) -> Result<Tensor> {
    if !(beta.is_finite() && beta != 0.0) || threshold.is_nan() {
        return Err(Error::Invalid {
            op: "softplus",
            msg: format!("beta must be a finite non-zero number and threshold a number, got beta {beta}, threshold {threshold}"),
        });
    }
    if beta == 1.0 && threshold >= 20.0 {
        // The core's softplus is the stable form: past 20 it is x in f32 already.
        return x.softplus();
    }
    let bx = x.mul_scalar(beta as f64)?;
    let smooth = bx.softplus()?.mul_scalar(1.0 / beta as f64)?;
    Tensor::where_cond(&bx.gt(&bx.scalar_like(threshold as f64)?)?, x, &smooth)
}
