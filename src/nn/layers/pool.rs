//! Pooling layers over NCHW (or channels-last) images.

use super::conv::via_channels_first;
use crate::error::Result;
use crate::nn::Module;
use crate::ops::Pool2dOptions;
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
