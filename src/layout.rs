//! How a tensor's elements sit in its storage: shape, strides (in elements) and offset. Movement ops
//! (transpose, broadcast, reshape of contiguous data) change only the layout, never the data.

use crate::error::{Error, Result};

/// Shape, strides and offset of a strided view into a flat buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    shape: Vec<usize>,
    strides: Vec<usize>,
    offset: usize,
}

/// The most bytes one tensor may hold: `2^31 - 1`, so that every byte offset fits an `i32` and an
/// `isize` on wasm32 (where `usize` is 32-bit) and a buffer stays within what WebGPU can bind. The
/// backend may hold less (memory, adapter limits); this is the cap no shape arithmetic may pass.
pub const MAX_BYTES: usize = i32::MAX as usize;

/// The most elements one tensor may hold: [`MAX_BYTES`] over the widest element (4 bytes: float32,
/// int32, and bool as stored on WebGPU). The one cap every op checks its sizes against.
pub const MAX_ELEMENTS: usize = MAX_BYTES / 4;

/// Number of elements of a shape (1 for a scalar). Saturates at `usize::MAX` rather than wrapping;
/// shapes from user input go through [`checked_numel`] first.
pub fn numel(shape: &[usize]) -> usize {
    if shape.contains(&0) {
        return 0;
    }
    shape.iter().try_fold(1usize, |n, &d| n.checked_mul(d)).unwrap_or(usize::MAX)
}

/// The error for a size over [`MAX_ELEMENTS`] (or one that overflows): `op: <what> ... more than a
/// tensor can hold`.
pub fn too_large(op: &'static str, what: impl std::fmt::Display) -> Error {
    Error::Invalid { op, msg: format!("{what} is more than a tensor can hold ({MAX_ELEMENTS} elements, {MAX_BYTES} bytes)") }
}

/// One size checked against the cap: `Some(n)` with `n <= MAX_ELEMENTS`, else the error naming `op`
/// and `what` (the sum or product that overflowed is `None`).
pub fn checked_size(op: &'static str, size: Option<usize>, what: impl std::fmt::Display) -> Result<usize> {
    size.filter(|&n| n <= MAX_ELEMENTS).ok_or_else(|| too_large(op, what))
}

/// The element count of `shape`, checked: an error naming `op` and the shape when the product of
/// its sizes overflows or passes [`MAX_ELEMENTS`]. Sizes after a 0 count too (the nonzero sizes must
/// multiply within the cap), so the strides of every accepted shape fit as well.
pub fn checked_numel(op: &'static str, shape: &[usize]) -> Result<usize> {
    let nonzero = shape.iter().filter(|&&d| d != 0).try_fold(1usize, |n, &d| n.checked_mul(d).filter(|&n| n <= MAX_ELEMENTS));
    let what = || format!("shape {shape:?}");
    checked_size(op, nonzero, what())?;
    Ok(numel(shape))
}

/// Sizes given as signed integers (as JavaScript numbers arrive), each checked to be `>= 0`, and
/// their product checked by [`checked_numel`]: `op: size -1 of shape [2, -1] is negative`.
pub fn sizes_from_signed(op: &'static str, shape: &[i64]) -> Result<Vec<usize>> {
    let sizes = shape
        .iter()
        .map(|&d| match usize::try_from(d) {
            Ok(n) if n <= MAX_ELEMENTS => Ok(n),
            Ok(_) => Err(too_large(op, format_args!("size {d} of shape {shape:?}"))),
            Err(_) => Err(Error::Invalid { op, msg: format!("size {d} of shape {shape:?} is negative") }),
        })
        .collect::<Result<Vec<_>>>()?;
    checked_numel(op, &sizes)?;
    Ok(sizes)
}

/// Row-major strides for a shape (saturating, never wrapping; exact for shapes [`checked_numel`]
/// accepts).
pub fn contiguous_strides(shape: &[usize]) -> Vec<usize> {
    let mut strides = vec![0; shape.len()];
    let mut step = 1usize;
    for (stride, &dim) in strides.iter_mut().zip(shape).rev() {
        *stride = step;
        step = step.saturating_mul(dim);
    }
    strides
}

