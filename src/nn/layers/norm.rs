//! Normalisation layers: batch normalisation with running statistics, and layer normalisation.

use std::cell::Cell;
use std::rc::Rc;

use super::{named, param, scale_and_shift};
use crate::backend::Device;
use crate::error::{Error, Result};
use crate::grad_mode::no_grad;
use crate::nn::{Fans, Flavor, Init, Module, Training};
use crate::tensor::Tensor;

fn constant(value: f32, shape: &[usize], device: &Device) -> Result<Tensor> {
    Init::Constant(value).tensor(shape, Fans { fan_in: 1, fan_out: 1 }, device)
}

/// Batch normalisation over every axis but the channel axis (Keras `BatchNormalization`: the last
/// axis, momentum 0.99 kept, epsilon 1e-3; PyTorch `BatchNorm1d/2d`: axis 1, momentum 0.1 taken,
/// epsilon 1e-5, running variance unbiased, and `num_batches_tracked` counted). Training normalises
/// with the batch's statistics and updates the running ones; evaluation uses the running ones.
pub struct BatchNorm {
    /// The learned scale, absent with Keras's `scale: false`.
    gamma: Option<Tensor>,
    /// The learned shift, absent with Keras's `center: false`.
    beta: Option<Tensor>,
    channels: usize,
    running_mean: Tensor,
    running_var: Tensor,
    /// PyTorch's `num_batches_tracked` (an int32 scalar; int64 in PyTorch): training batches seen.
    batches: Option<Tensor>,
    /// The share of the old running statistic kept at each update.
    keep: f32,
    eps: f32,
    /// The channel axis (may be negative).
    axis: isize,
    /// Whether the running variance takes Bessel's correction (PyTorch) or not (Keras).
    unbiased_running_var: bool,
    flavor: Flavor,
    training: Training,
    /// Frozen in the Keras flavour: runs in inference mode even while training, as Keras does.
    frozen: Cell<bool>,
}

impl BatchNorm {
    /// A layer over `channels` with the flavour's defaults; `momentum` and `eps` override them in
    /// the flavour's own convention (Keras: share kept; PyTorch: share taken).
    pub fn new(channels: usize, momentum: Option<f32>, eps: Option<f32>, flavor: Flavor, device: &Device) -> Result<BatchNorm> {
        BatchNorm::with_affine(channels, momentum, eps, true, true, flavor, device)
    }

    /// The same with or without the learned shift (`center`) and scale (`scale`), as Keras's
    /// `BatchNormalization` (its weights are then fewer: no `beta`, no `gamma`).
    pub fn with_affine(
        channels: usize,
        momentum: Option<f32>,
        eps: Option<f32>,
        center: bool,
        scale: bool,
        flavor: Flavor,
        device: &Device,
    ) -> Result<BatchNorm> {
        if channels == 0 {
            return Err(Error::Invalid { op: "batchNorm", msg: "needs at least one channel".into() });
        }
        let (keep, eps, axis, unbiased) = match flavor {
            Flavor::Keras => (momentum.unwrap_or(0.99), eps.unwrap_or(1e-3), -1, false),
            Flavor::Torch => (1.0 - momentum.unwrap_or(0.1), eps.unwrap_or(1e-5), 1, true),
        };
        Ok(BatchNorm {
            gamma: if scale { Some(param(constant(1.0, &[channels], device)?)) } else { None },
            beta: if center { Some(param(constant(0.0, &[channels], device)?)) } else { None },
            channels,
            running_mean: constant(0.0, &[channels], device)?,
            running_var: constant(1.0, &[channels], device)?,
            batches: match flavor {
                Flavor::Torch => Some(Tensor::zeros(&[], crate::DType::I32, device)?),
                Flavor::Keras => None,
            },
            keep,
            eps,
            axis,
            unbiased_running_var: unbiased,
            flavor,
            training: Training::default(),
            frozen: Cell::new(false),
        })
    }

    /// The channel axis for `x`, the axes reduced over, and the broadcast shape of a per-channel
    /// vector.
    fn axes(&self, x: &Tensor) -> Result<(Vec<isize>, Vec<usize>)> {
        let a = x.axis("batchNorm", self.axis)?;
        let channels = self.channels;
        if x.rank() < 2 || x.shape()[a] != channels {
            let why = "the input's channel axis must match the layer's channels";
            return Err(Error::ShapeMismatch { op: "batchNorm", lhs: x.shape().to_vec(), rhs: vec![channels], why });
        }
        let reduce = (0..x.rank() as isize).filter(|&i| i != a as isize).collect();
        let mut shape = vec![1; x.rank()];
        shape[a] = channels;
        Ok((reduce, shape))
    }

    /// Moves the running statistics towards the batch's.
    fn update_running(&self, mean: &Tensor, var: &Tensor, count: usize) -> Result<()> {
        no_grad(|| {
            let blend = |old: &Tensor, new: &Tensor| -> Result<Tensor> {
                old.mul_scalar(self.keep as f64)?.add(&new.detach().reshape(old.shape())?.mul_scalar(1.0 - self.keep as f64)?)
            };
            let var = if self.unbiased_running_var && count > 1 { var.mul_scalar(count as f64 / (count - 1) as f64)? } else { var.clone() };
            self.running_mean.assign(&blend(&self.running_mean, mean)?)?;
            self.running_var.assign(&blend(&self.running_var, &var)?)?;
            match &self.batches {
                Some(batches) => batches.assign(&batches.add_scalar(1.0)?),
                None => Ok(()),
            }
        })
    }
}

