//! A compiled model: module, loss, optimizer and metrics, trained one batch per call.

use std::rc::Rc;

use super::{Flavor, Loss, Metric, Module, Optimizer, Reduction};
use crate::error::{Error, Result};
use crate::grad_mode::no_grad;
use crate::tensor::Tensor;

/// What one model output is trained on: its loss, the loss's weight in the total, its metrics.
pub struct Head {
    pub loss: Loss,
    pub weight: f32,
    pub metrics: Vec<Metric>,
}

pub struct Trainer {
    model: Rc<dyn Module>,
    heads: Vec<Head>,
    flavor: Flavor,
    optimizer: Rc<Optimizer>,
}

impl Trainer {
    /// A model of one output.
    pub fn new(model: Rc<dyn Module>, loss: Loss, flavor: Flavor, optimizer: Rc<Optimizer>, metrics: Vec<Metric>) -> Trainer {
        Trainer { model, heads: vec![Head { loss, weight: 1.0, metrics }], flavor, optimizer }
    }

    /// A model of several outputs, one head each, in the model's output order.
    pub fn with_heads(model: Rc<dyn Module>, heads: Vec<Head>, flavor: Flavor, optimizer: Rc<Optimizer>) -> Result<Trainer> {
        if heads.is_empty() {
            return Err(Error::Invalid { op: "compile", msg: "needs a loss for each output, got none".into() });
        }
        Ok(Trainer { model, heads, flavor, optimizer })
    }

    pub fn optimizer(&self) -> &Optimizer {
        &self.optimizer
    }

    pub fn heads(&self) -> &[Head] {
        &self.heads
    }

    /// The metrics of the first output.
    pub fn metrics(&self) -> &[Metric] {
        &self.heads[0].metrics
    }

    /// One training step on a batch: forward in training mode, mean loss, backward, clipped
    /// update. Returns `[loss, metric...]` as one 1-D tensor, still on the device.
    pub fn train_step(&self, x: &Tensor, y: &Tensor) -> Result<Tensor> {
        self.train_step_many(std::slice::from_ref(x), std::slice::from_ref(y))
    }

    /// [`Trainer::train_step`] for a model of several inputs and outputs: the loss is the weighted
    /// sum of each output's. Returns `[loss, (each output's loss, when several)..., each output's
    /// metrics...]`, TensorFlow.js's order.
    pub fn train_step_many(&self, xs: &[Tensor], ys: &[Tensor]) -> Result<Tensor> {
        check_batch(xs, ys)?;
        self.model.set_training(true);
        self.optimizer.zero_grad();
        let preds = self.predictions(xs, ys)?;
        let losses = self.losses(&preds, ys)?;
        let total = total(&self.heads, &losses)?;
        total.backward()?;
        self.optimizer.step()?;
        self.optimizer.zero_grad();
        self.report(&total, &losses, &preds, ys)
    }

    /// [`Trainer::train_step`] on rows `order[start..end]` of `x` and `y`: the batch is gathered
    /// on the device, so shuffled epochs need no host copies.
    pub fn train_rows(&self, x: &Tensor, y: &Tensor, order: &Tensor, start: usize, end: usize) -> Result<Tensor> {
        self.train_rows_many(std::slice::from_ref(x), std::slice::from_ref(y), order, start, end)
    }

    /// [`Trainer::train_step_many`] on rows `order[start..end]` of every input and target.
    pub fn train_rows_many(&self, xs: &[Tensor], ys: &[Tensor], order: &Tensor, start: usize, end: usize) -> Result<Tensor> {
        let (xb, yb) = rows(xs, ys, order, start, end)?;
        self.train_step_many(&xb, &yb)
    }

    /// `[loss, metric...]` of a batch in evaluation mode, without gradients.
    pub fn evaluate(&self, x: &Tensor, y: &Tensor) -> Result<Tensor> {
        self.evaluate_many(std::slice::from_ref(x), std::slice::from_ref(y))
    }

    /// [`Trainer::evaluate`] for several inputs and outputs, in [`Trainer::train_step_many`]'s order.
    pub fn evaluate_many(&self, xs: &[Tensor], ys: &[Tensor]) -> Result<Tensor> {
        check_batch(xs, ys)?;
        self.model.set_training(false);
        no_grad(|| {
            let preds = self.predictions(xs, ys)?;
            let losses = self.losses(&preds, ys)?;
            self.report(&total(&self.heads, &losses)?, &losses, &preds, ys)
        })
    }

