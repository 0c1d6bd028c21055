//! The safetensors format (Hugging Face's, what PyTorch's `safetensors.torch.save_file` writes): a
//! little-endian u64 header length, a JSON header of `name: {dtype, shape, data_offsets}` (and
//! `__metadata__`, a map of strings), then the tensors' bytes, little-endian, row-major.
//!
//! A file is untrusted. Reading checks the whole header before it converts anything: the
//! `safetensors` crate's checks (header length within the file and under 100 MB, valid UTF-8 and
//! JSON, offsets contiguous and covering exactly the bytes, sizes that match the shapes without
//! overflow), then no name twice (the crate would keep the last) and only dtypes webgrad reads.
//!
//! Values become webgrad's dtypes by one rule: F32 → float32; F16 and BF16 → float32 (exact);
//! I64 → int32, a value outside int32's range being an Error (never a wrap); I32, I16, I8, U8 →
//! int32; BOOL → bool (a byte other than 0 or 1 is an Error). Other dtypes (F64, U16, U32, U64,
//! the F8 and F4 families, C64) are an Error naming the tensor. Writing gives float32 as F32,
//! int32 as I32 and bool as BOOL.

use std::borrow::Cow;

use safetensors::tensor::{Dtype, SafeTensors, View};

use crate::backend::cpu::alloc;
use crate::{Device, Error, HostData, Result, Tensor};

const LOAD: &str = "safetensors.load";
const SAVE: &str = "safetensors.save";

/// A file's tensors, in the order of their bytes, and its `__metadata__` (sorted by key).
pub struct Loaded {
    pub tensors: Vec<(String, Tensor)>,
    pub metadata: Vec<(String, String)>,
}

fn invalid(op: &'static str, msg: String) -> Error {
    Error::Invalid { op, msg }
}

/// Reads a safetensors file into tensors on `device` (see the module docs for the checks and the
/// dtype rule).
pub fn load(bytes: &[u8], device: &Device) -> Result<Loaded> {
    let (header, meta) = SafeTensors::read_metadata(bytes).map_err(|e| invalid(LOAD, format!("not a valid safetensors file: {e}")))?;
    refuse_repeated_names(bytes.get(8..8 + header).unwrap_or_default())?;
    let data = bytes.get(8 + header..).unwrap_or_default();
    let entries = meta
        .offset_keys()
        .into_iter()
        .map(|name| match meta.info(&name) {
            Some(info) => Ok((name, info)),
            None => Err(invalid(LOAD, format!("tensor '{name}' is listed but has no entry"))),
        })
        .collect::<Result<Vec<_>>>()?;
    // Every dtype is checked before any tensor is made.
    for (name, info) in &entries {
        host_dtype(name, info.dtype)?;
    }
    let mut tensors = Vec::with_capacity(entries.len());
    for (name, info) in entries {
        let (start, end) = info.data_offsets;
        let raw =
            data.get(start..end).ok_or_else(|| invalid(LOAD, format!("tensor '{name}': bytes {start}..{end} are outside the file")))?;
        let values = decode(&name, info.dtype, &info.shape, raw)?;
        let tensor = Tensor::new(values, &info.shape, device).map_err(|e| invalid(LOAD, format!("tensor '{name}': {e}")))?;
        tensors.push((name, tensor));
    }
    let mut metadata: Vec<(String, String)> = meta.metadata().iter().flatten().map(|(k, v)| (k.clone(), v.clone())).collect();
    metadata.sort();
    Ok(Loaded { tensors, metadata })
}

/// The webgrad dtype a file dtype converts to, or the Error naming the tensor.
fn host_dtype(name: &str, dtype: Dtype) -> Result<crate::DType> {
    use crate::DType as D;
    Ok(match dtype {
        Dtype::F32 | Dtype::F16 | Dtype::BF16 => D::F32,
        Dtype::I64 | Dtype::I32 | Dtype::I16 | Dtype::I8 | Dtype::U8 => D::I32,
        Dtype::BOOL => D::Bool,
        other => return Err(unread(name, other)),
    })
}

