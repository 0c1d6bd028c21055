//! The tensor handle: shared storage, a strided layout, the device it lives on, and (when gradients
//! are tracked) the op that made it. Cloning a `Tensor` clones the handle, not the data. The ops
//! themselves live in `src/ops/`, one file per family.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::backend::{Device, Storage};
use crate::dtype::{DType, HostData};
use crate::error::{Error, Result};
use crate::grad_mode::is_grad_enabled;
use crate::layout::{numel, Layout};
use crate::op::Op;

/// A unique, never-reused tensor id (the key of the gradient store).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TensorId(usize);

impl TensorId {
    /// The id as a number (unique for the process's lifetime).
    pub fn value(self) -> usize {
        self.0
    }

    fn next() -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        TensorId(NEXT.fetch_add(1, Ordering::Relaxed))
    }
}

/// Tensor handles' shared state currently alive (one per tensor, views included).
static LIVE: AtomicUsize = AtomicUsize::new(0);

/// How many tensors are alive in this process: a training loop that frees its graph keeps this flat.
pub fn live_tensors() -> usize {
    LIVE.load(Ordering::Relaxed)
}

struct Inner {
    id: TensorId,
    storage: RefCell<Rc<Storage>>,
    layout: Layout,
    device: Device,
    op: RefCell<Option<Op>>,
    graph_freed: Cell<bool>,
    requires_grad: Cell<bool>,
    grad: RefCell<Option<Tensor>>,
}

impl Drop for Inner {
    /// Frees the graph behind this tensor without recursion (a chain of 100k ops would overflow the
    /// stack): each input whose last handle this is gives up its own op record to a worklist first.
    fn drop(&mut self) {
        LIVE.fetch_sub(1, Ordering::Relaxed);
        let mut pending = Vec::new();
        Inner::give_up_edges(self, &mut pending);
        while let Some(mut tensor) = pending.pop() {
            if let Some(inner) = Rc::get_mut(&mut tensor.0) {
                Inner::give_up_edges(inner, &mut pending);
            }
            // Dropped with no op record left: nothing below it is reached from here.
        }
    }
}

impl Inner {
    /// Moves the tensors this one holds (its op's inputs, its gradient) onto `pending`.
    fn give_up_edges(&mut self, pending: &mut Vec<Tensor>) {
        if let Some(op) = self.op.get_mut().take() {
            pending.extend(op.into_inputs());
        }
        pending.extend(self.grad.get_mut().take());
    }
}

/// An n-dimensional array of f32, i32 or bool on a [`Device`], with reverse-mode autograd for f32.
///
/// ```
/// # pollster::block_on(async {
/// use webgrad::{Device, Tensor};
/// let a = Tensor::from_slice(&[1.0, 2.0, 3.0, 4.0], &[2, 2], &Device::Cpu)?;
/// a.set_requires_grad(true);
/// let loss = a.matmul(&a)?.sum()?;
/// loss.backward()?;
/// assert_eq!(loss.to_vec().await?, vec![54.0]);
/// assert_eq!(a.grad().unwrap().to_vec().await?, vec![7.0, 11.0, 9.0, 13.0]);
/// # Ok::<(), webgrad::Error>(()) }).unwrap();
/// ```
#[derive(Clone)]
pub struct Tensor(Rc<Inner>);

impl std::fmt::Debug for Tensor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Tensor({:?}, {} {:?}, {})", self.id(), self.dtype(), self.shape(), self.device().name())
    }
}

impl Tensor {
    fn build(storage: Rc<Storage>, layout: Layout, device: Device, op: Option<Op>) -> Tensor {
        LIVE.fetch_add(1, Ordering::Relaxed);
        Tensor(Rc::new(Inner {
            id: TensorId::next(),
            storage: RefCell::new(storage),
            layout,
            device,
            op: RefCell::new(op),
            graph_freed: Cell::new(false),
            requires_grad: Cell::new(false),
            grad: RefCell::new(None),
        }))
    }

