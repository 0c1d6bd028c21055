//! Convolution layers. Weights are `[out, in / groups, kh, kw]` for both flavours; a Keras layer
//! takes channels-last input (`[n, h, w, c]`, TensorFlow.js's default) and permutes around the
//! channels-first kernel, so its outputs and gradients are Keras's.

use std::rc::Rc;

use super::config::{activation, ActivationKey, Padding1d};
use super::{param, weight_and_bias};
use crate::backend::Device;
use crate::error::{Error, Result};
use crate::nn::{Act, Fans, Flavor, Init, Module};
use crate::ops::{Conv2dOptions, Padding};
use crate::tensor::Tensor;

/// Runs `f` on the channels-first form of a channels-last `x` (channels on the last axis), and
/// returns its result channels-last again.
pub(crate) fn via_channels_first(x: &Tensor, channels_last: bool, f: impl FnOnce(&Tensor) -> Result<Tensor>) -> Result<Tensor> {
    if !channels_last {
        return f(x);
    }
    let r = x.rank();
    if r < 3 {
        return Err(Error::Rank { op: "channelsLast", expected: 3, got: x.shape().to_vec() });
    }
    let to_first: Vec<isize> = [0, r as isize - 1].into_iter().chain(1..r as isize - 1).collect();
    let y = f(&x.permute(&to_first)?)?;
    let to_last: Vec<isize> = [0].into_iter().chain(2..r as isize).chain([1]).collect();
    y.permute(&to_last)
}

/// A 2-D convolution layer (Keras `Conv2D`, PyTorch `nn.Conv2d`).
pub struct Conv2d {
    weight: Tensor,
    bias: Option<Tensor>,
    options: Conv2dOptions,
    act: Act,
    flavor: Flavor,
    channels_last: bool,
}

impl Conv2d {
    /// `in_channels -> out_channels` with a `kernel` window; Keras layers default to channels-last.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        in_channels: usize,
        out_channels: usize,
        kernel: [usize; 2],
        options: Conv2dOptions,
        bias: bool,
        act: Act,
        flavor: Flavor,
        device: &Device,
    ) -> Result<Conv2d> {
        let (w, b) = Init::layer_defaults(flavor);
        Conv2d::with_init(in_channels, out_channels, kernel, options, bias, act, flavor, w, b, device)
    }

    /// The same with explicit initialisers.
    #[allow(clippy::too_many_arguments)]
    pub fn with_init(
        in_channels: usize,
        out_channels: usize,
        kernel: [usize; 2],
        options: Conv2dOptions,
        bias: bool,
        act: Act,
        flavor: Flavor,
        weight_init: Init,
        bias_init: Init,
        device: &Device,
    ) -> Result<Conv2d> {
        let g = options.groups;
        if in_channels == 0
            || out_channels == 0
            || g == 0
            || !in_channels.is_multiple_of(g)
            || !out_channels.is_multiple_of(g)
            || kernel.contains(&0)
        {
            let msg = format!("needs positive channels divisible by groups and a positive kernel, got {in_channels} -> {out_channels}, groups {g}, kernel {kernel:?}");
            return Err(Error::Invalid { op: "conv2d", msg });
        }
        let area = kernel[0].saturating_mul(kernel[1]);
        // Saturating: a size too large to allocate is refused by the initialiser, not by an overflow here.
        let fans = Fans { fan_in: (in_channels / g).saturating_mul(area), fan_out: out_channels.saturating_mul(area) };
        let weight = param(weight_init.tensor(&[out_channels, in_channels / g, kernel[0], kernel[1]], fans, device)?);
        let bias = if bias { Some(param(bias_init.tensor(&[out_channels], fans, device)?)) } else { None };
        Ok(Conv2d { weight, bias, options, act, flavor, channels_last: flavor == Flavor::Keras })
    }

    /// Chooses the data format (Keras's `dataFormat`).
    pub fn channels_last(mut self, channels_last: bool) -> Conv2d {
        self.channels_last = channels_last;
        self
    }
}

impl Module for Conv2d {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        via_channels_first(x, self.channels_last, |x| self.act.apply(&x.conv2d(&self.weight, self.bias.as_ref(), &self.options)?))
    }

    fn kind(&self) -> &'static str {
        "Conv2d"
    }

    fn keras_layout(&self, name: &str) -> Option<&'static [usize]> {
        (name == "kernel").then_some(&[2, 3, 1, 0])
    }

    fn named_parameters(&self) -> Vec<(String, Tensor)> {
        weight_and_bias(self.flavor, &self.weight, self.bias.as_ref())
    }
}

