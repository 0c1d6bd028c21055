//! Matrix products with NumPy semantics: batch axes broadcast, 1-D operands act as vectors.

use crate::backend::Activation;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::layout::{broadcast_shapes, checked_numel};
use crate::op::Op;
use crate::tensor::Tensor;

impl Tensor {
    /// Matrix product `[..., m, k] @ [..., k, n] -> [..., m, n]` with broadcast batch axes; a 1-D
    /// left operand is a row vector and a 1-D right operand a column vector (their axis is dropped).
    pub fn matmul(&self, rhs: &Tensor) -> Result<Tensor> {
        let op = "matmul";
        self.check_device(op, rhs)?;
        for t in [self, rhs] {
            if t.rank() == 0 {
                return Err(Error::Rank { op, expected: 1, got: t.shape().to_vec() });
            }
        }
        let a = if self.rank() == 1 { self.unsqueeze(0)? } else { self.clone() };
        let b = if rhs.rank() == 1 { rhs.unsqueeze(1)? } else { rhs.clone() };
        let (ra, rb) = (a.rank(), b.rank());
        let (m, k, n) = (a.shape()[ra - 2], a.shape()[ra - 1], b.shape()[rb - 1]);
        if b.shape()[rb - 2] != k {
            let why = "the inner dimensions differ";
            return Err(Error::ShapeMismatch { op, lhs: self.shape().to_vec(), rhs: rhs.shape().to_vec(), why });
        }
        let batch = broadcast_shapes(op, &a.shape()[..ra - 2], &b.shape()[..rb - 2])?;
        checked_numel(op, &[&batch[..], &[m, n]].concat())?;
        let flat = |t: &Tensor, rows: usize, cols: usize| -> Result<(Tensor, crate::layout::Layout)> {
            let mut shape = batch.clone();
            shape.extend([rows, cols]);
            let view = t.broadcast_to(&shape)?;
            match view.layout().merge_leading(batch.len()) {
                Some(layout) => Ok((view, layout)),
                None => {
                    let copy = view.contiguous()?;
                    let layout = copy
                        .layout()
                        .merge_leading(batch.len())
                        .ok_or(Error::Invalid { op, msg: "internal: a contiguous layout could not be merged".into() })?;
                    Ok((copy, layout))
                }
            }
        };
        let ((av, al), (bv, bl)) = (flat(&a, m, k)?, flat(&b, k, n)?);
        let storage = self.device().matmul(&av.storage(), &al, &bv.storage(), &bl)?;
        let mut shape = batch.clone();
        shape.extend([m, n]);
        let out = a.derived(storage, &shape, || Op::Matmul(a.clone(), b.clone()), &[&a, &b]);
        match (self.rank(), rhs.rank()) {
            (1, 1) => out.reshape(&[]),
            (1, _) => out.squeeze(Some(-2)),
            (_, 1) => out.squeeze(Some(-1)),
            _ => Ok(out),
        }
    }

    /// `act(self @ weight + bias)`, a dense layer: one fused kernel on WebGPU. `self` is `[..., k]`,
    /// `weight` `[k, n]`, `bias` `[n]`; the result is `[..., n]`.
    pub fn linear(&self, weight: &Tensor, bias: &Tensor, act: Activation) -> Result<Tensor> {
        let op = "linear";
        self.check_device(op, weight)?;
        self.check_device(op, bias)?;
        if weight.rank() != 2 {
            return Err(Error::Rank { op, expected: 2, got: weight.shape().to_vec() });
        }
        let (k, n) = (weight.shape()[0], weight.shape()[1]);
        if self.rank() == 0 || self.shape()[self.rank() - 1] != k {
            let why = "the input's last dimension must equal the weight's rows";
            return Err(Error::ShapeMismatch { op, lhs: self.shape().to_vec(), rhs: weight.shape().to_vec(), why });
        }
        if bias.shape() != [n] {
            let why = "the bias must have one value per output column";
            return Err(Error::ShapeMismatch { op, lhs: weight.shape().to_vec(), rhs: bias.shape().to_vec(), why });
        }
        let (w, b) = (weight.cast(DType::F32)?, bias.cast(DType::F32)?);
        let rows: usize = self.shape()[..self.rank() - 1].iter().product();
        let x = self.cast(DType::F32)?.reshape(&[rows, k])?;
        let mut shape = self.shape()[..self.rank() - 1].to_vec();
        shape.push(n);
        checked_numel(op, &shape)?;
        let storage = self.device().linear(&x.storage(), x.layout(), &w.storage(), w.layout(), &b.storage(), b.layout(), act)?;
        let record = || Op::Linear { x: x.clone(), weight: w.clone(), bias: b.clone(), act };
        Ok(x.derived(storage, &shape, record, &[&x, &w, &b]))
    }
}
