//! Layers that only change the shape of each sample.

use std::rc::Rc;

use crate::error::{Error, Result};
use crate::nn::Module;
use crate::tensor::Tensor;

/// Flattens every axis after the batch axis: `[n, ...] -> [n, prod(...)]`.
pub struct Flatten;

impl Module for Flatten {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        if x.rank() < 2 {
            return Err(Error::Rank { op: "flatten", expected: 2, got: x.shape().to_vec() });
        }
        x.flatten(1, -1)
    }

    fn kind(&self) -> &'static str {
        "Flatten"
    }
}

/// Reshapes each sample to `shape` (one entry may be -1): `[n, ...] -> [n, ...shape]`.
pub struct Reshape(pub Vec<isize>);

impl Module for Reshape {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        if x.rank() == 0 {
            return Err(Error::Rank { op: "reshape", expected: 1, got: x.shape().to_vec() });
        }
        let mut shape = vec![x.shape()[0] as isize];
        shape.extend(&self.0);
        x.reshape_infer(&shape)
    }

    fn kind(&self) -> &'static str {
        "Reshape"
    }
}

crate::layer_config! {
    /// Flattens each sample (`Flatten`).
    pub struct FlattenConfig {}
}

crate::impl_layer_config!(FlattenConfig, |_c, _flavor, _device| Ok(Rc::new(Flatten)));

crate::layer_config! {
    /// Reshapes each sample (`Reshape`); one entry may be -1.
    pub struct ReshapeConfig {
        shape: Vec<i64> = Vec::new(),
    }
}

crate::impl_layer_config!(ReshapeConfig, |c, _flavor, _device| Ok(Rc::new(Reshape(c.shape.into_iter().map(|d| d as isize).collect()))));
