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

use crate::nn::Flavor;
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

/// A weight and optional bias under the flavour's names (`kernel`/`bias` or `weight`/`bias`).
fn weight_and_bias(flavor: Flavor, weight: &Tensor, bias: Option<&Tensor>) -> Vec<(String, Tensor)> {
    let w = if flavor == Flavor::Keras { "kernel" } else { "weight" };
    named(&[(w, Some(weight)), ("bias", bias)])
}

/// A normalisation's scale and shift under the flavour's names (`gamma`/`beta` or `weight`/`bias`).
fn scale_and_shift(flavor: Flavor, gamma: &Tensor, beta: &Tensor) -> Vec<(String, Tensor)> {
    match flavor {
        Flavor::Keras => named(&[("gamma", Some(gamma)), ("beta", Some(beta))]),
        Flavor::Torch => named(&[("weight", Some(gamma)), ("bias", Some(beta))]),
    }
}
