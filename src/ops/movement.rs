//! Movement ops. Reshape (of contiguous data), squeeze, unsqueeze, permute, transpose, broadcast and
//! strided slices are views: they change the layout, not the data. Concat copies; split and chunk
//! are slices; pad, stack and flip are composed from the others.

use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::layout::numel;
use crate::op::Op;
use crate::tensor::{resolve_axis, Tensor};

impl Tensor {
    /// The same elements under `shape` (a view when contiguous, else after a copy).
    pub fn reshape(&self, shape: &[usize]) -> Result<Tensor> {
        if numel(shape) != self.numel() {
            let expected = numel(shape);
            return Err(Error::DataLength { op: "reshape", len: self.numel(), shape: shape.to_vec(), expected });
        }
        if shape == self.shape() {
            return Ok(self.clone());
        }
        let source = self.contiguous()?;
        let layout = source.layout().reshaped(shape);
        Ok(source.view(layout, || Op::Reshape(source.clone())))
    }

    /// Like [`Tensor::reshape`], with at most one `-1` standing for the size that fits.
    pub fn reshape_infer(&self, shape: &[isize]) -> Result<Tensor> {
        let known: usize = shape.iter().filter(|&&d| d >= 0).map(|&d| d as usize).product();
        let unknown = shape.iter().filter(|&&d| d < 0).count();
        let invalid = || Error::Invalid { op: "reshape", msg: format!("cannot reshape {:?} to {shape:?}", self.shape()) };
        if unknown > 1 || shape.iter().any(|&d| d < -1) {
            return Err(invalid());
        }
        let fill = if unknown == 1 {
            if known == 0 || self.numel() % known != 0 {
                return Err(invalid());
            }
            self.numel() / known
        } else {
            0
        };
        let resolved: Vec<usize> = shape.iter().map(|&d| if d < 0 { fill } else { d as usize }).collect();
        self.reshape(&resolved)
    }

    /// Axes `start..=end` merged into one (negative axes count from the end).
    pub fn flatten(&self, start: isize, end: isize) -> Result<Tensor> {
        if self.rank() == 0 {
            return self.reshape(&[1]);
        }
        let (s, e) = (self.axis("flatten", start)?, self.axis("flatten", end)?);
        if s > e {
            return Err(Error::Invalid { op: "flatten", msg: format!("start axis {start} is after end axis {end}") });
        }
        let mut shape = self.shape()[..s].to_vec();
        shape.push(self.shape()[s..=e].iter().product());
        shape.extend(&self.shape()[e + 1..]);
        self.reshape(&shape)
    }

    /// Removes size-1 axes: `axis`, or all of them when `None` (a view).
    pub fn squeeze(&self, axis: Option<isize>) -> Result<Tensor> {
        let axes: Vec<usize> = match axis {
            Some(a) => {
                let a = self.axis("squeeze", a)?;
                if self.shape()[a] == 1 {
                    vec![a]
                } else {
                    vec![]
                }
            }
            None => (0..self.rank()).filter(|&d| self.shape()[d] == 1).collect(),
        };
        Ok(self.view(self.layout().squeezed(&axes), || Op::Reshape(self.clone())))
    }

    /// Inserts a size-1 axis at `axis` (`-1` appends; a view).
    pub fn unsqueeze(&self, axis: isize) -> Result<Tensor> {
        let a = resolve_axis("unsqueeze", axis, self.rank() + 1, self.shape())?;
        Ok(self.view(self.layout().unsqueezed(a), || Op::Reshape(self.clone())))
    }

    /// The view with axes reordered: axis `i` of the result is axis `order[i]` of this tensor.
    pub fn permute(&self, order: &[isize]) -> Result<Tensor> {
        if order.len() != self.rank() {
            return Err(Error::Rank { op: "permute", expected: order.len(), got: self.shape().to_vec() });
        }
        let mut seen = vec![false; self.rank()];
        let mut axes = Vec::with_capacity(order.len());
        for &axis in order {
            let a = self.axis("permute", axis)?;
            if std::mem::replace(&mut seen[a], true) {
                return Err(Error::Invalid { op: "permute", msg: format!("axis {axis} appears twice in {order:?}") });
            }
            axes.push(a);
        }
        Ok(self.view(self.layout().permuted(&axes), || Op::Permute(self.clone(), axes.clone())))
    }

