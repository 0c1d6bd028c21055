//! Layers that only change the shape of each sample (or pad it with zeros).

use std::rc::Rc;

use crate::error::{Error, Result};
use crate::nn::{Flavor, Module};
use crate::ops::Padding;
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

/// Zero rows and columns around each image (Keras `ZeroPadding2D`, PyTorch `nn.ZeroPad2d`):
/// `[top, left, bottom, right]` on the spatial axes of `[.., h, w]` (channels-last: `[.., h, w, c]`).
pub struct ZeroPad2d {
    pub padding: [usize; 4],
    pub channels_last: bool,
}

impl Module for ZeroPad2d {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let (rank, need) = (x.rank(), if self.channels_last { 3 } else { 2 });
        if rank < need {
            return Err(Error::Rank { op: "zeroPad2d", expected: need, got: x.shape().to_vec() });
        }
        let h = rank - need;
        let [top, left, bottom, right] = self.padding;
        let mut widths = vec![(0, 0); rank];
        widths[h] = (top, bottom);
        widths[h + 1] = (left, right);
        x.pad(&widths, 0.0)
    }

    fn kind(&self) -> &'static str {
        "ZeroPad2d"
    }
}

crate::layer_config! {
    /// Zero padding of the spatial axes (`ZeroPadding2D`, `nn.ZeroPad2d`).
    pub struct ZeroPad2dConfig {
        /// One size (every side), `[rows, columns]` or `[top, left, bottom, right]`.
        padding: Padding = Padding::Explicit([1; 4]),
        /// Samples are `[h, w, c]` (the Keras flavour's default) rather than `[c, h, w]`.
        channels_last: Option<bool>,
    }
}

crate::impl_layer_config!(ZeroPad2dConfig, |c, flavor, _device| {
    let Padding::Explicit(padding) = c.padding else {
        return Err(Error::Invalid { op: "zeroPad2d", msg: format!("padding must be 1, 2 or 4 sizes, got {:?}", c.padding) });
    };
    Ok(Rc::new(ZeroPad2d { padding, channels_last: c.channels_last.unwrap_or(flavor == Flavor::Keras) }))
});
