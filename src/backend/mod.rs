//! Backends: one set of kernels each behind the [`Backend`] trait, chosen at run time through the
//! [`Device`] enum (no backend generic on user types). The CPU backend is the numerical reference.

#[macro_use]
mod cells;
mod binary;
pub mod cpu;
mod dtype_error;
mod ops;
mod unary;
mod update;
pub mod webgpu;
mod window;

use std::rc::Rc;

pub(crate) use dtype_error::{dtype_error, expect};
pub use ops::{Activation, BinaryOp, GradDomain, ReduceOp, UnaryOp};
pub use update::{update_values, UpdateHyper, UpdateOp};
pub use window::{ConvGroups, Window};

use crate::dtype::{DType, HostData};
use crate::error::{Error, Result};
use crate::layout::Layout;

/// The kernels a backend provides. Inputs arrive as storage plus a strided [`Layout`]; outputs are
/// new contiguous storage. Shapes and dtypes are checked by the tensor layer before a call.
pub trait Backend {
    type Storage;

    /// Copies host data into new storage.
    fn upload(&self, data: &HostData) -> Result<Self::Storage>;

    /// `out[i] = op(x[i])` over `x`'s layout.
    fn unary(&self, op: UnaryOp, x: &Self::Storage, layout: &Layout) -> Result<Self::Storage>;

    /// `out[i] = op(a[i], b[i])`; both layouts have the output's shape (broadcast views), one dtype.
    fn binary(&self, op: BinaryOp, a: &Self::Storage, al: &Layout, b: &Self::Storage, bl: &Layout) -> Result<Self::Storage>;

    /// `out[i] = cond[i] ? a[i] : b[i]`; all three layouts have the output's shape.
    #[allow(clippy::too_many_arguments)]
    fn select(
        &self,
        cond: &Self::Storage,
        cl: &Layout,
        a: &Self::Storage,
        al: &Layout,
        b: &Self::Storage,
        bl: &Layout,
    ) -> Result<Self::Storage>;

    /// `x` converted to `dtype` (f32 to i32 truncates toward zero; nonzero is true).
    fn cast(&self, x: &Self::Storage, layout: &Layout, dtype: DType) -> Result<Self::Storage>;

    /// Reduces `x` over `axes` (sorted, unique; one axis for the arg ops); the output holds the kept
    /// axes in order.
    fn reduce(&self, op: ReduceOp, x: &Self::Storage, layout: &Layout, axes: &[usize]) -> Result<Self::Storage>;

    /// One optimizer update (see [`UpdateOp`]) of contiguous f32 views of one shape: parameter `p`,
    /// gradient `g`, state `s1` and `s2` (unused ones may repeat `p`).
    #[allow(clippy::too_many_arguments)]
    fn update(
        &self,
        op: UpdateOp,
        hyper: &UpdateHyper,
        p: (&Self::Storage, &Layout),
        g: (&Self::Storage, &Layout),
        s1: (&Self::Storage, &Layout),
        s2: (&Self::Storage, &Layout),
    ) -> Result<Vec<Self::Storage>>;

    /// softmax (or log-softmax with `log`) of f32 `x` along `axis`, fused: stable for any logits.
    fn softmax(&self, x: &Self::Storage, layout: &Layout, axis: usize, log: bool) -> Result<Self::Storage>;

    /// Batched matrix product: `a` is `[batch, m, k]`, `b` is `[batch, k, n]` (any strides, f32); the
    /// output is `[batch, m, n]`.
    fn matmul(&self, a: &Self::Storage, al: &Layout, b: &Self::Storage, bl: &Layout) -> Result<Self::Storage>;

    /// `act(a @ b + bias)` for `a` `[m, k]`, `b` `[k, n]` and `bias` `[n]` (f32, any strides), fused
    /// into one kernel where the backend can.
    #[allow(clippy::too_many_arguments)]
    fn linear(
        &self,
        a: &Self::Storage,
        al: &Layout,
        b: &Self::Storage,
        bl: &Layout,
        bias: &Self::Storage,
        biasl: &Layout,
        act: Activation,
    ) -> Result<Self::Storage>;

    /// The parts joined along `axis` (same dtype; equal shapes but for `axis`).
    fn concat(&self, parts: &[(&Self::Storage, &Layout)], axis: usize) -> Result<Self::Storage>;

    /// `out[..i..] = x[..index[..i..]..]` along `axis`; the output has the index's shape (i32 index).
    /// `op` is the user's op (`gather`, `indexSelect`, …): an out-of-range index names it.
    fn gather(
        &self,
        op: &'static str,
        x: &Self::Storage,
        xl: &Layout,
        axis: usize,
        index: &Self::Storage,
        il: &Layout,
    ) -> Result<Self::Storage>;

