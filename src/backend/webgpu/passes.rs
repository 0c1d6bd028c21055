//! Passes over tensors above the adapter's storage-binding limit (128 MiB by WebGPU's default):
//! elementwise kernels and optimizer updates run window by window, each binding a window of its
//! buffers that fits; reductions (arg reductions included) run over slabs of the view; the other
//! kernels cut their own pieces (rows of a matmul, slabs of softmax rows, of a gather's or scatter's
//! axis and of concatenated parts, whole images of convolutions, pooling and im2col/col2im), with
//! the windows, slabs and pieces planned in plan.rs. Operands a kernel binds whole (weights, a scatter's
//! indices and source) report the limit instead (see `whole_bindings`).

use super::params::Params;
use super::pool::GpuStorage;
use super::shaders::Kernel;
use super::{Bound, GpuContext};
use crate::backend::{Backend, BinaryOp, ReduceOp};
use crate::error::{Error, Result};
use crate::layout::Layout;

impl GpuContext {
    /// Runs the elementwise `kernel` writing `numel` values to each of `outs` from `operands` (views of the
    /// output's shape). `params_for` builds the kernel's parameters from the operands' layouts: the given
    /// ones when everything fits one binding, else per window, flat views of length `len` (stride 1,
    /// or 0 for a broadcast scalar) offset within their window.
    pub(super) fn elementwise_pass<P: Params>(
        &self,
        kernel: Kernel,
        numel: usize,
        operands: &[(&GpuStorage, &Layout)],
        outs: &[&GpuStorage],
        params_for: impl Fn(&[Layout]) -> Result<P>,
    ) -> Result<()> {
        let name = kernel.name();
        let limit = self.limits.max_storage_buffer_binding_size;
        let fits =
            (numel as u64) * 4 <= limit && operands.iter().map(|(s, _)| *s).chain(outs.iter().copied()).all(|s| s.buffer().size() <= limit);
        if fits {
            let layouts: Vec<Layout> = operands.iter().map(|(_, l)| (*l).clone()).collect();
            let bound: Vec<Bound> =
                operands.iter().map(|(s, _)| *s).chain(outs.iter().copied()).map(|s| Bound::whole(s.buffer())).collect();
            return self.dispatch_bound(kernel, &params_for(&layouts)?, &bound, self.grid_for(&name, numel)?);
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
        for (start, len) in self.plan().chunks(numel) {
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
            self.dispatch_bound(kernel, &params_for(&layouts)?, &bound, self.grid_for(&name, len)?)?;
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
        let slabs = self.plan().slabs(&name, &[layout, layout], whole)?;
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
}
