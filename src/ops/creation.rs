//! Creating tensors: constants, ranges, identity, and random values from the seedable generator.

use crate::backend::cpu::alloc;
use crate::backend::Device;
use crate::dtype::{DType, HostData};
use crate::error::{Error, Result};
use crate::layout::{checked_numel, checked_size};
use crate::random::draw;
use crate::tensor::Tensor;

impl Tensor {
    /// A tensor of `shape` filled with `value`.
    pub fn full(shape: &[usize], value: f64, dtype: DType, device: &Device) -> Result<Tensor> {
        Tensor::filled("full", shape, value, dtype, device)
    }

    /// [`Tensor::full`] whose size errors name `op`.
    pub(crate) fn filled(op: &'static str, shape: &[usize], value: f64, dtype: DType, device: &Device) -> Result<Tensor> {
        checked_numel(op, shape)?;
        Tensor::new(HostData::try_filled(op, dtype, value, shape)?, shape, device)
    }

    pub fn zeros(shape: &[usize], dtype: DType, device: &Device) -> Result<Tensor> {
        Tensor::filled("zeros", shape, 0.0, dtype, device)
    }

    pub fn ones(shape: &[usize], dtype: DType, device: &Device) -> Result<Tensor> {
        Tensor::filled("ones", shape, 1.0, dtype, device)
    }

    /// A tensor of this one's shape, dtype and device filled with `value`.
    pub fn full_like(&self, value: f64) -> Result<Tensor> {
        Tensor::full(self.shape(), value, self.dtype(), self.device())
    }

    pub fn zeros_like(&self) -> Result<Tensor> {
        self.full_like(0.0)
    }

    pub fn ones_like(&self) -> Result<Tensor> {
        self.full_like(1.0)
    }

    /// `start, start + step, …` up to but excluding `end`.
    pub fn arange(start: f64, end: f64, step: f64, dtype: DType, device: &Device) -> Result<Tensor> {
        if step == 0.0 || !step.is_finite() || !start.is_finite() || !end.is_finite() {
            return Err(Error::Invalid {
                op: "arange",
                msg: format!("start {start}, end {end} and step {step} must be finite, step nonzero"),
            });
        }
        let count = ((end - start) / step).ceil().max(0.0);
        // A count past the cap (or one that is not finite: a huge range over a tiny step) is an error.
        let fits = count.is_finite() && count <= crate::layout::MAX_ELEMENTS as f64;
        let count = checked_size("arange", fits.then_some(count as usize), format_args!("a range of {count} values"))?;
        let data = host_values("arange", &[count], dtype, (0..count).map(|i| start + i as f64 * step))?;
        Tensor::new(data, &[count], device)
    }

    /// `steps` evenly spaced values from `start` to `end`, both included.
    pub fn linspace(start: f64, end: f64, steps: usize, device: &Device) -> Result<Tensor> {
        checked_numel("linspace", &[steps])?;
        let step = if steps > 1 { (end - start) / (steps - 1) as f64 } else { 0.0 };
        let values = (0..steps).map(|i| if i + 1 == steps && steps > 1 { end } else { start + i as f64 * step });
        Tensor::new(host_values("linspace", &[steps], DType::F32, values)?, &[steps], device)
    }

    /// The `rows x cols` identity (ones on the main diagonal).
    pub fn eye(rows: usize, cols: usize, dtype: DType, device: &Device) -> Result<Tensor> {
        let count = checked_numel("eye", &[rows, cols])?;
        let diagonal = (0..count).map(|i| if i / cols == i % cols { 1.0 } else { 0.0 });
        Tensor::new(host_values("eye", &[rows, cols], dtype, diagonal)?, &[rows, cols], device)
    }

    /// Uniform values in `[low, high)`.
    pub fn uniform(shape: &[usize], low: f64, high: f64, device: &Device) -> Result<Tensor> {
        if low > high || !low.is_finite() || !high.is_finite() {
            return Err(Error::Invalid { op: "uniform", msg: format!("needs finite low <= high, got {low} and {high}") });
        }
        let values = draw("uniform", shape, checked_numel("uniform", shape)?, |r| (low + (high - low) * r.uniform() as f64) as f32)?;
        Tensor::new(HostData::F32(values), shape, device)
    }

    /// Uniform values in `[0, 1)`.
    pub fn rand(shape: &[usize], device: &Device) -> Result<Tensor> {
        Tensor::uniform(shape, 0.0, 1.0, device)
    }

    /// Normal values with mean `mean` and standard deviation `std`.
    pub fn normal(shape: &[usize], mean: f64, std: f64, device: &Device) -> Result<Tensor> {
        if std < 0.0 || !std.is_finite() || !mean.is_finite() {
            return Err(Error::Invalid { op: "normal", msg: format!("needs a finite mean and std >= 0, got {mean} and {std}") });
        }
        let values = draw("normal", shape, checked_numel("normal", shape)?, |r| (mean + std * r.normal() as f64) as f32)?;
        Tensor::new(HostData::F32(values), shape, device)
    }

    /// Standard normal values.
    pub fn randn(shape: &[usize], device: &Device) -> Result<Tensor> {
        Tensor::normal(shape, 0.0, 1.0, device)
    }

    /// Uniform int32 values in `[low, high)`.
    pub fn randint(shape: &[usize], low: i32, high: i32, device: &Device) -> Result<Tensor> {
        if high <= low {
            return Err(Error::Invalid { op: "randint", msg: format!("needs low < high, got {low} and {high}") });
        }
        let values = draw("randint", shape, checked_numel("randint", shape)?, |r| r.integer(low, high))?;
        Tensor::new(HostData::I32(values), shape, device)
    }

    /// A random permutation of `0..n` as int32 (PyTorch's `randperm`; Fisher–Yates on the seeded
    /// generator).
    pub fn randperm(n: usize, device: &Device) -> Result<Tensor> {
        checked_numel("randperm", &[n])?;
        let mut order = alloc::with_capacity("randperm", &[n], n)?;
        order.extend(0..n as i32);
        let mut i = n;
        let swaps = draw("randperm", &[n], n.saturating_sub(1), |r| {
            let j = r.integer(0, i as i32) as usize;
            i -= 1;
            j
        })?;
        for (k, j) in swaps.into_iter().enumerate() {
            order.swap(n - 1 - k, j);
        }
        Tensor::new(HostData::I32(order), &[n], device)
    }
}

/// The `numel(shape)` values of `values` converted to `dtype` (as `full` converts its value), into a
/// buffer reserved fallibly for `op`.
fn host_values(op: &'static str, shape: &[usize], dtype: DType, values: impl Iterator<Item = f64>) -> Result<HostData> {
    fn collect<T>(op: &'static str, shape: &[usize], values: impl Iterator<Item = T>) -> Result<Vec<T>> {
        let mut out = alloc::with_capacity(op, shape, crate::layout::numel(shape))?;
        out.extend(values);
        Ok(out)
    }
    Ok(match dtype {
        DType::F32 => HostData::F32(collect(op, shape, values.map(|v| v as f32))?),
        DType::I32 => HostData::I32(collect(op, shape, values.map(|v| v as i32))?),
        DType::Bool => HostData::Bool(collect(op, shape, values.map(|v| v != 0.0))?),
    })
}
