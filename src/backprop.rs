//! Reverse-mode autograd: one pass over the recorded graph in reverse topological order, with every
//! gradient rule in one match below (the unary ops' in their table, `backend/unary.rs`). Rules are
//! written with tensor ops, so they run on any backend; gradients are summed over broadcast axes and accumulated (`+=`) where a tensor is used twice.
//! The graph is freed after the pass unless `retain_graph` is asked for.

use std::collections::{HashMap, HashSet};

use crate::backend::{Activation, ReduceOp, UnaryOp};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::grad_mode::no_grad;
use crate::op::Op;
use crate::tensor::{Tensor, TensorId};

impl Tensor {
    /// Computes the gradient of this one-element tensor with respect to every tensor that requires
    /// it, adding to their `grad()`, then frees the graph.
    pub fn backward(&self) -> Result<()> {
        self.backward_opts(None, false)
    }

    /// Like [`Tensor::backward`], starting from the gradient `seed` (same shape as this tensor).
    pub fn backward_with(&self, seed: &Tensor) -> Result<()> {
        self.backward_opts(Some(seed), false)
    }

    /// Backward with an optional seed (required for non-scalars) and, with `retain_graph`, the graph
    /// kept for another pass.
    pub fn backward_opts(&self, seed: Option<&Tensor>, retain_graph: bool) -> Result<()> {
        let seed = match seed {
            Some(seed) if seed.shape() != self.shape() => {
                let why = "the seed gradient must have the output's shape";
                return Err(Error::ShapeMismatch { op: "backward", lhs: self.shape().to_vec(), rhs: seed.shape().to_vec(), why });
            }
            Some(seed) => seed.detach().cast(DType::F32)?,
            None if self.numel() != 1 => return Err(Error::NonScalarBackward { shape: self.shape().to_vec() }),
            None => Tensor::full(self.shape(), 1.0, DType::F32, self.device())?,
        };
        if !self.tracks_grad() {
            return Err(Error::Invalid {
                op: "backward",
                msg: format!("the tensor of shape {:?} does not require grad and has no graph", self.shape()),
            });
        }
        no_grad(|| propagate(self, seed, retain_graph))
    }
}

/// The tracked tensors reachable from `root`, each after all of its inputs.
fn topological_order(root: &Tensor) -> Result<Vec<Tensor>> {
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
        let op = node.op();
        if op.is_none() && node.graph_freed() {
            return Err(Error::GraphFreed { shape: node.shape().to_vec() });
        }
        stack.push((node.clone(), true));
        if let Some(op) = op {
            for input in op.inputs() {
                if input.tracks_grad() && !seen.contains(&input.id()) {
                    stack.push((input.clone(), false));
                }
            }
        }
    }
    Ok(order)
}

fn propagate(root: &Tensor, seed: Tensor, retain_graph: bool) -> Result<()> {
    let order = topological_order(root)?;
    let mut grads: HashMap<TensorId, Tensor> = HashMap::from([(root.id(), seed)]);
    for node in order.iter().rev() {
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
        for (input, input_grad) in input_grads(&op, node, &grad)? {
            let total = match grads.remove(&input.id()) {
                Some(previous) => previous.add(&input_grad)?,
                None => input_grad,
            };
            grads.insert(input.id(), total);
        }
    }
    if !retain_graph {
        for node in &order {
            node.free_graph();
        }
    }
    Ok(())
}

