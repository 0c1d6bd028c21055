//! The fully connected layer: Keras's `Dense` and PyTorch's `nn.Linear`.

use std::rc::Rc;

use super::config::{activation, initializer, ActivationKey, InitializerKey};
use super::{param, weight_and_bias};
use crate::backend::Device;
use crate::error::{Error, Result};
use crate::nn::{Act, Fans, Flavor, Init, Module};
use crate::tensor::Tensor;

/// `act(x @ W + b)` over the last axis of `x`. Keras stores `kernel` as `[in, out]`; PyTorch stores
/// `weight` as `[out, in]` and multiplies by its transpose. Both run as one fused kernel on WebGPU.
pub struct Dense {
    weight: Tensor,
    bias: Option<Tensor>,
    act: Act,
    flavor: Flavor,
}

impl Dense {
    /// A layer from `inputs` to `units` features with the flavour's default initialisers
    /// (Keras: glorot-uniform kernel, zero bias; PyTorch: kaiming-uniform(√5) weight and
    /// `U(±1/√in)` bias).
    pub fn new(inputs: usize, units: usize, bias: bool, act: Act, flavor: Flavor, device: &Device) -> Result<Dense> {
        let (w, b) = Init::layer_defaults(flavor);
        Dense::with_init(inputs, units, bias, act, flavor, w, b, device)
    }

    /// A layer with explicit initialisers.
    #[allow(clippy::too_many_arguments)]
    pub fn with_init(
        inputs: usize,
        units: usize,
        bias: bool,
        act: Act,
        flavor: Flavor,
        weight_init: Init,
        bias_init: Init,
        device: &Device,
    ) -> Result<Dense> {
        if inputs == 0 || units == 0 {
            return Err(Error::Invalid { op: "dense", msg: format!("needs positive input and output sizes, got {inputs} -> {units}") });
        }
        let fans = Fans { fan_in: inputs, fan_out: units };
        let shape = if flavor == Flavor::Keras { [inputs, units] } else { [units, inputs] };
        let weight = param(weight_init.tensor(&shape, fans, device)?);
        let bias = if bias { Some(param(bias_init.tensor(&[units], fans, device)?)) } else { None };
        Ok(Dense { weight, bias, act, flavor })
    }

    /// The weight as `[in, out]`, a view for PyTorch's layout.
    fn kernel(&self) -> Result<Tensor> {
        match self.flavor {
            Flavor::Keras => Ok(self.weight.clone()),
            Flavor::Torch => self.weight.t(),
        }
    }
}

impl Module for Dense {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let kernel = self.kernel()?;
        match (&self.bias, self.act.fused()) {
            (Some(b), Some(act)) => x.linear(&kernel, b, act),
            (bias, _) => {
                let y = x.matmul(&kernel)?;
                let y = match bias {
                    Some(b) => y.add(b)?,
                    None => y,
                };
                self.act.apply(&y)
            }
        }
    }

    fn kind(&self) -> &'static str {
        "Dense"
    }

    fn named_parameters(&self) -> Vec<(String, Tensor)> {
        weight_and_bias(self.flavor, &self.weight, self.bias.as_ref())
    }
}

crate::layer_config! {
    /// A fully connected layer (`Dense`, `nn.Linear`).
    pub struct DenseConfig {
        inputs: usize,
        units: usize,
        bias: bool = true,
        activation: Option<ActivationKey>,
        /// The slope of leaky ReLU or the scale of ELU.
        alpha: Option<f32>,
        kernel_initializer: Option<InitializerKey>,
        bias_initializer: Option<InitializerKey>,
    }
}

crate::impl_layer_config!(DenseConfig, |c, flavor, device| {
    let act = activation(c.activation, c.alpha, flavor)?;
    let (w, b) = Init::layer_defaults(flavor);
    let (w, b) = (initializer(c.kernel_initializer)?.unwrap_or(w), initializer(c.bias_initializer)?.unwrap_or(b));
    Ok(Rc::new(Dense::with_init(c.inputs, c.units, c.bias, act, flavor, w, b, device)?))
});