    /// A result computed from `inputs`: records `op` when gradients are enabled, the result is f32
    /// and some input tracks gradients.
    pub(crate) fn derived(&self, storage: Storage, shape: &[usize], op: impl FnOnce() -> Op, inputs: &[&Tensor]) -> Tensor {
        let track = storage.dtype() == DType::F32 && is_grad_enabled() && inputs.iter().any(|t| t.tracks_grad());
        Tensor::build(Rc::new(storage), Layout::contiguous(shape), self.device().clone(), track.then(op))
    }

    /// A result that never takes part in autograd (casts, arg reductions, optimizer updates).
    pub(crate) fn untracked(&self, storage: Storage, shape: &[usize]) -> Tensor {
        Tensor::build(Rc::new(storage), Layout::contiguous(shape), self.device().clone(), None)
    }

    /// A view of this tensor's storage under another layout.
    pub(crate) fn view(&self, layout: Layout, op: impl FnOnce() -> Op) -> Tensor {
        let track = self.dtype() == DType::F32 && is_grad_enabled() && self.tracks_grad();
        Tensor::build(self.storage(), layout, self.device().clone(), track.then(op))
    }

    /// The storage this tensor reads (shared with its views until [`Tensor::assign`] replaces it).
    pub(crate) fn storage(&self) -> Rc<Storage> {
        self.0.storage.borrow().clone()
    }

    /// A tensor of `shape` holding `data` in row-major order.
    pub fn new(data: HostData, shape: &[usize], device: &Device) -> Result<Tensor> {
        let expected = numel(shape);
        if data.len() != expected {
            return Err(Error::DataLength { op: "tensor", len: data.len(), shape: shape.to_vec(), expected });
        }
        let storage = device.upload_shared(data)?;
        Ok(Tensor::build(storage, Layout::contiguous(shape), device.clone(), None))
    }

    /// An f32 tensor of `shape` holding `data` in row-major order.
    pub fn from_slice(data: &[f32], shape: &[usize], device: &Device) -> Result<Tensor> {
        Tensor::new(HostData::F32(data.to_vec()), shape, device)
    }

    /// An i32 tensor of `shape` holding `data` in row-major order.
    pub fn from_i32(data: &[i32], shape: &[usize], device: &Device) -> Result<Tensor> {
        Tensor::new(HostData::I32(data.to_vec()), shape, device)
    }

    /// A bool tensor of `shape` holding `data` in row-major order.
    pub fn from_bool(data: &[bool], shape: &[usize], device: &Device) -> Result<Tensor> {
        Tensor::new(HostData::Bool(data.to_vec()), shape, device)
    }

    /// An f32 scalar (rank 0) tensor.
    pub fn scalar(value: f32, device: &Device) -> Result<Tensor> {
        Tensor::from_slice(&[value], &[], device)
    }

    pub fn id(&self) -> TensorId {
        self.0.id
    }

    pub fn shape(&self) -> &[usize] {
        self.0.layout.shape()
    }

    pub fn rank(&self) -> usize {
        self.0.layout.rank()
    }

    pub fn numel(&self) -> usize {
        self.0.layout.numel()
    }

    pub fn dtype(&self) -> DType {
        self.0.storage.borrow().dtype()
    }

    pub fn layout(&self) -> &Layout {
        &self.0.layout
    }

    pub fn device(&self) -> &Device {
        &self.0.device
    }

    /// The op that made this tensor, while it is tracked for gradients.
    pub fn op(&self) -> Option<Op> {
        self.0.op.borrow().clone()
    }

    /// Drops the op record (after backward): the inputs it held can then be freed.
    pub(crate) fn free_graph(&self) {
        if self.0.op.borrow_mut().take().is_some() {
            self.0.graph_freed.set(true);
        }
    }

    pub(crate) fn graph_freed(&self) -> bool {
        self.0.graph_freed.get()
    }

    /// Marks a leaf tensor as needing a gradient (PyTorch's `requires_grad_`). Only float32 tensors
    /// get gradients.
    pub fn set_requires_grad(&self, requires: bool) {
        self.0.requires_grad.set(requires);
    }

    pub fn requires_grad(&self) -> bool {
        self.0.requires_grad.get()
    }

