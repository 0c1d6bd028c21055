//! Metrics reported by `fit` and `evaluate`: each is the mean over a batch of a per-sample score.

use super::loss::Loss;
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

impl Metric {
    /// The metric called `name`; `'accuracy'`/`'acc'` picks the accuracy that fits `loss`, as Keras does.
    pub fn from_name(name: &str, loss: Loss) -> Result<Metric> {
        Ok(match name {
            "accuracy" | "acc" => match loss {
                Loss::BinaryCrossentropy { .. } => Metric::BinaryAccuracy,
                Loss::SparseCategoricalCrossentropy { .. } | Loss::Nll => Metric::SparseCategoricalAccuracy,
                _ => Metric::CategoricalAccuracy,
            },
            "binaryAccuracy" => Metric::BinaryAccuracy,
            "categoricalAccuracy" => Metric::CategoricalAccuracy,
            "sparseCategoricalAccuracy" => Metric::SparseCategoricalAccuracy,
            "mse" | "meanSquaredError" => Metric::MeanSquaredError,
            "mae" | "meanAbsoluteError" => Metric::MeanAbsoluteError,
            _ => {
                let msg = format!("unknown metric '{name}'; expected accuracy, binaryAccuracy, categoricalAccuracy, sparseCategoricalAccuracy, mse or mae");
                return Err(Error::Invalid { op: "metric", msg });
            }
        })
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