/// `axes` checked for repeats: PyTorch's "dim 0 appears multiple times in the list of dims", naming
/// `op`. `axes` are resolved (in `0..rank`).
pub fn check_unique_axes(op: &'static str, axes: &[usize]) -> Result<()> {
    for (i, a) in axes.iter().enumerate() {
        if axes[..i].contains(a) {
            return Err(Error::Invalid { op, msg: format!("dim {a} appears multiple times in the list of dims {axes:?}") });
        }
    }
    Ok(())
}

/// The shape two operands broadcast to under NumPy rules.
pub fn broadcast_shapes(op: &'static str, lhs: &[usize], rhs: &[usize]) -> Result<Vec<usize>> {
    let rank = lhs.len().max(rhs.len());
    let dim = |s: &[usize], i: usize| if i + s.len() < rank { 1 } else { s[i + s.len() - rank] };
    (0..rank)
        .map(|i| match (dim(lhs, i), dim(rhs, i)) {
            (a, b) if a == b => Ok(a),
            (1, b) => Ok(b),
            (a, 1) => Ok(a),
            _ => Err(Error::Broadcast { op, lhs: lhs.to_vec(), rhs: rhs.to_vec() }),
        })
        .collect::<Result<Vec<_>>>()
        .and_then(|shape| checked_numel(op, &shape).map(|_| shape))
}

impl Layout {
    /// A row-major layout starting at offset 0.
    pub fn contiguous(shape: &[usize]) -> Self {
        Layout { shape: shape.to_vec(), strides: contiguous_strides(shape), offset: 0 }
    }

    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    pub fn strides(&self) -> &[usize] {
        &self.strides
    }

    pub fn offset(&self) -> usize {
        self.offset
    }

    pub fn rank(&self) -> usize {
        self.shape.len()
    }

    pub fn numel(&self) -> usize {
        numel(&self.shape)
    }

    /// True when the elements are stored row-major and densely from the offset.
    pub fn is_contiguous(&self) -> bool {
        self.shape
            .iter()
            .zip(&self.strides)
            .zip(contiguous_strides(&self.shape))
            .all(|((&dim, &stride), expected)| dim <= 1 || stride == expected)
    }

    /// The view of this layout broadcast to `shape` (stride 0 along broadcast axes).
    pub fn broadcast_to(&self, op: &'static str, shape: &[usize]) -> Result<Layout> {
        let err = || Error::Broadcast { op, lhs: self.shape.clone(), rhs: shape.to_vec() };
        checked_numel(op, shape)?;
        let lead = shape.len().checked_sub(self.rank()).ok_or_else(err)?;
        let mut strides = vec![0; shape.len()];
        for (i, (&dim, &stride)) in self.shape.iter().zip(&self.strides).enumerate() {
            match (dim, shape[lead + i]) {
                (a, b) if a == b => strides[lead + i] = stride,
                (1, _) => strides[lead + i] = 0,
                _ => return Err(err()),
            }
        }
        Ok(Layout { shape: shape.to_vec(), strides, offset: self.offset })
    }

    /// A layout built without checks, for tests of what the kernels do past the element cap.
    #[cfg(test)]
    pub(crate) fn unchecked(shape: &[usize], strides: &[usize]) -> Layout {
        Layout { shape: shape.to_vec(), strides: strides.to_vec(), offset: 0 }
    }

    /// This layout moved `by` elements further into its storage.
    pub fn offset_by(mut self, by: usize) -> Layout {
        self.offset += by;
        self
    }

    /// How many storage elements the view spans, from its offset to its last element.
    pub fn span(&self) -> usize {
        self.shape.iter().zip(&self.strides).map(|(&n, &s)| n.saturating_sub(1) * s).sum::<usize>() + 1
    }

    /// The same view starting at `offset` (of a window of the buffer, say).
    pub fn with_offset(mut self, offset: usize) -> Layout {
        self.offset = offset;
        self
    }

    /// The same view with a leading axis of `len` elements that all alias the same data (stride 0).
    pub fn with_leading_axis(&self, len: usize) -> Layout {
        let mut shape = vec![len];
        shape.extend(&self.shape);
        let mut strides = vec![0];
        strides.extend(&self.strides);
        Layout { shape, strides, offset: self.offset }
    }

