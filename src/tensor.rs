//! The tensor handle: shared storage, a strided layout, the device it lives on, and (when gradients
//! are tracked) the op that made it. Cloning a `Tensor` clones the handle, not the data.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::backend::{BinaryOp, Device, ReduceOp, Storage, UnaryOp};
use crate::error::{Error, Result};
use crate::grad_mode::is_grad_enabled;
use crate::layout::{broadcast_shapes, numel, Layout};
use crate::op::Op;

/// A unique, never-reused tensor id (the key of the gradient store).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TensorId(usize);

impl TensorId {
    fn next() -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        TensorId(NEXT.fetch_add(1, Ordering::Relaxed))
    }
}

struct Inner {
    id: TensorId,
    storage: Rc<Storage>,
    layout: Layout,
    device: Device,
    op: Option<Op>,
    requires_grad: Cell<bool>,
    grad: RefCell<Option<Tensor>>,
}

/// An n-dimensional f32 array on a [`Device`], with reverse-mode autograd.
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
        write!(f, "Tensor({:?}, shape {:?}, {})", self.id(), self.shape(), self.device().name())
    }
}

impl Tensor {
    fn build(storage: Rc<Storage>, layout: Layout, device: Device, op: Option<Op>) -> Tensor {
        Tensor(Rc::new(Inner {
            id: TensorId::next(),
            storage,
            layout,
            device,
            op,
            requires_grad: Cell::new(false),
            grad: RefCell::new(None),
        }))
    }

    /// A result of `op`: records the op when gradients are enabled and some input needs them.
    fn derived(&self, storage: Rc<Storage>, layout: Layout, op: impl FnOnce() -> Op, inputs: &[&Tensor]) -> Tensor {
        let track = is_grad_enabled() && inputs.iter().any(|t| t.tracks_grad());
        Tensor::build(storage, layout, self.device().clone(), track.then(op))
    }

    /// A view of this tensor's storage under another layout.
    fn view(&self, layout: Layout, op: impl FnOnce() -> Op) -> Tensor {
        self.derived(self.0.storage.clone(), layout, op, &[self])
    }

    /// A tensor of `shape` holding `data` in row-major order.
    pub fn from_slice(data: &[f32], shape: &[usize], device: &Device) -> Result<Tensor> {
        let expected = numel(shape);
        if data.len() != expected {
            return Err(Error::DataLength { op: "tensor", len: data.len(), shape: shape.to_vec(), expected });
        }
        let storage = device.upload(data)?;
        Ok(Tensor::build(Rc::new(storage), Layout::contiguous(shape), device.clone(), None))
    }

    /// A scalar (rank 0) tensor.
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

    pub fn layout(&self) -> &Layout {
        &self.0.layout
    }

    pub fn device(&self) -> &Device {
        &self.0.device
    }

    /// The op that made this tensor, when it is tracked for gradients.
    pub fn op(&self) -> Option<&Op> {
        self.0.op.as_ref()
    }

    /// Marks a leaf tensor as needing a gradient (PyTorch's `requires_grad_`).
    pub fn set_requires_grad(&self, requires: bool) {
        self.0.requires_grad.set(requires);
    }

    pub fn requires_grad(&self) -> bool {
        self.0.requires_grad.get()
    }

    /// True when gradients flow through this tensor: a leaf that requires them, or an op result.
    pub fn tracks_grad(&self) -> bool {
        self.requires_grad() || self.0.op.is_some()
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
        Tensor::build(self.0.storage.clone(), self.0.layout.clone(), self.device().clone(), None)
    }

    /// The elements in row-major order. On WebGPU this waits for the queued work: the only point
    /// where a computation is read back.
    pub async fn to_vec(&self) -> Result<Vec<f32>> {
        self.device().read(&self.0.storage, &self.0.layout).await
    }

    fn check_device(&self, op: &'static str, other: &Tensor) -> Result<()> {
        if self.device().same(other.device()) {
            Ok(())
        } else {
            Err(Error::Device { op, lhs: self.device().name(), rhs: other.device().name() })
        }
    }

    /// Elementwise sum with NumPy broadcasting.
    pub fn add(&self, rhs: &Tensor) -> Result<Tensor> {
        self.check_device("add", rhs)?;
        let shape = broadcast_shapes("add", self.shape(), rhs.shape())?;
        let (al, bl) = (self.layout().broadcast_to("add", &shape)?, rhs.layout().broadcast_to("add", &shape)?);
        let storage = self.device().binary(BinaryOp::Add, &self.0.storage, &al, &rhs.0.storage, &bl)?;
        Ok(self.derived(Rc::new(storage), Layout::contiguous(&shape), || Op::Add(self.clone(), rhs.clone()), &[self, rhs]))
    }

