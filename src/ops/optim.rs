//! Optimizer steps as fused updates: the new parameter and its new state come from one primitive
//! call (one dispatch on WebGPU), computed without recording a graph and without reading anything back.

use crate::backend::{UpdateHyper, UpdateOp};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::tensor::Tensor;

/// Adam's hyper-parameters for one step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdamStep {
    pub lr: f32,
    pub beta1: f32,
    pub beta2: f32,
    pub eps: f32,
    pub weight_decay: f32,
    /// AdamW's decoupled weight decay.
    pub decoupled: bool,
    /// Keras's form: epsilon added to `sqrt(v)` before bias correction.
    pub epsilon_hat: bool,
    /// The step number, from 1.
    pub step: u32,
}

/// SGD's hyper-parameters for one step (PyTorch's semantics).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SgdStep {
    pub lr: f32,
    pub momentum: f32,
    pub dampening: f32,
    pub weight_decay: f32,
    pub nesterov: bool,
}

impl Tensor {
    /// The new parameter and state tensors of one update (one pass, one dispatch on WebGPU).
    fn update(&self, op: UpdateOp, hyper: &UpdateHyper, grad: &Tensor, s1: &Tensor, s2: &Tensor) -> Result<Vec<Tensor>> {
        let views = [self, grad, s1, s2].map(|t| t.contiguous());
        let [p, g, a, b] = views;
        let (p, g, a, b) = (p?, g?, a?, b?);
        let storages = self.device().update(
            op,
            hyper,
            (&p.storage(), p.layout()),
            (&g.storage(), g.layout()),
            (&a.storage(), a.layout()),
            (&b.storage(), b.layout()),
        )?;
        Ok(storages.into_iter().map(|s| self.untracked(s, self.shape())).collect())
    }

    fn check_update(&self, op: &'static str, others: &[&Tensor]) -> Result<()> {
        for t in std::iter::once(self).chain(others.iter().copied()) {
            self.check_device(op, t)?;
            if t.dtype() != DType::F32 {
                return Err(Error::DType {
                    op,
                    dtype: t.dtype(),
                    shape: t.shape().to_vec(),
                    expected: "parameters, gradients and state must be float32",
                });
            }
            if t.shape() != self.shape() {
                let why = "gradient and state must have the parameter's shape";
                return Err(Error::ShapeMismatch { op, lhs: self.shape().to_vec(), rhs: t.shape().to_vec(), why });
            }
        }
        Ok(())
    }

    /// One Adam (or AdamW) step of this parameter: returns the new `(param, m, v)`.
    pub fn adam_update(&self, grad: &Tensor, m: &Tensor, v: &Tensor, s: &AdamStep) -> Result<(Tensor, Tensor, Tensor)> {
        self.check_update("adam", &[grad, m, v])?;
        if s.step == 0 {
            return Err(Error::Invalid { op: "adam", msg: "steps count from 1".into() });
        }
        let hyper = UpdateHyper {
            lr: s.lr,
            beta1: s.beta1,
            beta2: s.beta2,
            eps: s.eps,
            weight_decay: s.weight_decay,
            correction1: 1.0 - s.beta1.powi(s.step as i32),
            correction2: 1.0 - s.beta2.powi(s.step as i32),
            decoupled: s.decoupled,
            epsilon_hat: s.epsilon_hat,
            nesterov: false,
        };
        let mut outs = self.update(UpdateOp::Adam, &hyper, grad, m, v)?.into_iter();
        match (outs.next(), outs.next(), outs.next()) {
            (Some(p), Some(m), Some(v)) => Ok((p, m, v)),
            _ => Err(Error::Invalid { op: "adam", msg: "internal: the update returned too few tensors".into() }),
        }
    }

    /// One SGD step of this parameter with momentum buffer `buffer` (`None` on the first step):
    /// returns the new parameter and, with momentum, the new buffer.
    pub fn sgd_update(&self, grad: &Tensor, buffer: Option<&Tensor>, s: &SgdStep) -> Result<(Tensor, Option<Tensor>)> {
        let state = buffer.unwrap_or(self);
        self.check_update("sgd", &[grad, state])?;
        let hyper = UpdateHyper {
            lr: s.lr,
            beta1: s.momentum,
            beta2: s.dampening,
            eps: 0.0,
            weight_decay: s.weight_decay,
            correction1: if buffer.is_none() { 1.0 } else { 0.0 },
            correction2: 1.0,
            decoupled: false,
            epsilon_hat: false,
            nesterov: s.nesterov,
        };
        let op = if s.momentum != 0.0 { UpdateOp::SgdMomentum } else { UpdateOp::Sgd };
        let mut outs = self.update(op, &hyper, grad, state, state)?.into_iter();
        let param = outs.next().ok_or_else(|| Error::Invalid { op: "sgd", msg: "internal: the update returned no tensor".into() })?;
        Ok((param, outs.next()))
    }
}
