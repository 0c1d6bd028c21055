//! The WebGPU backend (wgpu): WGSL kernels from `shaders/`, a pipeline cache, many dispatches per
//! submit, and asynchronous readback through staging buffers.

mod context;
pub mod shaders;

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

use wgpu::util::DeviceExt;

use super::{Backend, BinaryOp, ReduceOp, UnaryOp, Window};
use crate::dtype::{DType, HostData};
use crate::error::{Error, Result};
use crate::layout::Layout;
use context::ErrorSink;
use shaders::Kernel;

/// Dispatches queued before the open command encoder is submitted without being asked.
const SUBMIT_EVERY: u32 = 64;
/// Invocations per workgroup of the 1-D kernels (`WG` in `shaders/common.wgsl`).
const WORKGROUP: u32 = 256;
/// Output tile edge of the matmul kernel (`TILE` in `shaders/matmul.wgsl`).
const MATMUL_TILE: u32 = 64;

/// A GPU buffer of 4-byte elements: f32, i32, or bool stored as u32 0/1.
#[derive(Debug)]
pub struct GpuStorage {
    buffer: wgpu::Buffer,
    len: usize,
    dtype: DType,
}

/// One WebGPU device with its queue, pipelines and open command encoder.
pub struct GpuContext {
    device: wgpu::Device,
    queue: wgpu::Queue,
    info: wgpu::AdapterInfo,
    sink: Arc<ErrorSink>,
    pipelines: RefCell<HashMap<Kernel, Rc<wgpu::ComputePipeline>>>,
    encoder: RefCell<Option<wgpu::CommandEncoder>>,
    queued: Cell<u32>,
}

/// Converts a size or index to the u32 the kernels take, or says which op it overflows.
fn to_u32(op: &str, value: usize) -> Result<u32> {
    u32::try_from(value).map_err(|_| Error::Gpu { op: op.to_string(), msg: format!("{value} exceeds the u32 range") })
}

fn to_u32s(op: &str, values: &[usize]) -> Result<Vec<u32>> {
    values.iter().map(|&v| to_u32(op, v)).collect()
}

impl GpuContext {
    /// Opens the best adapter available (see [`crate::Device::webgpu`]).
    pub async fn new() -> Result<Self> {
        let (device, queue, info, sink) = context::open_device().await?;
        Ok(GpuContext {
            device,
            queue,
            info,
            sink,
            pipelines: RefCell::default(),
            encoder: RefCell::default(),
            queued: Cell::new(0),
        })
    }

    /// The adapter's name, driver and graphics backend.
    pub fn adapter_description(&self) -> String {
        let i = &self.info;
        let driver = [i.driver.as_str(), i.driver_info.as_str()].iter().filter(|s| !s.is_empty()).copied().collect::<Vec<_>>();
        let name = if i.name.is_empty() { "unnamed adapter" } else { i.name.as_str() };
        if driver.is_empty() {
            format!("{name}, {:?}", i.backend)
        } else {
            format!("{name}, {}, {:?}", driver.join(" "), i.backend)
        }
    }

