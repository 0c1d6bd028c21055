//! The safetensors shims: bytes in, named tensors out, and back (the checks and the dtype rule are
//! in `crate::safetensors`).

use wasm_bindgen::prelude::*;

use super::tensor::{JsResult, TensorList};
use super::{current_device, js_error};
use crate::Tensor;

/// A read file: its tensors' names, the tensors (in the same order) and its metadata.
#[wasm_bindgen]
pub struct SafetensorsFile {
    names: Vec<String>,
    tensors: Vec<Tensor>,
    metadata: Vec<(String, String)>,
}

#[wasm_bindgen]
impl SafetensorsFile {
    /// The tensors' names, in the order of their bytes.
    #[wasm_bindgen(getter)]
    pub fn names(&self) -> Vec<String> {
        self.names.clone()
    }

    /// The tensors, in the order of `names`.
    pub fn tensors(&self) -> TensorList {
        TensorList(self.tensors.clone())
    }

    /// The `__metadata__` map as `[key, value, key, value, ...]`, sorted by key.
    #[wasm_bindgen(getter)]
    pub fn metadata(&self) -> Vec<String> {
        self.metadata.iter().flat_map(|(k, v)| [k.clone(), v.clone()]).collect()
    }
}

/// Reads a safetensors file onto the current device.
#[wasm_bindgen(js_name = safetensorsLoad)]
pub fn safetensors_load(bytes: &[u8]) -> JsResult<SafetensorsFile> {
    let loaded = crate::safetensors::load(bytes, &current_device()).map_err(js_error)?;
    let (names, tensors) = loaded.tensors.into_iter().unzip();
    Ok(SafetensorsFile { names, tensors, metadata: loaded.metadata })
}

/// Resolves to a safetensors file of `tensors` named `names`, with `metadata` given as
/// `[key, value, ...]`.
#[wasm_bindgen(js_name = safetensorsSave)]
pub fn safetensors_save(names: Vec<String>, tensors: &TensorList, metadata: Vec<String>) -> js_sys::Promise {
    let mismatch = (names.len() != tensors.0.len()).then(|| format!("{} names for {} tensors", names.len(), tensors.0.len()));
    let entries: Vec<(String, Tensor)> = names.into_iter().zip(tensors.0.iter().cloned()).collect();
    let metadata: Vec<(String, String)> = metadata.chunks(2).map(|kv| (kv[0].clone(), kv.get(1).cloned().unwrap_or_default())).collect();
    wasm_bindgen_futures::future_to_promise(async move {
        if let Some(msg) = mismatch {
            return Err(js_error(crate::Error::Invalid { op: "safetensors.save", msg }).into());
        }
        let bytes = crate::safetensors::save(&entries, &metadata).await.map_err(|e| JsValue::from(js_error(e)))?;
        Ok(js_sys::Uint8Array::from(bytes.as_slice()).into())
    })
}
