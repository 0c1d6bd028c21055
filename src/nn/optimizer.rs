//! Optimizers over a list of parameters: each `step` reads the parameters' gradients, clips them,
//! computes the updates on the device (fused kernels for SGD and Adam) and assigns the new values
//! in place, so every handle to a parameter sees them. Nothing is read back.

use std::cell::{Cell, RefCell};

use super::clip::GradClip;
use super::module::Flavor;
use super::names::{listed, lookup, one_of, shown_names, Named};
use super::schedule::LrSchedule;
use crate::error::{Error, Result};
use crate::grad_mode::no_grad;
use crate::ops::{AdamStep, SgdStep};
use crate::tensor::Tensor;

/// An update rule and its hyper-parameters (the learning rate lives in [`Optimizer`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum OptimizerKind {
    /// PyTorch's SGD; TensorFlow.js's `momentum` optimizer is the same with `dampening = 0`.
    Sgd { momentum: f32, dampening: f32, nesterov: bool, weight_decay: f32 },
    /// Adam, or AdamW when `decoupled`; `epsilon_hat` is Keras-Python's epsilon placement.
    Adam { beta1: f32, beta2: f32, eps: f32, weight_decay: f32, decoupled: bool, epsilon_hat: bool },
    /// RMSprop; TensorFlow.js adds epsilon inside the square root, PyTorch outside.
    RmsProp { rho: f32, eps: f32, momentum: f32, centered: bool, eps_inside_sqrt: bool, weight_decay: f32 },
    /// Adagrad; TensorFlow.js starts the accumulator at 0.1 and adds epsilon inside the square root.
    Adagrad { eps: f32, initial_accumulator: f32, eps_inside_sqrt: bool, weight_decay: f32 },
}

/// An optimizer with a flavour's defaults, and its default learning rate.
pub type MakeOptimizer = fn(Flavor) -> (OptimizerKind, f32);

fn adam(flavor: Flavor, weight_decay: f32, decoupled: bool) -> OptimizerKind {
    let eps = if flavor == Flavor::Keras { 1e-7 } else { 1e-8 };
    OptimizerKind::Adam { beta1: 0.9, beta2: 0.999, eps, weight_decay, decoupled, epsilon_hat: false }
}

/// Every optimizer name (matched case-insensitively): `OptimizerKind::defaults`, its message and
/// `wg.OPTIMIZERS` derive from it.
pub const OPTIMIZER_NAMES: &[Named<MakeOptimizer>] = &[
    listed("sgd", |f| {
        (
            OptimizerKind::Sgd { momentum: 0.0, dampening: 0.0, nesterov: false, weight_decay: 0.0 },
            if f == Flavor::Keras { 0.01 } else { 0.001 },
        )
    }),
    listed("momentum", |_| (OptimizerKind::Sgd { momentum: 0.9, dampening: 0.0, nesterov: false, weight_decay: 0.0 }, 0.01)),
    listed("adam", |f| (adam(f, 0.0, false), 0.001)),
    listed("adamw", |f| (adam(f, if f == Flavor::Keras { 0.004 } else { 0.01 }, true), 0.001)),
    listed("rmsprop", |f| {
        let keras = f == Flavor::Keras;
        let (rho, eps) = if keras { (0.9, 1e-7) } else { (0.99, 1e-8) };
        (
            OptimizerKind::RmsProp { rho, eps, momentum: 0.0, centered: false, eps_inside_sqrt: keras, weight_decay: 0.0 },
            if keras { 0.001 } else { 0.01 },
        )
    }),
    listed("adagrad", |f| {
        let keras = f == Flavor::Keras;
        let (eps, initial) = if keras { (1e-7, 0.1) } else { (1e-10, 0.0) };
        (OptimizerKind::Adagrad { eps, initial_accumulator: initial, eps_inside_sqrt: keras, weight_decay: 0.0 }, 0.01)
    }),
];