/// The Error for a tensor of a dtype webgrad does not read.
fn unread(name: &str, dtype: Dtype) -> Error {
    invalid(
        LOAD,
        format!("tensor '{name}' is {dtype:?}, which webgrad does not read (it reads F32, F16, BF16, I64, I32, I16, I8, U8 and BOOL)"),
    )
}

/// The first name `names` holds twice (sorting them).
fn repeated<'a>(names: &mut [&'a str]) -> Option<&'a str> {
    names.sort_unstable();
    names.windows(2).find(|w| w[0] == w[1]).map(|w| w[0])
}

/// The values of `raw` (little-endian `dtype`), converted by the module's rule.
fn decode(name: &str, dtype: Dtype, shape: &[usize], raw: &[u8]) -> Result<HostData> {
    fn each<T, const N: usize>(shape: &[usize], raw: &[u8], f: impl Fn([u8; N]) -> Result<T>) -> Result<Vec<T>> {
        let mut out = alloc::with_capacity(LOAD, shape, raw.len() / N)?;
        for chunk in raw.chunks_exact(N) {
            let mut word = [0u8; N];
            word.copy_from_slice(chunk);
            out.push(f(word)?);
        }
        Ok(out)
    }
    Ok(match dtype {
        Dtype::F32 => HostData::F32(each(shape, raw, |b| Ok(f32::from_le_bytes(b)))?),
        Dtype::F16 => HostData::F32(each(shape, raw, |b| Ok(half_to_f32(u16::from_le_bytes(b))))?),
        Dtype::BF16 => HostData::F32(each(shape, raw, |b| Ok(f32::from_bits((u16::from_le_bytes(b) as u32) << 16)))?),
        Dtype::I64 => HostData::I32(each(shape, raw, |b| {
            let v = i64::from_le_bytes(b);
            i32::try_from(v).map_err(|_| {
                invalid(LOAD, format!("tensor '{name}' (I64) holds {v}, outside int32's range (webgrad holds integers as int32)"))
            })
        })?),
        Dtype::I32 => HostData::I32(each(shape, raw, |b| Ok(i32::from_le_bytes(b)))?),
        Dtype::I16 => HostData::I32(each(shape, raw, |b| Ok(i16::from_le_bytes(b) as i32))?),
        Dtype::I8 => HostData::I32(each(shape, raw, |[b]: [u8; 1]| Ok(b as i8 as i32))?),
        Dtype::U8 => HostData::I32(each(shape, raw, |[b]: [u8; 1]| Ok(b as i32))?),
        Dtype::BOOL => HostData::Bool(each(shape, raw, |[b]: [u8; 1]| match b {
            0 | 1 => Ok(b == 1),
            _ => Err(invalid(LOAD, format!("tensor '{name}' (BOOL) holds the byte {b}, not 0 or 1"))),
        })?),
        other => return Err(unread(name, other)),
    })
}

/// IEEE 754 half precision to single (exact: every half is a float).
fn half_to_f32(h: u16) -> f32 {
    let sign = ((h >> 15) as u32) << 31;
    let exponent = ((h >> 10) & 0x1f) as u32;
    let mantissa = (h & 0x3ff) as u32;
    let bits = match (exponent, mantissa) {
        (0, 0) => sign,
        // Subnormal: renormalise.
        (0, m) => {
            let shift = m.leading_zeros() - 21;
            sign | ((113 - shift) << 23) | (((m << shift) & 0x3ff) << 13)
        }
        (0x1f, m) => sign | 0x7f80_0000 | (m << 13),
        (e, m) => sign | ((e + 112) << 23) | (m << 13),
    };
    f32::from_bits(bits)
}