    /// The view with axes `a` and `b` swapped (no copy).
    pub fn transpose(&self, a: isize, b: isize) -> Result<Tensor> {
        let (a, b) = (self.axis("transpose", a)?, self.axis("transpose", b)?);
        let mut order: Vec<isize> = (0..self.rank() as isize).collect();
        order.swap(a, b);
        self.permute(&order)
    }

    /// The transpose of a 2-D tensor.
    pub fn t(&self) -> Result<Tensor> {
        if self.rank() != 2 {
            return Err(Error::Rank { op: "t", expected: 2, got: self.shape().to_vec() });
        }
        self.transpose(0, 1)
    }

    /// The view of this tensor broadcast to `shape` (no copy).
    pub fn broadcast_to(&self, shape: &[usize]) -> Result<Tensor> {
        if shape == self.shape() {
            return Ok(self.clone());
        }
        let layout = self.layout().broadcast_to("broadcastTo", shape)?;
        Ok(self.view(layout, || Op::Broadcast(self.clone())))
    }

    /// Like [`Tensor::broadcast_to`], where `-1` keeps the existing size (PyTorch's `expand`).
    pub fn expand(&self, shape: &[isize]) -> Result<Tensor> {
        let lead = shape.len().saturating_sub(self.rank());
        let resolved: Vec<usize> = shape
            .iter()
            .enumerate()
            .map(|(i, &d)| if d < 0 && i >= lead { self.shape()[i - lead] } else { d.max(0) as usize })
            .collect();
        self.broadcast_to(&resolved)
    }

    /// This tensor with its elements stored densely in row-major order (itself when already so).
    pub fn contiguous(&self) -> Result<Tensor> {
        if self.layout().is_contiguous() {
            return Ok(self.clone());
        }
        let storage = self.device().unary(crate::backend::UnaryOp::Copy, &self.storage(), self.layout())?;
        Ok(self.derived(storage, self.shape(), || Op::Copy(self.clone()), &[self]))
    }

    /// Elements `start, start + step, …` before `end` along `axis` (a view). Negative `start`/`end`
    /// count from the end; both are clamped to the axis, as in Python slicing.
    pub fn slice(&self, axis: isize, start: Option<isize>, end: Option<isize>, step: usize) -> Result<Tensor> {
        let a = self.axis("slice", axis)?;
        if step == 0 {
            return Err(Error::Invalid { op: "slice", msg: "step must be positive".into() });
        }
        let size = self.shape()[a] as isize;
        let clamp = |v: isize| (if v < 0 { v + size } else { v }).clamp(0, size) as usize;
        let (s, e) = (clamp(start.unwrap_or(0)), clamp(end.unwrap_or(size)));
        let len = if e > s { (e - s).div_ceil(step) } else { 0 };
        let mut starts = vec![0; self.rank()];
        let mut steps = vec![1; self.rank()];
        starts[a] = s;
        steps[a] = step;
        let layout = self.layout().sliced(a, s, len, step);
        Ok(self.view(layout, || Op::Slice { input: self.clone(), starts, steps }))
    }

    /// `len` elements from `start` along `axis` (a view; errors when out of range).
    pub fn narrow(&self, axis: isize, start: usize, len: usize) -> Result<Tensor> {
        let a = self.axis("narrow", axis)?;
        let size = self.shape()[a];
        if start + len > size {
            return Err(Error::Index { op: "narrow", index: (start + len) as i64, axis: a, size, shape: self.shape().to_vec() });
        }
        self.slice(axis, Some(start as isize), Some((start + len) as isize), 1)
    }

