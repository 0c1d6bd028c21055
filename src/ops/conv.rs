//! Convolutions and pooling in NCHW, the native layout (Keras-style NHWC callers permute first).
//! Each one unfolds sliding windows with im2col and multiplies by the weights as a batched matmul;
//! gradients follow from those primitives (the adjoint of im2col is col2im). Max pooling is its own
//! primitive, which records the tap of each maximum for its gradient.

use crate::backend::Window;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::layout::{checked_numel, checked_size};
use crate::op::Op;
use crate::tensor::Tensor;

/// How a window is padded at the borders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Padding {
    /// No padding.
    Valid,
    /// Enough padding that `out = ceil(in / stride)`, split evenly with the extra after (TensorFlow's
    /// and PyTorch's convention).
    Same,
    /// `[top, left, bottom, right]`.
    Explicit([usize; 4]),
}

/// Options of [`Tensor::conv2d`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Conv2dOptions {
    pub stride: [usize; 2],
    pub padding: Padding,
    pub dilation: [usize; 2],
    pub groups: usize,
}

impl Default for Conv2dOptions {
    fn default() -> Self {
        Conv2dOptions { stride: [1, 1], padding: Padding::Valid, dilation: [1, 1], groups: 1 }
    }
}

/// Options of [`Tensor::conv_transpose2d`] (PyTorch's `ConvTranspose2d` arguments).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConvTranspose2dOptions {
    pub stride: [usize; 2],
    pub padding: [usize; 2],
    pub output_padding: [usize; 2],
    pub dilation: [usize; 2],
    pub groups: usize,
}

impl Default for ConvTranspose2dOptions {
    fn default() -> Self {
        ConvTranspose2dOptions { stride: [1, 1], padding: [0, 0], output_padding: [0, 0], dilation: [1, 1], groups: 1 }
    }
}

/// Options of the 2-D pooling ops; `stride` defaults to the kernel size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pool2dOptions {
    pub kernel: [usize; 2],
    pub stride: Option<[usize; 2]>,
    pub padding: Padding,
    pub dilation: [usize; 2],
    /// Average pooling only: divide by the whole window (PyTorch's default) rather than by the taps
    /// inside the image (Keras's).
    pub count_include_pad: bool,
}

impl Pool2dOptions {
    pub fn new(kernel: [usize; 2]) -> Self {
        Pool2dOptions { kernel, stride: None, padding: Padding::Valid, dilation: [1, 1], count_include_pad: true }
    }
}

fn dims4(op: &'static str, t: &Tensor) -> Result<[usize; 4]> {
    match *t.shape() {
        [a, b, c, d] => Ok([a, b, c, d]),
        _ => Err(Error::Rank { op, expected: 4, got: t.shape().to_vec() }),
    }
}

/// The window of `kernel` over an `[n, c, h, w]` input, every size checked: kernel, stride and
/// dilation must be positive, the padded input must hold the dilated kernel, and the padded input
/// and the `[n, c, out_h, out_w]` output must fit [`crate::layout::MAX_ELEMENTS`]. With `Padding::Same` the output
/// is `ceil(in / stride)`, so an empty spatial axis stays empty (`[1, 1, 0, 4]` pooled by 1 with
/// stride 2 gives `[1, 1, 0, 2]`).
fn window(
    op: &'static str,
    image: [usize; 4],
    kernel: [usize; 2],
    stride: [usize; 2],
    dilation: [usize; 2],
    padding: Padding,
) -> Result<Window> {
    let [batch, channels, in_h, in_w] = image;
    if kernel.contains(&0) || stride.contains(&0) || dilation.contains(&0) {
        return Err(Error::Invalid { op, msg: format!("kernel {kernel:?}, stride {stride:?} and dilation {dilation:?} must be positive") });
    }
    let extent = |d: usize| {
        let e = dilation[d].checked_mul(kernel[d] - 1).and_then(|e| e.checked_add(1));
        checked_size(op, e, format_args!("the kernel {kernel:?} dilated by {dilation:?}"))
    };
    let extent = [extent(0)?, extent(1)?];
    let size = [in_h, in_w];
    let pad = match padding {
        Padding::Valid => [0; 4],
        Padding::Explicit(p) => p,
        Padding::Same => {
            // Total padding `(out - 1) * stride + extent - in` (none for an empty axis), the odd one after.
            let total = |d: usize| match size[d].div_ceil(stride[d]) {
                0 => 0,
                out => ((out - 1) * stride[d] + extent[d]).saturating_sub(size[d]),
            };
            let (th, tw) = (total(0), total(1));
            [th / 2, tw / 2, th - th / 2, tw - tw / 2]
        }
    };
    let out = |d: usize| -> Result<usize> {
        let padded = size[d].checked_add(pad[d]).and_then(|n| n.checked_add(pad[d + 2]));
        let padded = checked_size(op, padded, format_args!("the input [{in_h}, {in_w}] padded by {pad:?}"))?;
        if padding == Padding::Same {
            return Ok(size[d].div_ceil(stride[d]));
        }
        if padded < extent[d] {
            return Err(Error::Invalid {
                op,
                msg: format!("the window ({kernel:?} dilated by {dilation:?}) is larger than the input [{in_h}, {in_w}] padded by {pad:?}"),
            });
        }
        Ok((padded - extent[d]) / stride[d] + 1)
    };
    let (out_h, out_w) = (out(0)?, out(1)?);
    checked_numel(op, &[batch, channels, out_h, out_w])?;
    Ok(Window { batch, channels, in_h, in_w, kernel, stride, dilation, pad, out_h, out_w })
}

