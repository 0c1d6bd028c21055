//! The layers: one file per family, each a [`Module`](super::Module).

mod conv;
mod dense;
mod dropout;
mod embedding;
mod norm;
mod pool;
mod reshape;
mod sequential;

pub use conv::{Conv1d, Conv2d};
pub use dense::Dense;
pub use dropout::Dropout;
pub use embedding::Embedding;
pub use norm::{BatchNorm, LayerNorm};
pub use pool::{GlobalAvgPool2d, Pool2d, PoolKind};
pub use reshape::{Flatten, Reshape};
pub use sequential::Sequential;

use crate::tensor::Tensor;

/// A new trainable leaf tensor.
fn param(t: Tensor) -> Tensor {
    t.set_requires_grad(true);
    t
}

/// `(name, tensor)` pairs of the present tensors.
fn named(items: &[(&str, Option<&Tensor>)]) -> Vec<(String, Tensor)> {
    items.iter().filter_map(|(n, t)| t.map(|t| (n.to_string(), t.clone()))).collect()
}