/// A 1-D convolution layer over `[n, c, length]` (or `[n, length, c]` channels-last).
pub struct Conv1d {
    weight: Tensor,
    bias: Option<Tensor>,
    stride: usize,
    padding: Padding,
    dilation: usize,
    groups: usize,
    act: Act,
    flavor: Flavor,
    channels_last: bool,
}

impl Conv1d {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        in_channels: usize,
        out_channels: usize,
        kernel: usize,
        stride: usize,
        padding: Padding,
        dilation: usize,
        groups: usize,
        bias: bool,
        act: Act,
        flavor: Flavor,
        device: &Device,
    ) -> Result<Conv1d> {
        if in_channels == 0
            || out_channels == 0
            || groups == 0
            || !in_channels.is_multiple_of(groups)
            || !out_channels.is_multiple_of(groups)
            || kernel == 0
        {
            let msg = format!("needs positive channels divisible by groups and a positive kernel, got {in_channels} -> {out_channels}, groups {groups}, kernel {kernel}");
            return Err(Error::Invalid { op: "conv1d", msg });
        }
        let (w, b) = Init::layer_defaults(flavor);
        let fans = Fans { fan_in: (in_channels / groups).saturating_mul(kernel), fan_out: out_channels.saturating_mul(kernel) };
        let weight = param(w.tensor(&[out_channels, in_channels / groups, kernel], fans, device)?);
        let bias = if bias { Some(param(b.tensor(&[out_channels], fans, device)?)) } else { None };
        Ok(Conv1d { weight, bias, stride, padding, dilation, groups, act, flavor, channels_last: flavor == Flavor::Keras })
    }
}

impl Module for Conv1d {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        via_channels_first(x, self.channels_last, |x| {
            let y = x.conv1d(&self.weight, self.bias.as_ref(), self.stride, self.padding, self.dilation, self.groups)?;
            self.act.apply(&y)
        })
    }

    fn kind(&self) -> &'static str {
        "Conv1d"
    }

    fn keras_layout(&self, name: &str) -> Option<&'static [usize]> {
        (name == "kernel").then_some(&[2, 1, 0])
    }

    fn named_parameters(&self) -> Vec<(String, Tensor)> {
        weight_and_bias(self.flavor, &self.weight, self.bias.as_ref())
    }
}

crate::layer_config! {
    /// A 2-D convolution (`Conv2D`, `nn.Conv2d`).
    pub struct Conv2dConfig {
        in_channels: usize,
        out_channels: usize,
        kernel: [usize; 2] = [3, 3],
        stride: [usize; 2] = [1, 1],
        padding: Padding = Padding::Valid,
        dilation: [usize; 2] = [1, 1],
        groups: usize = 1,
        bias: bool = true,
        activation: Option<ActivationKey>,
        /// The slope of leaky ReLU or the scale of ELU.
        alpha: Option<f32>,
        /// Samples are `[h, w, c]` (the Keras flavour's default) rather than `[c, h, w]`.
        channels_last: Option<bool>,
    }
}

crate::impl_layer_config!(Conv2dConfig, |c, flavor, device| {
    let options = Conv2dOptions { stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups };
    let act = activation(c.activation, c.alpha, flavor)?;
    let conv = Conv2d::new(c.in_channels, c.out_channels, c.kernel, options, c.bias, act, flavor, device)?;
    Ok(Rc::new(conv.channels_last(c.channels_last.unwrap_or(flavor == Flavor::Keras))))
});

crate::layer_config! {
    /// A 1-D convolution (`Conv1D`, `nn.Conv1d`).
    pub struct Conv1dConfig {
        in_channels: usize,
        out_channels: usize,
        kernel: usize,
        stride: usize = 1,
        padding: Padding1d = Padding1d(Padding::Valid),
        dilation: usize = 1,
        groups: usize = 1,
        bias: bool = true,
        activation: Option<ActivationKey>,
        /// The slope of leaky ReLU or the scale of ELU.
        alpha: Option<f32>,
    }
}

crate::impl_layer_config!(Conv1dConfig, |c, flavor, device| {
    let act = activation(c.activation, c.alpha, flavor)?;
    let conv =
        Conv1d::new(c.in_channels, c.out_channels, c.kernel, c.stride, c.padding.0, c.dilation, c.groups, c.bias, act, flavor, device)?;
    Ok(Rc::new(conv))
});
