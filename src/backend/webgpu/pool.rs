//! Reuse of freed GPU buffers by size class. A buffer dropped by its tensor goes back to the pool and
//! serves the next output of that class. Reuse is safe without fences because pooled buffers are only
//! written by queued commands (never by `queue.write_buffer`), which run in submission order after
//! every earlier use. Past a cap, freed buffers are destroyed (on the web, dropping a buffer does not
//! free it), but only after the next submit: a queued command may still use them until then, and
//! WebGPU frees a destroyed buffer once the submitted work using it is done.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::mem::ManuallyDrop;
use std::rc::{Rc, Weak};

use crate::dtype::DType;

/// Bytes of freed buffers the pool keeps for reuse.
const POOL_CAP_BYTES: u64 = 256 << 20;

/// The size class of a request: the next power of two, at least 256 bytes.
pub(crate) fn size_class(bytes: u64) -> u64 {
    bytes.max(256).next_power_of_two()
}

pub(crate) struct BufferPool {
    free: RefCell<HashMap<u64, Vec<wgpu::Buffer>>>,
    /// Freed past the cap: destroyed after the next submit.
    doomed: RefCell<Vec<wgpu::Buffer>>,
    cap_bytes: Cell<u64>,
    live_bytes: Cell<u64>,
    pooled_bytes: Cell<u64>,
}

impl Default for BufferPool {
    fn default() -> Self {
        BufferPool {
            free: RefCell::default(),
            doomed: RefCell::default(),
            cap_bytes: Cell::new(POOL_CAP_BYTES),
            live_bytes: Cell::new(0),
            pooled_bytes: Cell::new(0),
        }
    }
}

impl BufferPool {
    /// A pooled buffer of exactly `class` bytes, if one is free.
    pub(crate) fn take(&self, class: u64) -> Option<wgpu::Buffer> {
        let buffer = self.free.borrow_mut().get_mut(&class)?.pop()?;
        self.pooled_bytes.set(self.pooled_bytes.get() - class);
        Some(buffer)
    }

    fn give_back(&self, buffer: wgpu::Buffer) {
        let size = buffer.size();
        if self.pooled_bytes.get() + size > self.cap_bytes.get() {
            self.doomed.borrow_mut().push(buffer);
            return;
        }
        self.pooled_bytes.set(self.pooled_bytes.get() + size);
        self.free.borrow_mut().entry(size).or_default().push(buffer);
    }

    /// Moves every pooled buffer to the doomed list (destroyed after the next submit).
    pub(crate) fn clear(&self) {
        let freed: Vec<_> = self.free.borrow_mut().drain().flat_map(|(_, v)| v).collect();
        self.doomed.borrow_mut().extend(freed);
        self.pooled_bytes.set(0);
    }

    /// Destroys the doomed buffers; call right after a submit.
    pub(crate) fn destroy_doomed(&self) {
        for buffer in self.doomed.borrow_mut().drain(..) {
            buffer.destroy();
        }
    }

    /// Sets how many bytes of freed buffers are kept for reuse.
    pub(crate) fn set_cap(&self, bytes: u64) {
        self.cap_bytes.set(bytes);
    }

    /// Bytes held by live tensors, and bytes kept in the pool.
    pub(crate) fn usage(&self) -> (u64, u64) {
        (self.live_bytes.get(), self.pooled_bytes.get())
    }
}

/// A GPU buffer of 4-byte elements (f32, i32, or bool stored as u32 0/1) that returns to its pool
/// when dropped.
pub struct GpuStorage {
    buffer: ManuallyDrop<wgpu::Buffer>,
    pub(crate) len: usize,
    pub(crate) dtype: DType,
    pool: Weak<BufferPool>,
}

impl std::fmt::Debug for GpuStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "GpuStorage({} x {})", self.len, self.dtype)
    }
}

impl GpuStorage {
    pub(crate) fn new(buffer: wgpu::Buffer, len: usize, dtype: DType, pool: &Rc<BufferPool>) -> Self {
        pool.live_bytes.set(pool.live_bytes.get() + buffer.size());
        GpuStorage { buffer: ManuallyDrop::new(buffer), len, dtype, pool: Rc::downgrade(pool) }
    }

    pub(crate) fn buffer(&self) -> &wgpu::Buffer {
        &self.buffer
    }

    pub fn dtype(&self) -> DType {
        self.dtype
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl Drop for GpuStorage {
    fn drop(&mut self) {
        // SAFETY: `drop` runs once, and the buffer is not touched after being taken here.
        let buffer = unsafe { ManuallyDrop::take(&mut self.buffer) };
        match self.pool.upgrade() {
            Some(pool) => {
                pool.live_bytes.set(pool.live_bytes.get().saturating_sub(buffer.size()));
                pool.give_back(buffer);
            }
            // The context is gone: dropping the handle releases the buffer once nothing uses it.
            None => drop(buffer),
        }
    }
}
