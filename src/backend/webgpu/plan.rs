//! Planning work around the adapter's storage-binding limit (128 MiB by WebGPU's default): pure
//! functions of the limits that say how a pass is cut (binding windows, pieces of whole images, slabs
//! of a view, elementwise chunks) and return the plan as data; the passes (passes.rs, kernels.rs)
//! execute it, binding each window through dispatch.rs. Nothing here touches the device.

use crate::error::{Error, Result};
use crate::layout::Layout;

/// Where the images of a sliding-window operand (convolution, pooling, im2col) lie in its buffer:
/// image `n` starts at `offset + n * stride` and spans `span` elements.
#[derive(Clone, Copy)]
pub(super) struct Images {
    pub offset: usize,
    pub stride: usize,
    pub span: usize,
}

/// The binding limits a plan respects.
#[derive(Clone, Copy)]
pub(super) struct Bindings {
    /// The largest storage binding, in bytes.
    pub limit: u64,
    /// The storage-binding offset alignment, in elements.
    pub align: usize,
}

impl Bindings {
    pub fn of(limits: &wgpu::Limits) -> Bindings {
        Bindings { limit: limits.max_storage_buffer_binding_size, align: (limits.min_storage_buffer_offset_alignment as usize / 4).max(1) }
    }

    /// Elements one binding may span, leaving room to align its start.
    pub fn room(&self) -> usize {
        (self.limit as usize / 4).saturating_sub(self.align)
    }

    /// The binding window holding elements `[first, first + len)`: where it starts (aligned down)
    /// and its byte range.
    pub fn window(&self, first: usize, len: usize) -> (usize, (u64, u64)) {
        let start = first / self.align * self.align;
        (start, ((start * 4) as u64, ((first + len - start) * 4) as u64))
    }

    /// Rows per piece of a `[batch, m, k] @ [batch, k, n]` product above the limit, each piece one
    /// batch entry and block of rows binding its windows of A, B and C; `None` when B's entry or a
    /// row of A does not fit one binding.
    pub fn matmul_rows(&self, al: &Layout, bl: &Layout) -> Option<usize> {
        let (room, m, n, a_row_step) = (self.room(), al.shape()[1], bl.shape()[2], al.strides()[1]);
        let b_span = bl.sliced(0, 0, 1, 1).span();
        let a_row_span = al.sliced(0, 0, 1, 1).sliced(1, 0, 1, 1).span();
        let rows_in_a = match (a_row_span <= room, a_row_step) {
            (false, _) => 0,
            (true, 0) => m,
            (true, step) => (room - a_row_span) / step + 1,
        };
        let rows = m.min(rows_in_a).min(room / n.max(1));
        (b_span <= room && rows > 0).then_some(rows)
    }

    /// `(start, len)` chunks of `numel` elements for an elementwise pass above the limit: windows
    /// start at multiples of the offset alignment, and each binding spans at most a chunk plus the
    /// alignment.
    pub fn chunks(&self, numel: usize) -> Vec<(usize, usize)> {
        let chunk = (self.room() / self.align * self.align).max(self.align);
        (0..numel).step_by(chunk).map(|start| (start, chunk.min(numel - start))).collect()
    }

    /// `(first image, count)` pieces of a sliding-window kernel over `batch` images, each small enough that
    /// every operand's elements for its images fit one binding. One piece when everything fits.
    pub fn image_pieces(&self, op: &str, batch: usize, operands: &[Images]) -> Result<Vec<(usize, usize)>> {
        let room = self.room();
        let mut count = batch.max(1);
        for &Images { stride, span, .. } in operands {
            if span > room {
                let msg = format!("one image spans {span} elements, above this adapter's {}-byte storage binding", self.limit);
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
    pub fn slabs(&self, op: &str, views: &[&Layout; 2], whole: &[usize]) -> Result<Vec<(Layout, Layout)>> {
        let room = self.room();
        if views.iter().all(|l| l.span() <= room) {
            return Ok(vec![(views[0].clone(), views[1].clone())]);
        }
        let first = views[0];
        let cannot = || {
            let msg = format!(
                "a view of shape {:?} cannot be cut into slabs under this adapter's {}-byte storage binding",
                first.shape(),
                self.limit
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A 1 KiB binding (256 elements) with 16-element alignment: room for 240 elements.
    const SMALL: Bindings = Bindings { limit: 1024, align: 16 };

    #[test]
    fn windows_start_aligned_and_chunks_cover_every_element_once() {
        assert_eq!(SMALL.room(), 240);
        assert_eq!(SMALL.window(37, 10), (32, (128, 60)));
        let chunks = SMALL.chunks(1000);
        assert_eq!(chunks, [(0, 240), (240, 240), (480, 240), (720, 240), (960, 40)]);
        assert!(SMALL.chunks(0).is_empty());
    }

    #[test]
    fn image_pieces_fit_the_binding_and_cover_the_batch() {
        // Images of 100 elements 100 apart: two fit 240 elements (the second ends at 200).
        let images = Images { offset: 0, stride: 100, span: 100 };
        assert_eq!(SMALL.image_pieces("conv2d", 5, &[images]).unwrap(), [(0, 2), (2, 2), (4, 1)]);
        let big = Images { offset: 0, stride: 300, span: 300 };
        assert!(SMALL.image_pieces("conv2d", 2, &[big]).unwrap_err().to_string().contains("one image spans 300 elements"));
    }

    #[test]
    fn slabs_cut_the_outermost_axis_and_never_a_whole_one() {
        let view = Layout::contiguous(&[10, 50]);
        let slabs = SMALL.slabs("softmax", &[&view, &view], &[1]).unwrap();
        let rows: Vec<usize> = slabs.iter().map(|(a, _)| a.shape()[0]).collect();
        assert_eq!(rows, [4, 4, 2]);
        assert!(slabs.iter().all(|(a, b)| a.span() <= SMALL.room() && a == b));
        assert!(SMALL.slabs("softmax", &[&view, &view], &[0, 1]).is_err());
    }

    #[test]
    fn matmul_rows_fit_a_binding_per_piece() {
        let (a, b) = (Layout::contiguous(&[1, 100, 20]), Layout::contiguous(&[1, 20, 10]));
        // B spans 200 elements; 12 rows of A (240) and of C (120) fit.
        assert_eq!(SMALL.matmul_rows(&a, &b), Some(12));
        assert_eq!(SMALL.matmul_rows(&a, &Layout::contiguous(&[1, 20, 30])), None);
    }
}