    /// The view with axes reordered: axis `i` of the result is axis `order[i]` of this one.
    /// `order` must be a permutation of `0..rank` (callers check).
    pub fn permuted(&self, order: &[usize]) -> Layout {
        Layout {
            shape: order.iter().map(|&a| self.shape[a]).collect(),
            strides: order.iter().map(|&a| self.strides[a]).collect(),
            offset: self.offset,
        }
    }

    /// The view of elements `start, start + step, …` (`len` of them) along `axis`.
    pub fn sliced(&self, axis: usize, start: usize, len: usize, step: usize) -> Layout {
        let mut out = self.clone();
        if len > 0 {
            out.offset += start * self.strides[axis];
        }
        out.shape[axis] = len;
        // With one element or none the stride is never used: keep it, so a huge step cannot overflow.
        if len > 1 {
            out.strides[axis] *= step;
        }
        out
    }

    /// The view with a size-1 axis inserted at `axis` (no copy).
    pub fn unsqueezed(&self, axis: usize) -> Layout {
        let mut out = self.clone();
        let stride = self.strides.get(axis).map_or(1, |&s| s * self.shape[axis]);
        out.shape.insert(axis, 1);
        out.strides.insert(axis, stride);
        out
    }

    /// The view without the size-1 axes in `axes` (no copy; callers check the sizes).
    pub fn squeezed(&self, axes: &[usize]) -> Layout {
        let keep = |d: &usize| !axes.contains(d);
        Layout {
            shape: (0..self.rank()).filter(keep).map(|d| self.shape[d]).collect(),
            strides: (0..self.rank()).filter(keep).map(|d| self.strides[d]).collect(),
            offset: self.offset,
        }
    }

    /// This layout with its first `n` axes merged into one, when their strides allow it without a
    /// copy (each non-trivial axis steps over a whole run of the next one; broadcast axes chain as 0).
    pub fn merge_leading(&self, n: usize) -> Option<Layout> {
        let dims: Vec<usize> = (0..n).filter(|&d| self.shape[d] != 1).collect();
        let mergeable = dims.windows(2).all(|w| self.strides[w[0]] == self.strides[w[1]] * self.shape[w[1]]);
        if !mergeable {
            return None;
        }
        let mut shape = vec![self.shape[..n].iter().product()];
        shape.extend(&self.shape[n..]);
        let mut strides = vec![dims.last().map_or(0, |&d| self.strides[d])];
        strides.extend(&self.strides[n..]);
        Some(Layout { shape, strides, offset: self.offset })
    }

    /// Views of the same elements as `layouts` (all of one shape), in the same row-major order, with
    /// as few axes as their strides jointly allow: size-1 axes dropped, and each axis merged into the
    /// next where it steps over a whole run of it in every layout. A contiguous view becomes rank 1,
    /// so a kernel walking it divides nothing.
    pub fn coalesced(layouts: &[&Layout]) -> Vec<Layout> {
        let Some(first) = layouts.first() else { return Vec::new() };
        let mut out: Vec<Layout> = layouts.iter().map(|l| Layout { shape: Vec::new(), strides: Vec::new(), offset: l.offset }).collect();
        for d in (0..first.rank()).filter(|&d| first.shape[d] != 1) {
            let merges =
                !out[0].shape.is_empty() && layouts.iter().zip(&out).all(|(l, o)| o.strides[o.rank() - 1] == l.strides[d] * l.shape[d]);
            for (l, o) in layouts.iter().zip(out.iter_mut()) {
                if merges {
                    let last = o.rank() - 1;
                    o.shape[last] *= l.shape[d];
                    o.strides[last] = l.strides[d];
                } else {
                    o.shape.push(l.shape[d]);
                    o.strides.push(l.strides[d]);
                }
            }
        }
        out
    }

    /// The axis order that moves `axes` last (in their order) and keeps the others first, in order.
    pub fn axes_last(rank: usize, axes: &[usize]) -> Vec<usize> {
        (0..rank).filter(|a| !axes.contains(a)).chain(axes.iter().copied()).collect()
    }

