//! Dispatch: the pipeline cache, bind groups (a whole buffer or a window of one per binding, the
//! parameter struct at binding 0 from the arena), the open command encoder and its submits. Below the
//! kernels and passes, above the resources (arena, pool, faults): it executes what they planned and
//! calls nothing above it.

use std::rc::Rc;

use super::params::u32_of;
use super::params::Params;
use super::plan::Images;
use super::pool::GpuStorage;
use super::shaders::Kernel;
use super::{info, GpuContext, SUBMIT_EVERY, WORKGROUP};
use crate::error::{Error, Result};
use crate::layout::Layout;

impl GpuContext {
    pub(super) fn pipeline(&self, kernel: Kernel) -> Result<Rc<wgpu::ComputePipeline>> {
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

    /// Workgroup grid covering `groups` workgroups, split over y past the per-dimension limit.
    pub(super) fn grid(&self, groups: u32) -> (u32, u32, u32) {
        let max = self.limits.max_compute_workgroups_per_dimension.max(1);
        let x = groups.min(max);
        (x, groups.div_ceil(x.max(1)), 1)
    }

    /// The grid for one invocation per element of `numel`.
    pub(super) fn grid_for(&self, op: &str, numel: usize) -> Result<(u32, u32, u32)> {
        Ok(self.grid(u32_of(op, numel)?.div_ceil(WORKGROUP)))
    }

    pub(super) fn with_encoder(&self, f: impl FnOnce(&mut wgpu::CommandEncoder)) {
        let mut encoder = self.encoder.borrow_mut();
        f(encoder.get_or_insert_with(|| self.device.create_command_encoder(&Default::default())));
    }

    /// Each storage bound whole, or the error naming the binding limit one of them is above.
    pub(super) fn whole_bindings<'a>(&self, kernel: Kernel, storages: &[&'a GpuStorage]) -> Result<Vec<Bound<'a>>> {
        let limit = self.limits.max_storage_buffer_binding_size;
        if let Some(big) = storages.iter().map(|s| s.buffer().size()).find(|&size| size > limit) {
            return Err(self.above_the_binding(kernel, big));
        }
        Ok(storages.iter().map(|s| Bound::whole(s.buffer())).collect())
    }

    /// The error of a kernel that must bind `bytes` at once, above the storage-binding limit.
    pub(super) fn above_the_binding(&self, kernel: Kernel, bytes: u64) -> Error {
        let msg = format!(
            "a {bytes}-byte operand is above this adapter's {}-byte storage binding, and this kernel binds it whole (work is split over the images, rows and slabs of large inputs and outputs, not over weights, or a scatter's indices and source)",
            self.limits.max_storage_buffer_binding_size
        );
        Error::Gpu { op: kernel.name(), msg }
    }

    /// Queues one dispatch with `bound` as bindings 1.. (binding 0 is `params`), each a whole buffer
    /// or a window of one.
    pub(super) fn dispatch_bound<P: Params>(&self, kernel: Kernel, params: &P, bound: &[Bound], groups: (u32, u32, u32)) -> Result<()> {
        let name = kernel.name();
        self.sink.check(&name)?;
        if groups.0 == 0 || groups.1 == 0 || groups.2 == 0 {
            return Ok(());
        }
        let info = params.words();
        if info.len() > info::WORDS {
            let msg = format!("its {} takes {} words, more than the {} a dispatch binds", P::NAME, info.len(), info::WORDS);
            return Err(Error::Gpu { op: name, msg });
        }
        if crate::is_probing() {
            // A shape probe queues nothing (and compiles nothing): the outputs keep their shapes.
            return if kernel.exists() { Ok(()) } else { Err(Error::Unsupported { op: name, backend: "webgpu" }) };
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

    pub(super) fn submit(&self, encoder: wgpu::CommandEncoder) {
        self.queue.submit([encoder.finish()]);
        self.count(|c| c.submits += 1);
        self.pool.after_submit();
    }

    /// `view` of `storage` bound as the window its elements span, and the view counted from that
    /// window's start.
    pub(super) fn bind_view<'a>(&self, storage: &'a GpuStorage, view: &Layout) -> (Bound<'a>, Layout) {
        let (start, window) = self.plan().window(view.offset(), view.span());
        (Bound { buffer: storage.buffer(), window: Some(window) }, view.clone().with_offset(view.offset() - start))
    }

    /// `view` of `storage` bound whole when the buffer fits one binding, else as the window its
    /// elements span (a small view of a large buffer), or the binding-limit error when even that
    /// is too large.
    pub(super) fn bind_operand<'a>(&self, kernel: Kernel, storage: &'a GpuStorage, view: &Layout) -> Result<(Bound<'a>, Layout)> {
        if storage.buffer().size() <= self.limits.max_storage_buffer_binding_size {
            return Ok((Bound::whole(storage.buffer()), view.clone()));
        }
        if view.span() > self.plan().room() {
            return Err(self.above_the_binding(kernel, (view.span() * 4) as u64));
        }
        Ok(self.bind_view(storage, view))
    }

    /// Images `[first, first + count)` of `storage` (laid out as `images`) bound as one window, and
    /// where the first of them starts within it.
    pub(super) fn bind_images<'a>(&self, storage: &'a GpuStorage, images: Images, first: usize, count: usize) -> (Bound<'a>, usize) {
        let at = images.offset + first * images.stride;
        let (start, window) = self.plan().window(at, (count.max(1) - 1) * images.stride + images.span);
        (Bound { buffer: storage.buffer(), window: Some(window) }, at - start)
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
