//! Activation layers with their own configs (Keras's advanced activations): `ReLU`, `LeakyReLU`,
//! `PReLU` (a learnt slope), `ELU`, `Softmax` and `ThresholdedReLU`.

use std::rc::Rc;

use super::config::{initializer, InitializerKey};
use super::param;
use crate::backend::Device;
use crate::error::{Error, Result};
use crate::nn::{Act, Fans, Init, Module};
use crate::tensor::Tensor;

/// Keras's `ReLU`: `min(x, max_value)` where `x > threshold`, else `negative_slope * (x - threshold)`
/// (Keras's formula; TensorFlow.js's `ReLU` layer has only `maxValue`). `ThresholdedReLU(theta)` is
/// this layer with `threshold = theta`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Relu {
    pub max_value: Option<f32>,
    pub negative_slope: f32,
    pub threshold: f32,
}

impl Relu {
    /// A layer with Keras's checks: every parameter non-negative (and finite, as configs are).
    pub fn new(max_value: Option<f32>, negative_slope: f32, threshold: f32) -> Result<Relu> {
        let bad = [("maxValue", max_value.unwrap_or(0.0)), ("negativeSlope", negative_slope), ("threshold", threshold)]
            .into_iter()
            .find(|(_, v)| !(v.is_finite() && *v >= 0.0));
        if let Some((key, v)) = bad {
            return Err(Error::Invalid { op: "relu", msg: format!("{key} must be a non-negative number, got {v}") });
        }
        Ok(Relu { max_value, negative_slope, threshold })
    }
}

impl Module for Relu {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let max = self.max_value.map(f64::from);
        if self.negative_slope == 0.0 && self.threshold == 0.0 {
            return match max {
                None => x.relu(),
                Some(m) => x.clamp(Some(0.0), Some(m)),
            };
        }
        let t = self.threshold as f64;
        let above = x.gt(&x.scalar_like(t)?)?;
        let below = x.add_scalar(-t)?.mul_scalar(self.negative_slope as f64)?;
        Tensor::where_cond(&above, &x.clamp(None, max)?, &below)
    }

    fn kind(&self) -> &'static str {
        "ReLU"
    }
}

/// Keras's `PReLU`: `x` where `x > 0`, else `alpha * x`, with a learnt `alpha` of the sample shape
/// (size 1 along each shared axis).
pub struct PRelu {
    alpha: Tensor,
}

impl PRelu {
    /// A layer over samples of `shape`; `shared_axes` (1-based sample axes, as Keras counts them)
    /// share one slope; `alpha` starts from `init` (Keras: zeros).
    pub fn new(shape: &[usize], shared_axes: &[i64], init: Init, device: &Device) -> Result<PRelu> {
        let mut alpha_shape = shape.to_vec();
        for &axis in shared_axes {
            match usize::try_from(axis).ok().filter(|a| (1..=shape.len()).contains(a)) {
                Some(a) => alpha_shape[a - 1] = 1,
                None => {
                    let msg = format!("sharedAxes must be sample axes 1..={} of a sample of shape {shape:?}, got {axis}", shape.len());
                    return Err(Error::Invalid { op: "prelu", msg });
                }
            }
        }
        let alpha = param(init.tensor(&alpha_shape, Fans::keras(&alpha_shape), device)?);
        Ok(PRelu { alpha })
    }
}

impl Module for PRelu {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let fits = x.rank() == self.alpha.rank() + 1 && x.shape()[1..].iter().zip(self.alpha.shape()).all(|(&d, &a)| a == d || a == 1);
        if !fits {
            let why = "each sample must have the shape alpha was built for (size 1 on shared axes)";
            return Err(Error::ShapeMismatch { op: "prelu", lhs: x.shape().to_vec(), rhs: self.alpha.shape().to_vec(), why });
        }
        let positive = x.gt(&x.scalar_like(0.0)?)?;
        Tensor::where_cond(&positive, x, &x.mul(&self.alpha)?)
    }

    fn kind(&self) -> &'static str {
        "PReLU"
    }

    fn named_parameters(&self) -> Vec<(String, Tensor)> {
        vec![("alpha".to_string(), self.alpha.clone())]
    }
}