    /// True when gradients flow through this tensor: a leaf that requires them, or an op result.
    pub fn tracks_grad(&self) -> bool {
        self.requires_grad() || self.0.op.borrow().is_some() || self.graph_freed()
    }

    /// The gradient accumulated by `backward` calls, if any.
    pub fn grad(&self) -> Option<Tensor> {
        self.0.grad.borrow().clone()
    }

    pub(crate) fn set_grad(&self, grad: Option<Tensor>) {
        *self.0.grad.borrow_mut() = grad;
    }

    /// Forgets the accumulated gradient.
    pub fn zero_grad(&self) {
        self.set_grad(None);
    }

    /// The same data, cut from the graph.
    pub fn detach(&self) -> Tensor {
        Tensor::build(self.storage(), self.0.layout.clone(), self.device().clone(), None)
    }

    /// Replaces this tensor's values with `value`'s, in place (PyTorch's `p.data = value`, TF.js's
    /// `variable.assign`): every handle to this tensor sees the new values; views taken before keep
    /// the old ones. Only leaves (tensors no op made) can be assigned, and shape and dtype must match.
    pub fn assign(&self, value: &Tensor) -> Result<()> {
        let op = "assign";
        self.check_device(op, value)?;
        if value.shape() != self.shape() {
            let why = "the new value must have the tensor's shape";
            return Err(Error::ShapeMismatch { op, lhs: self.shape().to_vec(), rhs: value.shape().to_vec(), why });
        }
        if value.dtype() != self.dtype() {
            return Err(Error::DType {
                op,
                dtype: value.dtype(),
                shape: value.shape().to_vec(),
                expected: "the dtype of the assigned tensor",
            });
        }
        if self.0.op.borrow().is_some() || !self.0.layout.is_contiguous() || self.0.layout.offset() != 0 {
            return Err(Error::Invalid {
                op,
                msg: format!("only a contiguous leaf tensor can be assigned; this one {:?} is a view or an op result", self.shape()),
            });
        }
        let value = if value.layout().is_contiguous() && value.layout().offset() == 0 {
            value.clone()
        } else {
            crate::grad_mode::no_grad(|| value.contiguous())?
        };
        *self.0.storage.borrow_mut() = value.storage();
        Ok(())
    }

    /// The elements in row-major order, in their own dtype. On WebGPU this waits for the queued
    /// work: the only point where a computation is read back.
    pub async fn to_host(&self) -> Result<HostData> {
        self.device().read(&self.storage(), &self.0.layout).await
    }

    /// The elements now, where the backend holds them in host memory (the CPU backend); `None` on
    /// WebGPU, where only [`Tensor::to_host`] reads them back, and where the copy could not be
    /// allocated (then [`Tensor::to_host`] reports the error).
    pub fn host_now(&self) -> Option<HostData> {
        self.storage().read_now(&self.0.layout)?.ok()
    }

    /// The elements as f32 (see [`Tensor::to_host`]).
    pub async fn to_vec(&self) -> Result<Vec<f32>> {
        Ok(self.to_host().await?.into_f32())
    }

    /// The elements as i32 (see [`Tensor::to_host`]).
    pub async fn to_vec_i32(&self) -> Result<Vec<i32>> {
        Ok(self.to_host().await?.into_i32())
    }

    pub(crate) fn check_device(&self, op: &'static str, other: &Tensor) -> Result<()> {
        if self.device().same(other.device()) {
            Ok(())
        } else {
            Err(Error::Device { op, lhs: self.device().name(), rhs: other.device().name() })
        }
    }

    /// Resolves a possibly negative axis (`-1` is the last) against this tensor's rank.
    pub fn axis(&self, op: &'static str, axis: isize) -> Result<usize> {
        resolve_axis(op, axis, self.rank(), self.shape())
    }
}

/// `axis` in `0..rank`, counting from the end when negative.
pub(crate) fn resolve_axis(op: &'static str, axis: isize, rank: usize, shape: &[usize]) -> Result<usize> {
    let resolved = if axis < 0 { axis + rank as isize } else { axis };
    if resolved < 0 || resolved as usize >= rank {
        return Err(Error::Axis { op, axis, shape: shape.to_vec() });
    }
    Ok(resolved as usize)
}
