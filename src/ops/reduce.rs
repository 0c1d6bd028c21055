//! Reductions over any set of axes (with `keepdim`), the statistics built on them, and the
//! numerically stable softmax family.

use crate::backend::{ReduceOp, UnaryOp};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::layout::check_unique_axes;
use crate::op::Op;
use crate::tensor::Tensor;

impl Tensor {
    /// Sorted axes in `0..rank` for `axes` (negative counting from the end); `None` means all, and
    /// `Some(&[])` none. An axis named twice (`[0, 0]`, or `[1, -1]` on rank 2) is an error naming
    /// `op`, as in PyTorch.
    pub(crate) fn reduce_axes(&self, op: &'static str, axes: Option<&[isize]>) -> Result<Vec<usize>> {
        let mut out = match axes {
            None => (0..self.rank()).collect(),
            Some(axes) => axes.iter().map(|&a| self.axis(op, a)).collect::<Result<Vec<_>>>()?,
        };
        check_unique_axes(op, &out)?;
        out.sort_unstable();
        Ok(out)
    }

    fn reduced_shape(&self, axes: &[usize], keepdim: bool) -> Vec<usize> {
        (0..self.rank()).filter_map(|d| if axes.contains(&d) { keepdim.then_some(1) } else { Some(self.shape()[d]) }).collect()
    }

    /// Number of elements reduced into each output.
    fn reduced_count(&self, axes: &[usize]) -> usize {
        axes.iter().map(|&a| self.shape()[a]).product()
    }

    /// The reduction `op` over `axes`. Over no axes (`Some(&[])`, or a scalar) every reduction is
    /// the identity, as in NumPy and TensorFlow (`x.sum([])` is a copy of `x`, whatever `keepdim`);
    /// no backend is asked to reduce over nothing.
    fn reduce(&self, op: ReduceOp, name: &'static str, axes: Option<&[isize]>, keepdim: bool) -> Result<Tensor> {
        let axes = self.reduce_axes(name, axes)?;
        if matches!(op, ReduceOp::Max | ReduceOp::Min) && self.reduced_count(&axes) == 0 {
            return Err(Error::Invalid { op: name, msg: format!("cannot reduce the empty shape {:?} (no identity)", self.shape()) });
        }
        let x = if self.dtype() == DType::Bool { self.cast(DType::I32)? } else { self.clone() };
        if axes.is_empty() {
            return x.unary(UnaryOp::Copy);
        }
        let storage = self.device().reduce(op, &x.storage(), x.layout(), &axes)?;
        let shape = x.reduced_shape(&axes, keepdim);
        let record = || Op::Reduce { op, input: x.clone(), axes: axes.clone(), keepdim };
        Ok(x.derived(storage, &shape, record, &[&x]))
    }

    /// Sum of all elements, as a scalar.
    pub fn sum(&self) -> Result<Tensor> {
        self.sum_dims(None, false)
    }

    /// Sum over `axes` (`None`: all; `Some(&[])`: none, a copy).
    pub fn sum_dims(&self, axes: Option<&[isize]>, keepdim: bool) -> Result<Tensor> {
        self.reduce(ReduceOp::Sum, "sum", axes, keepdim)
    }

    /// Product over `axes` (`None`: all).
    pub fn prod(&self, axes: Option<&[isize]>, keepdim: bool) -> Result<Tensor> {
        self.reduce(ReduceOp::Prod, "prod", axes, keepdim)
    }

    /// Maximum over `axes` (`None`: all); ties share the gradient equally.
    pub fn max(&self, axes: Option<&[isize]>, keepdim: bool) -> Result<Tensor> {
        self.reduce(ReduceOp::Max, "max", axes, keepdim)
    }

    /// Minimum over `axes` (`None`: all); ties share the gradient equally.
    pub fn min(&self, axes: Option<&[isize]>, keepdim: bool) -> Result<Tensor> {
        self.reduce(ReduceOp::Min, "min", axes, keepdim)
    }

    /// Mean over `axes` (`None`: all; `Some(&[])`: none, a float32 copy), in float32.
    pub fn mean(&self, axes: Option<&[isize]>, keepdim: bool) -> Result<Tensor> {
        let count = self.reduced_count(&self.reduce_axes("mean", axes)?);
        self.cast(DType::F32)?.sum_dims(axes, keepdim)?.mul_scalar(1.0 / count as f64)
    }

    /// Variance over `axes` with `correction` (1: unbiased, as PyTorch's default; 0: population, as
    /// NumPy's and TensorFlow's default). Over no axes (`Some(&[])`) each element is its own sample,
    /// as in NumPy: zeros with correction 0, and NaN with correction 1 (0 / 0).
    pub fn var(&self, axes: Option<&[isize]>, correction: f64, keepdim: bool) -> Result<Tensor> {
        self.variance("var", axes, correction, keepdim)
    }

