//! Pooling layers over NCHW (or channels-last) images.

use std::rc::Rc;

use super::config::Padding1d;
use super::conv::via_channels_first;
use crate::error::{Error, Result};
use crate::nn::{Flavor, Module};
use crate::ops::{Padding, Pool2dOptions};
use crate::tensor::Tensor;

/// Which reduction a pooling window applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoolKind {
    Max,
    Avg,
}

/// Max or average pooling (Keras `MaxPooling2D`/`AveragePooling2D`, PyTorch `nn.MaxPool2d`/`nn.AvgPool2d`).
pub struct Pool2d {
    pub kind: PoolKind,
    pub options: Pool2dOptions,
    pub channels_last: bool,
}

impl Module for Pool2d {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        via_channels_first(x, self.channels_last, |x| match self.kind {
            PoolKind::Max => x.max_pool2d(&self.options),
            PoolKind::Avg => x.avg_pool2d(&self.options),
        })
    }

    fn kind(&self) -> &'static str {
        match self.kind {
            PoolKind::Max => "MaxPool2d",
            PoolKind::Avg => "AvgPool2d",
        }
    }
}

/// Mean over the spatial axes: `[n, c, h, w] -> [n, c]` (channels-last: `[n, h, w, c] -> [n, c]`).
pub struct GlobalAvgPool2d {
    pub channels_last: bool,
}

impl Module for GlobalAvgPool2d {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        if self.channels_last {
            x.mean(Some(&[1, 2]), false)
        } else {
            x.global_avg_pool2d()
        }
    }

    fn kind(&self) -> &'static str {
        "GlobalAvgPool2d"
    }
}

/// The two pooling configs, one field list: `kernel` defaults to 2, `stride` to the kernel.
macro_rules! pool_config {
    ($($name:ident => $kind:expr, $doc:literal;)*) => {$(
        crate::layer_config! {
            #[doc = $doc]
            pub struct $name {
                kernel: [usize; 2] = [2, 2],
                stride: Option<[usize; 2]>,
                padding: Padding = Padding::Valid,
                /// Average pooling counts padded taps in the divisor (the PyTorch flavour's default).
                count_include_pad: Option<bool>,
                /// Samples are `[h, w, c]` (the Keras flavour's default) rather than `[c, h, w]`.
                channels_last: Option<bool>,
            }
        }

        crate::impl_layer_config!($name, |c, flavor, _device| {
            let options = Pool2dOptions {
                kernel: c.kernel,
                stride: Some(c.stride.unwrap_or(c.kernel)),
                padding: c.padding,
                dilation: [1, 1],
                count_include_pad: c.count_include_pad.unwrap_or(flavor == Flavor::Torch),
            };
            Ok(Rc::new(Pool2d { kind: $kind, options, channels_last: c.channels_last.unwrap_or(flavor == Flavor::Keras) }))
        });
    )*};
}

pool_config! {
    MaxPool2dConfig => PoolKind::Max, "Max pooling (`MaxPooling2D`, `nn.MaxPool2d`).";
    AvgPool2dConfig => PoolKind::Avg, "Average pooling (`AveragePooling2D`, `nn.AvgPool2d`).";
}

crate::layer_config! {
    /// The mean over the spatial axes (`GlobalAveragePooling2D`).
    pub struct GlobalAvgPool2dConfig {
        /// Samples are `[h, w, c]` (the Keras flavour's default) rather than `[c, h, w]`.
        channels_last: Option<bool>,
    }
}

crate::impl_layer_config!(GlobalAvgPool2dConfig, |c, flavor, _device| {
    Ok(Rc::new(GlobalAvgPool2d { channels_last: c.channels_last.unwrap_or(flavor == Flavor::Keras) }))
});

/// 1-D max or average pooling over `[n, steps, c]` (Keras `MaxPooling1D`/`AveragePooling1D`;
/// channels-first `[n, c, steps]` for PyTorch): a 2-D pooling of one row.
pub struct Pool1d {
    pub kind: PoolKind,
    /// The window along the steps, as a `[1, kernel]` window (padding `[0, left, 0, right]`).
    pub options: Pool2dOptions,
    pub channels_last: bool,
}

