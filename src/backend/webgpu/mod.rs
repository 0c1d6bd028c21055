//! The WebGPU backend (wgpu): WGSL kernels from `shaders/`, a pipeline cache, a buffer pool, many
//! dispatches per submit, and asynchronous readback through staging buffers.

mod context;
mod faults;
mod info;
mod kernels;
pub mod params;
mod pool;
pub mod shaders;
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

/// The default memory budget: WebGPU does not say how much memory a device has, and browsers lose
/// the device (not fail the call) when it runs out; 2 GiB is below what discrete and integrated GPUs
/// grant a page and above what the models webgrad targets hold. Change it with
/// [`GpuContext::set_memory_budget`].
const DEFAULT_BUDGET: u64 = 2 << 30;

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
    /// The slots where index kernels record the first out-of-range index they meet.
    faults: faults::Faults,
    /// Bytes of GPU memory (live and pooled) past which an allocation is an error.
    budget: Cell<u64>,
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

/// The bytes of `elements` 4-byte values (at least one), or the error naming the op.
fn element_bytes(op: &str, elements: usize) -> Result<u64> {
    (elements.max(1) as u64)
        .checked_mul(4)
        .ok_or_else(|| Error::Gpu { op: op.to_string(), msg: format!("{elements} elements do not fit a buffer") })
}

fn to_u32s(op: &str, values: &[usize]) -> Result<Vec<u32>> {
    values.iter().map(|&v| to_u32(op, v)).collect()
}

