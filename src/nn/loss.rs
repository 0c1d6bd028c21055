//! Loss functions with each API's conventions: Keras averages each sample's loss over its last
//! axis and clips probabilities to `[1e-7, 1 - 1e-7]`; PyTorch averages over every element and
//! clamps `log` at -100 in `BCELoss`. Class scores sit on the last axis for Keras and on axis 1
//! for PyTorch.

use super::module::Flavor;
use super::names::{alias, core, listed, lookup, one_of, short, shown_names, Named};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::tensor::Tensor;

/// Keras's (TensorFlow.js's) fuzz factor for probabilities.
const EPSILON: f64 = 1e-7;

/// A loss between predictions and targets.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Loss {
    MeanSquaredError,
    MeanAbsoluteError,
    Huber {
        delta: f32,
    },
    /// Targets in [0, 1]; predictions are probabilities, or logits.
    BinaryCrossentropy {
        from_logits: bool,
    },
    /// One-hot (or soft) targets of the predictions' shape.
    CategoricalCrossentropy {
        from_logits: bool,
    },
    /// Integer class targets (PyTorch's `CrossEntropyLoss` with indices is the logits form).
    SparseCategoricalCrossentropy {
        from_logits: bool,
    },
    /// Negative log-likelihood of log-probabilities at integer targets.
    Nll,
}

/// How per-sample losses become the result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reduction {
    Mean,
    Sum,
    /// One loss per sample (per element for PyTorch's elementwise losses).
    None,
}

/// Every loss name the core accepts (TensorFlow.js's listed, PyTorch's in messages, the short
/// `mse`/`mae` in `wg.LOSSES` only): `Loss::from_name`, its message and `wg.LOSSES` derive from it.
pub const LOSS_NAMES: &[Named<Loss>] = &[
    listed("meanSquaredError", Loss::MeanSquaredError),
    listed("meanAbsoluteError", Loss::MeanAbsoluteError),
    listed("huber", Loss::Huber { delta: 1.0 }),
    listed("binaryCrossentropy", Loss::BinaryCrossentropy { from_logits: false }),
    listed("categoricalCrossentropy", Loss::CategoricalCrossentropy { from_logits: false }),
    listed("sparseCategoricalCrossentropy", Loss::SparseCategoricalCrossentropy { from_logits: false }),
    core("crossEntropy", Loss::SparseCategoricalCrossentropy { from_logits: true }),
    core("bceWithLogits", Loss::BinaryCrossentropy { from_logits: true }),
    core("nll", Loss::Nll),
    short("mse", Loss::MeanSquaredError),
    short("mae", Loss::MeanAbsoluteError),
    alias("MSE", Loss::MeanSquaredError),
    alias("mean_squared_error", Loss::MeanSquaredError),
    alias("MAE", Loss::MeanAbsoluteError),
    alias("l1", Loss::MeanAbsoluteError),
    alias("mean_absolute_error", Loss::MeanAbsoluteError),
    alias("huberLoss", Loss::Huber { delta: 1.0 }),
    alias("binary_crossentropy", Loss::BinaryCrossentropy { from_logits: false }),
    alias("bce", Loss::BinaryCrossentropy { from_logits: false }),
    alias("categorical_crossentropy", Loss::CategoricalCrossentropy { from_logits: false }),
    alias("sparse_categorical_crossentropy", Loss::SparseCategoricalCrossentropy { from_logits: false }),
    alias("cross_entropy", Loss::SparseCategoricalCrossentropy { from_logits: true }),
    alias("nllLoss", Loss::Nll),
];

impl Loss {
    /// The loss called `name` in Keras (`'meanSquaredError'`, `'sparseCategoricalCrossentropy'`, …)
    /// or PyTorch (`'crossEntropy'`, `'bceWithLogits'`, `'l1'`, …).
    pub fn from_name(name: &str) -> Result<Loss> {
        match lookup(LOSS_NAMES, name) {
            Some(&loss) => Ok(loss),
            None => {
                let msg = format!("unknown loss '{name}'; expected {}", one_of(shown_names(LOSS_NAMES)));
                Err(Error::Invalid { op: "loss", msg })
            }
        }
    }