    /// A copy of `base` with `src[..i..]` added at `base[..index[..i..]..]` along `axis`; `src`'s
    /// layout has the index's shape. `op` is the user's op, as for [`Backend::gather`].
    #[allow(clippy::too_many_arguments)]
    fn scatter_add(
        &self,
        op: &'static str,
        base: &Self::Storage,
        bl: &Layout,
        axis: usize,
        index: &Self::Storage,
        il: &Layout,
        src: &Self::Storage,
        sl: &Layout,
    ) -> Result<Self::Storage>;

    /// 2-D convolution (no bias) of an NCHW image with contiguous weights `[O, C / groups, kh, kw]`
    /// over `window`: the output is `[N, O, out_h, out_w]`.
    #[allow(clippy::too_many_arguments)]
    fn conv2d(
        &self,
        x: &Self::Storage,
        xl: &Layout,
        w: &Self::Storage,
        wl: &Layout,
        window: &Window,
        groups: usize,
    ) -> Result<Self::Storage>;

    /// The weight gradient of [`Backend::conv2d`]: from image `x` and output gradient `dy`
    /// (`[N, O, out_h * out_w]`, contiguous), `dW` as `[O, C / groups * kh * kw]`.
    #[allow(clippy::too_many_arguments)]
    fn conv2d_weight_grad(
        &self,
        x: &Self::Storage,
        xl: &Layout,
        dy: &Self::Storage,
        dyl: &Layout,
        window: &Window,
        groups: usize,
        out_channels: usize,
    ) -> Result<Self::Storage>;

    /// The input gradient of [`Backend::conv2d`]: from contiguous weights `w` and output gradient `dy`
    /// (`[N, O, out_h * out_w]`), `dx` as `[N, C, in_h, in_w]`.
    fn conv2d_input_grad(
        &self,
        w: &Self::Storage,
        wl: &Layout,
        dy: &Self::Storage,
        dyl: &Layout,
        window: &Window,
        groups: usize,
    ) -> Result<Self::Storage>;

    /// Unfolds sliding windows of an NCHW image into `window.cols_shape()` columns (f32); padding
    /// reads `pad_value`.
    fn im2col(&self, x: &Self::Storage, xl: &Layout, window: &Window, pad_value: f32) -> Result<Self::Storage>;

    /// The adjoint of [`Backend::im2col`]: sums columns back into an image of `window.image_shape()`.
    fn col2im(&self, cols: &Self::Storage, cl: &Layout, window: &Window) -> Result<Self::Storage>;

    /// Max pooling of an NCHW f32 view: each window's maximum and the tap `ky * kw + kx` holding it
    /// (i32; the first on ties, NaN wins, padding never does), both `[batch, channels, out_h, out_w]`.
    fn max_pool2d(&self, x: &Self::Storage, xl: &Layout, window: &Window) -> Result<(Self::Storage, Self::Storage)>;

    /// The input gradient of [`Backend::max_pool2d`]: each element of contiguous `dy` added to the
    /// pixel its tap in (contiguous) `taps` names, as `window.image_shape()`.
    fn max_pool2d_grad(
        &self,
        dy: &Self::Storage,
        dyl: &Layout,
        taps: &Self::Storage,
        tl: &Layout,
        window: &Window,
    ) -> Result<Self::Storage>;
}

/// Where a tensor's data lives.
#[derive(Debug)]
pub enum Storage {
    Cpu(cpu::CpuStorage),
    WebGpu(webgpu::GpuStorage),
}

impl Storage {
    pub fn dtype(&self) -> DType {
        match self {
            Storage::Cpu(s) => s.dtype(),
            Storage::WebGpu(s) => s.dtype(),
        }
    }

    /// The elements of `layout` now, without waiting, where they are in host memory (the CPU
    /// backend); `None` for device memory, which only [`Device::read`] reaches.
    pub(crate) fn read_now(&self, layout: &Layout) -> Option<Result<HostData>> {
        match self {
            Storage::Cpu(s) => Some(cpu::read("read", s, layout)),
            Storage::WebGpu(_) => None,
        }
    }
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
/// storage of that backend, wrapping the result back up; operands on another backend are an error.
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
                $body.map(|mut out| {
                    out.inherit_faults(&[$($storage),+]);
                    Storage::WebGpu(out)
                })
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

