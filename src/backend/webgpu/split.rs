//! Passes over tensors above the adapter's storage-binding limit (128 MiB by WebGPU's default):
//! elementwise kernels and optimizer updates run window by window, each binding a window of its
//! buffers that fits (matmul cuts its own pieces: `matmul_with`). Other kernels report the limit
//! instead (see `dispatch_with`).

use super::pool::GpuStorage;
use super::shaders::Kernel;
use super::{Bound, GpuContext};
use crate::error::{Error, Result};
use crate::layout::Layout;

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
        let fits = (numel as u64) * 4 <= limit && operands.iter().map(|(s, _)| *s).chain(outs.iter().copied()).all(|s| s.buffer().size() <= limit);
        if fits {
            let layouts: Vec<Layout> = operands.iter().map(|(_, l)| (*l).clone()).collect();
            let bound: Vec<Bound> = operands.iter().map(|(s, _)| *s).chain(outs.iter().copied()).map(|s| Bound::whole(s.buffer())).collect();
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
        let align = (self.limits.min_storage_buffer_offset_alignment as usize / 4).max(1);
        let chunk = ((limit as usize / 4).saturating_sub(align) / align * align).max(align);
        let mut start = 0;
        while start < numel {
            let len = chunk.min(numel - start);
            let mut layouts = Vec::with_capacity(operands.len());
            let mut bound = Vec::with_capacity(operands.len() + 1);
            for (storage, layout) in operands {
                let (first, count) = if scalar(layout) { (layout.offset(), 1) } else { (layout.offset() + start, len) };
                let window = first / align * align;
                let flat = Layout::contiguous(&[if scalar(layout) { 1 } else { len }]).offset_by(first - window);
                layouts.push(if scalar(layout) { flat.broadcast_to("elementwise", &[len])? } else { flat });
                bound.push(Bound { buffer: storage.buffer(), window: Some(((window * 4) as u64, ((first + count - window) * 4) as u64)) });
            }
            for out in outs {
                bound.push(Bound { buffer: out.buffer(), window: Some(((start * 4) as u64, (len * 4) as u64)) });
            }
            self.dispatch_bound(kernel, &info_for(&layouts)?, &bound, self.grid_for(&name, len)?)?;
            start += len;
        }
        Ok(())
    }
}
