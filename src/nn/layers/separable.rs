//! Depthwise and depthwise-separable convolutions (Keras `DepthwiseConv2D`, `SeparableConv2D`).
//! The depthwise kernel is stored `[in, multiplier, kh, kw]` and runs as a grouped conv2d with one
//! group per input channel, so output channel `c * multiplier + m` is input channel `c` through
//! filter `m`: TensorFlow's order. TensorFlow.js keeps it `[kh, kw, in, multiplier]`.

use std::rc::Rc;

use super::config::{activation, ActivationKey};
use super::conv::via_channels_first;
use super::{named, param};
use crate::backend::Device;
use crate::error::{Error, Result};
use crate::nn::{Act, Fans, Flavor, Init, Module};
use crate::ops::{Conv2dOptions, Padding};
use crate::tensor::Tensor;

/// TensorFlow.js's `[kh, kw, in, multiplier]` from the stored `[in, multiplier, kh, kw]`.
const DEPTHWISE_LAYOUT: &[usize] = &[2, 3, 0, 1];
/// TensorFlow.js's `[1, 1, in, out]` from the stored `[out, in, 1, 1]` (conv2d's layout).
const POINTWISE_LAYOUT: &[usize] = &[2, 3, 1, 0];

/// The options of a separable layer: its window and the depth multiplier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DepthwiseOptions {
    pub kernel: [usize; 2],
    pub stride: [usize; 2],
    pub padding: Padding,
    pub dilation: [usize; 2],
    pub multiplier: usize,
}

/// A new depthwise kernel `[in, multiplier, kh, kw]` (fans as TensorFlow.js counts them for
/// `[kh, kw, in, multiplier]`).
fn depthwise_kernel(op: &'static str, channels: usize, o: &DepthwiseOptions, init: Init, device: &Device) -> Result<Tensor> {
    if channels == 0 || o.multiplier == 0 || o.kernel.contains(&0) {
        let msg = format!(
            "needs positive channels, depth multiplier and kernel, got {channels} channels, multiplier {}, kernel {:?}",
            o.multiplier, o.kernel
        );
        return Err(Error::Invalid { op, msg });
    }
    let area = o.kernel[0].saturating_mul(o.kernel[1]);
    let fans = Fans { fan_in: channels.saturating_mul(area), fan_out: o.multiplier.saturating_mul(area) };
    Ok(param(init.tensor(&[channels, o.multiplier, o.kernel[0], o.kernel[1]], fans, device)?))
}

/// The depthwise convolution of NCHW `x` by `kernel` `[in, multiplier, kh, kw]`.
fn depthwise(x: &Tensor, kernel: &Tensor, bias: Option<&Tensor>, o: &DepthwiseOptions) -> Result<Tensor> {
    let &[c, m, kh, kw] = kernel.shape() else {
        return Err(Error::Rank { op: "depthwiseConv2d", expected: 4, got: kernel.shape().to_vec() });
    };
    let options = Conv2dOptions { stride: o.stride, padding: o.padding, dilation: o.dilation, groups: c };
    x.conv2d(&kernel.reshape(&[c * m, 1, kh, kw])?, bias, &options)
}

/// A depthwise 2-D convolution: each input channel through its own `multiplier` filters.
pub struct DepthwiseConv2d {
    kernel: Tensor,
    bias: Option<Tensor>,
    options: DepthwiseOptions,
    act: Act,
    flavor: Flavor,
    pub channels_last: bool,
}

impl DepthwiseConv2d {
    /// Over `channels` input channels, with the flavour's default initialisers; Keras layers
    /// default to channels-last.
    pub fn new(
        channels: usize,
        options: DepthwiseOptions,
        bias: bool,
        act: Act,
        flavor: Flavor,
        device: &Device,
    ) -> Result<DepthwiseConv2d> {
        let (w, b) = Init::layer_defaults(flavor);
        let kernel = depthwise_kernel("depthwiseConv2d", channels, &options, w, device)?;
        let out = channels * options.multiplier;
        let area = options.kernel[0].saturating_mul(options.kernel[1]);
        let fans = Fans { fan_in: channels.saturating_mul(area), fan_out: options.multiplier.saturating_mul(area) };
        let bias = if bias { Some(param(b.tensor(&[out], fans, device)?)) } else { None };
        Ok(DepthwiseConv2d { kernel, bias, options, act, flavor, channels_last: flavor == Flavor::Keras })
    }
}

impl Module for DepthwiseConv2d {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        via_channels_first(x, self.channels_last, |x| self.act.apply(&depthwise(x, &self.kernel, self.bias.as_ref(), &self.options)?))
    }

    fn kind(&self) -> &'static str {
        "DepthwiseConv2d"
    }

    fn keras_layout(&self, name: &str) -> Option<&'static [usize]> {
        (name == "depthwise_kernel").then_some(DEPTHWISE_LAYOUT)
    }

    fn named_parameters(&self) -> Vec<(String, Tensor)> {
        let k = if self.flavor == Flavor::Keras { "depthwise_kernel" } else { "weight" };
        named(&[(k, Some(&self.kernel)), ("bias", self.bias.as_ref())])
    }
}

