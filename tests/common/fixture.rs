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

/// A layer config as a JSON object (the fixtures' stand-in for the JS object the wasm shim reads):
/// numbers, booleans, strings and arrays of numbers, read with the shim's rules.
pub struct JsonConfig(pub Value);

mod json_config {
    use serde_json::Value;
    use webgrad::nn::layers::config::{ConfigError, ConfigSource};
    use webgrad::Padding;

    use super::JsonConfig;

    type Res<T> = Result<Option<T>, ConfigError>;

    impl JsonConfig {
        fn wrong(&self, key: &str) -> ConfigError {
            ConfigError(format!("config '{key}' has the wrong type: {}", self.0[key]))
        }

        /// One number or an array of them, as integers.
        fn integers(&self, key: &str) -> Res<Vec<i64>> {
            let Some(v) = self.0.get(key) else { return Ok(None) };
            let items = v.as_array().cloned().unwrap_or_else(|| vec![v.clone()]);
            items.iter().map(|x| x.as_i64().ok_or_else(|| self.wrong(key))).collect::<Result<Vec<_>, _>>().map(Some)
        }
    }

    impl ConfigSource for JsonConfig {
        fn size(&self, key: &str) -> Res<usize> {
            self.0.get(key).map(|v| v.as_u64().map(|n| n as usize).ok_or_else(|| self.wrong(key))).transpose()
        }
        fn number(&self, key: &str) -> Res<f32> {
            self.0.get(key).map(|v| v.as_f64().map(|n| n as f32).ok_or_else(|| self.wrong(key))).transpose()
        }
        fn flag(&self, key: &str) -> Res<bool> {
            self.0.get(key).map(|v| v.as_bool().ok_or_else(|| self.wrong(key))).transpose()
        }
        fn string(&self, key: &str) -> Res<String> {
            self.0.get(key).map(|v| v.as_str().map(str::to_string).ok_or_else(|| self.wrong(key))).transpose()
        }
        fn ints(&self, key: &str) -> Res<Vec<i64>> {
            self.integers(key)
        }
        fn sizes(&self, key: &str) -> Res<Vec<usize>> {
            match self.integers(key)? {
                Some(v) if v.iter().all(|&d| d > 0) => Ok(Some(v.into_iter().map(|d| d as usize).collect())),
                Some(_) => Err(self.wrong(key)),
                None => Ok(None),
            }
        }
        fn pair(&self, key: &str) -> Res<[usize; 2]> {
            match self.sizes(key)?.as_deref() {
                None => Ok(None),
                Some(&[a]) => Ok(Some([a, a])),
                Some(&[a, b]) => Ok(Some([a, b])),
                Some(_) => Err(self.wrong(key)),
            }
        }
        fn padding(&self, key: &str, one_d: bool) -> Res<Padding> {
            if let Some(Value::String(s)) = self.0.get(key) {
                return Padding::named(s).map(Some).ok_or_else(|| self.wrong(key));
            }
            let Some(v) = self.integers(key)? else { return Ok(None) };
            let v: Vec<usize> = v.into_iter().map(|p| p as usize).collect();
            (if one_d { Padding::explicit_1d(&v) } else { Padding::explicit(&v) }).map(Some).ok_or_else(|| self.wrong(key))
        }
        fn required(&self, key: &str) -> ConfigError {
            ConfigError(format!("config '{key}' is required"))
        }
    }
}
