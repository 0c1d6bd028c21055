//! The WebGPU backend (wgpu): WGSL kernels from `shaders/`, a pipeline cache, a buffer pool, many
//! dispatches per submit, and asynchronous readback through staging buffers.
//!
//! Module layering, top to bottom; a module calls only those below it (and its own level):
//!
//! 1. `mod.rs`: [`GpuContext`] and its public API (limits, memory, [`GpuContext::read`], which
//!    materialises a strided view with a copy kernel before reading it back), and allocation within
//!    the memory budget.
//! 2. `kernels.rs` (the [`crate::backend::Backend`] implementation: fills each kernel's parameter
//!    struct and queues its dispatches) and `passes.rs` (elementwise and reduction passes over
//!    operands above the storage-binding limit): the ops, executing the plans of `plan.rs`.
//! 3. `dispatch.rs` (pipelines, bind groups, the command encoder, submits, binding the windows a plan
//!    names) and `readback.rs` (staging buffers, `map_async`, conversion to host data).
//! 4. Data and resources: `plan.rs` (how work is cut to fit the binding limit: pure functions of the
//!    limits returning windows, pieces and slabs), `params.rs` (the kernel parameter structs and their
//!    WGSL mirrors), `shaders.rs` (the kernel table and WGSL sources), `info.rs` (the per-submit arena
//!    holding the parameter structs), `pool.rs` (buffer reuse), `faults.rs` (index fault records) and
//!    `context.rs` (opening the device, the error sink).

mod context;
mod dispatch;
mod faults;
mod info;
mod kernels;
pub mod params;
mod passes;
mod plan;
mod pool;
mod readback;
pub mod shaders;

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

use crate::dtype::{DType, HostData};
use crate::error::{Error, Result};
use crate::layout::Layout;
use context::ErrorSink;
pub(crate) use dispatch::Bound;
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

/// The bytes of `elements` 4-byte values (at least one), or the error naming the op.
fn element_bytes(op: &str, elements: usize) -> Result<u64> {
    (elements.max(1) as u64)
        .checked_mul(4)
        .ok_or_else(|| Error::Gpu { op: op.to_string(), msg: format!("{elements} elements do not fit a buffer") })
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

    /// The binding limits the passes plan around (plan.rs).
    fn plan(&self) -> plan::Bindings {
        plan::Bindings::of(&self.limits)
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

    /// A new buffer of `class` bytes (zeros), within the budget: past it the pool is released first,
    /// then the allocation fails. A driver's out-of-memory error is
    /// caught by an error scope: an Error here natively; in the browser, where scopes answer later,
    /// one that the readback of the tensor reports (`failure`).
    fn allocate(&self, op: &str, elements: usize, class: u64) -> Result<(wgpu::Buffer, pool::AllocFailure)> {
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
        let buffer = self.device.create_buffer(&wgpu::BufferDescriptor { label: None, size: class, usage, mapped_at_creation: false });
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

    /// A buffer for `elements` values of `dtype` (from the pool when one of its size class is free).
    fn new_buffer(&self, op: &str, elements: usize, dtype: DType) -> Result<GpuStorage> {
        let class = self.buffer_class(op, element_bytes(op, elements)?)?;
        let (buffer, failure) = match self.pool.take(class) {
            Some(buffer) => (buffer, pool::AllocFailure::default()),
            None => self.allocate(op, elements, class)?,
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

    /// Reads a view back: materialised first when strided (a copy kernel), then read through a
    /// staging buffer with the tensor's pending fault records (readback.rs).
    pub async fn read(&self, storage: &GpuStorage, layout: &Layout) -> Result<HostData> {
        storage.check()?;
        if layout.numel() == 0 {
            return HostData::try_filled("read", storage.dtype, 0.0, &[0]);
        }
        if layout.is_contiguous() {
            return self.read_contiguous(storage, storage, layout.offset(), layout).await;
        }
        let copied = crate::backend::Backend::unary(self, crate::backend::UnaryOp::Copy, storage, layout)?;
        self.read_contiguous(storage, &copied, 0, layout).await
    }
}
