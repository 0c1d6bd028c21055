//! A compiled model: module, loss, optimizer and metrics, trained one batch per call.

use std::rc::Rc;

use super::{Flavor, Loss, Metric, Module, Optimizer, Reduction};
use crate::error::{Error, Result};
use crate::grad_mode::no_grad;
use crate::tensor::Tensor;

pub struct Trainer {
    model: Rc<dyn Module>,
    loss: Loss,
    flavor: Flavor,
    optimizer: Rc<Optimizer>,
    metrics: Vec<Metric>,
}

impl Trainer {
    pub fn new(model: Rc<dyn Module>, loss: Loss, flavor: Flavor, optimizer: Rc<Optimizer>, metrics: Vec<Metric>) -> Trainer {
        Trainer { model, loss, flavor, optimizer, metrics }
    }

    pub fn optimizer(&self) -> &Optimizer {
        &self.optimizer
    }

    pub fn metrics(&self) -> &[Metric] {
        &self.metrics
    }

    /// One training step on a batch: forward in training mode, mean loss, backward, clipped
    /// update. Returns `[loss, metric...]` as one 1-D tensor, still on the device.
    pub fn train_step(&self, x: &Tensor, y: &Tensor) -> Result<Tensor> {
        check_batch(x, y)?;
        self.model.set_training(true);
        self.optimizer.zero_grad();
        let pred = self.model.forward(x)?;
        let loss = self.loss.compute(&pred, y, self.flavor, Reduction::Mean)?;
        loss.backward()?;
        self.optimizer.step()?;
        self.optimizer.zero_grad();
        self.report(&loss, &pred, y)
    }

    /// [`Trainer::train_step`] on rows `order[start..end]` of `x` and `y`: the batch is gathered
    /// on the device, so shuffled epochs need no host copies.
    pub fn train_rows(&self, x: &Tensor, y: &Tensor, order: &Tensor, start: usize, end: usize) -> Result<Tensor> {
        let (xb, yb) = rows(x, y, order, start, end)?;
        self.train_step(&xb, &yb)
    }

    /// `[loss, metric...]` of a batch in evaluation mode, without gradients.
    pub fn evaluate(&self, x: &Tensor, y: &Tensor) -> Result<Tensor> {
        check_batch(x, y)?;
        self.model.set_training(false);
        no_grad(|| {
            let pred = self.model.forward(x)?;
            let loss = self.loss.compute(&pred, y, self.flavor, Reduction::Mean)?;
            self.report(&loss, &pred, y)
        })
    }

    /// [`Trainer::evaluate`] on rows `order[start..end]`.
    pub fn evaluate_rows(&self, x: &Tensor, y: &Tensor, order: &Tensor, start: usize, end: usize) -> Result<Tensor> {
        let (xb, yb) = rows(x, y, order, start, end)?;
        self.evaluate(&xb, &yb)
    }

    fn report(&self, loss: &Tensor, pred: &Tensor, y: &Tensor) -> Result<Tensor> {
        no_grad(|| {
            let mut values = vec![loss.detach().reshape(&[1])?];
            for m in &self.metrics {
                values.push(m.compute(&pred.detach(), y)?.reshape(&[1])?);
            }
            Tensor::concat(&values, 0)
        })
    }
}

/// The rows `order[start..end]` of `x` and `y`.
fn rows(x: &Tensor, y: &Tensor, order: &Tensor, start: usize, end: usize) -> Result<(Tensor, Tensor)> {
    check_batch(x, y)?;
    if order.rank() != 1 || start >= end || end > order.numel() {
        return Err(Error::Invalid {
            op: "trainBatch",
            msg: format!("rows {start}..{end} are not a non-empty range of the order {:?}", order.shape()),
        });
    }
    let idx = order.narrow(0, start, end - start)?;
    Ok((x.index_select(0, &idx)?, y.index_select(0, &idx)?))
}

fn check_batch(x: &Tensor, y: &Tensor) -> Result<()> {
    if x.rank() == 0 || y.rank() == 0 || x.shape()[0] != y.shape()[0] {
        let why = "x and y must have the same number of samples (first axis)";
        return Err(Error::ShapeMismatch { op: "fit", lhs: x.shape().to_vec(), rhs: y.shape().to_vec(), why });
    }
    Ok(())
}
