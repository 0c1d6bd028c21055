//! Reuse of freed GPU buffers by size class. A buffer dropped by its tensor goes back to the pool and
//! serves the next output or upload of that class. Reuse needs no fences: a kernel output's buffer is
//! written by queued commands, which run in submission order after every earlier use; an upload's is
//! written by `queue.write_buffer`, which runs before the *next* submit's commands, so uploads only
//! take buffers freed before the last submit (none of whose uses is still unsubmitted). Without that,
//! uploads created every buffer while their freed buffers piled up in the pool, one per upload per
//! step (issue 12, defect 7).
//!
//! The pool shrinks: a buffer unused for `TRIM_AFTER` submits is destroyed, as is any freed past the
//! cap. Destruction waits for the next submit: a queued command may still use the buffer until
//! then, and WebGPU frees a destroyed buffer once the submitted work using it is done.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, VecDeque};
use std::mem::ManuallyDrop;
use std::rc::{Rc, Weak};

use super::faults::{self, FaultRecord};
use crate::dtype::DType;

/// Bytes of freed buffers the pool keeps for reuse.
const POOL_CAP_BYTES: u64 = 256 << 20;
/// Submits after which an unused pooled buffer is destroyed (a training step is a few submits).
const TRIM_AFTER: u64 = 32;

/// The size class of a request: the next power of two, at least 256 bytes.
pub(crate) fn size_class(bytes: u64) -> u64 {
    bytes.max(256).next_power_of_two()
}

/// A pooled buffer and the submit count when it was freed.
struct Pooled {
    buffer: wgpu::Buffer,
    freed_at: u64,
}

pub(crate) struct BufferPool {
    /// Per class, oldest first.
    free: RefCell<HashMap<u64, VecDeque<Pooled>>>,
    /// Freed past the cap or trimmed: destroyed after the next submit.
    doomed: RefCell<Vec<wgpu::Buffer>>,
    cap_bytes: Cell<u64>,
    live_bytes: Cell<u64>,
    pooled_bytes: Cell<u64>,
    /// Submits so far (the pool's clock).
    submits: Cell<u64>,
}

impl Default for BufferPool {
    fn default() -> Self {
        BufferPool {
            free: RefCell::default(),
            doomed: RefCell::default(),
            cap_bytes: Cell::new(POOL_CAP_BYTES),
            live_bytes: Cell::new(0),
            pooled_bytes: Cell::new(0),
            submits: Cell::new(0),
        }
    }
}

impl BufferPool {
    /// A pooled buffer of exactly `class` bytes for a kernel's output, if one is free (the most
    /// recently freed: the older ones age out).
    pub(crate) fn take(&self, class: u64) -> Option<wgpu::Buffer> {
        let pooled = self.free.borrow_mut().get_mut(&class)?.pop_back()?;
        self.pooled_bytes.set(self.pooled_bytes.get().saturating_sub(class));
        Some(pooled.buffer)
    }

    /// A pooled buffer of `class` bytes that `queue.write_buffer` may fill: one freed before the
    /// last submit.
    pub(crate) fn take_for_upload(&self, class: u64) -> Option<wgpu::Buffer> {
        let mut free = self.free.borrow_mut();
        let queue = free.get_mut(&class)?;
        if queue.front()?.freed_at >= self.submits.get() {
            return None;
        }
        let pooled = queue.pop_front()?;
        self.pooled_bytes.set(self.pooled_bytes.get().saturating_sub(class));
        Some(pooled.buffer)
    }

    fn give_back(&self, buffer: wgpu::Buffer) {
        let size = buffer.size();
        if self.pooled_bytes.get().saturating_add(size) > self.cap_bytes.get() {
            self.doomed.borrow_mut().push(buffer);
            return;
        }
        self.pooled_bytes.set(self.pooled_bytes.get() + size);
        self.free.borrow_mut().entry(size).or_default().push_back(Pooled { buffer, freed_at: self.submits.get() });
    }

