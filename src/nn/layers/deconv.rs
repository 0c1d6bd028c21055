//! The transposed 2-D convolution layer (Keras `Conv2DTranspose`), with TensorFlow.js's output size:
//! `in * stride + max(kernel - stride, 0)` for `'valid'`, `in * stride` for `'same'`. The kernel is
//! stored `[in, filters, kh, kw]` (`Tensor::conv_transpose2d`'s layout); TensorFlow.js keeps it
//! `[kh, kw, filters, in]`.

use std::rc::Rc;

use super::config::{activation, ActivationKey};
use super::conv::via_channels_first;
use super::{param, weight_and_bias};
use crate::backend::Device;
use crate::error::{Error, Result};
use crate::nn::{Act, Fans, Flavor, Init, Module};
use crate::ops::{ConvTranspose2dOptions, Padding};
use crate::tensor::Tensor;

/// `act(conv_transpose2d(x) + bias)` with TensorFlow.js's `'valid'`/`'same'` output sizes.
pub struct Conv2dTranspose {
    kernel: Tensor,
    bias: Option<Tensor>,
    stride: [usize; 2],
    same: bool,
    act: Act,
    flavor: Flavor,
    pub channels_last: bool,
}

impl Conv2dTranspose {
    /// `in_channels -> filters` with a `kernel` window and `padding` `'valid'` or `'same'`.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        in_channels: usize,
        filters: usize,
        kernel: [usize; 2],
        stride: [usize; 2],
        padding: Padding,
        bias: bool,
        act: Act,
        flavor: Flavor,
        device: &Device,
    ) -> Result<Conv2dTranspose> {
        let op = "conv2dTranspose";
        let same = match padding {
            Padding::Valid => false,
            Padding::Same => true,
            Padding::Explicit(p) => return Err(Error::Invalid { op, msg: format!("padding must be 'valid' or 'same', got {p:?}") }),
        };
        if in_channels == 0 || filters == 0 || kernel.contains(&0) || stride.contains(&0) {
            let msg = format!(
                "needs positive channels, kernel and strides, got {in_channels} -> {filters}, kernel {kernel:?}, strides {stride:?}"
            );
            return Err(Error::Invalid { op, msg });
        }
        let (w, b) = Init::layer_defaults(flavor);
        let area = kernel[0].saturating_mul(kernel[1]);
        // TF.js counts the fans of `[kh, kw, filters, in]`: its third axis is the fan-in's.
        let fans = Fans { fan_in: filters.saturating_mul(area), fan_out: in_channels.saturating_mul(area) };
        let weight = param(w.tensor(&[in_channels, filters, kernel[0], kernel[1]], fans, device)?);
        let bias = if bias { Some(param(b.tensor(&[filters], fans, device)?)) } else { None };
        Ok(Conv2dTranspose { kernel: weight, bias, stride, same, act, flavor, channels_last: flavor == Flavor::Keras })
    }

    /// The NCHW output: the full transposed convolution (with `stride - kernel` extra rows and
    /// columns where the kernel is smaller than the stride), cropped to `in * stride` for `'same'`
    /// (TensorFlow drops the odd row and column at the end).
    fn forward_nchw(&self, x: &Tensor) -> Result<Tensor> {
        let k = [self.kernel.shape()[2], self.kernel.shape()[3]];
        let s = self.stride;
        let o = ConvTranspose2dOptions {
            stride: s,
            output_padding: [s[0].saturating_sub(k[0]), s[1].saturating_sub(k[1])],
            ..Default::default()
        };
        let y = x.conv_transpose2d(&self.kernel, self.bias.as_ref(), &o)?;
        let y = if self.same {
            let (h, w) = (x.shape()[2], x.shape()[3]);
            let top = k[0].saturating_sub(s[0]) / 2;
            let left = k[1].saturating_sub(s[1]) / 2;
            y.narrow(2, top, h * s[0])?.narrow(3, left, w * s[1])?
        } else {
            y
        };
        self.act.apply(&y)
    }
}

impl Module for Conv2dTranspose {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        via_channels_first(x, self.channels_last, |x| self.forward_nchw(x))
    }

    fn kind(&self) -> &'static str {
        "Conv2dTranspose"
    }

    fn keras_layout(&self, name: &str) -> Option<&'static [usize]> {
        (name == "kernel").then_some(&[2, 3, 1, 0])
    }

    fn named_parameters(&self) -> Vec<(String, Tensor)> {
        weight_and_bias(self.flavor, &self.kernel, self.bias.as_ref())
    }
}

crate::layer_config! {
    /// A transposed 2-D convolution (`Conv2DTranspose`); TF.js has no dilation here.
    pub struct Conv2dTransposeConfig {
        in_channels: usize,
        filters: usize,
        kernel: [usize; 2],
        stride: [usize; 2] = [1, 1],
        /// `'valid'` or `'same'`.
        padding: Padding = Padding::Valid,
        bias: bool = true,
        activation: Option<ActivationKey>,
        /// The slope of leaky ReLU or the scale of ELU.
        alpha: Option<f32>,
        /// Samples are `[h, w, c]` (the Keras flavour's default) rather than `[c, h, w]`.
        channels_last: Option<bool>,
    }
}

crate::impl_layer_config!(Conv2dTransposeConfig, |c, flavor, device| {
    let act = activation(c.activation, c.alpha, flavor)?;
    let mut layer = Conv2dTranspose::new(c.in_channels, c.filters, c.kernel, c.stride, c.padding, c.bias, act, flavor, device)?;
    layer.channels_last = c.channels_last.unwrap_or(flavor == Flavor::Keras);
    Ok(Rc::new(layer))
});
