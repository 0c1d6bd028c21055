//! Passes over tensors above the adapter's storage-binding limit (128 MiB by WebGPU's default):
//! elementwise kernels and optimizer updates run window by window, each binding a window of its
//! buffers that fits; reductions (arg reductions included) run over slabs of the view; the other
//! kernels cut their own pieces (rows of a matmul, slabs of softmax rows, of a gather's or scatter's
//! axis and of concatenated parts, whole images of convolutions, pooling and im2col/col2im), with
//! the windows, slabs and pieces computed here. Operands a kernel binds whole (weights, a scatter's
//! indices and source) report the limit instead (see `whole_bindings`).

use super::pool::GpuStorage;
use super::shaders::Kernel;
use super::{Bound, GpuContext};
use crate::backend::{Backend, BinaryOp, ReduceOp};
use crate::error::{Error, Result};
use crate::layout::Layout;

/// Where the images of a sliding-window operand (convolution, pooling, im2col) lie in its buffer: image `n` starts at
/// `offset + n * stride` and spans `span` elements.
#[derive(Clone, Copy)]
pub(super) struct Images {
    pub offset: usize,
    pub stride: usize,
    pub span: usize,
}

impl GpuContext {
    /// Runs the elementwise `kernel` writing `numel` values to each of `outs` from `operands` (views of the
    /// output's shape). `info_for` builds the kernel's `info` from the operands' layouts: the given
    /// ones when everything fits one binding, else per window, flat views of length `len` (stride 1,
    /// or 0 for a broadcast scalar) offset within their window.
    pub(super) fn elementwise_pass(
        &self,
        kernel: Kernel,
        numel: usize,
        operands: &[(&GpuStorage, &Layout)],
        outs: &[&GpuStorage],
        info_for: impl Fn(&[Layout]) -> Result<Vec<u32>>,
    ) -> Result<()> {
        let name = kernel.name();
        let limit = self.limits.max_storage_buffer_binding_size;
        let fits =
            (numel as u64) * 4 <= limit && operands.iter().map(|(s, _)| *s).chain(outs.iter().copied()).all(|s| s.buffer().size() <= limit);
        if fits {
            let layouts: Vec<Layout> = operands.iter().map(|(_, l)| (*l).clone()).collect();
            let bound: Vec<Bound> =
                operands.iter().map(|(s, _)| *s).chain(outs.iter().copied()).map(|s| Bound::whole(s.buffer())).collect();
            return self.dispatch_bound(kernel, &info_for(&layouts)?, &bound, self.grid_for(&name, numel)?);
        }
        let scalar = |l: &Layout| l.strides().iter().all(|&s| s == 0);
        if let Some((_, l)) = operands.iter().find(|(_, l)| !(l.is_contiguous() || scalar(l))) {
            let msg = format!(
                "a view of shape {:?} and strides {:?} above this adapter's {limit}-byte storage binding cannot be split; make it contiguous first",
                l.shape(),
                l.strides()
            );
            return Err(Error::Gpu { op: name, msg });
        }
        // Windows start at multiples of the offset alignment; each binding spans at most `chunk`
        // elements plus the alignment.
        let align = self.offset_alignment();
        let chunk = (self.binding_room() / align * align).max(align);
        let mut start = 0;
        while start < numel {
            let len = chunk.min(numel - start);
            let mut layouts = Vec::with_capacity(operands.len());
            let mut bound = Vec::with_capacity(operands.len() + 1);
            for (storage, layout) in operands {
                let (first, count) = if scalar(layout) { (layout.offset(), 1) } else { (layout.offset() + start, len) };
                let (window, flat) = self.bind_view(storage, &Layout::contiguous(&[count]).offset_by(first));
                layouts.push(if scalar(layout) { flat.broadcast_to("elementwise", &[len])? } else { flat });
                bound.push(window);
            }
            for out in outs {
                bound.push(Bound { buffer: out.buffer(), window: Some(((start * 4) as u64, (len * 4) as u64)) });
            }
            self.dispatch_bound(kernel, &info_for(&layouts)?, &bound, self.grid_for(&name, len)?)?;
            start += len;
        }
        Ok(())
    }