    /// Matrix product of two 2-D tensors: `[m, k] @ [k, n] -> [m, n]`.
    pub fn matmul(&self, rhs: &Tensor) -> Result<Tensor> {
        let op = "matmul";
        self.check_device(op, rhs)?;
        for t in [self, rhs] {
            if t.rank() != 2 {
                return Err(Error::Rank { op, expected: 2, got: t.shape().to_vec() });
            }
        }
        let (m, k, n) = (self.shape()[0], self.shape()[1], rhs.shape()[1]);
        if rhs.shape()[0] != k {
            let why = "the inner dimensions differ";
            return Err(Error::ShapeMismatch { op, lhs: self.shape().to_vec(), rhs: rhs.shape().to_vec(), why });
        }
        let (al, bl) = (self.layout().with_leading_axis(1), rhs.layout().with_leading_axis(1));
        let storage = self.device().matmul(&self.0.storage, &al, &rhs.0.storage, &bl)?;
        Ok(self.derived(Rc::new(storage), Layout::contiguous(&[m, n]), || Op::Matmul(self.clone(), rhs.clone()), &[self, rhs]))
    }

    /// Sum of all elements, as a scalar.
    pub fn sum(&self) -> Result<Tensor> {
        let axes: Vec<usize> = (0..self.rank()).collect();
        self.sum_axes(&axes, false)
    }

    /// Sum over `axes`, keeping them as size-1 axes when `keepdim` is set.
    pub fn sum_axes(&self, axes: &[usize], keepdim: bool) -> Result<Tensor> {
        let mut axes = axes.to_vec();
        axes.sort_unstable();
        axes.dedup();
        if let Some(&axis) = axes.iter().find(|&&a| a >= self.rank()) {
            return Err(Error::Axis { op: "sum", axis, shape: self.shape().to_vec() });
        }
        let storage = self.device().reduce(ReduceOp::Sum, &self.0.storage, self.layout(), &axes)?;
        let shape: Vec<usize> = (0..self.rank())
            .filter_map(|d| if axes.contains(&d) { keepdim.then_some(1) } else { Some(self.shape()[d]) })
            .collect();
        let op = || Op::Sum { input: self.clone(), axes: axes.clone(), keepdim };
        Ok(self.derived(Rc::new(storage), Layout::contiguous(&shape), op, &[self]))
    }

    /// The view of this tensor broadcast to `shape` (no copy).
    pub fn broadcast_to(&self, shape: &[usize]) -> Result<Tensor> {
        let layout = self.layout().broadcast_to("broadcast_to", shape)?;
        Ok(self.view(layout, || Op::Broadcast(self.clone())))
    }

    /// The same elements under `shape` (a view when contiguous, else a copy first).
    pub fn reshape(&self, shape: &[usize]) -> Result<Tensor> {
        if numel(shape) != self.numel() {
            let expected = numel(shape);
            return Err(Error::DataLength { op: "reshape", len: self.numel(), shape: shape.to_vec(), expected });
        }
        let source = self.contiguous()?;
        let layout = source.layout().reshaped(shape);
        Ok(source.view(layout, || Op::Reshape(source.clone())))
    }

    /// The view with axes reordered: axis `i` of the result is axis `order[i]` of this tensor.
    pub fn permute(&self, order: &[usize]) -> Result<Tensor> {
        let mut seen = vec![false; self.rank()];
        for &axis in order {
            if axis >= self.rank() || std::mem::replace(&mut seen[axis], true) {
                return Err(Error::Axis { op: "permute", axis, shape: self.shape().to_vec() });
            }
        }
        if order.len() != self.rank() {
            return Err(Error::Rank { op: "permute", expected: order.len(), got: self.shape().to_vec() });
        }
        Ok(self.view(self.layout().permuted(order), || Op::Permute(self.clone(), order.to_vec())))
    }

    /// The view with axes `a` and `b` swapped (no copy).
    pub fn transpose(&self, a: usize, b: usize) -> Result<Tensor> {
        for axis in [a, b] {
            if axis >= self.rank() {
                return Err(Error::Axis { op: "transpose", axis, shape: self.shape().to_vec() });
            }
        }
        let mut order: Vec<usize> = (0..self.rank()).collect();
        order.swap(a, b);
        self.permute(&order)
    }

    /// The transpose of a 2-D tensor.
    pub fn t(&self) -> Result<Tensor> {
        if self.rank() != 2 {
            return Err(Error::Rank { op: "t", expected: 2, got: self.shape().to_vec() });
        }
        self.transpose(0, 1)
    }

    /// This tensor with its elements stored densely in row-major order (itself when already so).
    pub fn contiguous(&self) -> Result<Tensor> {
        if self.layout().is_contiguous() {
            return Ok(self.clone());
        }
        let storage = self.device().unary(UnaryOp::Copy, &self.0.storage, self.layout())?;
        Ok(self.derived(Rc::new(storage), Layout::contiguous(self.shape()), || Op::Copy(self.clone()), &[self]))
    }

    /// Sums this tensor over the axes along which `shape` was broadcast to this tensor's shape: the
    /// gradient of a broadcast.
    pub(crate) fn sum_to(&self, shape: &[usize]) -> Result<Tensor> {
        if self.shape() == shape {
            return Ok(self.clone());
        }
        let lead = self.rank().saturating_sub(shape.len());
        let axes: Vec<usize> = (0..self.rank())
            .filter(|&d| d < lead || (shape[d - lead] == 1 && self.shape()[d] != 1))
            .collect();
        self.sum_axes(&axes, false)?.reshape(shape)
    }
}