/// The unfolded columns of `window` (`[n, c * kh * kw, out_h * out_w]`) checked against the cap.
fn check_cols(op: &'static str, w: &Window) -> Result<()> {
    checked_numel(op, &[w.batch, w.channels, w.kernel[0], w.kernel[1], w.out_h, w.out_w]).map(|_| ())
}

impl Tensor {
    /// Sliding windows of this NCHW image unfolded into `[n, c * kh * kw, out_h * out_w]` columns.
    pub(crate) fn im2col(&self, window: &Window, pad_value: f32) -> Result<Tensor> {
        check_cols("im2col", window)?;
        let x = self.cast(DType::F32)?;
        let storage = x.device().im2col(&x.storage(), x.layout(), window, pad_value)?;
        Ok(x.derived(storage, &window.cols_shape(), || Op::Im2Col { input: x.clone(), window: *window }, &[&x]))
    }

    /// Columns summed back into an NCHW image (the adjoint of [`Tensor::im2col`]).
    pub(crate) fn col2im(&self, window: &Window) -> Result<Tensor> {
        checked_numel("col2im", &window.image_shape())?;
        let storage = self.device().col2im(&self.storage(), self.layout(), window)?;
        Ok(self.derived(storage, &window.image_shape(), || Op::Col2Im { input: self.clone(), window: *window }, &[self]))
    }

    /// The weight gradient of a convolution of this image giving output gradient `dy`.
    pub(crate) fn conv2d_weight_grad(&self, dy: &Tensor, window: &Window, groups: usize, weight_shape: &[usize]) -> Result<Tensor> {
        let dy = dy.contiguous()?;
        let storage = self.device().conv2d_weight_grad(
            &self.storage(),
            self.layout(),
            &dy.storage(),
            dy.layout(),
            window,
            groups,
            weight_shape[0],
        )?;
        Ok(self.untracked(storage, weight_shape))
    }

    /// The input gradient of a convolution with these (contiguous) weights giving output gradient `dy`.
    pub(crate) fn conv2d_input_grad(&self, dy: &Tensor, window: &Window, groups: usize) -> Result<Tensor> {
        let dy = dy.contiguous()?;
        let storage = self.device().conv2d_input_grad(&self.storage(), self.layout(), &dy.storage(), dy.layout(), window, groups)?;
        Ok(self.untracked(storage, &window.image_shape()))
    }

    fn add_channel_bias(out: Tensor, bias: Option<&Tensor>, channels: usize, op: &'static str) -> Result<Tensor> {
        let Some(bias) = bias else { return Ok(out) };
        if bias.shape() != [channels] {
            let why = "the bias must have one value per output channel";
            return Err(Error::ShapeMismatch { op, lhs: out.shape().to_vec(), rhs: bias.shape().to_vec(), why });
        }
        let mut shape = vec![1; out.rank()];
        shape[1] = channels;
        out.add(&bias.reshape(&shape)?)
    }

