//! Reading the JSON fixtures of `tests/fixtures/` (`{"shape": [...], "data": [...]}` tensors).

use serde_json::Value;
use webgrad::{Device, Tensor};

/// The `cases` object of a fixture file's text.
pub fn cases(text: &str) -> Value {
    serde_json::from_str::<Value>(text).expect("a JSON fixture")["cases"].clone()
}

pub fn values(v: &Value) -> Vec<f32> {
    v["data"].as_array().expect("data").iter().map(|x| x.as_f64().expect("number") as f32).collect()
}

pub fn shape(v: &Value) -> Vec<usize> {
    v["shape"].as_array().expect("shape").iter().map(|s| s.as_u64().expect("a size") as usize).collect()
}

/// A float32 tensor of a fixture value.
pub fn tensor(v: &Value, d: &Device) -> Tensor {
    Tensor::from_slice(&values(v), &shape(v), d).unwrap()
}

/// An int32 tensor of a fixture value (class labels).
pub fn labels(v: &Value, d: &Device) -> Tensor {
    Tensor::from_i32(&values(v).iter().map(|&x| x as i32).collect::<Vec<_>>(), &shape(v), d).unwrap()
}
