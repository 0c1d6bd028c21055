//! The one dtype error of both backends: an operand of a dtype the kernel does not take, named with
//! the op and the operand's shape, and the texts that say what was expected (shared, so that the CPU
//! and WebGPU backends fail with one message).

use crate::dtype::DType;
use crate::error::Error;
use crate::layout::Layout;

/// `op` met an operand of `dtype` laid out as `layout` where `expected` (one of [`expect`]) holds.
pub(crate) fn dtype_error(op: &'static str, dtype: DType, layout: &Layout, expected: &'static str) -> Error {
    Error::DType { op, dtype, shape: layout.shape().to_vec(), expected }
}

/// What a kernel expects of an operand's dtype, one text per rule.
pub(crate) mod expect {
    use crate::backend::UnaryOp;

    /// What a unary op takes.
    pub fn unary(op: UnaryOp) -> &'static str {
        if op == UnaryOp::Not {
            "logicalNot needs bool"
        } else if op.takes_int() {
            NUMBER
        } else {
            F32
        }
    }

    pub const F32: &str = "expected float32";
    pub const I32: &str = "expected int32";
    pub const NUMBER: &str = "expected float32 or int32";
    pub const INDICES: &str = "indices must be int32";
    pub const TAPS: &str = "taps must be int32";
    pub const CONDITION: &str = "the condition must be bool";
    pub const BRANCHES: &str = "both branches must have one dtype";
    pub const OPERANDS: &str = "both operands must have one dtype";
    pub const PARTS: &str = "all parts must have one dtype";
    pub const OP_DTYPE: &str = "this op needs another dtype";
    pub const ARITHMETIC: &str = "arithmetic needs numbers";
    pub const SCATTER: &str = "base and source must both be float32 or int32";
}
