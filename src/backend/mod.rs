//! Backends: one set of kernels each behind the [`Backend`] trait, chosen at run time through the
//! [`Device`] enum (no backend generic on user types). The CPU backend is the numerical reference.

pub mod cpu;
pub mod webgpu;

use std::rc::Rc;

use crate::error::{Error, Result};
use crate::layout::Layout;

/// Elementwise functions of one operand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    /// Copy into a contiguous buffer (materialises a strided view).
    Copy,
}

/// Elementwise functions of two operands (broadcast by the caller's layouts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    Add,
}

/// Reductions over a set of axes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReduceOp {
    Sum,
}

/// The kernels a backend provides. Inputs arrive as storage plus a strided [`Layout`]; outputs are
/// always new contiguous storage.
pub trait Backend {
    type Storage;

    /// Copies host data into new storage.
    fn upload(&self, data: &[f32]) -> Result<Self::Storage>;

    /// `out[i] = op(x[i])` over `x`'s layout, written contiguously.
    fn unary(&self, op: UnaryOp, x: &Self::Storage, layout: &Layout) -> Result<Self::Storage>;

    /// `out[i] = op(a[i], b[i])`; both layouts already have the output's shape (broadcast views).
    fn binary(
        &self,
        op: BinaryOp,
        a: &Self::Storage,
        a_layout: &Layout,
        b: &Self::Storage,
        b_layout: &Layout,
    ) -> Result<Self::Storage>;

    /// Reduces `x` over `axes` (sorted, unique, in range); the output holds the kept axes in order.
    fn reduce(&self, op: ReduceOp, x: &Self::Storage, layout: &Layout, axes: &[usize]) -> Result<Self::Storage>;

    /// Batched matrix product: `a` is `[batch, m, k]`, `b` is `[batch, k, n]` (any strides), the output
    /// `[batch, m, n]` contiguous.
    fn matmul(&self, a: &Self::Storage, a_layout: &Layout, b: &Self::Storage, b_layout: &Layout) -> Result<Self::Storage>;
}

/// Where a tensor's data lives.
#[derive(Debug)]
pub enum Storage {
    Cpu(cpu::CpuStorage),
    WebGpu(webgpu::GpuStorage),
}

/// A backend instance: tensors made on it share its storage kind.
#[derive(Clone)]
pub enum Device {
    Cpu,
    WebGpu(Rc<webgpu::GpuContext>),
}

impl std::fmt::Debug for Device {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name())
    }
}

/// Runs `$body` with `$backend` bound to the device's backend and each `$storage` bound to its
/// storage of that backend, wrapping the result's storage back up; operands on another backend are
/// an error.
macro_rules! dispatch {
    ($op:expr, $device:expr, |$backend:ident, $($storage:ident),+| $body:expr) => {
        match $device {
            Device::Cpu => {
                $(let Storage::Cpu($storage) = $storage else { return Err($device.mismatch($op, $storage)) };)+
                let $backend = &cpu::CpuBackend;
                $body.map(Storage::Cpu)
            }
            Device::WebGpu(ctx) => {
                $(let Storage::WebGpu($storage) = $storage else { return Err($device.mismatch($op, $storage)) };)+
                let $backend = ctx.as_ref();
                $body.map(Storage::WebGpu)
            }
        }
    };
}

impl Device {
    /// Creates a WebGPU device on the best adapter available (the browser's `navigator.gpu`, or
    /// Vulkan/Metal/DX12 natively).
    pub async fn webgpu() -> Result<Device> {
        Ok(Device::WebGpu(Rc::new(webgpu::GpuContext::new().await?)))
    }

    /// `"cpu"`, or `"webgpu (<adapter name>, <driver>, <backend>)"`.
    pub fn name(&self) -> String {
        match self {
            Device::Cpu => "cpu".to_string(),
            Device::WebGpu(ctx) => format!("webgpu ({})", ctx.adapter_description()),
        }
    }

    /// True for two handles of the same backend instance.
    pub fn same(&self, other: &Device) -> bool {
        match (self, other) {
            (Device::Cpu, Device::Cpu) => true,
            (Device::WebGpu(a), Device::WebGpu(b)) => Rc::ptr_eq(a, b),
            _ => false,
        }
    }

    fn mismatch(&self, op: &'static str, storage: &Storage) -> Error {
        let other = match storage {
            Storage::Cpu(_) => "cpu",
            Storage::WebGpu(_) => "webgpu",
        };
        Error::Device { op, lhs: self.name(), rhs: other.to_string() }
    }

    pub(crate) fn upload(&self, data: &[f32]) -> Result<Storage> {
        match self {
            Device::Cpu => cpu::CpuBackend.upload(data).map(Storage::Cpu),
            Device::WebGpu(ctx) => ctx.upload(data).map(Storage::WebGpu),
        }
    }

    pub(crate) fn unary(&self, op: UnaryOp, x: &Storage, layout: &Layout) -> Result<Storage> {
        dispatch!("unary", self, |b, x| b.unary(op, x, layout))
    }

    pub(crate) fn binary(&self, op: BinaryOp, a: &Storage, al: &Layout, b: &Storage, bl: &Layout) -> Result<Storage> {
        dispatch!("binary", self, |be, a, b| be.binary(op, a, al, b, bl))
    }

    pub(crate) fn reduce(&self, op: ReduceOp, x: &Storage, layout: &Layout, axes: &[usize]) -> Result<Storage> {
        dispatch!("reduce", self, |b, x| b.reduce(op, x, layout, axes))
    }

    pub(crate) fn matmul(&self, a: &Storage, al: &Layout, b: &Storage, bl: &Layout) -> Result<Storage> {
        dispatch!("matmul", self, |be, a, b| be.matmul(a, al, b, bl))
    }

    /// Reads the elements of a view back to the host, in row-major order. Asynchronous: on WebGPU
    /// this waits for the queued work and a buffer mapping.
    pub(crate) async fn read(&self, storage: &Storage, layout: &Layout) -> Result<Vec<f32>> {
        match (self, storage) {
            (Device::Cpu, Storage::Cpu(s)) => Ok(cpu::read(s, layout)),
            (Device::WebGpu(ctx), Storage::WebGpu(s)) => ctx.read(s, layout).await,
            (device, storage) => Err(device.mismatch("read", storage)),
        }
    }
}
