//! Errors are values: every fallible op returns [`Result`], and each variant names the op and the
//! shapes involved so that the message a JS caller sees is enough to find the bug.

/// Everything that can go wrong in webgrad.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// Two shapes that cannot be broadcast together (NumPy rules).
    #[error("{op}: shapes {lhs:?} and {rhs:?} cannot be broadcast together")]
    Broadcast { op: &'static str, lhs: Vec<usize>, rhs: Vec<usize> },

    /// A binary op whose operands' shapes do not fit the op (e.g. matmul inner dimensions).
    #[error("{op}: shapes {lhs:?} and {rhs:?} do not match ({why})")]
    ShapeMismatch { op: &'static str, lhs: Vec<usize>, rhs: Vec<usize>, why: &'static str },

    /// An op that needs a given rank got another.
    #[error("{op}: expected a tensor of rank {expected}, got shape {got:?}")]
    Rank { op: &'static str, expected: usize, got: Vec<usize> },

    /// Data whose length disagrees with the shape it came with.
    #[error("{op}: {len} values cannot fill shape {shape:?} ({expected} elements)")]
    DataLength { op: &'static str, len: usize, shape: Vec<usize>, expected: usize },

    /// An axis outside `0..rank`.
    #[error("{op}: axis {axis} is out of range for shape {shape:?}")]
    Axis { op: &'static str, axis: isize, shape: Vec<usize> },

    /// Operands that live on different backends.
    #[error("{op}: operands live on different backends ({lhs} and {rhs})")]
    Device { op: &'static str, lhs: String, rhs: String },

    /// `backward()` on a non-scalar tensor without a seed gradient.
    #[error("backward: the output has shape {shape:?}, not a scalar; pass a seed gradient of that shape")]
    NonScalarBackward { shape: Vec<usize> },

    /// An operand of a dtype the op does not take.
    #[error("{op}: unsupported dtype {dtype} (shape {shape:?}); {expected}")]
    DType { op: &'static str, dtype: crate::DType, shape: Vec<usize>, expected: &'static str },

    /// An index outside its axis.
    #[error("{op}: index {index} is out of range for axis {axis} of size {size} (shape {shape:?})")]
    Index { op: &'static str, index: i64, axis: usize, size: usize, shape: Vec<usize> },

    /// An argument that is wrong in itself (a negative size, a zero step, an unknown name).
    #[error("{op}: {msg}")]
    Invalid { op: &'static str, msg: String },

    /// `backward` through a graph that an earlier `backward` already freed.
    #[error(
        "backward: the graph through this tensor (shape {shape:?}) was freed by an earlier backward; pass retainGraph to the first one"
    )]
    GraphFreed { shape: Vec<usize> },

    /// Host memory (wasm's linear memory, or the process's) could not hold an op's output or scratch.
    #[error("{op}: out of memory allocating {bytes} bytes for shape {shape:?}")]
    OutOfMemory { op: &'static str, bytes: u128, shape: Vec<usize> },

    /// An op the active backend does not implement yet.
    #[error("{op}: not implemented on the {backend} backend yet")]
    Unsupported { op: String, backend: &'static str },

    /// A WebGPU backend that could not be created.
    #[error("webgpu: {0}")]
    NoWebGpu(String),

    /// A failure reported by the GPU (validation, out of memory, device loss, mapping), with the kernel
    /// or step that caused it.
    #[error("{op}: {msg} (webgpu)")]
    Gpu { op: String, msg: String },
}

/// `Result` with webgrad's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