impl OptimizerKind {
    /// The optimizer called `name` with the flavour's defaults, and its default learning rate:
    /// TensorFlow.js's `'sgd'` (0.01), `'adam'` (0.001, epsilon 1e-7), `'rmsprop'` (0.001, decay 0.9,
    /// epsilon 1e-7), `'adagrad'` (0.01, accumulator 0.1); PyTorch's `SGD` (0.001), `Adam`
    /// (0.001, epsilon 1e-8), `AdamW` (weight decay 0.01), `RMSprop` (0.01, alpha 0.99), `Adagrad`
    /// (0.01, epsilon 1e-10).
    pub fn defaults(name: &str, flavor: Flavor) -> Result<(OptimizerKind, f32)> {
        match lookup(OPTIMIZER_NAMES, &name.to_ascii_lowercase()) {
            Some(make) => Ok(make(flavor)),
            None => {
                let msg = format!("unknown optimizer '{name}'; expected {}", one_of(shown_names(OPTIMIZER_NAMES)));
                Err(Error::Invalid { op: "optimizer", msg })
            }
        }
    }

    /// The class name errors use (PyTorch's spelling).
    pub fn name(&self) -> &'static str {
        match self {
            OptimizerKind::Sgd { .. } => "SGD",
            OptimizerKind::Adam { decoupled: false, .. } => "Adam",
            OptimizerKind::Adam { decoupled: true, .. } => "AdamW",
            OptimizerKind::RmsProp { .. } => "RMSprop",
            OptimizerKind::Adagrad { .. } => "Adagrad",
        }
    }

    /// Checks the hyper-parameters as PyTorch's constructors do, with their messages ("Invalid
    /// momentum value: -1"); a non-finite value is refused too.
    pub fn validate(&self) -> Result<()> {
        let op = self.name();
        let check = |ok: bool, what: &str, v: f32| {
            if ok && v.is_finite() {
                Ok(())
            } else {
                Err(Error::Invalid { op, msg: format!("Invalid {what}: {v}") })
            }
        };
        let unit = |v: f32| (0.0..1.0).contains(&v);
        match *self {
            OptimizerKind::Sgd { momentum, dampening, nesterov, weight_decay } => {
                check(momentum >= 0.0, "momentum value", momentum)?;
                check(dampening.is_finite(), "dampening value", dampening)?;
                check(weight_decay >= 0.0, "weight_decay value", weight_decay)?;
                if nesterov && (momentum <= 0.0 || dampening != 0.0) {
                    return Err(Error::Invalid { op, msg: "Nesterov momentum requires a momentum and zero dampening".into() });
                }
            }
            OptimizerKind::Adam { beta1, beta2, eps, weight_decay, .. } => {
                check(eps >= 0.0, "epsilon value", eps)?;
                check(unit(beta1), "beta parameter at index 0", beta1)?;
                check(unit(beta2), "beta parameter at index 1", beta2)?;
                check(weight_decay >= 0.0, "weight_decay value", weight_decay)?;
            }
            OptimizerKind::RmsProp { rho, eps, momentum, weight_decay, .. } => {
                check(eps >= 0.0, "epsilon value", eps)?;
                check(momentum >= 0.0, "momentum value", momentum)?;
                check(weight_decay >= 0.0, "weight_decay value", weight_decay)?;
                check(rho >= 0.0, "alpha value", rho)?;
            }
            OptimizerKind::Adagrad { eps, initial_accumulator, weight_decay, .. } => {
                check(eps >= 0.0, "epsilon value", eps)?;
                check(weight_decay >= 0.0, "weight_decay value", weight_decay)?;
                check(initial_accumulator >= 0.0, "initial_accumulator_value value", initial_accumulator)?;
            }
        }
        Ok(())
    }

    /// How many state tensors each parameter keeps.
    fn state_count(&self) -> usize {
        match self {
            OptimizerKind::Sgd { .. } | OptimizerKind::Adagrad { .. } => 1,
            OptimizerKind::Adam { .. } => 2,
            OptimizerKind::RmsProp { .. } => 3,
        }
    }
}