/// The gradient of each tracked input of `op`, given its output `y` and the output's gradient `g`.
fn input_grads(op: &Op, y: &Tensor, g: &Tensor) -> Result<Vec<(Tensor, Tensor)>> {
    let mut out = Vec::new();
    let mut rule = |input: &Tensor, grad: &dyn Fn() -> Result<Tensor>| -> Result<()> {
        if input.tracks_grad() && input.dtype() == DType::F32 {
            out.push((input.clone(), grad()?));
        }
        Ok(())
    };
    match op {
        Op::Unary(u, x) => rule(x, &|| u.gradient(x, y, g))?,
        Op::Binary(b, lhs, rhs) => {
            rule(lhs, &|| b.gradient(lhs, rhs, y, g, true)?.sum_to(lhs.shape()))?;
            rule(rhs, &|| b.gradient(lhs, rhs, y, g, false)?.sum_to(rhs.shape()))?;
        }
        Op::Where { cond, a, b } => {
            let zero = g.scalar_like(0.0)?;
            rule(a, &|| Tensor::where_cond(cond, g, &zero)?.sum_to(a.shape()))?;
            rule(b, &|| Tensor::where_cond(cond, &zero, g)?.sum_to(b.shape()))?;
        }
        Op::Reduce { op, input, axes, keepdim } => rule(input, &|| reduce_grad(*op, input, axes, *keepdim, y, g))?,
        Op::Matmul(a, b) => {
            rule(a, &|| g.matmul(&b.transpose(-1, -2)?)?.sum_to(a.shape()))?;
            rule(b, &|| a.transpose(-1, -2)?.matmul(g)?.sum_to(b.shape()))?;
        }
        Op::Linear { x, weight, bias, act } => {
            // The gradient before the activation, from the output alone.
            let shape = [x.shape()[0], weight.shape()[1]];
            let (g, y) = (g.reshape(&shape)?, y.reshape(&shape)?);
            let pre = match act {
                Activation::Identity => g,
                Activation::Relu => positive_part(&g, &y)?,
                Activation::Sigmoid => g.mul(&y.unary(UnaryOp::SigmoidGradFromOutput)?)?,
                Activation::Tanh => g.mul(&y.unary(UnaryOp::TanhGradFromOutput)?)?,
            };
            rule(x, &|| pre.matmul(&weight.t()?))?;
            rule(weight, &|| x.t()?.matmul(&pre))?;
            rule(bias, &|| pre.sum_dims(Some(&[0]), false))?;
        }
        Op::Broadcast(x) => rule(x, &|| g.sum_to(x.shape()))?,
        Op::Reshape(x) => rule(x, &|| g.reshape(x.shape()))?,
        Op::Permute(x, order) => rule(x, &|| {
            let mut inverse = vec![0isize; order.len()];
            for (i, &axis) in order.iter().enumerate() {
                inverse[axis] = i as isize;
            }
            g.permute(&inverse)
        })?,
        Op::Copy(x) => rule(x, &|| Ok(g.clone()))?,
        Op::Slice { input, starts, steps } => rule(input, &|| {
            // Scatter the gradient back to the sliced positions, one sliced axis at a time.
            let mut grad = g.clone();
            for d in 0..input.rank() {
                if starts[d] == 0 && steps[d] == 1 && grad.shape()[d] == input.shape()[d] {
                    continue;
                }
                let len = grad.shape()[d];
                let positions: Vec<i32> = (0..len).map(|i| (starts[d] + i * steps[d]) as i32).collect();
                let mut column = vec![1; grad.rank()];
                column[d] = len;
                let index = Tensor::from_i32(&positions, &column, g.device())?.broadcast_to(grad.shape())?;
                let mut shape = grad.shape().to_vec();
                shape[d] = input.shape()[d];
                grad = Tensor::zeros(&shape, DType::F32, g.device())?.scatter_add(d as isize, &index, &grad)?;
            }
            Ok(grad)
        })?,
        Op::Concat { inputs, axis } => {
            let mut start = 0;
            for input in inputs {
                let len = input.shape()[*axis];
                rule(input, &|| g.narrow(*axis as isize, start, len))?;
                start += len;
            }
        }
        Op::Gather { input, axis, index } => {
            rule(input, &|| Tensor::zeros(input.shape(), DType::F32, g.device())?.scatter_add(*axis as isize, index, g))?
        }
        Op::ScatterAdd { base, axis, index, src } => {
            rule(base, &|| Ok(g.clone()))?;
            rule(src, &|| g.gather(*axis as isize, index))?;
        }
        Op::Softmax { input, axis, log } => rule(input, &|| {
            let axis = [*axis as isize];
            if *log {
                // d log_softmax: g - softmax(x) * sum(g)
                g.sub(&y.exp()?.mul(&g.sum_dims(Some(&axis), true)?)?)
            } else {
                // d softmax: y * (g - sum(g * y))
                y.mul(&g.sub(&g.mul(y)?.sum_dims(Some(&axis), true)?)?)
            }
        })?,
        Op::Conv2d { input, weight, window, groups } => {
            // With cols = im2col(x) and W as [G, Og, K]: y = W @ cols, so dx = col2im(W^T @ dy) and
            // dW = sum over images of dy @ cols^T; each is one primitive (an implicit GEMM on WebGPU).
            rule(input, &|| weight.conv2d_input_grad(g, window, *groups))?;
            rule(weight, &|| input.conv2d_weight_grad(g, window, *groups, weight.shape()))?;
        }
        Op::Im2Col { input, window } => rule(input, &|| g.col2im(window))?,
        Op::Col2Im { input, window } => rule(input, &|| g.im2col(window, 0.0))?,
        Op::MaxPool2d { input, taps, window } => rule(input, &|| g.max_pool2d_grad(taps, window))?,
    }
    Ok(out)
}