impl Module for Pool1d {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        if x.rank() != 3 {
            return Err(Error::Rank { op: "pool1d", expected: 3, got: x.shape().to_vec() });
        }
        // One row: `[n, 1, steps, c]` channels-last, `[n, c, 1, steps]` channels-first.
        let row = if self.channels_last { 1 } else { 2 };
        let pool = Pool2d { kind: self.kind, options: self.options, channels_last: self.channels_last };
        pool.forward(&x.unsqueeze(row)?)?.squeeze(Some(row))
    }

    fn kind(&self) -> &'static str {
        match self.kind {
            PoolKind::Max => "MaxPool1d",
            PoolKind::Avg => "AvgPool1d",
        }
    }
}

/// The maximum or mean over every spatial axis (1 or 2 of them): `[n, ...spatial, c] -> [n, c]`
/// (channels-first: `[n, c, ...spatial] -> [n, c]`); Keras's `Global{Max,Average}Pooling{1,2}D`.
pub struct GlobalPool {
    pub kind: PoolKind,
    /// The number of spatial axes.
    pub spatial: usize,
    pub channels_last: bool,
}

impl Module for GlobalPool {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        if x.rank() != self.spatial + 2 {
            return Err(Error::Rank { op: self.kind(), expected: self.spatial + 2, got: x.shape().to_vec() });
        }
        let first = if self.channels_last { 1 } else { 2 };
        let axes: Vec<isize> = (first..first + self.spatial as isize).collect();
        match self.kind {
            PoolKind::Max => x.max(Some(&axes), false),
            PoolKind::Avg => x.mean(Some(&axes), false),
        }
    }

    fn kind(&self) -> &'static str {
        match (self.kind, self.spatial) {
            (PoolKind::Max, 1) => "GlobalMaxPool1d",
            (PoolKind::Avg, 1) => "GlobalAvgPool1d",
            (PoolKind::Max, _) => "GlobalMaxPool2d",
            (PoolKind::Avg, _) => "GlobalAvgPool2d",
        }
    }
}

/// The two 1-D pooling configs: `kernel` defaults to 2, `stride` to the kernel (TF.js's defaults).
macro_rules! pool1d_config {
    ($($name:ident => $kind:expr, $doc:literal;)*) => {$(
        crate::layer_config! {
            #[doc = $doc]
            pub struct $name {
                kernel: usize = 2,
                stride: Option<usize>,
                padding: Padding1d = Padding1d(Padding::Valid),
                /// Average pooling counts padded taps in the divisor (the PyTorch flavour's default).
                count_include_pad: Option<bool>,
                /// Samples are `[steps, c]` (the Keras flavour's default) rather than `[c, steps]`.
                channels_last: Option<bool>,
            }
        }

        crate::impl_layer_config!($name, |c, flavor, _device| {
            let options = Pool2dOptions {
                kernel: [1, c.kernel],
                stride: Some([1, c.stride.unwrap_or(c.kernel)]),
                padding: c.padding.0,
                dilation: [1, 1],
                count_include_pad: c.count_include_pad.unwrap_or(flavor == Flavor::Torch),
            };
            Ok(Rc::new(Pool1d { kind: $kind, options, channels_last: c.channels_last.unwrap_or(flavor == Flavor::Keras) }))
        });
    )*};
}

pool1d_config! {
    MaxPool1dConfig => PoolKind::Max, "1-D max pooling (`MaxPooling1D`, `nn.MaxPool1d`).";
    AvgPool1dConfig => PoolKind::Avg, "1-D average pooling (`AveragePooling1D`, `nn.AvgPool1d`).";
}

/// The three new global pooling configs (`GlobalAvgPool2dConfig` above is the fourth).
macro_rules! global_pool_config {
    ($($name:ident => $kind:expr, $spatial:literal, $doc:literal;)*) => {$(
        crate::layer_config! {
            #[doc = $doc]
            pub struct $name {
                /// Samples are channels-last (the Keras flavour's default) rather than channels-first.
                channels_last: Option<bool>,
            }
        }

        crate::impl_layer_config!($name, |c, flavor, _device| {
            let channels_last = c.channels_last.unwrap_or(flavor == Flavor::Keras);
            Ok(Rc::new(GlobalPool { kind: $kind, spatial: $spatial, channels_last }))
        });
    )*};
}

global_pool_config! {
    GlobalMaxPool2dConfig => PoolKind::Max, 2, "The maximum over the spatial axes (`GlobalMaxPooling2D`).";
    GlobalAvgPool1dConfig => PoolKind::Avg, 1, "The mean over the steps (`GlobalAveragePooling1D`).";
    GlobalMaxPool1dConfig => PoolKind::Max, 1, "The maximum over the steps (`GlobalMaxPooling1D`).";
}