/// PyTorch's check of a learning rate ("Invalid learning rate: -1"), refusing non-finite rates too.
fn check_lr(op: &'static str, lr: f32) -> Result<()> {
    if lr.is_finite() && lr >= 0.0 {
        return Ok(());
    }
    Err(Error::Invalid { op, msg: format!("Invalid learning rate: {lr}") })
}

/// An optimizer bound to its parameters.
pub struct Optimizer {
    kind: OptimizerKind,
    params: Vec<Tensor>,
    lr: Cell<f32>,
    schedule: LrSchedule,
    clip: GradClip,
    /// Per parameter, its state tensors once the first step has made them.
    state: RefCell<Vec<Option<Vec<Tensor>>>>,
    steps: Cell<u32>,
}

impl Optimizer {
    /// An optimizer of `kind` at rate `lr`; the hyper-parameters are checked ([`OptimizerKind::validate`]).
    pub fn new(kind: OptimizerKind, lr: f32, params: Vec<Tensor>) -> Result<Optimizer> {
        kind.validate()?;
        check_lr(kind.name(), lr)?;
        let state = RefCell::new(vec![None; params.len()]);
        Ok(Optimizer {
            kind,
            params,
            lr: Cell::new(lr),
            schedule: LrSchedule::Constant,
            clip: GradClip::default(),
            state,
            steps: Cell::new(0),
        })
    }

    /// Adds a schedule evaluated at every step (Keras's `LearningRateSchedule`); it is checked
    /// ([`LrSchedule::validate`]).
    pub fn with_schedule(mut self, schedule: LrSchedule) -> Result<Optimizer> {
        schedule.validate()?;
        self.schedule = schedule;
        Ok(self)
    }

    /// Adds gradient clipping before every step; each bound must be finite and non-negative.
    pub fn with_clip(mut self, clip: GradClip) -> Result<Optimizer> {
        clip.validate(self.kind.name())?;
        self.clip = clip;
        Ok(self)
    }

    pub fn params(&self) -> &[Tensor] {
        &self.params
    }

    pub fn kind(&self) -> OptimizerKind {
        self.kind
    }

    /// The (base) learning rate.
    pub fn lr(&self) -> f32 {
        self.lr.get()
    }

    /// Sets the learning rate (what PyTorch's schedulers do between epochs); with a schedule, it is
    /// the schedule's base rate.
    pub fn set_lr(&self, lr: f32) -> Result<()> {
        check_lr(self.kind.name(), lr)?;
        self.lr.set(lr);
        Ok(())
    }

    /// Steps taken so far.
    pub fn steps(&self) -> u32 {
        self.steps.get()
    }

    /// Clears every parameter's gradient.
    pub fn zero_grad(&self) {
        self.params.iter().for_each(Tensor::zero_grad);
    }

    /// Updates every parameter that has a gradient.
    pub fn step(&self) -> Result<()> {
        no_grad(|| self.step_inner())
    }

    fn step_inner(&self) -> Result<()> {
        let with_grads: Vec<(usize, Tensor)> = self.params.iter().enumerate().filter_map(|(i, p)| p.grad().map(|g| (i, g))).collect();
        let grads: Vec<Tensor> = with_grads.iter().map(|(_, g)| g.clone()).collect();
        let grads = if self.clip.is_off() { grads } else { self.clip.apply(&grads)? };
        let t = self.steps.get() + 1;
        let lr = self.schedule.lr_at(self.lr.get(), t - 1);
        let mut state = self.state.borrow_mut();
        for ((i, _), grad) in with_grads.iter().zip(&grads) {
            let param = &self.params[*i];
            let slot = &mut state[*i];
            let new = self.update(param, grad, slot.as_deref(), lr, t)?;
            param.assign(&new.0)?;
            *slot = Some(new.1);
        }
        self.steps.set(t);
        Ok(())
    }