    /// 2-D convolution (cross-correlation, as in every framework) of an NCHW input with weights
    /// `[out_channels, in_channels / groups, kh, kw]`, plus an optional bias per output channel.
    pub fn conv2d(&self, weight: &Tensor, bias: Option<&Tensor>, o: &Conv2dOptions) -> Result<Tensor> {
        let op = "conv2d";
        let [n, c, h, w] = dims4(op, self)?;
        let [out_c, group_c, kh, kw] = dims4(op, weight)?;
        let g = o.groups;
        if g == 0 || c % g != 0 || out_c % g != 0 || group_c != c / g {
            let why = "weights must be [out_channels, in_channels / groups, kh, kw] with both channel counts divisible by groups";
            return Err(Error::ShapeMismatch { op, lhs: self.shape().to_vec(), rhs: weight.shape().to_vec(), why });
        }
        let win = window(op, [n, c, h, w], [kh, kw], o.stride, o.dilation, o.padding)?;
        check_cols(op, &win)?;
        checked_numel(op, &win.output_shape(out_c))?;
        let (x, weight) = (self.cast(DType::F32)?, weight.cast(DType::F32)?.contiguous()?);
        let storage = x.device().conv2d(&x.storage(), x.layout(), &weight.storage(), weight.layout(), &win, g)?;
        let record = || Op::Conv2d { input: x.clone(), weight: weight.clone(), window: win, groups: g };
        let out = x.derived(storage, &win.output_shape(out_c), record, &[&x, &weight]);
        Tensor::add_channel_bias(out, bias, out_c, op)
    }

    /// 1-D convolution of an `[n, c, length]` input with weights `[out_channels, c / groups, k]`;
    /// `Padding::Explicit` takes `[0, left, 0, right]`.
    pub fn conv1d(
        &self,
        weight: &Tensor,
        bias: Option<&Tensor>,
        stride: usize,
        padding: Padding,
        dilation: usize,
        groups: usize,
    ) -> Result<Tensor> {
        for t in [self, weight] {
            if t.rank() != 3 {
                return Err(Error::Rank { op: "conv1d", expected: 3, got: t.shape().to_vec() });
            }
        }
        let o = Conv2dOptions { stride: [1, stride], padding, dilation: [1, dilation], groups };
        let out = self.unsqueeze(2)?.conv2d(&weight.unsqueeze(2)?, bias, &o)?;
        out.squeeze(Some(2))
    }

    /// Transposed 2-D convolution (the gradient of conv2d with respect to its input) of an NCHW
    /// input with weights `[in_channels, out_channels / groups, kh, kw]`, as PyTorch defines it.
    pub fn conv_transpose2d(&self, weight: &Tensor, bias: Option<&Tensor>, o: &ConvTranspose2dOptions) -> Result<Tensor> {
        let op = "convTranspose2d";
        let [n, c_in, h, w] = dims4(op, self)?;
        let [w_in, group_out, kh, kw] = dims4(op, weight)?;
        let g = o.groups;
        if g == 0 || w_in != c_in || c_in % g != 0 {
            let why = "weights must be [in_channels, out_channels / groups, kh, kw] with in_channels divisible by groups";
            return Err(Error::ShapeMismatch { op, lhs: self.shape().to_vec(), rhs: weight.shape().to_vec(), why });
        }
        if o.stride.contains(&0) || o.dilation.contains(&0) || (0..2).any(|d| o.output_padding[d] >= o.stride[d].max(o.dilation[d])) {
            return Err(Error::Invalid {
                op,
                msg: "stride and dilation must be positive and output padding smaller than one of them".into(),
            });
        }
        if kh == 0 || kw == 0 {
            return Err(Error::Invalid { op, msg: format!("kernel [{kh}, {kw}] must be positive") });
        }
        // out = (in - 1) * stride + dilation * (k - 1) + output_padding + 1 - 2 * padding, checked.
        let size = |d: usize, input: usize, k: usize| -> Result<usize> {
            if input == 0 {
                return Err(Error::Invalid { op, msg: format!("the input [{h}, {w}] is empty: no output size fits") });
            }
            let full = (input - 1)
                .checked_mul(o.stride[d])
                .and_then(|n| n.checked_add(o.dilation[d].checked_mul(k - 1)?))
                .and_then(|n| n.checked_add(o.output_padding[d] + 1));
            let full = checked_size(
                op,
                full,
                format_args!("the output of input [{h}, {w}] with kernel [{kh}, {kw}], stride {:?}, dilation {:?}", o.stride, o.dilation),
            )?;
            o.padding[d]
                .checked_mul(2)
                .and_then(|p| full.checked_sub(p))
                .filter(|&s| s > 0)
                .ok_or(Error::Invalid { op, msg: format!("padding {:?} leaves no output for input [{h}, {w}]", o.padding) })
        };
        let (out_h, out_w) = (size(0, h, kh)?, size(1, w, kw)?);
        let out_c = checked_size(op, group_out.checked_mul(g), format_args!("{group_out} x {g} output channels"))?;
        checked_numel(op, &[n, out_c, out_h, out_w])?;
        checked_numel(op, &[n, out_c, kh, kw, h, w])?;
        let win = Window {
            batch: n,
            channels: out_c,
            in_h: out_h,
            in_w: out_w,
            kernel: [kh, kw],
            stride: o.stride,
            dilation: o.dilation,
            pad: [o.padding[0], o.padding[1], o.padding[0], o.padding[1]],
            out_h: h,
            out_w: w,
        };
        let x = self.reshape(&[n, g, c_in / g, h * w])?;
        let weights = weight.reshape(&[g, c_in / g, group_out * kh * kw])?.transpose(-1, -2)?;
        let cols = weights.matmul(&x)?.reshape(&[n, out_c * kh * kw, h * w])?;
        Tensor::add_channel_bias(cols.col2im(&win)?, bias, out_c, op)
    }