    /// The reduction of a view of a buffer above the binding limit: over the window its elements
    /// span when that fits, else slab by slab along its outermost axis in memory, each slab bound
    /// as a window. Slabs across a reduced axis give partial results, combined elementwise; slabs
    /// across a kept axis give parts of the output, concatenated.
    pub(super) fn reduce_in_slabs(&self, op: ReduceOp, x: &GpuStorage, layout: &Layout, axes: &[usize]) -> Result<GpuStorage> {
        let name = format!("reduce/{op:?}");
        let windowed = |l: &Layout| {
            let (bound, view) = self.bind_view(x, l);
            self.reduce_window(op, bound, x.dtype, &view, axes)
        };
        // Arg reductions never cut their axis (partial positions could not be combined).
        let whole = if matches!(op, ReduceOp::ArgMax | ReduceOp::ArgMin) { axes } else { &[] };
        let slabs = self.slabs(&name, &[layout, layout], whole)?;
        // The axis the slabs cut (none: the view fits one window).
        let Some(axis) = slabs.first().and_then(|(slab, _)| (0..layout.rank()).find(|&d| slab.shape()[d] != layout.shape()[d])) else {
            return windowed(layout);
        };
        let kept: Vec<usize> = (0..layout.rank()).filter(|d| !axes.contains(d)).map(|d| layout.shape()[d]).collect();
        let parts = slabs.iter().map(|(slab, _)| Ok((windowed(slab)?, slab.shape()[axis]))).collect::<Result<Vec<_>>>()?;
        if axes.contains(&axis) {
            let combine = match op {
                ReduceOp::Sum => BinaryOp::Add,
                ReduceOp::Prod => BinaryOp::Mul,
                ReduceOp::Max => BinaryOp::Maximum,
                ReduceOp::Min => BinaryOp::Minimum,
                ReduceOp::ArgMax | ReduceOp::ArgMin => {
                    return Err(Error::Gpu { op: name, msg: "an arg reduction's slabs cut its axis".into() })
                }
            };
            let out = Layout::contiguous(&kept);
            let mut parts = parts.into_iter().map(|(p, _)| p);
            let first = parts.next().ok_or_else(|| Error::Gpu { op: name.clone(), msg: "no slabs".into() })?;
            return parts.try_fold(first, |acc, part| self.binary(combine, &acc, &out, &part, &out));
        }
        let out_axis = (0..axis).filter(|d| !axes.contains(d)).count();
        let layouts: Vec<Layout> = parts
            .iter()
            .map(|(_, n)| {
                let mut shape = kept.clone();
                shape[out_axis] = *n;
                Layout::contiguous(&shape)
            })
            .collect();
        let refs: Vec<(&GpuStorage, &Layout)> = parts.iter().map(|(p, _)| p).zip(&layouts).collect();
        self.concat(&refs, out_axis)
    }

    /// Elements one binding may span, leaving room to align its start.
    pub(super) fn binding_room(&self) -> usize {
        (self.limits.max_storage_buffer_binding_size as usize / 4).saturating_sub(self.offset_alignment())
    }

    /// The storage-binding offset alignment, in elements.
    fn offset_alignment(&self) -> usize {
        (self.limits.min_storage_buffer_offset_alignment as usize / 4).max(1)
    }

    /// The binding window holding elements `[first, first + len)`: where it starts (aligned down)
    /// and its byte range.
    pub(super) fn window(&self, first: usize, len: usize) -> (usize, (u64, u64)) {
        let align = self.offset_alignment();
        let start = first / align * align;
        (start, ((start * 4) as u64, ((first + len - start) * 4) as u64))
    }

