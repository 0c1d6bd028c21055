//! The record an output keeps of the primitive op that made it: its inputs and whatever its gradient
//! rule needs. Composite ops (mean, softmax, conv, pooling, …) record the primitives they are made of,
//! so only primitives have rules, all in `backprop.rs`.

use crate::backend::{Activation, BinaryOp, ReduceOp, UnaryOp, Window};
use crate::tensor::Tensor;

/// How a tensor was computed from its inputs.
#[derive(Debug, Clone)]
pub enum Op {
    Unary(UnaryOp, Tensor),
    /// An arithmetic op on operands already cast to one dtype (before broadcasting).
    Binary(BinaryOp, Tensor, Tensor),
    /// `cond ? a : b` (the condition gets no gradient).
    Where {
        cond: Tensor,
        a: Tensor,
        b: Tensor,
    },
    /// Sum, Prod, Max or Min over sorted `axes`.
    Reduce {
        op: ReduceOp,
        input: Tensor,
        axes: Vec<usize>,
        keepdim: bool,
    },
    /// `act(x @ weight + bias)` with `x` flattened to `[rows, k]`.
    Linear {
        x: Tensor,
        weight: Tensor,
        bias: Tensor,
        act: Activation,
    },
    /// Matrix product with broadcast batch axes (both operands of rank >= 2).
    Matmul(Tensor, Tensor),
    /// A broadcast view of the input.
    Broadcast(Tensor),
    /// The input under another shape.
    Reshape(Tensor),
    /// The input's axes reordered: axis `i` of the output is axis `order[i]` of the input.
    Permute(Tensor, Vec<usize>),
    /// A contiguous copy of the input.
    Copy(Tensor),
    /// A strided window of the input: per axis, `(start, step)`.
    Slice {
        input: Tensor,
        starts: Vec<usize>,
        steps: Vec<usize>,
    },
    /// The inputs joined along `axis`.
    Concat {
        inputs: Vec<Tensor>,
        axis: usize,
    },
    /// Elements picked along `axis` by an i32 `index`.
    Gather {
        input: Tensor,
        axis: usize,
        index: Tensor,
    },
    /// `base` with `src` added at `index` positions along `axis`.
    ScatterAdd {
        base: Tensor,
        axis: usize,
        index: Tensor,
        src: Tensor,
    },
    /// Fused softmax (or log-softmax) along `axis`.
    Softmax {
        input: Tensor,
        axis: usize,
        log: bool,
    },
    /// 2-D convolution (no bias) of an NCHW `input` with contiguous `weight`.
    Conv2d {
        input: Tensor,
        weight: Tensor,
        window: Window,
        groups: usize,
    },
    /// Sliding windows unfolded into columns.
    Im2Col {
        input: Tensor,
        window: Window,
    },
    /// Columns folded back into an image (the adjoint of `Im2Col`).
    Col2Im {
        input: Tensor,
        window: Window,
    },
    /// Max pooling of an NCHW `input`; `taps` (i32) names the tap each maximum came from.
    MaxPool2d {
        input: Tensor,
        taps: Tensor,
        window: Window,
    },
}

impl Op {
    /// The input handles, the record itself dropped (for the iterative teardown of a graph).
    pub(crate) fn into_inputs(self) -> Vec<Tensor> {
        self.inputs().into_iter().cloned().collect()
    }

    /// The tensors this op read (including non-differentiable ones such as indices).
    pub fn inputs(&self) -> Vec<&Tensor> {
        match self {
            Op::Unary(_, x)
            | Op::Reduce { input: x, .. }
            | Op::Broadcast(x)
            | Op::Reshape(x)
            | Op::Permute(x, _)
            | Op::Copy(x)
            | Op::Slice { input: x, .. }
            | Op::Softmax { input: x, .. }
            | Op::Im2Col { input: x, .. }
            | Op::Col2Im { input: x, .. } => vec![x],
            Op::Binary(_, a, b) | Op::Matmul(a, b) => vec![a, b],
            Op::Where { cond, a, b } => vec![cond, a, b],
            Op::Linear { x, weight, bias, .. } => vec![x, weight, bias],
            Op::Conv2d { input, weight, .. } => vec![input, weight],
            Op::Concat { inputs, .. } => inputs.iter().collect(),
            Op::Gather { input, index, .. } => vec![input, index],
            Op::ScatterAdd { base, index, src, .. } => vec![base, index, src],
            Op::MaxPool2d { input, taps, .. } => vec![input, taps],
        }
    }
}
