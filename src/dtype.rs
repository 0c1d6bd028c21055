//! Element types and host-side data. f32 is the compute type; i32 holds indices and labels; bool
//! holds masks. Binary ops promote bool < i32 < f32.

use crate::error::{Error, Result};

/// The element type of a tensor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DType {
    Bool,
    I32,
    F32,
}

impl DType {
    /// `"float32"`, `"int32"` or `"bool"` (the names TensorFlow.js uses).
    pub fn name(self) -> &'static str {
        match self {
            DType::F32 => "float32",
            DType::I32 => "int32",
            DType::Bool => "bool",
        }
    }

    /// Parses the names of [`DType::name`] (and `f32`/`i32`).
    pub fn parse(name: &str) -> Result<DType> {
        match name {
            "float32" | "f32" => Ok(DType::F32),
            "int32" | "i32" => Ok(DType::I32),
            "bool" => Ok(DType::Bool),
            other => Err(Error::Invalid { op: "dtype", msg: format!("unknown dtype '{other}' (expected float32, int32 or bool)") }),
        }
    }

    /// The type both operands of a binary op are cast to.
    pub fn promote(self, other: DType) -> DType {
        self.max(other)
    }
}

impl std::fmt::Display for DType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Elements on the host, of one of the three dtypes.
#[derive(Debug, Clone, PartialEq)]
pub enum HostData {
    F32(Vec<f32>),
    I32(Vec<i32>),
    Bool(Vec<bool>),
}

impl HostData {
    pub fn dtype(&self) -> DType {
        match self {
            HostData::F32(_) => DType::F32,
            HostData::I32(_) => DType::I32,
            HostData::Bool(_) => DType::Bool,
        }
    }

    pub fn len(&self) -> usize {
        match self {
            HostData::F32(v) => v.len(),
            HostData::I32(v) => v.len(),
            HostData::Bool(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The elements as f32 (ints converted, bools as 0/1).
    pub fn to_f32(&self) -> Vec<f32> {
        match self {
            HostData::F32(v) => v.clone(),
            HostData::I32(v) => v.iter().map(|&x| x as f32).collect(),
            HostData::Bool(v) => v.iter().map(|&x| x as u8 as f32).collect(),
        }
    }

    /// The elements as i32 (floats truncated toward zero, bools as 0/1).
    pub fn to_i32(&self) -> Vec<i32> {
        match self {
            HostData::F32(v) => v.iter().map(|&x| x as i32).collect(),
            HostData::I32(v) => v.clone(),
            HostData::Bool(v) => v.iter().map(|&x| x as i32).collect(),
        }
    }

    /// The elements as f32, moved where they already are.
    pub fn into_f32(self) -> Vec<f32> {
        match self {
            HostData::F32(v) => v,
            other => other.to_f32(),
        }
    }

    /// The elements as i32, moved where they already are.
    pub fn into_i32(self) -> Vec<i32> {
        match self {
            HostData::I32(v) => v,
            other => other.to_i32(),
        }
    }

    /// `numel(shape)` copies of `value` converted to `dtype`, for `op`; an allocation that fails is
    /// [`Error::OutOfMemory`] (see `backend::cpu::alloc`).
    pub fn try_filled(op: &'static str, dtype: DType, value: f64, shape: &[usize]) -> Result<HostData> {
        use crate::backend::cpu::alloc::filled;
        let n = crate::layout::numel(shape);
        Ok(match dtype {
            DType::F32 => HostData::F32(filled(op, shape, n, value as f32)?),
            DType::I32 => HostData::I32(filled(op, shape, n, value as i32)?),
            DType::Bool => HostData::Bool(filled(op, shape, n, value != 0.0)?),
        })
    }
}