    /// `view` of `storage` bound as the window its elements span, and the view counted from that
    /// window's start.
    pub(super) fn bind_view<'a>(&self, storage: &'a GpuStorage, view: &Layout) -> (Bound<'a>, Layout) {
        let (start, window) = self.window(view.offset(), view.span());
        (Bound { buffer: storage.buffer(), window: Some(window) }, view.clone().with_offset(view.offset() - start))
    }

    /// `view` of `storage` bound whole when the buffer fits one binding, else as the window its
    /// elements span (a small view of a large buffer), or the binding-limit error when even that
    /// is too large.
    pub(super) fn bind_operand<'a>(&self, kernel: Kernel, storage: &'a GpuStorage, view: &Layout) -> Result<(Bound<'a>, Layout)> {
        if storage.buffer().size() <= self.limits.max_storage_buffer_binding_size {
            return Ok((Bound::whole(storage.buffer()), view.clone()));
        }
        if view.span() > self.binding_room() {
            return Err(self.above_the_binding(kernel, (view.span() * 4) as u64));
        }
        Ok(self.bind_view(storage, view))
    }

    /// Images `[first, first + count)` of `storage` (laid out as `images`) bound as one window, and
    /// where the first of them starts within it.
    pub(super) fn bind_images<'a>(&self, storage: &'a GpuStorage, images: Images, first: usize, count: usize) -> (Bound<'a>, usize) {
        let at = images.offset + first * images.stride;
        let (start, window) = self.window(at, (count.max(1) - 1) * images.stride + images.span);
        (Bound { buffer: storage.buffer(), window: Some(window) }, at - start)
    }

    /// `(first image, count)` pieces of a sliding-window kernel over `batch` images, each small enough that
    /// every operand's elements for its images fit one binding. One piece when everything fits.
    pub(super) fn image_pieces(&self, op: &str, batch: usize, operands: &[Images]) -> Result<Vec<(usize, usize)>> {
        let room = self.binding_room();
        let mut count = batch.max(1);
        for &Images { stride, span, .. } in operands {
            if span > room {
                let msg = format!(
                    "one image spans {span} elements, above this adapter's {}-byte storage binding",
                    self.limits.max_storage_buffer_binding_size
                );
                return Err(Error::Gpu { op: op.to_string(), msg });
            }
            if let Some(more) = (room - span).checked_div(stride) {
                count = count.min(more + 1);
            }
        }
        Ok((0..batch).step_by(count).map(|n| (n, count.min(batch - n))).collect())
    }

    /// Slabs of views of one shape (a pair of operand and result, say) cut along their outermost
    /// axis in the first view's memory, never along `whole` axes, so that each slab of each view
    /// spans at most one binding: `(slab of views[0], slab of views[1])`. One slab when they fit.
    pub(super) fn slabs(&self, op: &str, views: &[&Layout; 2], whole: &[usize]) -> Result<Vec<(Layout, Layout)>> {
        let room = self.binding_room();
        if views.iter().all(|l| l.span() <= room) {
            return Ok(vec![(views[0].clone(), views[1].clone())]);
        }
        let first = views[0];
        let cannot = || {
            let msg = format!(
                "a view of shape {:?} cannot be cut into slabs under this adapter's {}-byte storage binding",
                first.shape(),
                self.limits.max_storage_buffer_binding_size
            );
            Error::Gpu { op: op.to_string(), msg }
        };
        let axis = (0..first.rank())
            .filter(|d| first.shape()[*d] > 1 && !whole.contains(d))
            .max_by_key(|&d| first.strides()[d])
            .ok_or_else(cannot)?;
        let len = first.shape()[axis];
        let mut per_slab = len;
        for view in views {
            let inner = view.sliced(axis, 0, 1, 1).span();
            if inner > room {
                return Err(cannot());
            }
            if let Some(more) = (room - inner).checked_div(view.strides()[axis]) {
                per_slab = per_slab.min(more + 1);
            }
        }
        Ok((0..len)
            .step_by(per_slab)
            .map(|s| {
                let n = per_slab.min(len - s);
                (views[0].sliced(axis, s, n, 1), views[1].sliced(axis, s, n, 1))
            })
            .collect())
    }
}