    /// This view with the reduced `axes` (sorted) moved last, so that each output is a run of
    /// consecutive elements: `(view, outputs, elements per output)`.
    pub fn reduction(&self, axes: &[usize]) -> (Layout, usize, usize) {
        let permuted = self.permuted(&Layout::axes_last(self.rank(), axes));
        let reduced = axes.iter().map(|&a| self.shape[a]).product();
        let outputs = permuted.shape[..self.rank() - axes.len()].iter().product();
        (permuted, outputs, reduced)
    }

    /// The same data under a new shape; only valid for contiguous layouts (callers check).
    pub fn reshaped(&self, shape: &[usize]) -> Layout {
        Layout { shape: shape.to_vec(), strides: contiguous_strides(shape), offset: self.offset }
    }

    /// Storage offset of every element, in row-major order of the shape.
    pub fn offsets(&self) -> impl Iterator<Item = usize> + '_ {
        let mut index = vec![0usize; self.rank()];
        let mut next = if self.numel() == 0 { None } else { Some(self.offset) };
        std::iter::from_fn(move || {
            let current = next?;
            next = None;
            let mut offset = current;
            for d in (0..index.len()).rev() {
                index[d] += 1;
                offset += self.strides[d];
                if index[d] < self.shape[d] {
                    next = Some(offset);
                    break;
                }
                offset -= self.strides[d] * index[d];
                index[d] = 0;
            }
            Some(current)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coalescing_keeps_the_element_order_with_fewer_axes() -> Result<()> {
        let offsets = |ls: &[Layout]| ls.iter().map(|l| l.offsets().collect::<Vec<_>>()).collect::<Vec<_>>();
        // Contiguous, with a size-1 axis: one axis.
        let a = Layout::contiguous(&[2, 1, 3, 4]).offset_by(5);
        let c = Layout::coalesced(&[&a]);
        assert_eq!((c[0].shape(), c[0].strides(), c[0].offset()), (&[24][..], &[1][..], 5));
        // Jointly: a broadcast operand ([3, 1] over [2, 3, 4]) keeps the axes the other one could merge.
        let b = Layout::contiguous(&[3, 1]).broadcast_to("t", &[2, 3, 4])?;
        let c = Layout::coalesced(&[&a.reshaped(&[2, 3, 4]), &b]);
        assert_eq!(c[0].shape(), &[2, 3, 4]);
        assert_eq!(offsets(&c), offsets(&[a.reshaped(&[2, 3, 4]), b]));
        // A transposed operand: its two axes cannot merge, the leading ones can.
        let t = Layout::contiguous(&[2, 3, 4, 5]).permuted(&[0, 1, 3, 2]);
        let u = Layout::contiguous(&[2, 3, 5, 4]);
        let c = Layout::coalesced(&[&t, &u]);
        assert_eq!(c[0].shape(), &[6, 5, 4]);
        assert_eq!(offsets(&c), offsets(&[t, u]));
        // Scalars and empty shapes.
        assert_eq!(Layout::coalesced(&[&Layout::contiguous(&[])])[0].rank(), 0);
        Ok(())
    }

    #[test]
    fn broadcast_follows_numpy_rules() -> Result<()> {
        assert_eq!(broadcast_shapes("t", &[2, 3], &[3])?, vec![2, 3]);
        assert_eq!(broadcast_shapes("t", &[4, 1, 5], &[3, 1])?, vec![4, 3, 5]);
        assert_eq!(broadcast_shapes("t", &[], &[2])?, vec![2]);
        assert!(broadcast_shapes("t", &[2, 3], &[4]).is_err());
        Ok(())
    }

    #[test]
    fn offsets_walk_a_transposed_view() -> Result<()> {
        let t = Layout::contiguous(&[2, 3]).permuted(&[1, 0]);
        assert!(!t.is_contiguous());
        assert_eq!(t.offsets().collect::<Vec<_>>(), vec![0, 3, 1, 4, 2, 5]);
        let b = Layout::contiguous(&[3]).broadcast_to("t", &[2, 3])?;
        assert_eq!(b.offsets().collect::<Vec<_>>(), vec![0, 1, 2, 0, 1, 2]);
        assert_eq!(Layout::contiguous(&[0, 3]).offsets().count(), 0);
        assert_eq!(Layout::contiguous(&[]).offsets().collect::<Vec<_>>(), vec![0]);
        Ok(())
    }
}