    /// The new parameter value and state of one parameter.
    fn update(&self, p: &Tensor, g: &Tensor, state: Option<&[Tensor]>, lr: f32, t: u32) -> Result<(Tensor, Vec<Tensor>)> {
        let fresh = |value: f32| -> Result<Vec<Tensor>> { (0..self.kind.state_count()).map(|_| p.full_like(value as f64)).collect() };
        match self.kind {
            OptimizerKind::Sgd { momentum, dampening, nesterov, weight_decay } => {
                let step = SgdStep { lr, momentum, dampening, weight_decay, nesterov };
                let (param, buffer) = p.sgd_update(g, state.and_then(|s| s.first()), &step)?;
                Ok((param, buffer.into_iter().collect()))
            }
            OptimizerKind::Adam { beta1, beta2, eps, weight_decay, decoupled, epsilon_hat } => {
                let s = match state {
                    Some(s) => s.to_vec(),
                    None => fresh(0.0)?,
                };
                let step = AdamStep { lr, beta1, beta2, eps, weight_decay, decoupled, epsilon_hat, step: t };
                let (param, m, v) = p.adam_update(g, &s[0], &s[1], &step)?;
                Ok((param, vec![m, v]))
            }
            OptimizerKind::RmsProp { rho, eps, momentum, centered, eps_inside_sqrt, weight_decay } => {
                let s = match state {
                    Some(s) => s.to_vec(),
                    None => fresh(0.0)?,
                };
                let g = if weight_decay != 0.0 { g.add(&p.mul_scalar(weight_decay as f64)?)? } else { g.clone() };
                let blend = |old: &Tensor, new: &Tensor| old.mul_scalar(rho as f64)?.add(&new.mul_scalar(1.0 - rho as f64)?);
                let v = blend(&s[0], &g.square()?)?;
                let mean_g = if centered { blend(&s[1], &g)? } else { s[1].clone() };
                let spread = if centered { v.sub(&mean_g.square()?)? } else { v.clone() };
                let denom = if eps_inside_sqrt { spread.add_scalar(eps as f64)?.sqrt()? } else { spread.sqrt()?.add_scalar(eps as f64)? };
                let direction = g.div(&denom)?;
                let (direction, buffer) = if momentum != 0.0 {
                    let buffer = s[2].mul_scalar(momentum as f64)?.add(&direction)?;
                    (buffer.clone(), buffer)
                } else {
                    (direction, s[2].clone())
                };
                Ok((p.sub(&direction.mul_scalar(lr as f64)?)?, vec![v, mean_g, buffer]))
            }
            OptimizerKind::Adagrad { eps, initial_accumulator, eps_inside_sqrt, weight_decay } => {
                let s = match state {
                    Some(s) => s.to_vec(),
                    None => fresh(initial_accumulator)?,
                };
                let g = if weight_decay != 0.0 { g.add(&p.mul_scalar(weight_decay as f64)?)? } else { g.clone() };
                let acc = s[0].add(&g.square()?)?;
                let denom = if eps_inside_sqrt { acc.add_scalar(eps as f64)?.sqrt()? } else { acc.sqrt()?.add_scalar(eps as f64)? };
                Ok((p.sub(&g.div(&denom)?.mul_scalar(lr as f64)?)?, vec![acc]))
            }
        }
    }
}

#[cfg(test)]
mod name_tests {
    use super::*;

    /// The message derived from the table is the one the core always gave; names match in any case.
    #[test]
    fn unknown_optimizer_message() {
        assert_eq!(
            OptimizerKind::defaults("lion", Flavor::Keras).unwrap_err().to_string(),
            "optimizer: unknown optimizer 'lion'; expected sgd, momentum, adam, adamw, rmsprop or adagrad"
        );
        let (kind, lr) = OptimizerKind::defaults("RMSprop", Flavor::Torch).unwrap();
        assert_eq!(lr, 0.01);
        assert_eq!(
            kind,
            OptimizerKind::RmsProp { rho: 0.99, eps: 1e-8, momentum: 0.0, centered: false, eps_inside_sqrt: false, weight_decay: 0.0 }
        );
    }
}
