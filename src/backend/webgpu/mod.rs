//! The WebGPU backend (wgpu): WGSL kernels from `shaders/`, a pipeline cache, a buffer pool, many
//! dispatches per submit, and asynchronous readback through staging buffers.

mod context;
mod kernels;
mod pool;
pub mod shaders;
mod info;
mod split;

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

use wgpu::util::DeviceExt;

use crate::dtype::{DType, HostData};
use crate::error::{Error, Result};
use crate::layout::Layout;
use context::ErrorSink;
pub use pool::GpuStorage;
use pool::{size_class, BufferPool};
use shaders::{InfoSpace, Kernel};

/// Dispatches queued before the open command encoder is submitted without being asked.
const SUBMIT_EVERY: u32 = 64;
/// Invocations per workgroup of the 1-D kernels (`WG` in `shaders/common.wgsl`).
const WORKGROUP: u32 = 256;

/// GPU memory in use, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GpuMemory {
    /// Held by live tensors.
    pub live_bytes: u64,
    /// Freed buffers kept for reuse.
    pub pooled_bytes: u64,
}

/// Counters of what the backend did, for tests and profiling.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GpuCounters {
    pub dispatches: u64,
    pub submits: u64,
    pub readbacks: u64,
    pub buffers_created: u64,
}

/// One WebGPU device with its queue, pipelines, buffer pool and open command encoder.
pub struct GpuContext {
    device: wgpu::Device,
    queue: wgpu::Queue,
    info: wgpu::AdapterInfo,
    limits: wgpu::Limits,
    sink: Arc<ErrorSink>,
    pool: Rc<BufferPool>,
    /// `[flag, index, axis size, 0]` of the first out-of-range index a kernel met (see common.wgsl).
    fault: wgpu::Buffer,
    pipelines: RefCell<HashMap<Kernel, Rc<wgpu::ComputePipeline>>>,
    encoder: RefCell<Option<wgpu::CommandEncoder>>,
    queued: Cell<u32>,
    counters: Cell<GpuCounters>,
    /// Rank-0 constants (scalars in expressions, learning rates) uploaded once: key (dtype, bits).
    constants: RefCell<HashMap<(DType, u32), Rc<crate::backend::Storage>>>,
    /// The `info` arrays of the queued dispatches.
    infos: info::InfoArena,
    /// Where the kernels read their `info` (the adapter's fastest).
    info_space: Cell<InfoSpace>,
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
        let limits = device.limits();
        let fault = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("fault"),
            contents: bytemuck::cast_slice(&[0u32; 4]),
            usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC | wgpu::BufferUsages::COPY_DST,
        });
        let infos = info::InfoArena::new(&device, &limits, SUBMIT_EVERY);
        let info_space = if info.name.to_ascii_lowercase().contains("swiftshader") { InfoSpace::Storage } else { InfoSpace::Uniform };
        Ok(GpuContext {
            info_space: Cell::new(info_space),
            infos,
            device,
            queue,
            info,
            limits,
            sink,
            pool: Rc::default(),
            fault,
            pipelines: RefCell::default(),
            encoder: RefCell::default(),
            queued: Cell::new(0),
            counters: Cell::default(),
            constants: RefCell::default(),
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

    /// Whether the adapter is a software rasteriser on the CPU (SwiftShader, lavapipe/llvmpipe, WARP):
    /// webgrad's own CPU backend outruns those, so `"auto"` skips them.
    pub fn is_software(&self) -> bool {
        let name = self.info.name.to_ascii_lowercase();
        self.info.device_type == wgpu::DeviceType::Cpu || ["swiftshader", "llvmpipe", "lavapipe", "software", "warp"].iter().any(|s| name.contains(s))
    }

    /// GPU bytes held by tensors and by the pool.
    pub fn memory(&self) -> GpuMemory {
        let (live_bytes, pooled_bytes) = self.pool.usage();
        GpuMemory { live_bytes, pooled_bytes }
    }

    /// What the backend has done so far.
    /// Where the kernels read their `info`: chosen per adapter; settable for tests and benchmarks
    /// (later pipelines are built for the new space).
    pub fn set_info_space(&self, space: InfoSpace) {
        self.flush();
        self.pipelines.borrow_mut().clear();
        self.info_space.set(space);
    }

    /// The device's limits (the adapter's own, requested at creation).
    pub fn limits(&self) -> &wgpu::Limits {
        &self.limits
    }

    pub fn counters(&self) -> GpuCounters {
        self.counters.get()
    }

    fn count(&self, f: impl FnOnce(&mut GpuCounters)) {
        let mut c = self.counters.get();
        f(&mut c);
        self.counters.set(c);
    }

    /// The storage of a one-element constant, uploaded on first use and shared after.
    pub(crate) fn constant(&self, data: &HostData) -> Result<Rc<crate::backend::Storage>> {
        let bits = match data {
            HostData::F32(v) => v.first().map(|x| x.to_bits()),
            HostData::I32(v) => v.first().map(|&x| x as u32),
            HostData::Bool(v) => v.first().map(|&x| x as u32),
        };
        let key = (data.dtype(), bits.unwrap_or(0));
        if let Some(s) = self.constants.borrow().get(&key) {
            return Ok(s.clone());
        }
        let storage = Rc::new(crate::backend::Storage::WebGpu(crate::backend::Backend::upload(self, data)?));
        let mut constants = self.constants.borrow_mut();
        if constants.len() < 4096 {
            constants.insert(key, storage.clone());
        }
        Ok(storage)
    }

    /// Frees the buffers kept for reuse (after queued work is submitted).
    pub fn release_pool(&self) {
        self.pool.clear();
        self.flush();
    }

    /// Destroys the device, as a driver reset or an unplugged GPU would: every later op on it fails
    /// with "device lost; call init() again". For tests of that path.
    #[doc(hidden)]
    pub fn destroy_device(&self) {
        self.device.destroy();
        #[cfg(not(target_arch = "wasm32"))]
        let _ = self.device.poll(wgpu::PollType::Poll);
    }

    /// Sets how many bytes of freed buffers are kept for reuse (256 MiB by default).
    pub fn set_pool_cap(&self, bytes: u64) {
        self.pool.set_cap(bytes);
    }

    fn pipeline(&self, kernel: Kernel) -> Result<Rc<wgpu::ComputePipeline>> {
        if let Some(p) = self.pipelines.borrow().get(&kernel) {
            return Ok(p.clone());
        }
        let name = kernel.name();
        if !kernel.exists() {
            return Err(Error::Unsupported { op: name, backend: "webgpu" });
        }
        let module = self.device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some(&name),
            source: wgpu::ShaderSource::Wgsl(kernel.source(self.info_space.get()).into()),
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

    /// A buffer for `elements` values of `dtype` (from the pool when one of its size class is free).
    fn new_buffer(&self, op: &str, elements: usize, dtype: DType) -> Result<GpuStorage> {
        let bytes = (elements.max(1) * 4) as u64;
        let class = self.buffer_class(op, bytes)?;
        let buffer = match self.pool.take(class) {
            Some(buffer) => buffer,
            None => {
                self.count(|c| c.buffers_created += 1);
                self.device.create_buffer(&wgpu::BufferDescriptor {
                    label: None,
                    size: class,
                    usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC | wgpu::BufferUsages::COPY_DST,
                    mapped_at_creation: false,
                })
            }
        };
        Ok(GpuStorage::new(buffer, elements, dtype, &self.pool))
    }

    /// The size class of a buffer for `bytes`: within the storage-binding limit when the data fits
    /// it (so any kernel can bind it whole), else within the adapter's largest buffer.
    pub(crate) fn buffer_class(&self, op: &str, bytes: u64) -> Result<u64> {
        let (binding, largest) = (self.limits.max_storage_buffer_binding_size, self.limits.max_buffer_size / 4 * 4);
        if bytes > largest {
            return Err(Error::Gpu { op: op.to_string(), msg: format!("{bytes} bytes are above this adapter's largest buffer ({largest} bytes)") });
        }
        Ok(if bytes <= binding { size_class(bytes).min(binding) } else { size_class(bytes).min(largest) })
    }

    /// Workgroup grid covering `groups` workgroups, split over y past the per-dimension limit.
    fn grid(&self, groups: u32) -> (u32, u32, u32) {
        let max = self.limits.max_compute_workgroups_per_dimension.max(1);
        let x = groups.min(max);
        (x, groups.div_ceil(x.max(1)), 1)
    }

    /// The grid for one invocation per element of `numel`.
    fn grid_for(&self, op: &str, numel: usize) -> Result<(u32, u32, u32)> {
        Ok(self.grid(to_u32(op, numel)?.div_ceil(WORKGROUP)))
    }

    fn with_encoder(&self, f: impl FnOnce(&mut wgpu::CommandEncoder)) {
        let mut encoder = self.encoder.borrow_mut();
        f(encoder.get_or_insert_with(|| self.device.create_command_encoder(&Default::default())));
    }

    /// Each storage bound whole, or the error naming the binding limit one of them is above.
    fn whole_bindings<'a>(&self, kernel: Kernel, storages: &[&'a GpuStorage]) -> Result<Vec<Bound<'a>>> {
        let limit = self.limits.max_storage_buffer_binding_size;
        if let Some(big) = storages.iter().map(|s| s.buffer().size()).find(|&size| size > limit) {
            return Err(self.above_the_binding(kernel, big));
        }
        Ok(storages.iter().map(|s| Bound::whole(s.buffer())).collect())
    }

    /// The error of a kernel that must bind `bytes` at once, above the storage-binding limit.
    fn above_the_binding(&self, kernel: Kernel, bytes: u64) -> Error {
        let msg = format!(
            "a {bytes}-byte operand is above this adapter's {}-byte storage binding, and this kernel binds it whole (work is split over the images, rows and slabs of large inputs and outputs, not over weights, or a scatter's indices and source)",
            self.limits.max_storage_buffer_binding_size
        );
        Error::Gpu { op: kernel.name(), msg }
    }

    /// Queues one dispatch with `bound` as bindings 1.. (binding 0 is `info`), each a whole buffer or
    /// a window of one.
    fn dispatch_bound(&self, kernel: Kernel, info: &[u32], bound: &[Bound], groups: (u32, u32, u32)) -> Result<()> {
        let name = kernel.name();
        self.sink.check(&name)?;
        if groups.0 == 0 || groups.1 == 0 || groups.2 == 0 {
            return Ok(());
        }
        if info.len() > info::WORDS {
            return Err(Error::Gpu { op: name, msg: format!("its parameters take {} words, more than the {} a kernel reads (too many dimensions?)", info.len(), info::WORDS) });
        }
        let pipeline = self.pipeline(kernel)?;
        let window = match self.infos.stage(info) {
            Some(window) => window,
            None => {
                self.flush();
                self.infos.stage(info).ok_or_else(|| Error::Gpu { op: name.clone(), msg: format!("an info array of {} words does not fit the arena", info.len()) })?
            }
        };
        let entries: Vec<_> = std::iter::once(Bound { buffer: self.infos.buffer(), window: Some(window) })
            .chain(bound.iter().copied())
            .enumerate()
            .map(|(i, b)| wgpu::BindGroupEntry { binding: i as u32, resource: b.resource() })
            .collect();
        let bind_group = self.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some(&name),
            layout: &pipeline.get_bind_group_layout(0),
            entries: &entries,
        });
        self.with_encoder(|encoder| {
            let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor { label: Some(&name), timestamp_writes: None });
            pass.set_pipeline(&pipeline);
            pass.set_bind_group(0, &bind_group, &[]);
            pass.dispatch_workgroups(groups.0, groups.1, groups.2);
        });
        self.count(|c| c.dispatches += 1);
        self.queued.set(self.queued.get() + 1);
        if self.queued.get() >= SUBMIT_EVERY {
            self.flush();
        }
        Ok(())
    }

    /// Submits every queued dispatch.
    pub fn flush(&self) {
        if let Some(encoder) = self.encoder.borrow_mut().take() {
            self.infos.upload(&self.queue);
            self.queue.submit([encoder.finish()]);
            self.count(|c| c.submits += 1);
        }
        self.queued.set(0);
        self.pool.destroy_doomed();
    }

    /// Reads a view back: materialises it if strided, copies it to a staging buffer, submits, and
    /// awaits the mapping.
    pub async fn read(&self, storage: &GpuStorage, layout: &Layout) -> Result<HostData> {
        let numel = layout.numel();
        if numel == 0 {
            return Ok(HostData::filled(storage.dtype, 0.0, 0));
        }
        let copied;
        let (source, offset) = if layout.is_contiguous() {
            (storage, layout.offset())
        } else {
            copied = crate::backend::Backend::unary(self, crate::backend::UnaryOp::Copy, storage, layout)?;
            (&copied, 0)
        };
        let bytes = (numel * 4) as u64;
        // The values, then the fault record, in one staging buffer.
        let staging = self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("readback"),
            size: bytes + 16,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        self.with_encoder(|encoder| {
            encoder.copy_buffer_to_buffer(source.buffer(), (offset * 4) as u64, &staging, 0, bytes);
            encoder.copy_buffer_to_buffer(&self.fault, 0, &staging, bytes, 16);
        });
        self.flush();
        self.count(|c| c.readbacks += 1);
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
        let (values, fault) = {
            let view = staging.get_mapped_range(..).map_err(|e| Error::Gpu { op: "read".into(), msg: e.to_string() })?;
            let (data, fault) = view.split_at(bytes as usize);
            let values = match storage.dtype {
                DType::F32 => HostData::F32(bytemuck::cast_slice::<u8, f32>(data).to_vec()),
                DType::I32 => HostData::I32(bytemuck::cast_slice::<u8, i32>(data).to_vec()),
                DType::Bool => HostData::Bool(bytemuck::cast_slice::<u8, u32>(data).iter().map(|&b| b != 0).collect()),
            };
            let fault: [u32; 4] = bytemuck::pod_read_unaligned(fault);
            (values, fault)
        };
        staging.unmap();
        staging.destroy();
        if fault[0] != 0 {
            // Report once, then clear the record for later work.
            self.queue.write_buffer(&self.fault, 0, bytemuck::cast_slice(&[0u32; 4]));
            return Err(Error::Gpu {
                op: "gather".into(),
                msg: format!("an index op met index {} outside an axis of size {} (earlier in this batch of work)", fault[1] as i32, fault[2]),
            });
        }
        Ok(values)
    }
}

/// A storage binding: a whole buffer, or the window `(offset, size)` in bytes of one.
#[derive(Clone, Copy)]
pub(crate) struct Bound<'a> {
    pub buffer: &'a wgpu::Buffer,
    pub window: Option<(u64, u64)>,
}

impl<'a> Bound<'a> {
    pub fn whole(buffer: &'a wgpu::Buffer) -> Bound<'a> {
        Bound { buffer, window: None }
    }

    fn resource(self) -> wgpu::BindingResource<'a> {
        match self.window {
            None => self.buffer.as_entire_binding(),
            Some((offset, size)) => wgpu::BindingResource::Buffer(wgpu::BufferBinding { buffer: self.buffer, offset, size: wgpu::BufferSize::new(size) }),
        }
    }
}