    /// Moves every pooled buffer to the doomed list (destroyed after the next submit).
    pub(crate) fn clear(&self) {
        let freed: Vec<_> = self.free.borrow_mut().drain().flat_map(|(_, v)| v).map(|p| p.buffer).collect();
        self.doomed.borrow_mut().extend(freed);
        self.pooled_bytes.set(0);
    }

    /// Call right after a submit: destroys the doomed buffers, advances the clock and dooms the
    /// buffers unused for `TRIM_AFTER` submits.
    pub(crate) fn after_submit(&self) {
        for buffer in self.doomed.borrow_mut().drain(..) {
            buffer.destroy();
        }
        let now = self.submits.get() + 1;
        self.submits.set(now);
        let mut free = self.free.borrow_mut();
        let mut doomed = self.doomed.borrow_mut();
        for queue in free.values_mut() {
            while queue.front().is_some_and(|p| p.freed_at + TRIM_AFTER < now) {
                if let Some(p) = queue.pop_front() {
                    self.pooled_bytes.set(self.pooled_bytes.get().saturating_sub(p.buffer.size()));
                    doomed.push(p.buffer);
                }
            }
        }
        free.retain(|_, queue| !queue.is_empty());
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

/// Where the browser reports, after the call, that a buffer's allocation failed (an error scope
/// resolves asynchronously there); the tensor's readback fails with it.
#[derive(Clone, Default)]
pub(crate) struct AllocFailure(Option<Rc<RefCell<Option<String>>>>);

impl AllocFailure {
    #[allow(dead_code)]
    pub(crate) fn watching() -> Self {
        AllocFailure(Some(Rc::default()))
    }

    #[allow(dead_code)]
    pub(crate) fn set(&self, msg: String) {
        if let Some(cell) = &self.0 {
            *cell.borrow_mut() = Some(msg);
        }
    }

    fn get(&self) -> Option<String> {
        self.0.as_ref().and_then(|cell| cell.borrow().clone())
    }
}

/// A GPU buffer of 4-byte elements (f32, i32, or bool stored as u32 0/1) that returns to its pool
/// when dropped.
pub struct GpuStorage {
    buffer: ManuallyDrop<wgpu::Buffer>,
    pub(crate) len: usize,
    pub(crate) dtype: DType,
    pool: Weak<BufferPool>,
    /// The index faults this tensor's values depend on that no readback has found clean yet.
    pub(crate) faults: Vec<Rc<FaultRecord>>,
    failure: AllocFailure,
}

impl std::fmt::Debug for GpuStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "GpuStorage({} x {})", self.len, self.dtype)
    }
}

impl GpuStorage {
    pub(crate) fn new(buffer: wgpu::Buffer, len: usize, dtype: DType, pool: &Rc<BufferPool>) -> Self {
        pool.live_bytes.set(pool.live_bytes.get() + buffer.size());
        GpuStorage {
            buffer: ManuallyDrop::new(buffer),
            len,
            dtype,
            pool: Rc::downgrade(pool),
            faults: Vec::new(),
            failure: AllocFailure::default(),
        }
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

    pub(crate) fn with_failure(mut self, failure: AllocFailure) -> Self {
        self.failure = failure;
        self
    }

    /// The error a readback of this storage fails with: a fault it depends on, or its allocation's.
    pub(crate) fn check(&self) -> crate::error::Result<()> {
        if let Some(e) = self.faults.iter().find_map(|r| r.error()) {
            return Err(e);
        }
        match self.failure.get() {
            Some(msg) => Err(crate::error::Error::Gpu { op: "read".into(), msg }),
            None => Ok(()),
        }
    }

    /// Adds the pending faults of the storages this one was computed from.
    pub(crate) fn inherit_faults(&mut self, inputs: &[&GpuStorage]) {
        if inputs.iter().any(|s| !s.faults.is_empty()) {
            let own = std::mem::take(&mut self.faults);
            self.faults = faults::merge(std::iter::once(own.as_slice()).chain(inputs.iter().map(|s| s.faults.as_slice())));
        }
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
