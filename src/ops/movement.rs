//! Movement ops. Reshape (of contiguous data), squeeze, unsqueeze, permute, transpose, broadcast and
//! strided slices are views: they change the layout, not the data. Concat copies; split and chunk
//! are slices; pad, stack and flip are composed from the others.

use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::layout::{check_unique_axes, checked_numel, checked_size};
use crate::op::Op;
use crate::tensor::{resolve_axis, Tensor};

impl Tensor {
    /// The same elements under `shape` (a view when contiguous, else after a copy).
    pub fn reshape(&self, shape: &[usize]) -> Result<Tensor> {
        let expected = checked_numel("reshape", shape)?;
        if expected != self.numel() {
            return Err(Error::DataLength { op: "reshape", len: self.numel(), shape: shape.to_vec(), expected });
        }
        if shape == self.shape() {
            return Ok(self.clone());
        }
        let source = self.contiguous()?;
        let layout = source.layout().reshaped(shape);
        Ok(source.view(layout, || Op::Reshape(source.clone())))
    }

    /// Like [`Tensor::reshape`], with at most one `-1` standing for the size that fits (PyTorch's
    /// rules: two `-1`s, another negative size, or a `-1` that no size fits are errors).
    pub fn reshape_infer(&self, shape: &[isize]) -> Result<Tensor> {
        let invalid = |why: String| Error::Invalid { op: "reshape", msg: format!("cannot reshape {:?} to {shape:?}: {why}", self.shape()) };
        if let Some(&d) = shape.iter().find(|&&d| d < -1) {
            return Err(invalid(format!("invalid size {d}")));
        }
        if shape.iter().filter(|&&d| d == -1).count() > 1 {
            return Err(invalid("only one size can be inferred".into()));
        }
        let known: Vec<usize> = shape.iter().filter(|&&d| d >= 0).map(|&d| d as usize).collect();
        let known = checked_numel("reshape", &known)?;
        let fill = if shape.contains(&-1) {
            if known == 0 {
                return Err(invalid("the size -1 could be any value next to a size 0".into()));
            }
            if !self.numel().is_multiple_of(known) {
                return Err(invalid(format!("{} elements do not divide into rows of {known}", self.numel())));
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
                return Err(Error::Invalid { op: "permute", msg: format!("dim {a} appears multiple times in the list of dims {order:?}") });
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
        self.broadcast_named("broadcastTo", shape)
    }

    fn broadcast_named(&self, op: &'static str, shape: &[usize]) -> Result<Tensor> {
        if shape == self.shape() {
            return Ok(self.clone());
        }
        let layout = self.layout().broadcast_to(op, shape)?;
        Ok(self.view(layout, || Op::Broadcast(self.clone())))
    }

    /// Like [`Tensor::broadcast_to`], where `-1` keeps the existing size (PyTorch's `expand`; `-1`
    /// on a new leading axis and other negative sizes are errors). The result's element count is
    /// checked against the cap although a broadcast view allocates nothing: every op on it would.
    pub fn expand(&self, shape: &[isize]) -> Result<Tensor> {
        let op = "expand";
        let lead = shape.len().checked_sub(self.rank()).ok_or_else(|| Error::Invalid {
            op,
            msg: format!("the sizes {shape:?} are fewer than the dimensions of {:?}", self.shape()),
        })?;
        let resolved = shape
            .iter()
            .enumerate()
            .map(|(i, &d)| match d {
                -1 if i >= lead => Ok(self.shape()[i - lead]),
                -1 => Err(Error::Invalid { op, msg: format!("the size -1 is not allowed on the new leading axis {i} of {shape:?}") }),
                d if d < 0 => Err(Error::Invalid { op, msg: format!("invalid size {d} in {shape:?}") }),
                d => Ok(d as usize),
            })
            .collect::<Result<Vec<usize>>>()?;
        self.broadcast_named(op, &resolved)
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
        match start.checked_add(len) {
            Some(end) if end <= size => self.slice(axis, Some(start as isize), Some(end as isize), 1),
            end => {
                Err(Error::Index { op: "narrow", index: end.map_or(i64::MAX, |e| e as i64), axis: a, size, shape: self.shape().to_vec() })
            }
        }
    }

    /// [`Tensor::narrow`] with PyTorch's signed arguments: a negative `start` counts from the end
    /// (`narrow(0, -2, 2)` of 3 elements is the last two); `start` outside `[-size, size]`, a
    /// negative `len`, or a range past the end is an error.
    pub fn narrow_signed(&self, axis: isize, start: isize, len: isize) -> Result<Tensor> {
        let a = self.axis("narrow", axis)?;
        let size = self.shape()[a] as isize;
        let invalid = |msg: String| Error::Invalid { op: "narrow", msg: format!("{msg} (shape {:?}, axis {a})", self.shape()) };
        if start < -size || start > size {
            return Err(invalid(format!("start {start} is out of range [-{size}, {size}]")));
        }
        if len < 0 {
            return Err(invalid(format!("length {len} must be non-negative")));
        }
        let start = if start < 0 { start + size } else { start };
        if len > size - start {
            return Err(invalid(format!("start {start} + length {len} exceeds the size {size}")));
        }
        self.slice(axis, Some(start), Some(start + len), 1)
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
        let total = parts.iter().try_fold(0usize, |n, t| n.checked_add(t.shape()[a]));
        shape[a] = checked_size("concat", total, format_args!("the sum of the sizes along axis {a}"))?;
        checked_numel("concat", &shape)?;
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
        let mut shape = first.shape().to_vec();
        shape.insert(a as usize, tensors.len());
        checked_numel("stack", &shape)?;
        let expanded = tensors.iter().map(|t| t.unsqueeze(a)).collect::<Result<Vec<_>>>()?;
        Tensor::concat(&expanded, a)
    }

    /// Views of consecutive pieces of the given `sizes` along `axis` (they must add up to its size).
    pub fn split(&self, sizes: &[usize], axis: isize) -> Result<Vec<Tensor>> {
        let a = self.axis("split", axis)?;
        if sizes.iter().try_fold(0usize, |n, &s| n.checked_add(s)) != Some(self.shape()[a]) {
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

    /// Views of `size` elements each along `axis`, the last one smaller when `size` does not divide
    /// the axis (PyTorch's `split` with an integer). A negative `size` is an error, and so is 0 unless
    /// the axis is empty (then the result is the tensor itself), so this never loops.
    pub fn split_size(&self, size: isize, axis: isize) -> Result<Vec<Tensor>> {
        let a = self.axis("split", axis)?;
        let dim = self.shape()[a];
        let invalid = |msg: String| Error::Invalid { op: "split", msg };
        match usize::try_from(size) {
            Err(_) => Err(invalid(format!("split_size must be non-negative, got {size}"))),
            Ok(0) if dim == 0 => Ok(vec![self.clone()]),
            Ok(0) => {
                Err(invalid(format!("split_size can only be 0 if the axis is empty, but axis {a} of {:?} has size {dim}", self.shape())))
            }
            Ok(each) => {
                let sizes: Vec<usize> = (0..dim).step_by(each).map(|s| each.min(dim - s)).collect();
                self.split(&sizes, axis)
            }
        }
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
        let mut shape = self.shape().to_vec();
        for (d, &(before, after)) in widths.iter().enumerate() {
            let size = shape[d].checked_add(before).and_then(|n| n.checked_add(after));
            shape[d] = checked_size("pad", size, format_args!("axis {d} of {:?} padded by {widths:?}", self.shape()))?;
        }
        checked_numel("pad", &shape)?;
        let mut out = self.clone();
        for (d, &(before, after)) in widths.iter().enumerate() {
            if before == 0 && after == 0 {
                continue;
            }
            let mut parts = Vec::with_capacity(3);
            for width in [before, after] {
                let mut shape = out.shape().to_vec();
                shape[d] = width;
                parts.push(Tensor::filled("pad", &shape, value, out.dtype(), out.device())?);
            }
            let after_part = parts.pop();
            parts.push(out);
            parts.extend(after_part);
            out = Tensor::concat(&parts, d as isize)?;
        }
        Ok(out)
    }

    /// [`Tensor::pad`] with signed widths, as they arrive from JavaScript. Negative padding (which
    /// PyTorch's `F.pad` reads as cropping) is refused with an error, as TensorFlow's `pad` does:
    /// crop with [`Tensor::narrow`] or [`Tensor::slice`] instead.
    pub fn pad_signed(&self, widths: &[(isize, isize)], value: f64) -> Result<Tensor> {
        let unsigned = widths
            .iter()
            .enumerate()
            .map(|(d, &(before, after))| match (usize::try_from(before), usize::try_from(after)) {
                (Ok(b), Ok(a)) => Ok((b, a)),
                _ => Err(Error::Invalid {
                    op: "pad",
                    msg: format!("negative padding ({before}, {after}) on axis {d} is not supported; crop with narrow or slice"),
                }),
            })
            .collect::<Result<Vec<_>>>()?;
        self.pad(&unsigned, value)
    }

    /// The elements in reverse order along each of `axes` (a copy); a repeated axis is an error.
    pub fn flip(&self, axes: &[isize]) -> Result<Tensor> {
        let resolved = axes.iter().map(|&a| self.axis("flip", a)).collect::<Result<Vec<_>>>()?;
        check_unique_axes("flip", &resolved)?;
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