    /// The same loss computing from logits (`fromLogits: true`); losses without that option are
    /// returned unchanged.
    pub fn with_logits(self, from_logits: bool) -> Loss {
        match self {
            Loss::BinaryCrossentropy { .. } => Loss::BinaryCrossentropy { from_logits },
            Loss::CategoricalCrossentropy { .. } => Loss::CategoricalCrossentropy { from_logits },
            Loss::SparseCategoricalCrossentropy { .. } => Loss::SparseCategoricalCrossentropy { from_logits },
            other => other,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Loss::MeanSquaredError => "meanSquaredError",
            Loss::MeanAbsoluteError => "meanAbsoluteError",
            Loss::Huber { .. } => "huber",
            Loss::BinaryCrossentropy { .. } => "binaryCrossentropy",
            Loss::CategoricalCrossentropy { .. } => "categoricalCrossentropy",
            Loss::SparseCategoricalCrossentropy { .. } => "sparseCategoricalCrossentropy",
            Loss::Nll => "nll",
        }
    }

    /// The loss of `pred` against `target`.
    pub fn compute(self, pred: &Tensor, target: &Tensor, flavor: Flavor, reduction: Reduction) -> Result<Tensor> {
        if let (Loss::SparseCategoricalCrossentropy { from_logits }, Flavor::Torch, DType::F32) = (self, flavor, target.dtype()) {
            if target.shape() == pred.shape() {
                // PyTorch's CrossEntropyLoss with class probabilities as targets.
                return Loss::CategoricalCrossentropy { from_logits }.compute(pred, target, flavor, reduction);
            }
        }
        let losses = match self {
            Loss::SparseCategoricalCrossentropy { .. } | Loss::Nll => self.sparse(pred, target, flavor)?,
            Loss::CategoricalCrossentropy { from_logits } => {
                if flavor == Flavor::Torch && pred.rank() > 2 {
                    let (p, t) = (classes_last(pred)?, classes_last(target)?);
                    return Loss::CategoricalCrossentropy { from_logits }.compute(&p, &t, Flavor::Keras, reduction);
                }
                same_shape(self.name(), pred, target)?;
                categorical(pred, &target.cast(DType::F32)?, from_logits)?
            }
            _ => {
                same_shape(self.name(), pred, target)?;
                let elements = self.elementwise(pred, &target.cast(DType::F32)?, flavor)?;
                match flavor {
                    Flavor::Keras if elements.rank() > 0 => elements.mean(Some(&[-1]), false)?,
                    _ => elements,
                }
            }
        };
        match reduction {
            Reduction::Mean => losses.mean(None, false),
            Reduction::Sum => losses.sum(),
            Reduction::None => Ok(losses),
        }
    }

    /// Per-element losses of the elementwise kinds.
    fn elementwise(self, pred: &Tensor, target: &Tensor, flavor: Flavor) -> Result<Tensor> {
        match self {
            Loss::MeanSquaredError => pred.sub(target)?.square(),
            Loss::MeanAbsoluteError => pred.sub(target)?.abs(),
            Loss::Huber { delta } => {
                if !(delta.is_finite() && delta > 0.0) {
                    return Err(Error::Invalid { op: "huber", msg: format!("delta must be a finite number > 0, got {delta}") });
                }
                let err = pred.sub(target)?.abs()?;
                let d = delta as f64;
                let quadratic = err.square()?.mul_scalar(0.5)?;
                let linear = err.add_scalar(-0.5 * d)?.mul_scalar(d)?;
                Tensor::where_cond(&err.le(&err.scalar_like(d)?)?, &quadratic, &linear)
            }
            Loss::BinaryCrossentropy { from_logits: true } => {
                // max(z, 0) - z * y + log(1 + e^-|z|)
                let z = pred;
                z.relu()?.sub(&z.mul(target)?)?.add(&z.abs()?.neg()?.exp()?.log1p()?)
            }
            Loss::BinaryCrossentropy { from_logits: false } => {
                let (log_p, log_q) = match flavor {
                    Flavor::Keras => {
                        let p = pred.clamp(Some(EPSILON), Some(1.0 - EPSILON))?;
                        (p.log()?, p.neg()?.add_scalar(1.0)?.log()?)
                    }
                    Flavor::Torch => {
                        (pred.log()?.clamp(Some(-100.0), None)?, pred.neg()?.add_scalar(1.0)?.log()?.clamp(Some(-100.0), None)?)
                    }
                };
                let one_minus_t = target.neg()?.add_scalar(1.0)?;
                target.mul(&log_p)?.add(&one_minus_t.mul(&log_q)?)?.neg()
            }
            _ => Err(Error::Invalid { op: "loss", msg: format!("{} is not elementwise", self.name()) }),
        }
    }

