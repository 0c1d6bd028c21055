//! Reverse-mode autograd: one pass over the recorded graph in reverse topological order, with every
//! gradient rule in one match below. Rules are written with tensor ops, so they run on any backend;
//! gradients are summed over broadcast axes and accumulated (`+=`) where a tensor is used twice.

use std::collections::{HashMap, HashSet};

use crate::error::{Error, Result};
use crate::grad_mode::no_grad;
use crate::op::Op;
use crate::tensor::{Tensor, TensorId};

impl Tensor {
    /// Computes the gradient of this scalar (one-element) tensor with respect to every tensor that
    /// requires it, adding to their `grad()`.
    pub fn backward(&self) -> Result<()> {
        if self.numel() != 1 {
            return Err(Error::NonScalarBackward { shape: self.shape().to_vec() });
        }
        let seed = Tensor::from_slice(&[1.0], self.shape(), self.device())?;
        self.backward_with(&seed)
    }

    /// Like [`Tensor::backward`], starting from the gradient `seed` (same shape as this tensor).
    pub fn backward_with(&self, seed: &Tensor) -> Result<()> {
        if seed.shape() != self.shape() {
            let why = "the seed gradient must have the output's shape";
            return Err(Error::ShapeMismatch { op: "backward", lhs: self.shape().to_vec(), rhs: seed.shape().to_vec(), why });
        }
        no_grad(|| propagate(self, seed.detach()))
    }
}

/// The tracked tensors reachable from `root`, each after all of its inputs.
fn topological_order(root: &Tensor) -> Vec<Tensor> {
    let mut order = Vec::new();
    let mut seen = HashSet::new();
    // Iterative depth-first search: deep graphs must not overflow the (small) wasm stack.
    let mut stack = vec![(root.clone(), false)];
    while let Some((node, inputs_done)) = stack.pop() {
        if inputs_done {
            order.push(node);
            continue;
        }
        if !seen.insert(node.id()) {
            continue;
        }
        stack.push((node.clone(), true));
        if let Some(op) = node.op() {
            stack.extend(op.inputs().into_iter().filter(|t| t.tracks_grad() && !seen.contains(&t.id())).map(|t| (t.clone(), false)));
        }
    }
    order
}

fn propagate(root: &Tensor, seed: Tensor) -> Result<()> {
    let mut grads: HashMap<TensorId, Tensor> = HashMap::from([(root.id(), seed)]);
    for node in topological_order(root).iter().rev() {
        let Some(grad) = grads.remove(&node.id()) else { continue };
        let Some(op) = node.op() else {
            if node.requires_grad() {
                let total = match node.grad() {
                    Some(previous) => previous.add(&grad)?,
                    None => grad,
                };
                node.set_grad(Some(total));
            }
            continue;
        };
        for (input, input_grad) in input_grads(op, &grad)? {
            let total = match grads.remove(&input.id()) {
                Some(previous) => previous.add(&input_grad)?,
                None => input_grad,
            };
            grads.insert(input.id(), total);
        }
    }
    Ok(())
}

/// The gradient of each tracked input of `op`, given the gradient `g` of its output.
fn input_grads<'a>(op: &'a Op, g: &Tensor) -> Result<Vec<(&'a Tensor, Tensor)>> {
    let mut out = Vec::new();
    let mut rule = |input: &'a Tensor, grad: &dyn Fn() -> Result<Tensor>| -> Result<()> {
        if input.tracks_grad() {
            out.push((input, grad()?));
        }
        Ok(())
    };
    match op {
        Op::Add(a, b) => {
            rule(a, &|| g.sum_to(a.shape()))?;
            rule(b, &|| g.sum_to(b.shape()))?;
        }
        Op::Matmul(a, b) => {
            rule(a, &|| g.matmul(&b.t()?))?;
            rule(b, &|| a.t()?.matmul(g))?;
        }
        Op::Sum { input, axes, keepdim } => rule(input, &|| {
            let kept: Vec<usize> =
                (0..input.rank()).map(|d| if axes.contains(&d) { 1 } else { input.shape()[d] }).collect();
            let g = if *keepdim { g.clone() } else { g.reshape(&kept)? };
            g.broadcast_to(input.shape())
        })?,
        Op::Broadcast(input) => rule(input, &|| g.sum_to(input.shape()))?,
        Op::Reshape(input) => rule(input, &|| g.reshape(input.shape()))?,
        Op::Permute(input, order) => rule(input, &|| {
            let mut inverse = vec![0; order.len()];
            for (i, &axis) in order.iter().enumerate() {
                inverse[axis] = i;
            }
            g.permute(&inverse)
        })?,
        Op::Copy(input) => rule(input, &|| Ok(g.clone()))?,
    }
    Ok(out)
}
