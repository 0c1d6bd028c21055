//! Readback: a contiguous run of a buffer and its tensor's pending fault records copied to a
//! staging buffer, mapped asynchronously (wgpu's `map_async`, polled natively), and converted to host
//! data. Sits below the kernels: a strided view is made contiguous by the caller
//! ([`GpuContext::read`]) before it gets here.

use super::{element_bytes, faults, GpuContext, GpuStorage};
use crate::dtype::{DType, HostData};
use crate::error::{Error, Result};
use crate::layout::Layout;

impl GpuContext {
    /// Reads the `layout.numel()` contiguous elements of `source` from `offset` back, with `storage`'s pending
    /// fault records (`source` is `storage` or a contiguous copy of its view): submits the queued
    /// work, copies both to a staging buffer in a submit of its own (inside error scopes, so that a
    /// failure fails this readback only), and awaits the mapping.
    pub(super) async fn read_contiguous(
        &self,
        storage: &GpuStorage,
        source: &GpuStorage,
        offset: usize,
        layout: &Layout,
    ) -> Result<HostData> {
        let numel = layout.numel();
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
