//! The record an output keeps of the op that made it: its inputs and whatever the gradient rule
//! needs. One variant per differentiable op; the rules live in `backprop.rs`.

use crate::tensor::Tensor;

/// How a tensor was computed from its inputs.
#[derive(Debug, Clone)]
pub enum Op {
    /// `lhs + rhs` with broadcasting.
    Add(Tensor, Tensor),
    /// 2-D matrix product.
    Matmul(Tensor, Tensor),
    /// Sum over `axes` (sorted); `keepdim` as requested.
    Sum { input: Tensor, axes: Vec<usize>, keepdim: bool },
    /// A broadcast view of the input.
    Broadcast(Tensor),
    /// The input under another shape.
    Reshape(Tensor),
    /// The input's axes reordered: axis `i` of the output is axis `order[i]` of the input.
    Permute(Tensor, Vec<usize>),
    /// A contiguous copy of the input.
    Copy(Tensor),
}

impl Op {
    /// The tensors this op read.
    pub fn inputs(&self) -> Vec<&Tensor> {
        match self {
            Op::Add(a, b) | Op::Matmul(a, b) => vec![a, b],
            Op::Sum { input, .. } | Op::Broadcast(input) | Op::Reshape(input) | Op::Permute(input, _) | Op::Copy(input) => {
                vec![input]
            }
        }
    }
}