    /// `"cpu"` or `"webgpu"`.
    pub fn kind(&self) -> &'static str {
        match self {
            Device::Cpu => "cpu",
            Device::WebGpu(_) => "webgpu",
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

    /// Storage for host data, which the CPU backend keeps as it is (no copy); one-element data on
    /// WebGPU is a shared cached constant.
    pub(crate) fn upload_shared(&self, data: HostData) -> Result<Rc<Storage>> {
        match self {
            Device::Cpu => Ok(Rc::new(Storage::Cpu(cpu::from_host(data)))),
            Device::WebGpu(ctx) if data.len() == 1 => ctx.constant(&data),
            Device::WebGpu(ctx) => ctx.upload(&data).map(|s| Rc::new(Storage::WebGpu(s))),
        }
    }

    pub(crate) fn unary(&self, op: UnaryOp, x: &Storage, l: &Layout) -> Result<Storage> {
        dispatch!("unary", self, |be, x| be.unary(op, x, l))
    }

    pub(crate) fn binary(&self, op: BinaryOp, a: &Storage, al: &Layout, b: &Storage, bl: &Layout) -> Result<Storage> {
        dispatch!("binary", self, |be, a, b| be.binary(op, a, al, b, bl))
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn select(&self, c: &Storage, cl: &Layout, a: &Storage, al: &Layout, b: &Storage, bl: &Layout) -> Result<Storage> {
        dispatch!("where", self, |be, c, a, b| be.select(c, cl, a, al, b, bl))
    }

    pub(crate) fn cast(&self, x: &Storage, l: &Layout, dtype: DType) -> Result<Storage> {
        dispatch!("cast", self, |be, x| be.cast(x, l, dtype))
    }

    pub(crate) fn reduce(&self, op: ReduceOp, x: &Storage, l: &Layout, axes: &[usize]) -> Result<Storage> {
        dispatch!("reduce", self, |be, x| be.reduce(op, x, l, axes))
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn update(
        &self,
        op: UpdateOp,
        hyper: &UpdateHyper,
        p: (&Storage, &Layout),
        g: (&Storage, &Layout),
        s1: (&Storage, &Layout),
        s2: (&Storage, &Layout),
    ) -> Result<Vec<Storage>> {
        let ((p, pl), (g, gl), (s1, l1), (s2, l2)) = (p, g, s1, s2);
        match self {
            Device::Cpu => {
                let (Storage::Cpu(p), Storage::Cpu(g), Storage::Cpu(s1), Storage::Cpu(s2)) = (p, g, s1, s2) else {
                    return Err(self.mismatch("update", [p, g, s1, s2].into_iter().find(|s| !matches!(s, Storage::Cpu(_))).unwrap_or(p)));
                };
                let outs = cpu::CpuBackend.update(op, hyper, (p, pl), (g, gl), (s1, l1), (s2, l2))?;
                Ok(outs.into_iter().map(Storage::Cpu).collect())
            }
            Device::WebGpu(ctx) => {
                let (Storage::WebGpu(p), Storage::WebGpu(g), Storage::WebGpu(s1), Storage::WebGpu(s2)) = (p, g, s1, s2) else {
                    return Err(self.mismatch("update", [p, g, s1, s2].into_iter().find(|s| !matches!(s, Storage::WebGpu(_))).unwrap_or(p)));
                };
                let outs = ctx.update(op, hyper, (p, pl), (g, gl), (s1, l1), (s2, l2))?;
                Ok(outs
                    .into_iter()
                    .map(|mut o| {
                        o.inherit_faults(&[p, g, s1, s2]);
                        Storage::WebGpu(o)
                    })
                    .collect())
            }
        }
    }

    pub(crate) fn softmax(&self, x: &Storage, l: &Layout, axis: usize, log: bool) -> Result<Storage> {
        dispatch!("softmax", self, |be, x| be.softmax(x, l, axis, log))
    }

    pub(crate) fn matmul(&self, a: &Storage, al: &Layout, b: &Storage, bl: &Layout) -> Result<Storage> {
        dispatch!("matmul", self, |be, a, b| be.matmul(a, al, b, bl))
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn linear(
        &self,
        a: &Storage,
        al: &Layout,
        b: &Storage,
        bl: &Layout,
        c: &Storage,
        cl: &Layout,
        act: Activation,
    ) -> Result<Storage> {
        dispatch!("linear", self, |be, a, b, c| be.linear(a, al, b, bl, c, cl, act))
    }

    /// [`Backend::gather`] on behalf of the user's op `op` (`gather`, `indexSelect`, …), which an
    /// out-of-range index names.
    pub(crate) fn gather(&self, op: &'static str, x: &Storage, xl: &Layout, axis: usize, i: &Storage, il: &Layout) -> Result<Storage> {
        dispatch!(op, self, |be, x, i| be.gather(op, x, xl, axis, i, il))
    }

    /// [`Backend::scatter_add`] on behalf of the user's op `op` (see [`Device::gather`]).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn scatter_add(
        &self,
        op: &'static str,
        base: &Storage,
        bl: &Layout,
        axis: usize,
        i: &Storage,
        il: &Layout,
        src: &Storage,
        sl: &Layout,
    ) -> Result<Storage> {
        dispatch!(op, self, |be, base, i, src| be.scatter_add(op, base, bl, axis, i, il, src, sl))
    }

    pub(crate) fn conv2d(&self, x: &Storage, xl: &Layout, w: &Storage, wl: &Layout, window: &Window, groups: usize) -> Result<Storage> {
        dispatch!("conv2d", self, |be, x, w| be.conv2d(x, xl, w, wl, window, groups))
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn conv2d_weight_grad(
        &self,
        x: &Storage,
        xl: &Layout,
        dy: &Storage,
        dyl: &Layout,
        window: &Window,
        groups: usize,
        out: usize,
    ) -> Result<Storage> {
        dispatch!("conv2d", self, |be, x, dy| be.conv2d_weight_grad(x, xl, dy, dyl, window, groups, out))
    }

    pub(crate) fn conv2d_input_grad(
        &self,
        w: &Storage,
        wl: &Layout,
        dy: &Storage,
        dyl: &Layout,
        window: &Window,
        groups: usize,
    ) -> Result<Storage> {
        dispatch!("conv2d", self, |be, w, dy| be.conv2d_input_grad(w, wl, dy, dyl, window, groups))
    }

    pub(crate) fn im2col(&self, x: &Storage, xl: &Layout, w: &Window, pad_value: f32) -> Result<Storage> {
        dispatch!("im2col", self, |be, x| be.im2col(x, xl, w, pad_value))
    }

    pub(crate) fn col2im(&self, cols: &Storage, cl: &Layout, w: &Window) -> Result<Storage> {
        dispatch!("col2im", self, |be, cols| be.col2im(cols, cl, w))
    }

    /// [`Backend::max_pool2d`]: the maxima and their taps.
    pub(crate) fn max_pool2d(&self, x: &Storage, xl: &Layout, w: &Window) -> Result<(Storage, Storage)> {
        match (self, x) {
            (Device::Cpu, Storage::Cpu(x)) => cpu::CpuBackend.max_pool2d(x, xl, w).map(|(v, t)| (Storage::Cpu(v), Storage::Cpu(t))),
            (Device::WebGpu(ctx), Storage::WebGpu(x)) => ctx.max_pool2d(x, xl, w).map(|(mut v, mut t)| {
                v.inherit_faults(&[x]);
                t.inherit_faults(&[x]);
                (Storage::WebGpu(v), Storage::WebGpu(t))
            }),
            (device, x) => Err(device.mismatch("maxPool2d", x)),
        }
    }

    pub(crate) fn max_pool2d_grad(&self, dy: &Storage, dyl: &Layout, taps: &Storage, tl: &Layout, w: &Window) -> Result<Storage> {
        dispatch!("maxPool2d", self, |be, dy, taps| be.max_pool2d_grad(dy, dyl, taps, tl, w))
    }

    pub(crate) fn concat(&self, parts: &[(&Storage, &Layout)], axis: usize) -> Result<Storage> {
        match self {
            Device::Cpu => {
                let mut own = Vec::with_capacity(parts.len());
                for (s, l) in parts {
                    let Storage::Cpu(s) = s else { return Err(self.mismatch("concat", s)) };
                    own.push((s, *l));
                }
                cpu::CpuBackend.concat(&own, axis).map(Storage::Cpu)
            }
            Device::WebGpu(ctx) => {
                let mut own = Vec::with_capacity(parts.len());
                for (s, l) in parts {
                    let Storage::WebGpu(s) = s else { return Err(self.mismatch("concat", s)) };
                    own.push((s, *l));
                }
                ctx.concat(&own, axis).map(|mut out| {
                    out.inherit_faults(&own.iter().map(|(s, _)| *s).collect::<Vec<_>>());
                    Storage::WebGpu(out)
                })
            }
        }
    }

    /// Reads the elements of a view back to the host, in row-major order. Asynchronous: on WebGPU
    /// this waits for the queued work and a buffer mapping.
    pub(crate) async fn read(&self, storage: &Storage, layout: &Layout) -> Result<HostData> {
        match (self, storage) {
            (Device::Cpu, Storage::Cpu(s)) => cpu::read("read", s, layout),
            (Device::WebGpu(ctx), Storage::WebGpu(s)) => ctx.read(s, layout).await,
            (device, storage) => Err(device.mismatch("read", storage)),
        }
    }
}