impl Module for BatchNorm {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let (reduce, shape) = self.axes(x)?;
        let (mean, var) = if self.training.get() && !self.frozen.get() {
            let mean = x.mean(Some(&reduce), true)?;
            let var = x.var(Some(&reduce), 0.0, true)?;
            let count = x.numel() / self.channels.max(1);
            self.update_running(&mean, &var, count)?;
            (mean, var)
        } else {
            (self.running_mean.reshape(&shape)?, self.running_var.reshape(&shape)?)
        };
        let mut scale = var.add_scalar(self.eps as f64)?.rsqrt()?;
        if let Some(gamma) = &self.gamma {
            scale = scale.mul(&gamma.reshape(&shape)?)?;
        }
        let y = x.sub(&mean)?.mul(&scale)?;
        match &self.beta {
            Some(beta) => y.add(&beta.reshape(&shape)?),
            None => Ok(y),
        }
    }

    fn kind(&self) -> &'static str {
        "BatchNorm"
    }

    fn named_parameters(&self) -> Vec<(String, Tensor)> {
        scale_and_shift(self.flavor, self.gamma.as_ref(), self.beta.as_ref())
    }

    fn named_buffers(&self) -> Vec<(String, Tensor)> {
        match self.flavor {
            Flavor::Keras => named(&[("moving_mean", Some(&self.running_mean)), ("moving_variance", Some(&self.running_var))]),
            Flavor::Torch => named(&[
                ("running_mean", Some(&self.running_mean)),
                ("running_var", Some(&self.running_var)),
                ("num_batches_tracked", self.batches.as_ref()),
            ]),
        }
    }

    fn set_training(&self, training: bool) {
        self.training.set(training)
    }

    fn set_trainable(&self, trainable: bool) {
        self.parameters().iter().for_each(|p| p.set_requires_grad(trainable));
        // PyTorch's `requires_grad_(False)` leaves the running statistics to `eval()`.
        self.frozen.set(!trainable && self.flavor == Flavor::Keras);
    }
}

/// Layer normalisation over the trailing axes `shape` with a learned scale and shift (Keras
/// `LayerNormalization`: epsilon 1e-3; PyTorch `nn.LayerNorm`: epsilon 1e-5).
pub struct LayerNorm {
    gamma: Tensor,
    beta: Tensor,
    eps: f32,
    flavor: Flavor,
}

impl LayerNorm {
    pub fn new(shape: &[usize], eps: Option<f32>, flavor: Flavor, device: &Device) -> Result<LayerNorm> {
        if shape.is_empty() || shape.contains(&0) {
            return Err(Error::Invalid { op: "layerNorm", msg: format!("needs a non-empty normalised shape, got {shape:?}") });
        }
        let eps = eps.unwrap_or(if flavor == Flavor::Keras { 1e-3 } else { 1e-5 });
        Ok(LayerNorm { gamma: param(constant(1.0, shape, device)?), beta: param(constant(0.0, shape, device)?), eps, flavor })
    }
}

impl Module for LayerNorm {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let k = self.gamma.rank();
        if x.rank() < k || x.shape()[x.rank() - k..] != *self.gamma.shape() {
            let why = "the input's trailing axes must equal the normalised shape";
            return Err(Error::ShapeMismatch { op: "layerNorm", lhs: x.shape().to_vec(), rhs: self.gamma.shape().to_vec(), why });
        }
        let axes: Vec<isize> = (1..=k as isize).map(|i| -i).collect();
        let mean = x.mean(Some(&axes), true)?;
        let var = x.var(Some(&axes), 0.0, true)?;
        x.sub(&mean)?.mul(&var.add_scalar(self.eps as f64)?.rsqrt()?)?.mul(&self.gamma)?.add(&self.beta)
    }

    fn kind(&self) -> &'static str {
        "LayerNorm"
    }

    fn named_parameters(&self) -> Vec<(String, Tensor)> {
        scale_and_shift(self.flavor, Some(&self.gamma), Some(&self.beta))
    }
}

crate::layer_config! {
    /// Batch normalisation over the channel axis (`BatchNormalization`, `nn.BatchNorm1d`/`2d`).
    pub struct BatchNormConfig {
        channels: usize,
        /// The flavour's convention and default (Keras 0.99 kept, PyTorch 0.1 taken).
        momentum: Option<f32>,
        eps: Option<f32>,
        /// Learns a shift (`beta`); Keras's `center`.
        center: bool = true,
        /// Learns a scale (`gamma`); Keras's `scale`.
        scale: bool = true,
    }
}

crate::impl_layer_config!(BatchNormConfig, |c, flavor, device| {
    Ok(Rc::new(BatchNorm::with_affine(c.channels, c.momentum, c.eps, c.center, c.scale, flavor, device)?))
});

crate::layer_config! {
    /// Layer normalisation over the trailing `shape` (`LayerNormalization`, `nn.LayerNorm`).
    pub struct LayerNormConfig {
        shape: Vec<usize> = Vec::new(),
        eps: Option<f32>,
    }
}

crate::impl_layer_config!(LayerNormConfig, |c, flavor, device| Ok(Rc::new(LayerNorm::new(&c.shape, c.eps, flavor, device)?)));
