//! Out-of-range index faults, attributed to the tensors that depend on them. Each kernel that reads
//! indices (gather, scatter-add) writes the first bad index it meets into a *slot* of one small GPU
//! buffer (`shaders/fault.wgsl`), bound as a window. The host side of a slot's use is a
//! [`FaultRecord`]: the kernel's output holds it, every tensor computed from that output inherits it
//! (see `GpuStorage::inherit_faults`), and a readback copies only its own tensor's pending records
//! next to the values, so a fault rejects the readbacks that depend on it, and no other.
//!
//! A slot's life: free, then *open* (a record that dispatches join; cleared on the GPU by the first
//! one, in command order), then *sealed* when a readback copies it (no dispatch joins it while the
//! copy is in flight), then free again once that readback has read it and settled the record (clean
//! or faulted). When every slot is open or sealed, new dispatches join an open record: attribution
//! coarsens (they share fate) but a fault is never lost or misplaced onto unrelated tensors.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use crate::error::{Error, Result};

/// Slots in the fault buffer.
const SLOTS: usize = 256;
/// Bytes of one slot's record: `[flag, index, axis size, 0]`.
pub(crate) const RECORD_BYTES: u64 = 16;

/// What a record's readback found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Pending,
    Clean,
    Faulted { index: i32, size: u32 },
}

/// The dispatches that shared one slot between its clearing and its readback.
#[derive(Debug)]
pub(crate) struct FaultRecord {
    slot: usize,
    /// The ops whose kernels wrote the slot (in error messages).
    ops: RefCell<Vec<&'static str>>,
    state: Cell<State>,
}

impl FaultRecord {
    /// True until a readback has found the slot clean.
    pub(crate) fn may_fault(&self) -> bool {
        self.state.get() != State::Clean
    }

    pub(crate) fn is_pending(&self) -> bool {
        self.state.get() == State::Pending
    }

    /// The error of a faulted record.
    pub(crate) fn error(&self) -> Option<Error> {
        let State::Faulted { index, size } = self.state.get() else { return None };
        let op = self.ops.borrow().join(" or ");
        Some(Error::Gpu { op: op.clone(), msg: format!("index {index} is outside an axis of size {size}") })
    }
}

#[derive(Clone)]
enum Slot {
    Free,
    Open(Rc<FaultRecord>),
    Sealed,
}

/// The fault buffer and its slots.
pub(crate) struct Faults {
    buffer: wgpu::Buffer,
    /// Bytes between slots (the storage binding offset alignment).
    stride: u64,
    slots: RefCell<Vec<Slot>>,
    /// Where the search for an open record to join starts (round robin).
    next: Cell<usize>,
}

impl Faults {
    pub(crate) fn new(device: &wgpu::Device, limits: &wgpu::Limits) -> Faults {
        let stride = u64::from(limits.min_storage_buffer_offset_alignment).max(RECORD_BYTES);
        let buffer = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("faults"),
            size: stride * SLOTS as u64,
            usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        Faults { buffer, stride, slots: RefCell::new(vec![Slot::Free; SLOTS]), next: Cell::new(0) }
    }

    /// The record a dispatch of `op` writes, and whether its slot must be cleared first (a new one).
    pub(crate) fn claim(&self, op: &'static str) -> Result<(Rc<FaultRecord>, bool)> {
        let mut slots = self.slots.borrow_mut();
        if let Some(slot) = slots.iter().position(|s| matches!(s, Slot::Free)) {
            let record = Rc::new(FaultRecord { slot, ops: RefCell::new(vec![op]), state: Cell::new(State::Pending) });
            slots[slot] = Slot::Open(record.clone());
            return Ok((record, true));
        }
        let start = self.next.get();
        self.next.set((start + 1) % SLOTS);
        let open = (0..SLOTS).map(|i| (start + i) % SLOTS).find_map(|i| match slots.get(i) {
            Some(Slot::Open(record)) => Some(record.clone()),
            _ => None,
        });
        let Some(record) = open else {
            return Err(Error::Gpu {
                op: op.to_string(),
                msg: format!("more than {SLOTS} readbacks of index ops are in flight; await some first"),
            });
        };
        if !record.ops.borrow().contains(&op) {
            record.ops.borrow_mut().push(op);
        }
        Ok((record, false))
    }

    pub(crate) fn buffer(&self) -> &wgpu::Buffer {
        &self.buffer
    }

    /// The byte window of a record's slot.
    pub(crate) fn window(&self, record: &FaultRecord) -> (u64, u64) {
        (record.slot as u64 * self.stride, RECORD_BYTES)
    }

    /// Seals the slot of a record a readback is about to copy: no dispatch joins it until
    /// [`Faults::settle`].
    pub(crate) fn seal(&self, record: &Rc<FaultRecord>) {
        let mut slots = self.slots.borrow_mut();
        if let Some(slot) = slots.get_mut(record.slot) {
            if matches!(slot, Slot::Open(open) if Rc::ptr_eq(open, record)) {
                *slot = Slot::Sealed;
            }
        }
    }

    /// Reopens a sealed record whose readback failed before reading it.
    pub(crate) fn unseal(&self, record: &Rc<FaultRecord>) {
        if let Some(slot) = self.slots.borrow_mut().get_mut(record.slot) {
            if matches!(slot, Slot::Sealed) && record.is_pending() {
                *slot = Slot::Open(record.clone());
            }
        }
    }

    /// Settles a sealed record from the `[flag, index, size, _]` a readback copied, and frees its slot.
    pub(crate) fn settle(&self, record: &FaultRecord, words: [u32; 4]) {
        if record.is_pending() {
            let state = if words[0] != 0 { State::Faulted { index: words[1] as i32, size: words[2] } } else { State::Clean };
            record.state.set(state);
            if let Some(slot) = self.slots.borrow_mut().get_mut(record.slot) {
                if matches!(slot, Slot::Sealed) {
                    *slot = Slot::Free;
                }
            }
        }
    }
}

/// The union of records that may still fault, without repeats, keeping at most one faulted record
/// (one is enough to fail a readback).
pub(crate) fn merge<'a>(lists: impl IntoIterator<Item = &'a [Rc<FaultRecord>]>) -> Vec<Rc<FaultRecord>> {
    let mut out: Vec<Rc<FaultRecord>> = Vec::new();
    let mut faulted = false;
    for record in lists.into_iter().flatten() {
        if !record.may_fault() || out.iter().any(|r| Rc::ptr_eq(r, record)) {
            continue;
        }
        if !record.is_pending() {
            if faulted {
                continue;
            }
            faulted = true;
        }
        out.push(record.clone());
    }
    out
}