/// Softmax over one axis or jointly over several (`exp(x - logsumexp(x, axes))`).
pub struct Softmax {
    pub axes: Vec<isize>,
}

impl Module for Softmax {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        match self.axes[..] {
            [axis] => x.softmax(axis),
            _ => x.sub(&x.logsumexp(Some(&self.axes), true)?)?.exp(),
        }
    }

    fn kind(&self) -> &'static str {
        "Softmax"
    }
}

crate::layer_config! {
    /// A rectified linear unit with a cap, a slope below the threshold and a threshold (`ReLU`).
    pub struct ReluConfig {
        /// The largest output (none: no cap).
        max_value: Option<f32>,
        /// The slope below the threshold (Keras 3; TensorFlow.js's layer has no such option).
        negative_slope: f32 = 0.0,
        /// Inputs at or below it give `negativeSlope * (x - threshold)` (Keras 3).
        threshold: f32 = 0.0,
    }
}

crate::impl_layer_config!(ReluConfig, |c, _flavor, _device| Ok(Rc::new(Relu::new(c.max_value, c.negative_slope, c.threshold)?)));

crate::layer_config! {
    /// `x` above `theta`, else 0 (`ThresholdedReLU`).
    pub struct ThresholdedReluConfig {
        theta: f32 = 1.0,
    }
}

crate::impl_layer_config!(ThresholdedReluConfig, |c, _flavor, _device| Ok(Rc::new(Relu::new(None, 0.0, c.theta)?)));

crate::layer_config! {
    /// Leaky ReLU, `max(x, alpha * x)` (`LeakyReLU`).
    pub struct LeakyReluConfig {
        /// The slope below zero (the Keras flavour's default 0.3, PyTorch's 0.01).
        alpha: Option<f32>,
    }
}

crate::impl_layer_config!(LeakyReluConfig, |c, flavor, _device| {
    let act = Act::from_name("leakyRelu", flavor)?;
    Ok(Rc::new(c.alpha.map_or(act, Act::LeakyRelu)))
});

crate::layer_config! {
    /// The exponential linear unit, `alpha * (e^x - 1)` below zero (`ELU`; TensorFlow.js takes only
    /// alpha 1, Keras any).
    pub struct EluConfig {
        alpha: f32 = 1.0,
    }
}

crate::impl_layer_config!(EluConfig, |c, _flavor, _device| Ok(Rc::new(Act::Elu(c.alpha))));

crate::layer_config! {
    /// Softmax over an axis or several (`Softmax`).
    pub struct SoftmaxConfig {
        /// The axis or axes: Keras 3's default, the last. TensorFlow.js's default is 1, and its
        /// softmax takes only the last axis, so the two agree wherever TensorFlow.js runs (rank 2).
        axis: Vec<i64> = vec![-1],
    }
}

crate::impl_layer_config!(SoftmaxConfig, |c, _flavor, _device| {
    if c.axis.is_empty() {
        return Err(Error::Invalid { op: "softmax", msg: "axis must name at least one axis".into() });
    }
    Ok(Rc::new(Softmax { axes: c.axis.into_iter().map(|a| a as isize).collect() }))
});

crate::layer_config! {
    /// A parametric ReLU with a learnt slope per sample element (`PReLU`).
    pub struct PReluConfig {
        /// The sample shape (no batch axis).
        shape: Vec<usize>,
        /// 1-based sample axes along which one slope is shared.
        shared_axes: Option<Vec<i64>>,
        /// The slope's initialiser (zeros).
        alpha_initializer: Option<InitializerKey>,
    }
}

crate::impl_layer_config!(PReluConfig, |c, _flavor, device| {
    let init = initializer(c.alpha_initializer)?.unwrap_or(Init::Zeros);
    Ok(Rc::new(PRelu::new(&c.shape, &c.shared_axes.unwrap_or_default(), init, device)?))
});
