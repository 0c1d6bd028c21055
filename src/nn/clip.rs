//! Gradient clipping, applied to the gradients before an optimizer step (all on the device).

use crate::error::{Error, Result};
use crate::tensor::Tensor;

/// Which clipping to apply; each is off when `None`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct GradClip {
    /// Clamp each element to `[-value, value]` (Keras `clipvalue`, PyTorch `clip_grad_value_`).
    pub value: Option<f32>,
    /// Rescale each gradient whose L2 norm exceeds this (Keras `clipnorm`).
    pub norm: Option<f32>,
    /// Rescale all gradients together when their joint L2 norm exceeds this (Keras
    /// `global_clipnorm`, PyTorch `clip_grad_norm_`).
    pub global_norm: Option<f32>,
}

impl GradClip {
    /// Checks that each bound is a finite number >= 0 (errors name `op`, the optimizer).
    pub fn validate(&self, op: &'static str) -> Result<()> {
        for (name, v) in [("clipValue", self.value), ("clipNorm", self.norm), ("globalClipNorm", self.global_norm)] {
            if let Some(v) = v {
                check_bound(op, name, v)?;
            }
        }
        Ok(())
    }

    pub fn is_off(&self) -> bool {
        self.value.is_none() && self.norm.is_none() && self.global_norm.is_none()
    }

    /// The clipped gradients.
    pub fn apply(&self, grads: &[Tensor]) -> Result<Vec<Tensor>> {
        let mut grads = grads.to_vec();
        if let Some(v) = self.value {
            grads = grads.iter().map(|g| g.clamp(Some(-v as f64), Some(v as f64))).collect::<Result<_>>()?;
        }
        if let Some(max) = self.norm {
            grads = grads
                .iter()
                .map(|g| scale_to(std::slice::from_ref(g), g.square()?.sum()?, max).map(|mut v| v.remove(0)))
                .collect::<Result<_>>()?;
        }
        if let Some(max) = self.global_norm {
            if let Some(first) = grads.first() {
                let mut total = first.square()?.sum()?;
                for g in &grads[1..] {
                    total = total.add(&g.square()?.sum()?)?;
                }
                grads = scale_to(&grads, total, max)?;
            }
        }
        Ok(grads)
    }
}

/// PyTorch's `clip_grad_norm_`: rescales the gradients of `params` in place so their joint L2 norm
/// is at most `max_norm`, and returns the norm before clipping (a scalar on the device).
pub fn clip_grad_norm(params: &[Tensor], max_norm: f32) -> Result<Option<Tensor>> {
    check_bound("clipGradNorm_", "maxNorm", max_norm)?;
    crate::grad_mode::no_grad(|| {
        let (with, grads): (Vec<&Tensor>, Vec<Tensor>) = params.iter().filter_map(|p| p.grad().map(|g| (p, g))).unzip();
        let Some(first) = grads.first() else { return Ok(None) };
        let mut total = first.square()?.sum()?;
        for g in &grads[1..] {
            total = total.add(&g.square()?.sum()?)?;
        }
        for (p, g) in with.iter().zip(scale_to(&grads, total.clone(), max_norm)?) {
            p.set_grad(Some(g));
        }
        Ok(Some(total.sqrt()?))
    })
}

/// PyTorch's `clip_grad_value_`: clamps the gradients of `params` to `[-value, value]` in place.
pub fn clip_grad_value(params: &[Tensor], value: f32) -> Result<()> {
    check_bound("clipGradValue_", "clipValue", value)?;
    crate::grad_mode::no_grad(|| {
        for p in params {
            if let Some(g) = p.grad() {
                p.set_grad(Some(g.clamp(Some(-value as f64), Some(value as f64))?));
            }
        }
        Ok(())
    })
}

/// A clipping bound must be a finite number >= 0.
fn check_bound(op: &'static str, name: &str, v: f32) -> Result<()> {
    if v.is_finite() && v >= 0.0 {
        return Ok(());
    }
    Err(Error::Invalid { op, msg: format!("{name} must be a finite number >= 0, got {v}") })
}

/// `grads * min(1, max / (sqrt(squared_norm) + 1e-6))`, PyTorch's factor.
fn scale_to(grads: &[Tensor], squared_norm: Tensor, max: f32) -> Result<Vec<Tensor>> {
    let factor = squared_norm.sqrt()?.add_scalar(1e-6)?.reciprocal()?.mul_scalar(max as f64)?.clamp(None, Some(1.0))?;
    grads.iter().map(|g| g.mul(&factor)).collect()
}
