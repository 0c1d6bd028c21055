//! Every CPU buffer is reserved here, fallibly: running out of memory (wasm's 4 GiB, or the host's)
//! is an [`Error::OutOfMemory`] naming the op and the buffer's shape, and the module keeps working.

use crate::error::{Error, Result};

/// The most values one buffer of a shape probe may hold (2^26: 256 MiB of float32), so that the
/// symbolic shapes of a model file cannot make the probe take unbounded memory (see `shape_probe`).
pub const PROBE_VALUES: usize = 1 << 26;

/// An empty vector with room for exactly `len` elements: a buffer of `shape` for `op`.
pub fn with_capacity<T>(op: &'static str, shape: &[usize], len: usize) -> Result<Vec<T>> {
    if len > PROBE_VALUES && crate::is_probing() {
        let msg =
            format!("a symbolic tensor of shape {shape:?} would hold {len} values, more than the {PROBE_VALUES} a shape probe allocates");
        return Err(Error::Invalid { op, msg });
    }
    let mut out = Vec::new();
    out.try_reserve_exact(len).map_err(|_| Error::OutOfMemory {
        op,
        bytes: len as u128 * std::mem::size_of::<T>() as u128,
        shape: shape.to_vec(),
    })?;
    Ok(out)
}

/// `len` copies of `value` (see [`with_capacity`]).
pub fn filled<T: Clone>(op: &'static str, shape: &[usize], len: usize, value: T) -> Result<Vec<T>> {
    let mut out = with_capacity(op, shape, len)?;
    out.resize(len, value);
    Ok(out)
}

/// A copy of `data` (see [`with_capacity`]).
pub fn copy<T: Clone>(op: &'static str, shape: &[usize], data: &[T]) -> Result<Vec<T>> {
    let mut out = with_capacity(op, shape, data.len())?;
    out.extend_from_slice(data);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_impossible_reservation_is_an_error_naming_the_op_bytes_and_shape() {
        let len = usize::MAX / 8;
        let e = with_capacity::<f32>("zeros", &[len], len).unwrap_err();
        let bytes = len as u128 * 4;
        assert_eq!(e, Error::OutOfMemory { op: "zeros", bytes, shape: vec![len] });
        assert_eq!(e.to_string(), format!("zeros: out of memory allocating {bytes} bytes for shape [{len}]"));
        let e = filled("matmul", &[2, len / 2], len, 0.0f32).unwrap_err().to_string();
        assert!(e.starts_with("matmul: out of memory"), "{e}");
    }

    #[test]
    fn buffers_have_their_length_and_values() {
        assert_eq!(filled("ones", &[3], 3, 1.0f32).unwrap(), vec![1.0; 3]);
        assert_eq!(copy("copy", &[2], &[1, 2]).unwrap(), vec![1, 2]);
        let empty = with_capacity::<bool>("where", &[0], 0).unwrap();
        assert!(empty.is_empty());
    }
}