/// An Error when the header names a tensor (or `__metadata__`) twice: a JSON map with a repeated
/// key is ambiguous, and the crate keeps the last one without a word.
fn refuse_repeated_names(header: &[u8]) -> Result<()> {
    use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
    struct Keys;
    impl<'de> Visitor<'de> for Keys {
        type Value = Vec<String>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a map of tensors")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Vec<String>, A::Error> {
            let mut keys = Vec::new();
            while let Some(key) = map.next_key::<String>()? {
                map.next_value::<IgnoredAny>()?;
                keys.push(key);
            }
            Ok(keys)
        }
    }
    let keys = serde_json::Deserializer::from_slice(header)
        .deserialize_map(Keys)
        .map_err(|e| invalid(LOAD, format!("not a valid safetensors header: {e}")))?;
    match repeated(&mut keys.iter().map(String::as_str).collect::<Vec<_>>()) {
        Some(name) => Err(invalid(LOAD, format!("the header names '{name}' twice"))),
        None => Ok(()),
    }
}

/// One tensor's bytes, for the crate's writer.
struct Bytes {
    dtype: Dtype,
    shape: Vec<usize>,
    bytes: Vec<u8>,
}

impl View for &Bytes {
    fn dtype(&self) -> Dtype {
        self.dtype
    }
    fn shape(&self) -> &[usize] {
        &self.shape
    }
    fn data(&self) -> Cow<'_, [u8]> {
        Cow::Borrowed(&self.bytes)
    }
    fn data_len(&self) -> usize {
        self.bytes.len()
    }
}

/// A safetensors file of `tensors` (their values read back) and `metadata`. Names must be unique
/// and non-empty.
pub async fn save(tensors: &[(String, Tensor)], metadata: &[(String, String)]) -> Result<Vec<u8>> {
    let mut names: Vec<&str> = tensors.iter().map(|(n, _)| n.as_str()).collect();
    if let Some(name) = repeated(&mut names) {
        return Err(invalid(SAVE, format!("the name '{name}' is given twice")));
    }
    if names.contains(&"") || names.contains(&"__metadata__") {
        return Err(invalid(SAVE, "a tensor name must be non-empty and not '__metadata__'".to_string()));
    }
    let mut parts = Vec::with_capacity(tensors.len());
    for (name, tensor) in tensors {
        let shape = tensor.shape();
        let host = tensor.to_host().await?;
        let mut bytes =
            alloc::with_capacity(SAVE, shape, host.len().saturating_mul(if host.dtype() == crate::DType::Bool { 1 } else { 4 }))?;
        let dtype = match host {
            HostData::F32(v) => {
                bytes.extend(v.iter().flat_map(|x| x.to_le_bytes()));
                Dtype::F32
            }
            HostData::I32(v) => {
                bytes.extend(v.iter().flat_map(|x| x.to_le_bytes()));
                Dtype::I32
            }
            HostData::Bool(v) => {
                bytes.extend(v.iter().map(|&b| b as u8));
                Dtype::BOOL
            }
        };
        parts.push((name.clone(), Bytes { dtype, shape: shape.to_vec(), bytes }));
    }
    let metadata = (!metadata.is_empty()).then(|| metadata.iter().cloned().collect::<hashbrown::HashMap<_, _>>());
    safetensors::serialize(parts.iter().map(|(n, b)| (n.as_str(), b)), metadata).map_err(|e| invalid(SAVE, e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halves_convert_exactly() {
        // 1, -2, 65504 (the largest), 2^-24 (the smallest subnormal), 2^-14 (the smallest normal), inf, NaN.
        let cases =
            [(0x3c00, 1.0), (0xc000, -2.0), (0x7bff, 65504.0), (0x0001, 2f32.powi(-24)), (0x0400, 2f32.powi(-14)), (0x7c00, f32::INFINITY)];
        for (h, want) in cases {
            assert_eq!(half_to_f32(h), want, "{h:#06x}");
        }
        assert!(half_to_f32(0x7e00).is_nan());
        assert_eq!(half_to_f32(0x8000).to_bits(), 0x8000_0000);
        assert_eq!(half_to_f32(0x03ff), 1023.0 * 2f32.powi(-24));
    }
}