    fn pipeline(&self, kernel: Kernel) -> Result<Rc<wgpu::ComputePipeline>> {
        if let Some(p) = self.pipelines.borrow().get(&kernel) {
            return Ok(p.clone());
        }
        let name = kernel.name();
        let module = self.device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some(&name),
            source: wgpu::ShaderSource::Wgsl(kernel.source().into()),
        });
        let pipeline = Rc::new(self.device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
            label: Some(&name),
            layout: None,
            module: &module,
            entry_point: Some("main"),
            compilation_options: Default::default(),
            cache: None,
        }));
        self.sink.check(&format!("pipeline {name}"))?;
        self.pipelines.borrow_mut().insert(kernel, pipeline.clone());
        Ok(pipeline)
    }

    /// Fails unless `kernel` exists and every operand is f32 (the dtypes this backend computes on yet).
    fn check_f32(&self, kernel: Kernel, operands: &[(&GpuStorage, &Layout)]) -> Result<()> {
        if !kernel.exists() {
            return Err(Error::Unsupported { op: kernel.name(), backend: "webgpu" });
        }
        for (s, l) in operands {
            if s.dtype != DType::F32 {
                return Err(Error::Unsupported { op: format!("{} on {}", kernel.name(), s.dtype), backend: "webgpu" });
            }
            let _ = l;
        }
        Ok(())
    }

    fn new_buffer(&self, elements: usize) -> GpuStorage {
        let buffer = self.device.create_buffer(&wgpu::BufferDescriptor {
            label: None,
            size: (elements.max(1) * 4) as u64,
            usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        GpuStorage { buffer, len: elements, dtype: DType::F32 }
    }

    /// Workgroup grid covering `groups` workgroups, split over y past the per-dimension limit.
    fn grid(&self, groups: u32) -> (u32, u32) {
        let max = self.device.limits().max_compute_workgroups_per_dimension.max(1);
        let x = groups.min(max);
        (x, groups.div_ceil(x.max(1)))
    }

    /// Queues one dispatch of `kernel` on `info`, `inputs` and `output` (bindings 0, 1.., last).
    fn dispatch(&self, kernel: Kernel, info: &[u32], inputs: &[&GpuStorage], output: &GpuStorage, groups: (u32, u32, u32)) -> Result<()> {
        let name = kernel.name();
        self.sink.check(&name)?;
        if groups.0 == 0 || groups.1 == 0 || groups.2 == 0 {
            return Ok(());
        }
        let pipeline = self.pipeline(kernel)?;
        let info = self.device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("info"),
            contents: bytemuck::cast_slice(info),
            usage: wgpu::BufferUsages::STORAGE,
        });
        let buffers = std::iter::once(&info).chain(inputs.iter().map(|s| &s.buffer)).chain([&output.buffer]);
        let entries: Vec<_> = buffers
            .enumerate()
            .map(|(i, b)| wgpu::BindGroupEntry { binding: i as u32, resource: b.as_entire_binding() })
            .collect();
        let bind_group = self.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some(&name),
            layout: &pipeline.get_bind_group_layout(0),
            entries: &entries,
        });
        {
            let mut encoder = self.encoder.borrow_mut();
            let encoder = encoder.get_or_insert_with(|| self.device.create_command_encoder(&Default::default()));
            let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor { label: Some(&name), timestamp_writes: None });
            pass.set_pipeline(&pipeline);
            pass.set_bind_group(0, &bind_group, &[]);
            pass.dispatch_workgroups(groups.0, groups.1, groups.2);
        }
        self.queued.set(self.queued.get() + 1);
        if self.queued.get() >= SUBMIT_EVERY {
            self.flush();
        }
        Ok(())
    }

    /// Submits every queued dispatch.
    pub fn flush(&self) {
        if let Some(encoder) = self.encoder.borrow_mut().take() {
            self.queue.submit([encoder.finish()]);
        }
        self.queued.set(0);
    }

    /// Reads a view back: materialises it if strided, copies it to a staging buffer, submits, and
    /// awaits the mapping.
    pub async fn read(&self, storage: &GpuStorage, layout: &Layout) -> Result<HostData> {
        let numel = layout.numel();
        if numel == 0 {
            return Ok(HostData::filled(storage.dtype, 0.0, 0));
        }
        if storage.dtype != DType::F32 && !layout.is_contiguous() {
            return Err(Error::Unsupported { op: format!("reading a strided {} view", storage.dtype), backend: "webgpu" });
        }
        let copied;
        let (source, offset) = if layout.is_contiguous() {
            (storage, layout.offset())
        } else {
            copied = self.unary(UnaryOp::Copy, storage, layout)?;
            (&copied, 0)
        };
        let bytes = (numel * 4) as u64;
        let staging = self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("readback"),
            size: bytes,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        {
            let mut encoder = self.encoder.borrow_mut();
            let encoder = encoder.get_or_insert_with(|| self.device.create_command_encoder(&Default::default()));
            encoder.copy_buffer_to_buffer(&source.buffer, (offset * 4) as u64, &staging, 0, bytes);
        }
        self.flush();
        let (sender, receiver) = futures_channel::oneshot::channel();
        staging.map_async(wgpu::MapMode::Read, .., move |r| {
            let _ = sender.send(r);
        });
        #[cfg(not(target_arch = "wasm32"))]
        self.device
            .poll(wgpu::PollType::wait_indefinitely())
            .map_err(|e| Error::Gpu { op: "read".into(), msg: e.to_string() })?;
        let mapped = receiver.await.map_err(|_| Error::Gpu { op: "read".into(), msg: "the mapping was cancelled".into() })?;
        self.sink.check("read")?;
        mapped.map_err(|e| Error::Gpu { op: "read".into(), msg: e.to_string() })?;
        let values = {
            let view = staging.get_mapped_range(..).map_err(|e| Error::Gpu { op: "read".into(), msg: e.to_string() })?;
            match storage.dtype {
                DType::F32 => HostData::F32(bytemuck::cast_slice::<u8, f32>(&view).to_vec()),
                DType::I32 => HostData::I32(bytemuck::cast_slice::<u8, i32>(&view).to_vec()),
                DType::Bool => HostData::Bool(bytemuck::cast_slice::<u8, u32>(&view).iter().map(|&b| b != 0).collect()),
            }
        };
        staging.unmap();
        Ok(values)
    }
}

