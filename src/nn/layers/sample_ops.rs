//! Layers that rearrange or rescale each sample: `Permute`, `RepeatVector` and `Rescaling`.

use std::rc::Rc;

use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::nn::Module;
use crate::tensor::Tensor;

/// Reorders the sample axes (`Permute`): `dims` is a permutation of `1..=rank`, 1-based as Keras
/// counts sample axes (the batch axis stays first).
pub struct Permute {
    order: Vec<isize>,
}

impl Permute {
    pub fn new(dims: &[i64]) -> Result<Permute> {
        let mut sorted = dims.to_vec();
        sorted.sort_unstable();
        if dims.is_empty() || sorted.iter().zip(1..).any(|(&d, i)| d != i) {
            let msg = format!("dims must be a permutation of 1..={} (1-based sample axes), got {dims:?}", dims.len());
            return Err(Error::Invalid { op: "permute", msg });
        }
        Ok(Permute { order: std::iter::once(0).chain(dims.iter().map(|&d| d as isize)).collect() })
    }
}

impl Module for Permute {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        if x.rank() != self.order.len() {
            return Err(Error::Rank { op: "permute", expected: self.order.len(), got: x.shape().to_vec() });
        }
        x.permute(&self.order)
    }

    fn kind(&self) -> &'static str {
        "Permute"
    }
}

/// Repeats each sample vector `n` times (`RepeatVector`): `[b, f] -> [b, n, f]`.
pub struct RepeatVector {
    pub n: usize,
}

impl Module for RepeatVector {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let &[b, f] = x.shape() else {
            return Err(Error::Rank { op: "repeatVector", expected: 2, got: x.shape().to_vec() });
        };
        x.unsqueeze(1)?.broadcast_to(&[b, self.n, f])
    }

    fn kind(&self) -> &'static str {
        "RepeatVector"
    }
}

/// `x * scale + offset`, in float32 whatever the input's dtype (`Rescaling`).
pub struct Rescaling {
    pub scale: f32,
    pub offset: f32,
}

impl Module for Rescaling {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        x.cast(DType::F32)?.mul_scalar(self.scale as f64)?.add_scalar(self.offset as f64)
    }

    fn kind(&self) -> &'static str {
        "Rescaling"
    }
}

crate::layer_config! {
    /// Reorders the sample axes (`Permute`).
    pub struct PermuteConfig {
        /// A permutation of the sample axes, 1-based (`[2, 1]` swaps the two axes of `[b, x, y]`).
        dims: Vec<i64>,
    }
}

crate::impl_layer_config!(PermuteConfig, |c, _flavor, _device| Ok(Rc::new(Permute::new(&c.dims)?)));

crate::layer_config! {
    /// Repeats each sample vector `n` times (`RepeatVector`).
    pub struct RepeatVectorConfig {
        n: usize,
    }
}

crate::impl_layer_config!(RepeatVectorConfig, |c, _flavor, _device| Ok(Rc::new(RepeatVector { n: c.n })));

crate::layer_config! {
    /// `x * scale + offset` (`Rescaling`).
    pub struct RescalingConfig {
        scale: f32,
        offset: f32 = 0.0,
    }
}

crate::impl_layer_config!(RescalingConfig, |c, _flavor, _device| Ok(Rc::new(Rescaling { scale: c.scale, offset: c.offset })));
