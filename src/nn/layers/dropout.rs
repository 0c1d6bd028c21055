//! Inverted dropout: zeroes each element with probability `rate` while training and scales the
//! rest by `1 / (1 - rate)`; the identity in evaluation.

use std::rc::Rc;

use crate::backend::Device;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::nn::{Module, Training};
use crate::tensor::Tensor;

pub struct Dropout {
    rate: f32,
    training: Training,
}

impl Dropout {
    pub fn new(rate: f32) -> Result<Dropout> {
        if !(0.0..1.0).contains(&rate) {
            return Err(Error::Invalid { op: "dropout", msg: format!("rate must be in [0, 1), got {rate}") });
        }
        Ok(Dropout { rate, training: Training::default() })
    }

    fn mask(&self, shape: &[usize], device: &Device) -> Result<Tensor> {
        let keep = Tensor::rand(shape, device)?.ge(&Tensor::scalar(self.rate, device)?)?;
        keep.cast(DType::F32)?.mul_scalar(1.0 / (1.0 - self.rate as f64))
    }
}

impl Module for Dropout {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        if !self.training.get() || self.rate == 0.0 {
            return Ok(x.clone());
        }
        x.mul(&self.mask(x.shape(), x.device())?)
    }

    fn kind(&self) -> &'static str {
        "Dropout"
    }

    fn set_training(&self, training: bool) {
        self.training.set(training)
    }
}

crate::layer_config! {
    /// Inverted dropout (`Dropout`, `nn.Dropout`).
    pub struct DropoutConfig {
        /// The probability of dropping, in [0, 1).
        rate: f32 = 0.5,
    }
}

crate::impl_layer_config!(DropoutConfig, |c, _flavor, _device| Ok(Rc::new(Dropout::new(c.rate)?)));