/// A depthwise convolution, then a pointwise (1×1) one to `filters` channels, then the bias and
/// the activation (TensorFlow's `separableConv2d`: the stride and dilation are the depthwise's).
pub struct SeparableConv2d {
    depthwise: Tensor,
    /// `[filters, in * multiplier, 1, 1]`.
    pointwise: Tensor,
    bias: Option<Tensor>,
    options: DepthwiseOptions,
    act: Act,
    pub channels_last: bool,
}

impl SeparableConv2d {
    /// From `channels` to `filters` channels, with glorot-uniform kernels and a zero bias (TF.js).
    pub fn new(
        channels: usize,
        filters: usize,
        options: DepthwiseOptions,
        bias: bool,
        act: Act,
        device: &Device,
    ) -> Result<SeparableConv2d> {
        let (w, b) = Init::layer_defaults(Flavor::Keras);
        let depthwise = depthwise_kernel("separableConv2d", channels, &options, w, device)?;
        if filters == 0 {
            return Err(Error::Invalid { op: "separableConv2d", msg: "needs at least one filter".into() });
        }
        let mid = channels.checked_mul(options.multiplier).ok_or_else(|| Error::Invalid {
            op: "separableConv2d",
            msg: format!("{channels} channels times depth multiplier {} overflows", options.multiplier),
        })?;
        let fans = Fans { fan_in: mid, fan_out: filters };
        let pointwise = param(w.tensor(&[filters, mid, 1, 1], fans, device)?);
        let bias = if bias { Some(param(b.tensor(&[filters], fans, device)?)) } else { None };
        Ok(SeparableConv2d { depthwise, pointwise, bias, options, act, channels_last: true })
    }
}

impl Module for SeparableConv2d {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        via_channels_first(x, self.channels_last, |x| {
            let mid = depthwise(x, &self.depthwise, None, &self.options)?;
            self.act.apply(&mid.conv2d(&self.pointwise, self.bias.as_ref(), &Conv2dOptions::default())?)
        })
    }

    fn kind(&self) -> &'static str {
        "SeparableConv2d"
    }

    fn keras_layout(&self, name: &str) -> Option<&'static [usize]> {
        match name {
            "depthwise_kernel" => Some(DEPTHWISE_LAYOUT),
            "pointwise_kernel" => Some(POINTWISE_LAYOUT),
            _ => None,
        }
    }

    fn named_parameters(&self) -> Vec<(String, Tensor)> {
        named(&[("depthwise_kernel", Some(&self.depthwise)), ("pointwise_kernel", Some(&self.pointwise)), ("bias", self.bias.as_ref())])
    }
}

crate::layer_config! {
    /// A depthwise 2-D convolution (`DepthwiseConv2D`). TF.js 4.22 ignores `dilationRate` here;
    /// webgrad applies it, as Keras does.
    pub struct DepthwiseConv2dConfig {
        in_channels: usize,
        kernel: [usize; 2],
        stride: [usize; 2] = [1, 1],
        padding: Padding = Padding::Valid,
        dilation: [usize; 2] = [1, 1],
        depth_multiplier: usize = 1,
        bias: bool = true,
        activation: Option<ActivationKey>,
        /// The slope of leaky ReLU or the scale of ELU.
        alpha: Option<f32>,
        /// Samples are `[h, w, c]` (the Keras flavour's default) rather than `[c, h, w]`.
        channels_last: Option<bool>,
    }
}

crate::impl_layer_config!(DepthwiseConv2dConfig, |c, flavor, device| {
    let options =
        DepthwiseOptions { kernel: c.kernel, stride: c.stride, padding: c.padding, dilation: c.dilation, multiplier: c.depth_multiplier };
    let act = activation(c.activation, c.alpha, flavor)?;
    let mut layer = DepthwiseConv2d::new(c.in_channels, options, c.bias, act, flavor, device)?;
    layer.channels_last = c.channels_last.unwrap_or(flavor == Flavor::Keras);
    Ok(Rc::new(layer))
});

crate::layer_config! {
    /// A depthwise-separable 2-D convolution (`SeparableConv2D`).
    pub struct SeparableConv2dConfig {
        in_channels: usize,
        filters: usize,
        kernel: [usize; 2],
        stride: [usize; 2] = [1, 1],
        padding: Padding = Padding::Valid,
        dilation: [usize; 2] = [1, 1],
        depth_multiplier: usize = 1,
        bias: bool = true,
        activation: Option<ActivationKey>,
        /// The slope of leaky ReLU or the scale of ELU.
        alpha: Option<f32>,
        /// Samples are `[h, w, c]` (the Keras flavour's default) rather than `[c, h, w]`.
        channels_last: Option<bool>,
    }
}

crate::impl_layer_config!(SeparableConv2dConfig, |c, flavor, device| {
    let options =
        DepthwiseOptions { kernel: c.kernel, stride: c.stride, padding: c.padding, dilation: c.dilation, multiplier: c.depth_multiplier };
    let act = activation(c.activation, c.alpha, flavor)?;
    let mut layer = SeparableConv2d::new(c.in_channels, c.filters, options, c.bias, act, device)?;
    layer.channels_last = c.channels_last.unwrap_or(flavor == Flavor::Keras);
    Ok(Rc::new(layer))
});
