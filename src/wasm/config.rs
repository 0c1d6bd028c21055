//! Reading the plain config objects the TypeScript layer passes (`{units: 10, activation: 'relu'}`)
//! without a serialisation library: missing keys fall back to defaults, wrong types are errors
//! naming the layer (or optimizer, loss) and the key, with the value received.

use js_sys::{Array, Reflect};
use wasm_bindgen::prelude::*;

use crate::nn::layers::config::{ConfigError, ConfigSource};
use crate::ops::Padding;

/// A config read's result (a [`ConfigError`] becomes a JS `Error` through `?`).
type Res<T> = Result<T, ConfigError>;

impl From<ConfigError> for JsError {
    fn from(e: ConfigError) -> JsError {
        JsError::new(&e.0)
    }
}

/// A config object and what it configures (`Dense`, `Adam`, …, for error messages).
pub(crate) struct Config {
    op: String,
    value: JsValue,
}

/// A short description of a JS value for a message: numbers and booleans as themselves, strings quoted.
fn describe(v: &JsValue) -> String {
    if let Some(s) = v.as_string() {
        format!("{s:?}")
    } else if let Some(x) = v.as_f64() {
        format!("{x}")
    } else if let Some(b) = v.as_bool() {
        format!("{b}")
    } else if Array::is_array(v) {
        "an array".into()
    } else {
        v.js_typeof().as_string().map_or_else(|| "a value".into(), |t| format!("a value of type {t}"))
    }
}

impl Config {
    pub(crate) fn new(op: &str, value: JsValue) -> Config {
        Config { op: op.to_string(), value }
    }

    /// `Error('<op>: <msg>')`.
    pub(crate) fn error(&self, msg: &str) -> JsError {
        JsError::new(&format!("{}: {msg}", self.op))
    }

    fn get(&self, key: &str) -> Option<JsValue> {
        if !self.value.is_object() {
            return None;
        }
        Reflect::get(&self.value, &JsValue::from_str(key)).ok().filter(|v| !v.is_undefined() && !v.is_null())
    }

    fn wrong(&self, key: &str, expected: &str) -> ConfigError {
        let got = self.get(key).map_or_else(|| "nothing".into(), |v| describe(&v));
        ConfigError(format!("{}: config '{key}' must be {expected}, got {got}", self.op))
    }

    pub(crate) fn f64_or(&self, key: &str, default: f64) -> Res<f64> {
        match self.get(key) {
            None => Ok(default),
            Some(v) => v.as_f64().filter(|x| x.is_finite()).ok_or_else(|| self.wrong(key, "a finite number")),
        }
    }

    pub(crate) fn f32_or(&self, key: &str, default: f32) -> Res<f32> {
        Ok(self.f64_or(key, default as f64)? as f32)
    }

    /// Any number, NaN and infinities included, as f32 (for values the core checks itself, with
    /// messages of its own such as PyTorch's "Invalid learning rate: NaN"); not a number is an Error.
    pub(crate) fn number_or(&self, key: &str, default: f32) -> Res<f32> {
        match self.get(key) {
            None => Ok(default),
            Some(v) => v.as_f64().map(|x| x as f32).ok_or_else(|| self.wrong(key, "a number")),
        }
    }

    /// [`Config::number_or`] without a default.
    pub(crate) fn opt_number(&self, key: &str) -> Res<Option<f32>> {
        Ok(match self.get(key) {
            None => None,
            Some(_) => Some(self.number_or(key, 0.0)?),
        })
    }

    pub(crate) fn usize_or(&self, key: &str, default: usize) -> Res<usize> {
        let x = self.f64_or(key, default as f64)?;
        if x < 0.0 || x.fract() != 0.0 || x > usize::MAX as f64 {
            return Err(self.wrong(key, "a non-negative integer that fits in the address space"));
        }
        Ok(x as usize)
    }

    pub(crate) fn usize(&self, key: &str) -> Res<usize> {
        if self.get(key).is_none() {
            return Err(self.required(key));
        }
        self.usize_or(key, 0)
    }

    pub(crate) fn bool_or(&self, key: &str, default: bool) -> Res<bool> {
        match self.get(key) {
            None => Ok(default),
            Some(v) => v.as_bool().ok_or_else(|| self.wrong(key, "true or false")),
        }
    }

    pub(crate) fn str_or(&self, key: &str, default: &str) -> Res<String> {
        match self.get(key) {
            None => Ok(default.to_string()),
            Some(v) => v.as_string().ok_or_else(|| self.wrong(key, "a string")),
        }
    }