    /// [`Trainer::evaluate`] on rows `order[start..end]`.
    pub fn evaluate_rows(&self, x: &Tensor, y: &Tensor, order: &Tensor, start: usize, end: usize) -> Result<Tensor> {
        self.evaluate_rows_many(std::slice::from_ref(x), std::slice::from_ref(y), order, start, end)
    }

    /// [`Trainer::evaluate_many`] on rows `order[start..end]`.
    pub fn evaluate_rows_many(&self, xs: &[Tensor], ys: &[Tensor], order: &Tensor, start: usize, end: usize) -> Result<Tensor> {
        let (xb, yb) = rows(xs, ys, order, start, end)?;
        self.evaluate_many(&xb, &yb)
    }

    /// The model's outputs, one per head and per target.
    fn predictions(&self, xs: &[Tensor], ys: &[Tensor]) -> Result<Vec<Tensor>> {
        let preds = self.model.call(xs)?;
        if preds.len() != self.heads.len() || ys.len() != self.heads.len() {
            let msg =
                format!("the model has {} outputs, {} losses and {} targets; they must agree", preds.len(), self.heads.len(), ys.len());
            return Err(Error::Invalid { op: "fit", msg });
        }
        Ok(preds)
    }

    fn losses(&self, preds: &[Tensor], ys: &[Tensor]) -> Result<Vec<Tensor>> {
        self.heads.iter().zip(preds.iter().zip(ys)).map(|(h, (p, y))| h.loss.compute(p, y, self.flavor, Reduction::Mean)).collect()
    }

    fn report(&self, total: &Tensor, losses: &[Tensor], preds: &[Tensor], ys: &[Tensor]) -> Result<Tensor> {
        no_grad(|| {
            let mut values = vec![total.detach().reshape(&[1])?];
            if self.heads.len() > 1 {
                for l in losses {
                    values.push(l.detach().reshape(&[1])?);
                }
            }
            for (h, (p, y)) in self.heads.iter().zip(preds.iter().zip(ys)) {
                for m in &h.metrics {
                    values.push(m.compute(&p.detach(), y)?.reshape(&[1])?);
                }
            }
            Tensor::concat(&values, 0)
        })
    }
}

/// The weighted sum of the heads' losses (one loss as itself).
fn total(heads: &[Head], losses: &[Tensor]) -> Result<Tensor> {
    if let [loss] = losses {
        if heads[0].weight == 1.0 {
            return Ok(loss.clone());
        }
    }
    let mut sum: Option<Tensor> = None;
    for (h, l) in heads.iter().zip(losses) {
        let term = if h.weight == 1.0 { l.clone() } else { l.mul_scalar(h.weight as f64)? };
        sum = Some(match sum {
            None => term,
            Some(s) => s.add(&term)?,
        });
    }
    sum.ok_or_else(|| Error::Invalid { op: "fit", msg: "no losses".into() })
}

/// The rows `order[start..end]` of every input and target.
fn rows(xs: &[Tensor], ys: &[Tensor], order: &Tensor, start: usize, end: usize) -> Result<(Vec<Tensor>, Vec<Tensor>)> {
    check_batch(xs, ys)?;
    if order.rank() != 1 || start >= end || end > order.numel() {
        return Err(Error::Invalid {
            op: "trainBatch",
            msg: format!("rows {start}..{end} are not a non-empty range of the order {:?}", order.shape()),
        });
    }
    let idx = order.narrow(0, start, end - start)?;
    let pick = |ts: &[Tensor]| ts.iter().map(|t| t.index_select(0, &idx)).collect::<Result<Vec<_>>>();
    Ok((pick(xs)?, pick(ys)?))
}

/// Every input and target has a first axis of the same size.
fn check_batch(xs: &[Tensor], ys: &[Tensor]) -> Result<()> {
    let (Some(x), Some(y)) = (xs.first(), ys.first()) else {
        return Err(Error::Invalid { op: "fit", msg: format!("needs inputs and targets, got {} and {}", xs.len(), ys.len()) });
    };
    for t in xs.iter().chain(ys) {
        if x.rank() == 0 || t.rank() == 0 || x.shape()[0] != t.shape()[0] {
            let why = "x and y must have the same number of samples (first axis)";
            let other = if std::ptr::eq(t, x) { y } else { t };
            return Err(Error::ShapeMismatch { op: "fit", lhs: x.shape().to_vec(), rhs: other.shape().to_vec(), why });
        }
    }
    Ok(())
}
