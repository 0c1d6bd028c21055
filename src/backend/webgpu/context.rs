//! Creating the WebGPU device, and the error sink that turns wgpu's uncaptured errors (by default a
//! panic) into values reported by the next call.

use std::sync::{Arc, Mutex};

use crate::error::{Error, Result};

/// Errors and device loss reported by wgpu's callbacks, read by the next op.
#[derive(Default)]
pub(crate) struct ErrorSink {
    errors: Mutex<Vec<String>>,
    lost: Mutex<Option<String>>,
}

impl ErrorSink {
    fn push(&self, msg: String) {
        if let Ok(mut errors) = self.errors.lock() {
            errors.push(msg);
        }
    }

    fn mark_lost(&self, msg: String) {
        if let Ok(mut lost) = self.lost.lock() {
            *lost = Some(msg);
        }
    }

    /// Fails with the first pending error (or the device loss), naming `op` as the step that saw it.
    pub(crate) fn check(&self, op: &str) -> Result<()> {
        if let Ok(lost) = self.lost.lock() {
            if let Some(msg) = lost.as_ref() {
                return Err(Error::Gpu { op: op.to_string(), msg: format!("device lost ({msg}); call init() again") });
            }
        }
        let first = self.errors.lock().ok().and_then(|mut e| (!e.is_empty()).then(|| e.drain(..).next()).flatten());
        match first {
            Some(msg) => Err(Error::Gpu { op: op.to_string(), msg }),
            None => Ok(()),
        }
    }
}

/// True where the JS global has `navigator.gpu` (Chromium with WebGPU; not Node).
#[cfg(target_arch = "wasm32")]
fn browser_has_webgpu() -> bool {
    use wasm_bindgen::JsValue;
    let get = |obj: &JsValue, key: &str| js_sys::Reflect::get(obj, &JsValue::from_str(key)).ok();
    get(&js_sys::global().into(), "navigator")
        .filter(|n| !n.is_undefined() && !n.is_null())
        .and_then(|n| get(&n, "gpu"))
        .is_some_and(|gpu| !gpu.is_undefined() && !gpu.is_null())
}

/// `GPUAdapter.info` of the browser's adapter ("vendor architecture description"), which wgpu's
/// web backend leaves empty.
#[cfg(target_arch = "wasm32")]
async fn browser_adapter_description() -> Option<String> {
    use wasm_bindgen::{JsCast, JsValue};
    let get = |obj: &JsValue, key: &str| js_sys::Reflect::get(obj, &JsValue::from_str(key)).ok();
    let gpu = get(&get(&js_sys::global().into(), "navigator")?, "gpu")?;
    let request = get(&gpu, "requestAdapter")?.dyn_into::<js_sys::Function>().ok()?;
    let options = js_sys::Object::new();
    js_sys::Reflect::set(&options, &"powerPreference".into(), &"high-performance".into()).ok()?;
    let promise = request.call1(&gpu, &options).ok()?.dyn_into::<js_sys::Promise>().ok()?;
    let adapter = wasm_bindgen_futures::JsFuture::from(promise).await.ok()?;
    let info = get(&adapter, "info")?;
    let parts: Vec<String> = ["vendor", "architecture", "device", "description"]
        .iter()
        .filter_map(|key| get(&info, key)?.as_string())
        .filter(|s| !s.is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// Opens the best adapter and a device with the adapter's own limits.
pub(crate) async fn open_device() -> Result<(wgpu::Device, wgpu::Queue, wgpu::AdapterInfo, Arc<ErrorSink>)> {
    #[cfg(target_arch = "wasm32")]
    let desc = {
        if !browser_has_webgpu() {
            return Err(Error::NoWebGpu("this runtime has no navigator.gpu".into()));
        }
        let mut desc = wgpu::InstanceDescriptor::new_without_display_handle();
        desc.backends = wgpu::Backends::BROWSER_WEBGPU;
        desc
    };
    #[cfg(not(target_arch = "wasm32"))]
    let desc = {
        // Vulkan, Metal, DX12 (not GL); WGPU_BACKEND overrides.
        let mut desc = wgpu::InstanceDescriptor::new_without_display_handle();
        desc.backends = wgpu::Backends::PRIMARY;
        desc.with_env()
    };

    let instance = wgpu::Instance::new(desc);
    let adapter = instance
        .request_adapter(&wgpu::RequestAdapterOptions { power_preference: wgpu::PowerPreference::HighPerformance, ..Default::default() })
        .await
        .map_err(|e| Error::NoWebGpu(format!("no adapter: {e}")))?;
    #[allow(unused_mut)]
    let mut info = adapter.get_info();
    #[cfg(target_arch = "wasm32")]
    if info.name.is_empty() {
        info.name = browser_adapter_description().await.unwrap_or_default();
    }
    let (device, queue) = adapter
        .request_device(&wgpu::DeviceDescriptor {
            label: Some("webgrad"),
            required_limits: adapter.limits(),
            memory_hints: wgpu::MemoryHints::Performance,
            ..Default::default()
        })
        .await
        .map_err(|e| Error::NoWebGpu(format!("no device on adapter {}: {e}", info.name)))?;

    let sink = Arc::new(ErrorSink::default());
    let errors = sink.clone();
    device.on_uncaptured_error(Arc::new(move |e: wgpu::Error| errors.push(e.to_string())));
    let lost = sink.clone();
    device.set_device_lost_callback(move |reason, msg| lost.mark_lost(format!("{reason:?}: {msg}")));
    Ok((device, queue, info, sink))
}
