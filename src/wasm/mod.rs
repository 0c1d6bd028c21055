//! The JS boundary: thin shims over the Rust API. Every error becomes a JS `Error` carrying the
//! op and shapes; nothing here can panic on user input.

use std::cell::RefCell;

use wasm_bindgen::prelude::*;

use crate::{Device, Error, Tensor};

thread_local! {
    /// The backend new tensors are made on; CPU until `initBackend` picks another.
    static DEVICE: RefCell<Device> = const { RefCell::new(Device::Cpu) };
}

fn current_device() -> Device {
    DEVICE.with(|d| d.borrow().clone())
}

fn js_error(e: Error) -> JsError {
    JsError::new(&e.to_string())
}

/// Selects the backend for new tensors: `"auto"` (WebGPU when an adapter exists, else CPU),
/// `"webgpu"` (fails without an adapter) or `"cpu"`. Resolves to the backend's name.
#[wasm_bindgen(js_name = initBackend)]
pub async fn init_backend(kind: String) -> Result<String, JsError> {
    let device = match kind.as_str() {
        "cpu" => Device::Cpu,
        "webgpu" => Device::webgpu().await.map_err(js_error)?,
        "auto" => Device::webgpu().await.unwrap_or(Device::Cpu),
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

/// A tensor handle (see the TypeScript wrapper for the documented API).
#[wasm_bindgen(js_name = Tensor)]
pub struct JsTensor(Tensor);

fn wrap(result: crate::Result<Tensor>) -> Result<JsTensor, JsError> {
    result.map(JsTensor).map_err(js_error)
}

#[wasm_bindgen(js_class = Tensor)]
impl JsTensor {
    /// A tensor of `shape` holding `data` (row-major) on the current backend.
    #[wasm_bindgen(js_name = fromData)]
    pub fn from_data(data: &[f32], shape: &[u32]) -> Result<JsTensor, JsError> {
        let shape: Vec<usize> = shape.iter().map(|&d| d as usize).collect();
        wrap(Tensor::from_slice(data, &shape, &current_device()))
    }

    #[wasm_bindgen(getter)]
    pub fn shape(&self) -> Vec<u32> {
        self.0.shape().iter().map(|&d| d as u32).collect()
    }

    #[wasm_bindgen(getter, js_name = requiresGrad)]
    pub fn requires_grad(&self) -> bool {
        self.0.requires_grad()
    }

    #[wasm_bindgen(setter, js_name = requiresGrad)]
    pub fn set_requires_grad(&self, value: bool) {
        self.0.set_requires_grad(value);
    }

    pub fn add(&self, other: &JsTensor) -> Result<JsTensor, JsError> {
        wrap(self.0.add(&other.0))
    }

    pub fn matmul(&self, other: &JsTensor) -> Result<JsTensor, JsError> {
        wrap(self.0.matmul(&other.0))
    }

    pub fn sum(&self) -> Result<JsTensor, JsError> {
        wrap(self.0.sum())
    }

    pub fn backward(&self) -> Result<(), JsError> {
        self.0.backward().map_err(js_error)
    }

    /// The accumulated gradient, or `undefined`.
    #[wasm_bindgen(getter)]
    pub fn grad(&self) -> Option<JsTensor> {
        self.0.grad().map(JsTensor)
    }

    #[wasm_bindgen(js_name = zeroGrad)]
    pub fn zero_grad(&self) {
        self.0.zero_grad();
    }

    /// Resolves to the elements as a `Float32Array` (the only readback point).
    pub fn data(&self) -> js_sys::Promise {
        let tensor = self.0.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            let values = tensor.to_vec().await.map_err(|e| JsValue::from(js_error(e)))?;
            Ok(js_sys::Float32Array::from(values.as_slice()).into())
        })
    }
}
