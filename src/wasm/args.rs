//! Numbers from JS checked before they become sizes, axes or indices. JS numbers are f64: the shims
//! take them as f64 so that a negative, fractional, NaN or huge value is an Error naming the op, never
//! a wrapped or truncated `usize` (the TypeScript layer checks first; this is the line that holds).

use super::js_error;
use crate::Error;
use wasm_bindgen::JsError;

fn bad(op: &'static str, name: &str, what: &str, v: f64) -> JsError {
    js_error(Error::Invalid { op, msg: format!("{name} must be {what}, got {v}") })
}

/// A size: an integer in `0..=usize::MAX`.
pub(crate) fn size(op: &'static str, name: &str, v: f64) -> Result<usize, JsError> {
    if v.fract() != 0.0 || !(0.0..=usize::MAX as f64).contains(&v) {
        return Err(bad(op, name, "a non-negative integer that fits in the address space", v));
    }
    Ok(v as usize)
}

/// Sizes (a shape, strides, paddings).
pub(crate) fn sizes(op: &'static str, name: &str, v: &[f64]) -> Result<Vec<usize>, JsError> {
    v.iter().map(|&d| size(op, name, d)).collect()
}

/// A signed integer (an axis or an index; negative counts from the end).
pub(crate) fn signed(op: &'static str, name: &str, v: f64) -> Result<isize, JsError> {
    if v.fract() != 0.0 || !(isize::MIN as f64..=isize::MAX as f64).contains(&v) {
        return Err(bad(op, name, "an integer", v));
    }
    Ok(v as isize)
}

/// Signed integers (axes, indices).
pub(crate) fn signeds(op: &'static str, name: &str, v: &[f64]) -> Result<Vec<isize>, JsError> {
    v.iter().map(|&d| signed(op, name, d)).collect()
}