    /// Per-sample losses at integer class targets.
    fn sparse(self, pred: &Tensor, target: &Tensor, flavor: Flavor) -> Result<Tensor> {
        let op = self.name();
        let pred = if flavor == Flavor::Torch && pred.rank() > 2 { classes_last(pred)? } else { pred.clone() };
        if pred.rank() == 0 {
            return Err(Error::Rank { op, expected: 1, got: pred.shape().to_vec() });
        }
        let mut labels = if target.dtype() == DType::I32 { target.clone() } else { target.cast(DType::I32)? };
        if labels.rank() == pred.rank() && labels.shape().last() == Some(&1) {
            labels = labels.squeeze(Some(-1))?;
        }
        let batch = &pred.shape()[..pred.rank() - 1];
        if labels.shape() != batch {
            let why = "integer targets need one class per prediction row";
            return Err(Error::ShapeMismatch { op, lhs: pred.shape().to_vec(), rhs: target.shape().to_vec(), why });
        }
        let pick = |t: &Tensor| t.gather(-1, &labels.unsqueeze(-1)?)?.squeeze(Some(-1));
        match self {
            Loss::Nll => pick(&pred)?.neg(),
            Loss::SparseCategoricalCrossentropy { from_logits: true } => pick(&pred.log_softmax(-1)?)?.neg(),
            // Keras's form, on the picked class only: -log(clip(p[label] / sum(p))), what the one-hot
            // categorical form computes, with fewer ops.
            _ => pick(&pred)?.div(&pred.sum_dims(Some(&[-1]), false)?)?.clamp(Some(EPSILON), Some(1.0 - EPSILON))?.log()?.neg(),
        }
    }
}

/// `-sum(target * log p)` over the last axis, from logits or (Keras-normalised, clipped) probabilities.
fn categorical(pred: &Tensor, target: &Tensor, from_logits: bool) -> Result<Tensor> {
    let log_p = if from_logits {
        pred.log_softmax(-1)?
    } else {
        let p = pred.div(&pred.sum_dims(Some(&[-1]), true)?)?;
        p.clamp(Some(EPSILON), Some(1.0 - EPSILON))?.log()?
    };
    target.mul(&log_p)?.sum_dims(Some(&[-1]), false)?.neg()
}

/// PyTorch's `[n, classes, d1, ...]` as `[n, d1, ..., classes]`.
fn classes_last(t: &Tensor) -> Result<Tensor> {
    let r = t.rank() as isize;
    let order: Vec<isize> = [0].into_iter().chain(2..r).chain([1]).collect();
    t.permute(&order)
}

fn same_shape(op: &'static str, pred: &Tensor, target: &Tensor) -> Result<()> {
    if pred.shape() != target.shape() {
        let why = "predictions and targets must have the same shape";
        return Err(Error::ShapeMismatch { op, lhs: pred.shape().to_vec(), rhs: target.shape().to_vec(), why });
    }
    Ok(())
}

#[cfg(test)]
mod name_tests {
    use super::*;

    /// The message derived from the table is the one the core always gave.
    #[test]
    fn unknown_loss_message() {
        assert_eq!(
            Loss::from_name("mse2").unwrap_err().to_string(),
            "loss: unknown loss 'mse2'; expected meanSquaredError, meanAbsoluteError, huber, binaryCrossentropy, categoricalCrossentropy, sparseCategoricalCrossentropy, crossEntropy, bceWithLogits or nll"
        );
        assert_eq!(Loss::from_name("l1").unwrap(), Loss::MeanAbsoluteError);
    }
}