impl GpuContext {
    /// Opens the best adapter available (see [`crate::Device::webgpu`]).
    pub async fn new() -> Result<Self> {
        let (device, queue, info, sink) = context::open_device().await?;
        let limits = device.limits();
        let faults = faults::Faults::new(&device, &limits);
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
            faults,
            budget: Cell::new(DEFAULT_BUDGET),
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
        self.info.device_type == wgpu::DeviceType::Cpu
            || ["swiftshader", "llvmpipe", "lavapipe", "software", "warp"].iter().any(|s| name.contains(s))
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

    /// Sets the bytes of GPU memory (held by tensors and the pool) past which an allocation fails
    /// with an out-of-memory error instead of reaching the driver (2 GiB by default).
    pub fn set_memory_budget(&self, bytes: u64) {
        self.budget.set(bytes);
    }

    /// The memory budget (see [`GpuContext::set_memory_budget`]).
    pub fn memory_budget(&self) -> u64 {
        self.budget.get()
    }

    /// A new buffer of `class` bytes (filled with `contents` when given), within the budget: past it
    /// the pool is released first, then the allocation fails. A driver's out-of-memory error is
    /// caught by an error scope: an Error here natively; in the browser, where scopes answer later,
    /// one that the readback of the tensor reports (`failure`).
    fn allocate(&self, op: &str, elements: usize, class: u64, contents: Option<&[u8]>) -> Result<(wgpu::Buffer, pool::AllocFailure)> {
        let over = || self.pool.usage().0.saturating_add(self.pool.usage().1).saturating_add(class) > self.budget.get();
        if over() {
            self.release_pool();
        }
        if over() {
            let (live, pooled) = self.pool.usage();
            let msg = format!(
                "out of memory: {elements} elements ({class} bytes) on top of {} bytes held would pass the {}-byte GPU memory budget; dispose tensors (or use tidy), or raise the budget",
                live + pooled,
                self.budget.get()
            );
            return Err(Error::Gpu { op: op.to_string(), msg });
        }
        let scope = self.device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
        let usage = wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC | wgpu::BufferUsages::COPY_DST;
        let buffer = match contents {
            Some(contents) => self.device.create_buffer_init(&wgpu::util::BufferInitDescriptor { label: None, contents, usage }),
            None => self.device.create_buffer(&wgpu::BufferDescriptor { label: None, size: class, usage, mapped_at_creation: false }),
        };
        self.count(|c| c.buffers_created += 1);
        let popped = scope.pop();
        #[cfg(not(target_arch = "wasm32"))]
        let failure = pool::AllocFailure::default();
        #[cfg(target_arch = "wasm32")]
        let failure = pool::AllocFailure::watching();
        #[cfg(not(target_arch = "wasm32"))]
        if let Some(e) = pollster::block_on(popped) {
            buffer.destroy();
            return Err(Error::Gpu {
                op: op.to_string(),
                msg: format!("out of memory allocating {elements} elements ({class} bytes): {e}"),
            });
        }
        #[cfg(target_arch = "wasm32")]
        {
            let (failure, op, what) = (failure.clone(), op.to_string(), format!("{elements} elements ({class} bytes)"));
            wasm_bindgen_futures::spawn_local(async move {
                if let Some(e) = popped.await {
                    failure.set(format!("{op}: out of memory allocating {what}: {e}"));
                }
            });
        }
        Ok((buffer, failure))
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
        let class = self.buffer_class(op, element_bytes(op, elements)?)?;
        let (buffer, failure) = match self.pool.take(class) {
            Some(buffer) => (buffer, pool::AllocFailure::default()),
            None => self.allocate(op, elements, class, None)?,
        };
        Ok(GpuStorage::new(buffer, elements, dtype, &self.pool).with_failure(failure))
    }

    /// The size class of a buffer for `bytes`: within the storage-binding limit when the data fits
    /// it (so any kernel can bind it whole), else within the adapter's largest buffer.
    pub(crate) fn buffer_class(&self, op: &str, bytes: u64) -> Result<u64> {
        let (binding, largest) = (self.limits.max_storage_buffer_binding_size, self.limits.max_buffer_size / 4 * 4);
        if bytes > largest {
            return Err(Error::Gpu {
                op: op.to_string(),
                msg: format!("{} elements ({bytes} bytes) are above this adapter's largest buffer ({largest} bytes)", bytes / 4),
            });
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
            return Err(Error::Gpu {
                op: name,
                msg: format!(
                    "its parameters take {} words, more than the {} a kernel reads (too many dimensions?)",
                    info.len(),
                    info::WORDS
                ),
            });
        }
        let pipeline = self.pipeline(kernel)?;
        let window = match self.infos.stage(info) {
            Some(window) => window,
            None => {
                self.flush();
                self.infos.stage(info).ok_or_else(|| Error::Gpu {
                    op: name.clone(),
                    msg: format!("an info array of {} words does not fit the arena", info.len()),
                })?
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
            self.submit(encoder);
        }
        self.queued.set(0);
    }

    fn submit(&self, encoder: wgpu::CommandEncoder) {
        self.queue.submit([encoder.finish()]);
        self.count(|c| c.submits += 1);
        self.pool.after_submit();
    }

    /// Reads a view back: materialises it if strided, submits the queued work, copies the view and
    /// the tensor's pending fault records to a staging buffer in a submit of its own (inside error
    /// scopes, so that a failure fails this readback only), and awaits the mapping.
    pub async fn read(&self, storage: &GpuStorage, layout: &Layout) -> Result<HostData> {
        storage.check()?;
        let numel = layout.numel();
        if numel == 0 {
            return HostData::try_filled("read", storage.dtype, 0.0, &[0]);
        }
        let copied;
        let (source, offset) = if layout.is_contiguous() {
            (storage, layout.offset())
        } else {
            copied = crate::backend::Backend::unary(self, crate::backend::UnaryOp::Copy, storage, layout)?;
            (&copied, 0)
        };
        let pending: Vec<_> = storage.faults.iter().filter(|r| r.is_pending()).cloned().collect();
        let bytes = element_bytes("read", numel)?;
        let size = bytes + faults::RECORD_BYTES * pending.len() as u64;
        self.flush();
        self.sink.check("read")?;
        let oom = self.device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
        let invalid = self.device.push_error_scope(wgpu::ErrorFilter::Validation);
        let staging = self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("readback"),
            size,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let mut encoder = self.device.create_command_encoder(&Default::default());
        encoder.copy_buffer_to_buffer(source.buffer(), (offset * 4) as u64, &staging, 0, bytes);
        for (i, record) in pending.iter().enumerate() {
            self.faults.seal(record);
            let (at, len) = self.faults.window(record);
            encoder.copy_buffer_to_buffer(self.faults.buffer(), at, &staging, bytes + faults::RECORD_BYTES * i as u64, len);
        }
        self.submit(encoder);
        self.count(|c| c.readbacks += 1);
        let (invalid, oom) = (invalid.pop(), oom.pop());
        let dtype = storage.dtype;
        let result = self
            .map_staging(&staging, invalid, oom, |words| {
                let (data, records) = words.split_at((bytes / 4) as usize);
                for (record, words) in pending.iter().zip(records.chunks_exact(4)) {
                    self.faults.settle(record, [words[0], words[1], words[2], words[3]]);
                }
                // Straight from the mapping into host memory reserved fallibly (wasm's is 4 GiB).
                fn convert<T>(shape: &[usize], data: &[u32], f: impl Fn(u32) -> T) -> Result<Vec<T>> {
                    let mut out = crate::backend::cpu::alloc::with_capacity("read", shape, data.len())?;
                    out.extend(data.iter().map(|&w| f(w)));
                    Ok(out)
                }
                Ok(match dtype {
                    DType::F32 => HostData::F32(convert(layout.shape(), data, f32::from_bits)?),
                    DType::I32 => HostData::I32(convert(layout.shape(), data, |w| w as i32)?),
                    DType::Bool => HostData::Bool(convert(layout.shape(), data, |w| w != 0)?),
                })
            })
            .await;
        let values = match result {
            Ok(values) => values,
            Err(e) => {
                pending.iter().for_each(|r| self.faults.unseal(r));
                staging.destroy();
                return Err(e);
            }
        };
        storage.check()?;
        values
    }

    /// Maps a submitted staging buffer and hands its words to `read`, after the error scopes of its
    /// allocation and submit (popped as `invalid` and `oom`) report nothing. `Ok` holds what `read`
    /// returned: the mapping worked, and its `Result` says whether `read` did.
    async fn map_staging<T>(
        &self,
        staging: &wgpu::Buffer,
        invalid: impl std::future::Future<Output = Option<wgpu::Error>>,
        oom: impl std::future::Future<Output = Option<wgpu::Error>>,
        read: impl FnOnce(&[u32]) -> Result<T>,
    ) -> Result<Result<T>> {
        let failed = |e: wgpu::Error| Error::Gpu { op: "read".into(), msg: format!("the readback failed: {e}") };
        if let Some(e) = oom.await {
            return Err(failed(e));
        }
        if let Some(e) = invalid.await {
            return Err(failed(e));
        }
        let (sender, receiver) = futures_channel::oneshot::channel();
        staging.map_async(wgpu::MapMode::Read, .., move |r| {
            let _ = sender.send(r);
        });
        #[cfg(not(target_arch = "wasm32"))]
        self.device.poll(wgpu::PollType::wait_indefinitely()).map_err(|e| Error::Gpu { op: "read".into(), msg: e.to_string() })?;
        let mapped = receiver.await.map_err(|_| Error::Gpu { op: "read".into(), msg: "the mapping was cancelled".into() })?;
        self.sink.check("read")?;
        mapped.map_err(|e| Error::Gpu { op: "read".into(), msg: e.to_string() })?;
        let out = {
            let view = staging.get_mapped_range(..).map_err(|e| Error::Gpu { op: "read".into(), msg: e.to_string() })?;
            read(bytemuck::cast_slice::<u8, u32>(&view))
        };
        staging.unmap();
        staging.destroy();
        Ok(out)
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
            Some((offset, size)) => {
                wgpu::BindingResource::Buffer(wgpu::BufferBinding { buffer: self.buffer, offset, size: wgpu::BufferSize::new(size) })
            }
        }
    }
}