    /// A number or an array of numbers, as integers (`None` when missing).
    pub(crate) fn ints(&self, key: &str) -> Res<Option<Vec<i64>>> {
        let Some(v) = self.get(key) else { return Ok(None) };
        let items: Vec<JsValue> = if Array::is_array(&v) { Array::from(&v).iter().collect() } else { vec![v] };
        items
            .iter()
            .map(|x| {
                x.as_f64()
                    .filter(|f| f.fract() == 0.0 && f.abs() <= 2f64.powi(53))
                    .map(|f| f as i64)
                    .ok_or_else(|| self.wrong(key, "an integer or an array of integers"))
            })
            .collect::<Res<Vec<_>>>()
            .map(Some)
    }

    /// Positive sizes (`[h, w]` from one or two numbers when `pair`).
    pub(crate) fn sizes(&self, key: &str, default: &[usize]) -> Res<Vec<usize>> {
        match self.ints(key)? {
            None => Ok(default.to_vec()),
            Some(v) if v.iter().all(|&d| d > 0 && d as u64 <= usize::MAX as u64) => Ok(v.into_iter().map(|d| d as usize).collect()),
            Some(_) => Err(self.wrong(key, "positive integers")),
        }
    }

    pub(crate) fn pair(&self, key: &str, default: [usize; 2]) -> Res<[usize; 2]> {
        match self.sizes(key, &default)?[..] {
            [a] => Ok([a, a]),
            [a, b] => Ok([a, b]),
            _ => Err(self.wrong(key, "one or two positive integers")),
        }
    }

    /// `'valid'`, `'same'`, or 1, 2 or 4 explicit sizes; with `one_d`, 1 or 2 sizes along the width
    /// (a height-1 image).
    pub(crate) fn padding(&self, key: &str, one_d: bool) -> Res<Padding> {
        if let Some(v) = self.get(key) {
            if let Some(s) = v.as_string() {
                return Padding::named(&s).ok_or_else(|| self.wrong(key, "'valid', 'same' or numbers"));
            }
        }
        let pads: Vec<usize> = match self.ints(key)? {
            None => return Ok(Padding::Valid),
            Some(v) if v.iter().all(|&p| p >= 0 && p as u64 <= usize::MAX as u64) => v.into_iter().map(|p| p as usize).collect(),
            Some(_) => return Err(self.wrong(key, "non-negative")),
        };
        let parsed = match (one_d, &pads[..]) {
            // Four sizes of a 1-D layer: the first two, as left and right (as it always read them).
            (true, &[l, r, _, _]) => Padding::explicit_1d(&[l, r]),
            (true, _) => Padding::explicit_1d(&pads),
            (false, _) => Padding::explicit(&pads),
        };
        parsed.ok_or_else(|| self.wrong(key, "'valid', 'same', or 1, 2 or 4 numbers"))
    }
}

/// A layer's config read through the layer's own [`crate::nn::layers::config::LayerConfig`]; the
/// messages are this reader's (`"Dense: config 'units' is required"`).
impl ConfigSource for Config {
    fn size(&self, key: &str) -> Result<Option<usize>, ConfigError> {
        self.present(key, |c| c.usize_or(key, 0))
    }

    fn number(&self, key: &str) -> Result<Option<f32>, ConfigError> {
        self.present(key, |c| c.f32_or(key, 0.0))
    }

    fn flag(&self, key: &str) -> Result<Option<bool>, ConfigError> {
        self.present(key, |c| c.bool_or(key, false))
    }

    fn string(&self, key: &str) -> Result<Option<String>, ConfigError> {
        self.present(key, |c| c.str_or(key, ""))
    }

    fn ints(&self, key: &str) -> Result<Option<Vec<i64>>, ConfigError> {
        Config::ints(self, key)
    }

    fn sizes(&self, key: &str) -> Result<Option<Vec<usize>>, ConfigError> {
        self.present(key, |c| Config::sizes(c, key, &[]))
    }

    fn pair(&self, key: &str) -> Result<Option<[usize; 2]>, ConfigError> {
        self.present(key, |c| Config::pair(c, key, [1, 1]))
    }

    fn padding(&self, key: &str, one_d: bool) -> Result<Option<Padding>, ConfigError> {
        self.present(key, |c| Config::padding(c, key, one_d))
    }

    fn required(&self, key: &str) -> ConfigError {
        ConfigError(format!("{}: config '{key}' is required", self.op))
    }
}

impl Config {
    /// `read` of a key that is there, `None` when it is missing.
    fn present<T>(&self, key: &str, read: impl FnOnce(&Config) -> Res<T>) -> Res<Option<T>> {
        match self.get(key) {
            None => Ok(None),
            Some(_) => read(self).map(Some),
        }
    }
}