    /// [`Tensor::var`] whose errors name `op`.
    fn variance(&self, op: &'static str, axes: Option<&[isize]>, correction: f64, keepdim: bool) -> Result<Tensor> {
        let count = self.reduced_count(&self.reduce_axes(op, axes)?) as f64;
        let x = self.cast(DType::F32)?;
        let centered = x.sub(&x.mean(axes, true)?)?;
        centered.square()?.sum_dims(axes, keepdim)?.mul_scalar(1.0 / (count - correction).max(0.0))
    }

    /// Standard deviation: the square root of [`Tensor::var`] (errors name `std`).
    pub fn std(&self, axes: Option<&[isize]>, correction: f64, keepdim: bool) -> Result<Tensor> {
        self.variance("std", axes, correction, keepdim)?.sqrt()
    }

    /// `log(sum(exp(x)))` over `axes`, computed stably (shifted by the maximum). Over no axes it is
    /// `x`; over an empty axis it is `-inf` (the log of an empty sum), as in PyTorch.
    pub fn logsumexp(&self, axes: Option<&[isize]>, keepdim: bool) -> Result<Tensor> {
        let reduced = self.reduce_axes("logsumexp", axes)?;
        let x = self.cast(DType::F32)?;
        if self.reduced_count(&reduced) == 0 {
            return Tensor::full(&x.reduced_shape(&reduced, keepdim), f64::NEG_INFINITY, DType::F32, x.device());
        }
        let shift = x.stable_shift(axes)?;
        let total = x.sub(&shift)?.exp()?.sum_dims(axes, true)?.log()?.add(&shift)?;
        if keepdim {
            Ok(total)
        } else {
            let shape = x.reduced_shape(&x.reduce_axes("logsumexp", axes)?, false);
            total.reshape(&shape)
        }
    }

    /// The maximum over `axes` (kept), detached, with infinite maxima replaced by 0 so that shifting
    /// by it never makes NaN.
    fn stable_shift(&self, axes: Option<&[isize]>) -> Result<Tensor> {
        let m = self.max(axes, true)?.detach();
        let finite = m.abs()?.lt(&m.scalar_like(f64::INFINITY)?)?;
        Tensor::where_cond(&finite, &m, &m.scalar_like(0.0)?)
    }

    /// `exp(x) / sum(exp(x))` along `axis`, stable for large logits (one fused kernel).
    pub fn softmax(&self, axis: isize) -> Result<Tensor> {
        self.softmax_op(axis, false)
    }

    /// `log(softmax(x))` along `axis`, computed as `(x - m) - log(sum(exp(x - m)))` with `m` the
    /// maximum, so large logits keep their precision (one fused kernel).
    pub fn log_softmax(&self, axis: isize) -> Result<Tensor> {
        self.softmax_op(axis, true)
    }

    fn softmax_op(&self, axis: isize, log: bool) -> Result<Tensor> {
        let x = self.cast(DType::F32)?;
        let a = x.axis(if log { "logSoftmax" } else { "softmax" }, axis)?;
        let storage = x.device().softmax(&x.storage(), x.layout(), a, log)?;
        Ok(x.derived(storage, x.shape(), || Op::Softmax { input: x.clone(), axis: a, log }, &[&x]))
    }

    fn arg(&self, op: ReduceOp, name: &'static str, axis: Option<isize>, keepdim: bool) -> Result<Tensor> {
        let (x, axis) = match axis {
            Some(a) => (self.clone(), self.axis(name, a)?),
            None => (self.reshape(&[self.numel()])?, 0),
        };
        if x.shape()[axis] == 0 {
            return Err(Error::Invalid { op: name, msg: format!("cannot reduce an empty axis of shape {:?}", self.shape()) });
        }
        let x = if x.dtype() == DType::Bool { x.cast(DType::I32)? } else { x };
        let storage = x.device().reduce(op, &x.storage(), x.layout(), &[axis])?;
        let shape = x.reduced_shape(&[axis], keepdim && self.rank() == x.rank());
        Ok(x.untracked(storage, &shape))
    }

    /// Position of the maximum along `axis` (`None`: of the flattened tensor), as int32; the first
    /// one on ties; NaN counts as the largest.
    pub fn argmax(&self, axis: Option<isize>, keepdim: bool) -> Result<Tensor> {
        self.arg(ReduceOp::ArgMax, "argmax", axis, keepdim)
    }

    /// Position of the minimum along `axis` (`None`: of the flattened tensor), as int32.
    pub fn argmin(&self, axis: Option<isize>, keepdim: bool) -> Result<Tensor> {
        self.arg(ReduceOp::ArgMin, "argmin", axis, keepdim)
    }

    /// Sums this tensor over the axes along which `shape` was broadcast to this tensor's shape: the
    /// gradient of a broadcast.
    pub(crate) fn sum_to(&self, shape: &[usize]) -> Result<Tensor> {
        if self.shape() == shape {
            return Ok(self.clone());
        }
        let lead = self.rank().saturating_sub(shape.len());
        let axes: Vec<isize> =
            (0..self.rank()).filter(|&d| d < lead || (shape[d - lead] == 1 && self.shape()[d] != 1)).map(|d| d as isize).collect();
        self.sum_dims(Some(&axes), false)?.reshape(shape)
    }
}