impl Backend for GpuContext {
    type Storage = GpuStorage;

    fn upload(&self, data: &HostData) -> Result<GpuStorage> {
        self.sink.check("upload")?;
        let words: Vec<u32> = match data {
            HostData::F32(v) => v.iter().map(|x| x.to_bits()).collect(),
            HostData::I32(v) => v.iter().map(|&x| x as u32).collect(),
            HostData::Bool(v) => v.iter().map(|&x| x as u32).collect(),
        };
        let contents = if words.is_empty() { vec![0u32] } else { words };
        let buffer = self.device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: None,
            contents: bytemuck::cast_slice(&contents),
            usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC | wgpu::BufferUsages::COPY_DST,
        });
        Ok(GpuStorage { buffer, len: data.len(), dtype: data.dtype() })
    }

    fn unary(&self, op: UnaryOp, x: &GpuStorage, layout: &Layout) -> Result<GpuStorage> {
        let kernel = Kernel::Unary(op);
        if op == UnaryOp::Copy && x.dtype != DType::F32 && layout.is_contiguous() {
            return self.copy_contiguous(x, layout);
        }
        self.check_f32(kernel, &[(x, layout)])?;
        let name = kernel.name();
        let numel = layout.numel();
        let out = self.new_buffer(numel);
        let mut info = to_u32s(&name, &[numel, layout.rank(), layout.offset()])?;
        info.extend(to_u32s(&name, layout.shape())?);
        info.extend(to_u32s(&name, layout.strides())?);
        let (gx, gy) = self.grid(to_u32(&name, numel)?.div_ceil(WORKGROUP));
        self.dispatch(kernel, &info, &[x], &out, (gx, gy, 1))?;
        Ok(out)
    }

    fn binary(&self, op: BinaryOp, a: &GpuStorage, al: &Layout, b: &GpuStorage, bl: &Layout) -> Result<GpuStorage> {
        let kernel = Kernel::Binary(op);
        self.check_f32(kernel, &[(a, al), (b, bl)])?;
        let name = kernel.name();
        let numel = al.numel();
        let out = self.new_buffer(numel);
        let mut info = to_u32s(&name, &[numel, al.rank(), al.offset(), bl.offset()])?;
        for part in [al.shape(), al.strides(), bl.strides()] {
            info.extend(to_u32s(&name, part)?);
        }
        let (gx, gy) = self.grid(to_u32(&name, numel)?.div_ceil(WORKGROUP));
        self.dispatch(kernel, &info, &[a, b], &out, (gx, gy, 1))?;
        Ok(out)
    }

    fn reduce(&self, op: ReduceOp, x: &GpuStorage, layout: &Layout, axes: &[usize]) -> Result<GpuStorage> {
        let kernel = Kernel::Reduce(op);
        self.check_f32(kernel, &[(x, layout)])?;
        let name = kernel.name();
        let order: Vec<usize> = (0..layout.rank()).filter(|a| !axes.contains(a)).chain(axes.iter().copied()).collect();
        let permuted = layout.permuted(&order);
        let reduced: usize = axes.iter().map(|&a| layout.shape()[a]).product();
        let outputs: usize = permuted.shape()[..layout.rank() - axes.len()].iter().product();
        let out = self.new_buffer(outputs);
        let mut info = to_u32s(&name, &[outputs, reduced, layout.rank(), layout.offset()])?;
        info.extend(to_u32s(&name, permuted.shape())?);
        info.extend(to_u32s(&name, permuted.strides())?);
        let (gx, gy) = self.grid(to_u32(&name, outputs)?);
        self.dispatch(kernel, &info, &[x], &out, (gx, gy, 1))?;
        Ok(out)
    }

    fn matmul(&self, a: &GpuStorage, al: &Layout, b: &GpuStorage, bl: &Layout) -> Result<GpuStorage> {
        self.check_f32(Kernel::Matmul, &[(a, al), (b, bl)])?;
        let name = Kernel::Matmul.name();
        let (batch, m, k, n) = (al.shape()[0], al.shape()[1], al.shape()[2], bl.shape()[2]);
        let out = self.new_buffer(batch * m * n);
        let (sa, sb) = (al.strides(), bl.strides());
        let info = to_u32s(&name, &[m, n, k, al.offset(), sa[1], sa[2], sa[0], bl.offset(), sb[1], sb[2], sb[0]])?;
        let tile = |d: usize| to_u32(&name, d).map(|d| d.div_ceil(MATMUL_TILE));
        let groups = (tile(n)?, tile(m)?, to_u32(&name, batch)?);
        let max = self.device.limits().max_compute_workgroups_per_dimension;
        if groups.0 > max || groups.1 > max || groups.2 > max {
            return Err(Error::Gpu { op: name, msg: format!("[{batch}, {m}, {k}] @ [{batch}, {k}, {n}] needs more than {max} workgroups per dimension") });
        }
        self.dispatch(Kernel::Matmul, &info, &[a, b], &out, groups)?;
        Ok(out)
    }

    fn select(&self, _: &GpuStorage, _: &Layout, _: &GpuStorage, _: &Layout, _: &GpuStorage, _: &Layout) -> Result<GpuStorage> {
        unsupported("where")
    }

    fn cast(&self, _: &GpuStorage, _: &Layout, _: DType) -> Result<GpuStorage> {
        unsupported("cast")
    }

    fn concat(&self, _: &[(&GpuStorage, &Layout)], _: usize) -> Result<GpuStorage> {
        unsupported("concat")
    }

    fn gather(&self, _: &GpuStorage, _: &Layout, _: usize, _: &GpuStorage, _: &Layout) -> Result<GpuStorage> {
        unsupported("gather")
    }

    fn scatter_add(
        &self,
        _: &GpuStorage,
        _: &Layout,
        _: usize,
        _: &GpuStorage,
        _: &Layout,
        _: &GpuStorage,
        _: &Layout,
    ) -> Result<GpuStorage> {
        unsupported("scatterAdd")
    }

    fn im2col(&self, _: &GpuStorage, _: &Layout, _: &Window, _: f32) -> Result<GpuStorage> {
        unsupported("im2col")
    }

    fn col2im(&self, _: &GpuStorage, _: &Layout, _: &Window) -> Result<GpuStorage> {
        unsupported("col2im")
    }
}

impl GpuContext {
    /// A contiguous copy of a contiguous view of any dtype (a buffer-to-buffer copy).
    fn copy_contiguous(&self, x: &GpuStorage, layout: &Layout) -> Result<GpuStorage> {
        let mut out = self.new_buffer(layout.numel());
        out.dtype = x.dtype;
        if layout.numel() > 0 {
            let mut encoder = self.encoder.borrow_mut();
            let encoder = encoder.get_or_insert_with(|| self.device.create_command_encoder(&Default::default()));
            encoder.copy_buffer_to_buffer(&x.buffer, (layout.offset() * 4) as u64, &out.buffer, 0, (layout.numel() * 4) as u64);
        }
        Ok(out)
    }
}

fn unsupported<T>(op: &str) -> Result<T> {
    Err(Error::Unsupported { op: op.to_string(), backend: "webgpu" })
}

impl GpuStorage {
    pub fn dtype(&self) -> DType {
        self.dtype
    }

    /// Number of f32 elements.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}
