//! Embedding lookup: integer ids `[...]` to vectors `[..., dim]`.

use std::rc::Rc;

use super::{named, param};
use crate::backend::Device;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::nn::{Fans, Flavor, Init, Module};
use crate::tensor::Tensor;

pub struct Embedding {
    weight: Tensor,
    flavor: Flavor,
}

impl Embedding {
    /// A table of `count` vectors of `dim` values (Keras: `U(±0.05)`; PyTorch: `N(0, 1)`).
    pub fn new(count: usize, dim: usize, flavor: Flavor, device: &Device) -> Result<Embedding> {
        if count == 0 || dim == 0 {
            return Err(Error::Invalid { op: "embedding", msg: format!("needs a positive table size, got {count} x {dim}") });
        }
        let init = match flavor {
            Flavor::Keras => Init::Uniform { low: -0.05, high: 0.05 },
            Flavor::Torch => Init::Normal { mean: 0.0, std: 1.0 },
        };
        let weight = param(init.tensor(&[count, dim], Fans { fan_in: count, fan_out: dim }, device)?);
        Ok(Embedding { weight, flavor })
    }
}

impl Module for Embedding {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let ids = if x.dtype() == DType::I32 { x.clone() } else { x.cast(DType::I32)? };
        let rows = self.weight.index_select(0, &ids.reshape(&[ids.numel()])?)?;
        let mut shape = x.shape().to_vec();
        shape.push(self.weight.shape()[1]);
        rows.reshape(&shape)
    }

    fn kind(&self) -> &'static str {
        "Embedding"
    }

    fn named_parameters(&self) -> Vec<(String, Tensor)> {
        let w = if self.flavor == Flavor::Keras { "embeddings" } else { "weight" };
        named(&[(w, Some(&self.weight))])
    }
}

crate::layer_config! {
    /// A table of `count` vectors of `dim` (`Embedding`, `nn.Embedding`).
    pub struct EmbeddingConfig {
        count: usize,
        dim: usize,
    }
}

crate::impl_layer_config!(EmbeddingConfig, |c, flavor, device| Ok(Rc::new(Embedding::new(c.count, c.dim, flavor, device)?)));
