//! Pooling layers over NCHW (or channels-last) images.

use std::rc::Rc;

use super::conv::via_channels_first;
use crate::error::Result;
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
