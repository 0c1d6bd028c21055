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

#[cfg(not(target_arch = "wasm32"))]
/// Replays an optimizer case (`w0`, `grads`, `after`): each gradient arrives through backward, as
/// in training (d(sum(w * g))/dw = g), and the weight after each step must match within `rtol`.
pub fn replay_optimizer(case: &Value, kind: webgrad::nn::OptimizerKind, lr: f32, d: &Device, rtol: f32) {
    let w = tensor(&case["w0"], d);
    w.set_requires_grad(true);
    let opt = webgrad::nn::Optimizer::new(kind, lr, vec![w.clone()]).unwrap();
    for (g, expected) in case["grads"].as_array().unwrap().iter().zip(case["after"].as_array().unwrap()) {
        w.mul(&tensor(g, d)).unwrap().sum().unwrap().backward().unwrap();
        opt.step().unwrap();
        opt.zero_grad();
        super::assert_close(&super::read(&w), &values(expected), rtol, 1e-6);
    }
}
