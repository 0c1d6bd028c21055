//! The parameter structs every dispatch reads at binding 0 (sizes, strides, offsets,
//! hyper-parameters: see params.rs), packed into one buffer per submit instead of a new buffer per
//! dispatch: each gets an aligned window, and the whole batch is written with one
//! `queue.write_buffer` just before the submit that reads it.
//! Reusing the buffer for the next batch is safe: queue writes and submits run in call order.

use std::cell::RefCell;

/// Bytes per dispatch the arena reserves and binds: the largest parameter struct (those with a
/// variable-rank `dims` part fill it; tests/shaders.rs checks that each fits).
const BYTES_PER_DISPATCH: u64 = 512;
/// The same in words.
pub(crate) const WORDS: usize = BYTES_PER_DISPATCH as usize / 4;

pub(crate) struct InfoArena {
    buffer: wgpu::Buffer,
    staged: RefCell<Vec<u32>>,
    /// The binding-offset alignment, in words.
    align: usize,
}

impl InfoArena {
    pub(crate) fn new(device: &wgpu::Device, limits: &wgpu::Limits, dispatches: u32) -> InfoArena {
        let buffer = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("info arena"),
            size: BYTES_PER_DISPATCH * dispatches as u64,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let align = (limits.min_uniform_buffer_offset_alignment.max(limits.min_storage_buffer_offset_alignment) as usize / 4).max(1);
        InfoArena { buffer, staged: RefCell::default(), align }
    }

    pub(crate) fn buffer(&self) -> &wgpu::Buffer {
        &self.buffer
    }

    /// Stages `info` for the next submit and returns its byte window, or `None` when the arena is
    /// full (flush, then stage again).
    pub(crate) fn stage(&self, info: &[u32]) -> Option<(u64, u64)> {
        let mut staged = self.staged.borrow_mut();
        let start = staged.len().div_ceil(self.align) * self.align;
        if start + WORDS > self.buffer.size() as usize / 4 {
            return None;
        }
        staged.resize(start, 0);
        staged.extend_from_slice(info);
        staged.resize(start + WORDS, 0);
        Some(((start * 4) as u64, BYTES_PER_DISPATCH))
    }

    /// Writes the staged arrays; call right before the submit whose dispatches read them.
    pub(crate) fn upload(&self, queue: &wgpu::Queue) {
        let mut staged = self.staged.borrow_mut();
        if !staged.is_empty() {
            queue.write_buffer(&self.buffer, 0, bytemuck::cast_slice(&staged));
            staged.clear();
        }
    }
}
