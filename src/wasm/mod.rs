//! The JS boundary: thin shims over the Rust API, grouped by op family and keyed by op name so the
//! surface stays small (the TypeScript layer gives each op its typed method). Every error becomes a
//! JS `Error` carrying the op and shapes; nothing here can panic on user input.

mod args;
mod config;
mod nn;
mod safetensors;
mod tensor;

use std::cell::RefCell;

use wasm_bindgen::prelude::*;

use crate::{Device, Error};

thread_local! {
    /// The backend new tensors are made on; CPU until `initBackend` picks another.
    static DEVICE: RefCell<Device> = const { RefCell::new(Device::Cpu) };
}

pub(crate) fn current_device() -> Device {
    DEVICE.with(|d| d.borrow().clone())
}

pub(crate) fn js_error(e: Error) -> JsError {
    JsError::new(&e.to_string())
}

/// Selects the backend for new tensors: `"auto"` (WebGPU on a hardware adapter, else CPU — the CPU
/// backend is faster than a software adapter such as SwiftShader), `"webgpu"` (any adapter; fails
/// without one) or `"cpu"`. Resolves to the backend's name.
#[wasm_bindgen(js_name = initBackend)]
pub async fn init_backend(kind: String) -> Result<String, JsError> {
    let device = match kind.as_str() {
        "cpu" => Device::Cpu,
        "webgpu" => Device::webgpu().await.map_err(js_error)?,
        "auto" => match Device::webgpu().await {
            Ok(Device::WebGpu(ctx)) if !ctx.is_software() => Device::WebGpu(ctx),
            _ => Device::Cpu,
        },
        other => return Err(JsError::new(&format!("init: unknown backend '{other}' (expected 'auto', 'webgpu' or 'cpu')"))),
    };
    let name = device.name();
    DEVICE.with(|d| *d.borrow_mut() = device);
    Ok(name)
}

/// The name of the backend in use: `"cpu"` or `"webgpu (<adapter>)"`.
#[wasm_bindgen(js_name = backendName)]
pub fn backend_name() -> String {
    current_device().name()
}

/// Turns graph recording on or off (the TypeScript `noGrad` wraps this).
#[wasm_bindgen(js_name = setGradEnabled)]
pub fn set_grad_enabled(enabled: bool) -> bool {
    crate::grad_mode::set_grad_enabled(enabled)
}

/// While a model file loads: weight initialisers may fill at most `budget` values in all, and fill
/// zeros when `zeros` (the file holds every weight); `undefined` turns it off.
#[wasm_bindgen(js_name = setLoadInit)]
pub fn set_load_init(budget: Option<f64>, zeros: bool) {
    // A budget beyond the address space is no bound at all.
    let values = |b: f64| if b >= 0.0 && b < usize::MAX as f64 { b as usize } else { usize::MAX };
    crate::nn::set_load_init(budget.map(|b| crate::nn::LoadInit { budget: values(b), zeros }));
}

/// Starts (`true`) or ends a shape probe (see `shape_probe.rs`): ops give outputs of the right shapes
/// but unspecified values, skipping the costly work (symbolic shape inference). Returns the previous state.
#[wasm_bindgen(js_name = setShapeProbe)]
pub fn set_shape_probe(probing: bool) -> bool {
    crate::set_probing(probing)
}

/// Reseeds the random generator.
#[wasm_bindgen(js_name = manualSeed)]
pub fn manual_seed(seed: f64) {
    crate::manual_seed(seed as u64);
}

/// Memory in use: `[live tensors, GPU bytes held by tensors, GPU bytes pooled for reuse, GPU
/// memory budget]` (the GPU numbers are 0 on the CPU backend).
#[wasm_bindgen(js_name = memoryInfo)]
pub fn memory_info() -> Vec<f64> {
    let (live, pooled, budget) = match current_device() {
        Device::WebGpu(ctx) => {
            let m = ctx.memory();
            (m.live_bytes as f64, m.pooled_bytes as f64, ctx.memory_budget() as f64)
        }
        Device::Cpu => (0.0, 0.0, 0.0),
    };
    vec![crate::live_tensors() as f64, live, pooled, budget]
}

/// Tensors alive in the core (checked against the live-tensor ceiling before each op).
#[wasm_bindgen(js_name = liveTensors)]
pub fn live_tensors() -> f64 {
    crate::live_tensors() as f64
}

/// Sets the WebGPU pool cap and memory budget in bytes (a negative value keeps the current one);
/// nothing on the CPU backend.
#[wasm_bindgen(js_name = setGpuLimits)]
pub fn set_gpu_limits(pool_bytes: f64, budget_bytes: f64) {
    if let Device::WebGpu(ctx) = current_device() {
        if pool_bytes >= 0.0 {
            ctx.set_pool_cap(pool_bytes as u64);
        }
        if budget_bytes >= 0.0 {
            ctx.set_memory_budget(budget_bytes as u64);
        }
    }
}

/// Frees the WebGPU buffers kept for reuse; nothing on the CPU backend.
#[wasm_bindgen(js_name = trimMemory)]
pub fn trim_memory() {
    if let Device::WebGpu(ctx) = current_device() {
        ctx.release_pool();
    }
}

/// Traps (`unreachable`), for tests of the TypeScript layer's trap recovery only.
#[doc(hidden)]
#[wasm_bindgen(js_name = __trap)]
pub fn trap() {
    #[cfg(target_arch = "wasm32")]
    core::arch::wasm32::unreachable();
}