    /// `tensors` joined along `axis`; all must share dtype, device, and every other dimension.
    pub fn concat(tensors: &[Tensor], axis: isize) -> Result<Tensor> {
        let first = tensors.first().ok_or(Error::Invalid { op: "concat", msg: "needs at least one tensor".into() })?;
        let a = first.axis("concat", axis)?;
        let dtype = tensors.iter().map(Tensor::dtype).max().unwrap_or(DType::F32);
        let mut parts = Vec::with_capacity(tensors.len());
        for t in tensors {
            first.check_device("concat", t)?;
            let same = t.rank() == first.rank() && (0..t.rank()).all(|d| d == a || t.shape()[d] == first.shape()[d]);
            if !same {
                let why = "all dimensions but the concatenation axis must match";
                return Err(Error::ShapeMismatch { op: "concat", lhs: first.shape().to_vec(), rhs: t.shape().to_vec(), why });
            }
            parts.push(t.cast(dtype)?);
        }
        let mut shape = first.shape().to_vec();
        shape[a] = parts.iter().map(|t| t.shape()[a]).sum();
        let storages: Vec<_> = parts.iter().map(|t| t.storage()).collect();
        let views: Vec<_> = storages.iter().zip(&parts).map(|(s, t)| (&**s, t.layout())).collect();
        let storage = first.device().concat(&views, a)?;
        let refs: Vec<&Tensor> = parts.iter().collect();
        Ok(parts[0].derived(storage, &shape, || Op::Concat { inputs: parts.clone(), axis: a }, &refs))
    }

    /// `tensors` (all of one shape) stacked along a new axis `axis`.
    pub fn stack(tensors: &[Tensor], axis: isize) -> Result<Tensor> {
        let first = tensors.first().ok_or(Error::Invalid { op: "stack", msg: "needs at least one tensor".into() })?;
        let a = resolve_axis("stack", axis, first.rank() + 1, first.shape())? as isize;
        for t in tensors {
            if t.shape() != first.shape() {
                let why = "stacked tensors must have one shape";
                return Err(Error::ShapeMismatch { op: "stack", lhs: first.shape().to_vec(), rhs: t.shape().to_vec(), why });
            }
        }
        let expanded = tensors.iter().map(|t| t.unsqueeze(a)).collect::<Result<Vec<_>>>()?;
        Tensor::concat(&expanded, a)
    }

    /// Views of consecutive pieces of the given `sizes` along `axis` (they must add up to its size).
    pub fn split(&self, sizes: &[usize], axis: isize) -> Result<Vec<Tensor>> {
        let a = self.axis("split", axis)?;
        if sizes.iter().sum::<usize>() != self.shape()[a] {
            return Err(Error::Invalid { op: "split", msg: format!("sizes {sizes:?} do not add up to axis {a} of {:?}", self.shape()) });
        }
        let mut start = 0;
        sizes
            .iter()
            .map(|&len| {
                let piece = self.narrow(axis, start, len);
                start += len;
                piece
            })
            .collect()
    }

    /// `chunks` views of (nearly) equal size along `axis`; the last may be smaller, as in PyTorch.
    pub fn chunk(&self, chunks: usize, axis: isize) -> Result<Vec<Tensor>> {
        let a = self.axis("chunk", axis)?;
        if chunks == 0 {
            return Err(Error::Invalid { op: "chunk", msg: "chunks must be positive".into() });
        }
        let size = self.shape()[a];
        let each = size.div_ceil(chunks).max(1);
        let sizes: Vec<usize> = (0..size).step_by(each).map(|s| each.min(size - s)).collect();
        self.split(&sizes, axis)
    }

    /// Pads with `value`: `widths[d] = (before, after)` for each axis `d` from the first.
    pub fn pad(&self, widths: &[(usize, usize)], value: f64) -> Result<Tensor> {
        if widths.len() != self.rank() {
            return Err(Error::Rank { op: "pad", expected: widths.len(), got: self.shape().to_vec() });
        }
        let mut out = self.clone();
        for (d, &(before, after)) in widths.iter().enumerate() {
            if before == 0 && after == 0 {
                continue;
            }
            let mut parts = Vec::with_capacity(3);
            for width in [before, after] {
                let mut shape = out.shape().to_vec();
                shape[d] = width;
                parts.push(Tensor::full(&shape, value, out.dtype(), out.device())?);
            }
            let after_part = parts.pop();
            parts.push(out);
            parts.extend(after_part);
            out = Tensor::concat(&parts, d as isize)?;
        }
        Ok(out)
    }

    /// The elements in reverse order along each of `axes` (a copy).
    pub fn flip(&self, axes: &[isize]) -> Result<Tensor> {
        let mut out = self.clone();
        for &axis in axes {
            let a = self.axis("flip", axis)?;
            let n = self.shape()[a] as i32;
            let reversed: Vec<i32> = (0..n).rev().collect();
            let index = Tensor::from_i32(&reversed, &[n as usize], self.device())?;
            out = out.index_select(a as isize, &index)?;
        }
        Ok(out)
    }
}
