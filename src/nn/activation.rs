//! Activation functions by name, as layers and as the fused epilogue of dense layers.

use super::module::{Flavor, Module};
use super::names::{alias, listed, lookup, Named, Shown};
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
    /// `min(max(x, 0), 6)`.
    Relu6,
    /// `clip(0.2 x + 0.5, 0, 1)`, TensorFlow.js's form (Keras 3 uses `x / 6 + 0.5`).
    HardSigmoid,
    /// `x * tanh(softplus(x))`.
    Mish,
    /// `x / (|x| + 1)`.
    Softsign,
    /// `scale * elu(x, alpha)` with the self-normalising constants (Klambauer et al., 2017).
    Selu,
}

/// SELU's `alpha` and `scale` (TensorFlow.js's `SELU_SCALEALPHA / SELU_SCALE` and `SELU_SCALE`).
const SELU_ALPHA: f64 = 1.673_263_242_354_377_3;
const SELU_SCALE: f64 = 1.050_700_987_355_480_5;

/// An activation under a flavour's defaults (leaky ReLU's slope: Keras 0.3, PyTorch 0.01).
pub type MakeAct = fn(Flavor) -> Act;

fn leaky(flavor: Flavor) -> Act {
    Act::LeakyRelu(if flavor == Flavor::Keras { 0.3 } else { 0.01 })
}

/// Every activation name the core accepts (the one table: `Act::from_name`, its error message and
/// `ts/generated/names.ts`'s `ACTIVATIONS` are derived from it), listed names in the order shown.
pub const ACTIVATION_NAMES: &[Named<MakeAct>] = &[
    listed("linear", |_| Act::Linear),
    alias("identity", |_| Act::Linear),
    alias("none", |_| Act::Linear),
    listed("relu", |_| Act::Relu),
    listed("leakyRelu", leaky),
    alias("leaky_relu", leaky),
    alias("leakyReLU", leaky),
    listed("elu", |_| Act::Elu(1.0)),
    listed("gelu", |_| Act::Gelu),
    listed("geluTanh", |_| Act::GeluTanh),
    alias("gelu_new", |_| Act::GeluTanh),
    listed("swish", |_| Act::Silu),
    listed("silu", |_| Act::Silu),
    listed("sigmoid", |_| Act::Sigmoid),
    listed("tanh", |_| Act::Tanh),
    listed("softplus", |_| Act::Softplus),
    listed("softmax", |_| Act::Softmax(-1)),
    listed("logSoftmax", |_| Act::LogSoftmax(-1)),
    alias("log_softmax", |_| Act::LogSoftmax(-1)),
    listed("relu6", |_| Act::Relu6),
    listed("hardSigmoid", |_| Act::HardSigmoid),
    // TensorFlow.js writes its activations' names in snake_case into model.json.
    alias("hard_sigmoid", |_| Act::HardSigmoid),
    listed("mish", |_| Act::Mish),
    listed("softsign", |_| Act::Softsign),
    listed("selu", |_| Act::Selu),
];

/// The shown names, those of one activation joined by `/` (`swish/silu`).
fn expected_names() -> String {
    let mut groups: Vec<(Act, String)> = Vec::new();
    for entry in ACTIVATION_NAMES.iter().filter(|e| matches!(e.shown, Shown::Listed | Shown::Core)) {
        let act = (entry.value)(Flavor::Keras);
        match groups.last_mut() {
            Some((last, names)) if *last == act => *names += &format!("/{}", entry.name),
            _ => groups.push((act, entry.name.to_string())),
        }
    }
    groups.into_iter().map(|(_, names)| names).collect::<Vec<_>>().join(", ")
}

impl Act {
    /// The activation called `name` in Keras (`'relu'`, `'swish'`, `'leakyRelu'`, …) or PyTorch
    /// (`'silu'`, `'leaky_relu'`, …) (see [`ACTIVATION_NAMES`]); leaky ReLU takes the flavour's
    /// default slope (Keras 0.3, PyTorch 0.01).
    pub fn from_name(name: &str, flavor: Flavor) -> Result<Act> {
        match lookup(ACTIVATION_NAMES, name) {
            Some(make) => Ok(make(flavor)),
            None => {
                let msg = format!("unknown activation '{name}'; expected one of {}", expected_names());
                Err(Error::Invalid { op: "activation", msg })
            }
        }
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
            Act::Relu6 => x.clamp(Some(0.0), Some(6.0)),
            Act::HardSigmoid => x.mul_scalar(0.2)?.add_scalar(0.5)?.clamp(Some(0.0), Some(1.0)),
            Act::Mish => x.mul(&x.softplus()?.tanh()?),
            Act::Softsign => x.div(&x.abs()?.add_scalar(1.0)?),
            Act::Selu => x.elu(SELU_ALPHA)?.mul_scalar(SELU_SCALE),
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

crate::layer_config! {
    /// An activation as its own layer (`Activation`).
    pub struct ActivationConfig {
        activation: Option<crate::nn::layers::config::ActivationKey>,
        /// The slope of leaky ReLU or the scale of ELU.
        alpha: Option<f32>,
    }
}

crate::impl_layer_config!(ActivationConfig, |c, flavor, _device| {
    Ok(std::rc::Rc::new(crate::nn::layers::config::activation(c.activation, c.alpha, flavor)?))
});

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

#[cfg(test)]
mod tests {
    use super::*;

    /// The message derived from the table is the one the core always gave (tests in TS assert it).
    #[test]
    fn unknown_activation_message() {
        let err = Act::from_name("relux", Flavor::Keras).unwrap_err().to_string();
        assert_eq!(
            err,
            "activation: unknown activation 'relux'; expected one of linear, relu, leakyRelu, elu, gelu, geluTanh, swish/silu, sigmoid, tanh, softplus, softmax, logSoftmax, relu6, hardSigmoid, mish, softsign, selu"
        );
        assert_eq!(Act::from_name("leaky_relu", Flavor::Torch).unwrap(), Act::LeakyRelu(0.01));
        assert_eq!(Act::from_name("leakyRelu", Flavor::Keras).unwrap(), Act::LeakyRelu(0.3));
    }
}