/// `g` where `x > 0`, else 0: ReLU's gradient as one comparison and one select (a product with the
/// mask would also cast it).
pub(crate) fn positive_part(g: &Tensor, x: &Tensor) -> Result<Tensor> {
    let zero = x.scalar_like(0.0)?;
    Tensor::where_cond(&x.gt(&zero)?, g, &zero)
}

/// `g` times the share of it an operand of maximum/minimum gets: 1 where it `wins`, 1/2 on ties.
pub(crate) fn extremum_share(g: &Tensor, wins: &Tensor, a: &Tensor, b: &Tensor) -> Result<Tensor> {
    g.mul(&wins.cast(DType::F32)?.add(&a.eq(b)?.cast(DType::F32)?.mul_scalar(0.5)?)?)
}

/// The gradient of `a ^ b` with respect to the exponent: `g * y * ln(a)`, taken as 0 where `a <= 0`.
pub(crate) fn pow_exponent_grad(a: &Tensor, y: &Tensor, g: &Tensor) -> Result<Tensor> {
    let positive = a.gt(&a.scalar_like(0.0)?)?;
    let log_a = Tensor::where_cond(&positive, &a.log()?, &a.scalar_like(0.0)?)?;
    g.mul(y)?.mul(&log_a)
}

fn reduce_grad(op: ReduceOp, x: &Tensor, axes: &[usize], keepdim: bool, y: &Tensor, g: &Tensor) -> Result<Tensor> {
    let kept: Vec<usize> = (0..x.rank()).map(|d| if axes.contains(&d) { 1 } else { x.shape()[d] }).collect();
    let (gk, yk) = if keepdim { (g.clone(), y.clone()) } else { (g.reshape(&kept)?, y.reshape(&kept)?) };
    let axes: Vec<isize> = axes.iter().map(|&a| a as isize).collect();
    match op {
        ReduceOp::Sum => gk.broadcast_to(x.shape()),
        ReduceOp::Max | ReduceOp::Min => {
            // Ties share the gradient equally.
            let mask = x.eq(&yk)?.cast(DType::F32)?;
            let count = mask.sum_dims(Some(&axes), true)?;
            gk.mul(&mask)?.div(&count)
        }
        ReduceOp::Prod => {
            // d/dx_i = product of the others, also when some x are zero.
            let zero = x.scalar_like(0.0)?;
            let is_zero = x.eq(&zero)?;
            let nonzero = Tensor::where_cond(&is_zero, &x.scalar_like(1.0)?, x)?;
            let p = nonzero.prod(Some(&axes), true)?;
            let zeros = is_zero.cast(DType::F32)?.sum_dims(Some(&axes), true)?;
            let none_zero = zeros.eq(&zero)?;
            let lone_zero = zeros.eq(&x.scalar_like(1.0)?)?.logical_and(&is_zero)?;
            let others = Tensor::where_cond(&none_zero, &p.div(&nonzero)?, &Tensor::where_cond(&lone_zero, &p, &zero)?)?;
            gk.mul(&others)
        }
        ReduceOp::ArgMax | ReduceOp::ArgMin => Err(Error::Invalid { op: "backward", msg: "arg reductions have no gradient".into() }),
    }
}