    /// Pooling windows of an NCHW input as `[n * c, kh * kw, positions]` columns (zero in the
    /// padding), and their window.
    fn pool_columns(&self, op: &'static str, o: &Pool2dOptions) -> Result<(Tensor, Window)> {
        let [n, c, h, w] = dims4(op, self)?;
        let win = window(op, [n * c, 1, h, w], o.kernel, o.stride.unwrap_or(o.kernel), o.dilation, o.padding)?;
        check_cols(op, &win)?;
        // The output too: with an empty batch the columns' count drops `c`, the output's does not.
        checked_numel(op, &[n, c, win.out_h, win.out_w])?;
        Ok((self.reshape(&[n * c, 1, h, w])?.im2col(&win, 0.0)?, win))
    }

    /// Maximum over each pooling window (padding never wins). The gradient goes to the first
    /// maximum of each window, as in TensorFlow and PyTorch.
    pub fn max_pool2d(&self, o: &Pool2dOptions) -> Result<Tensor> {
        let image = dims4("maxPool2d", self)?;
        let win = window("maxPool2d", image, o.kernel, o.stride.unwrap_or(o.kernel), o.dilation, o.padding)?;
        let x = self.cast(DType::F32)?;
        let (values, taps) = x.device().max_pool2d(&x.storage(), x.layout(), &win)?;
        let shape = win.output_shape(image[1]);
        let taps = x.untracked(taps, &shape);
        Ok(x.derived(values, &shape, || Op::MaxPool2d { input: x.clone(), taps, window: win }, &[&x]))
    }

    /// The input gradient of a max pooling whose maxima came from `taps`, for this output gradient.
    pub(crate) fn max_pool2d_grad(&self, taps: &Tensor, window: &Window) -> Result<Tensor> {
        let dy = self.contiguous()?;
        let storage = dy.device().max_pool2d_grad(&dy.storage(), dy.layout(), &taps.storage(), taps.layout(), window)?;
        Ok(dy.untracked(storage, &window.image_shape()))
    }

    /// Mean over each pooling window.
    pub fn avg_pool2d(&self, o: &Pool2dOptions) -> Result<Tensor> {
        let (cols, win) = self.pool_columns("avgPool2d", o)?;
        let (n, c) = (self.shape()[0], self.shape()[1]);
        let sums = cols.sum_dims(Some(&[1]), false)?;
        let mean = if o.count_include_pad {
            sums.mul_scalar(1.0 / (o.kernel[0] as f64 * o.kernel[1] as f64))?
        } else {
            let ones = Tensor::full(&[1, 1, win.in_h, win.in_w], 1.0, DType::F32, self.device())?;
            let counts = ones.im2col(&Window { batch: 1, ..win }, 0.0)?.sum_dims(Some(&[1]), false)?;
            sums.div(&counts)?
        };
        mean.reshape(&[n, c, win.out_h, win.out_w])
    }

    /// Mean over the spatial axes of an NCHW input: `[n, c, h, w] -> [n, c]`.
    pub fn global_avg_pool2d(&self) -> Result<Tensor> {
        dims4("globalAvgPool2d", self)?;
        self.mean(Some(&[2, 3]), false)
    }
}
