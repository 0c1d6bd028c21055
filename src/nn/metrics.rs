//! Metrics reported by `fit` and `evaluate`: each is the mean over a batch of a per-sample score.

use super::loss::Loss;
use super::names::{listed, lookup, one_of, short, shown_names, Named};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::tensor::Tensor;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// Prediction > 0.5 equals the 0/1 target.
    BinaryAccuracy,
    /// Arg-max of prediction equals arg-max of the one-hot target.
    CategoricalAccuracy,
    /// Arg-max of prediction equals the integer target.
    SparseCategoricalAccuracy,
    MeanSquaredError,
    MeanAbsoluteError,
}

/// The accuracy that fits `loss`, as Keras picks it for `'accuracy'`.
fn accuracy(loss: Loss) -> Metric {
    match loss {
        Loss::BinaryCrossentropy { .. } => Metric::BinaryAccuracy,
        Loss::SparseCategoricalCrossentropy { .. } | Loss::Nll => Metric::SparseCategoricalAccuracy,
        _ => Metric::CategoricalAccuracy,
    }
}

/// A metric given the loss it reports beside.
pub type MakeMetric = fn(Loss) -> Metric;

/// Every metric name `compile` accepts, given the loss: `Metric::from_name`, its message and
/// `wg.METRICS` derive from it.
pub const METRIC_NAMES: &[Named<MakeMetric>] = &[
    listed("accuracy", accuracy),
    short("acc", accuracy),
    listed("binaryAccuracy", |_| Metric::BinaryAccuracy),
    listed("categoricalAccuracy", |_| Metric::CategoricalAccuracy),
    listed("sparseCategoricalAccuracy", |_| Metric::SparseCategoricalAccuracy),
    short("meanSquaredError", |_| Metric::MeanSquaredError),
    listed("mse", |_| Metric::MeanSquaredError),
    short("meanAbsoluteError", |_| Metric::MeanAbsoluteError),
    listed("mae", |_| Metric::MeanAbsoluteError),
];

impl Metric {
    /// The metric called `name`; `'accuracy'`/`'acc'` picks the accuracy that fits `loss`, as Keras does.
    pub fn from_name(name: &str, loss: Loss) -> Result<Metric> {
        match lookup(METRIC_NAMES, name) {
            Some(make) => Ok(make(loss)),
            None => {
                let msg = format!("unknown metric '{name}'; expected {}", one_of(shown_names(METRIC_NAMES)));
                Err(Error::Invalid { op: "metric", msg })
            }
        }
    }

    /// The name Keras logs it under.
    pub fn name(self) -> &'static str {
        match self {
            Metric::BinaryAccuracy | Metric::CategoricalAccuracy | Metric::SparseCategoricalAccuracy => "acc",
            Metric::MeanSquaredError => "mse",
            Metric::MeanAbsoluteError => "mae",
        }
    }

    /// The batch mean of the metric (a scalar tensor; nothing is read back).
    pub fn compute(self, pred: &Tensor, target: &Tensor) -> Result<Tensor> {
        let hits = match self {
            Metric::BinaryAccuracy => pred.gt(&pred.scalar_like(0.5)?)?.eq(&target.cast(DType::F32)?.gt(&pred.scalar_like(0.5)?)?)?,
            Metric::CategoricalAccuracy => pred.argmax(Some(-1), false)?.eq(&target.argmax(Some(-1), false)?)?,
            Metric::SparseCategoricalAccuracy => {
                let labels = target.cast(DType::I32)?;
                let labels = if labels.rank() == pred.rank() { labels.squeeze(Some(-1))? } else { labels };
                pred.argmax(Some(-1), false)?.eq(&labels)?
            }
            Metric::MeanSquaredError => pred.sub(target)?.square()?,
            Metric::MeanAbsoluteError => pred.sub(target)?.abs()?,
        };
        hits.cast(DType::F32)?.mean(None, false)
    }
}

#[cfg(test)]
mod name_tests {
    use super::*;

    /// The message derived from the table is the one the core always gave.
    #[test]
    fn unknown_metric_message() {
        assert_eq!(
            Metric::from_name("f1", Loss::Nll).unwrap_err().to_string(),
            "metric: unknown metric 'f1'; expected accuracy, binaryAccuracy, categoricalAccuracy, sparseCategoricalAccuracy, mse or mae"
        );
        assert_eq!(Metric::from_name("acc", Loss::Nll).unwrap(), Metric::SparseCategoricalAccuracy);
    }
}
