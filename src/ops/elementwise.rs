//! Elementwise ops: unary math, binary arithmetic with NumPy broadcasting and dtype promotion,
//! comparisons, logic, `where`, and casts (the unary ops' methods come from their table in
//! `backend/unary.rs`).

use crate::backend::{BinaryOp, UnaryOp};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::layout::broadcast_shapes;
use crate::op::Op;
use crate::tensor::Tensor;

impl Tensor {
    /// Applies a unary primitive; float ops on int or bool tensors compute in f32.
    pub fn unary(&self, op: UnaryOp) -> Result<Tensor> {
        let x = match (op, self.dtype()) {
            (UnaryOp::Not, DType::Bool) | (_, DType::F32) => self.clone(),
            (UnaryOp::Not, _) => self.cast(DType::Bool)?,
            (op, DType::I32) if op.takes_int() => self.clone(),
            (op, DType::Bool) if op.takes_int() => self.cast(DType::I32)?,
            _ => self.cast(DType::F32)?,
        };
        let storage = self.device().unary(op, &x.storage(), x.layout())?;
        Ok(x.derived(storage, x.shape(), || Op::Unary(op, x.clone()), &[&x]))
    }

    /// The elements converted to `dtype` (a copy; gradients do not flow through casts).
    pub fn cast(&self, dtype: DType) -> Result<Tensor> {
        if dtype == self.dtype() {
            return Ok(self.clone());
        }
        let storage = self.device().cast(&self.storage(), self.layout(), dtype)?;
        Ok(self.untracked(storage, self.shape()))
    }

    /// A rank-0 tensor of this tensor's dtype and device.
    pub(crate) fn scalar_like(&self, value: f64) -> Result<Tensor> {
        Tensor::full(&[], value, self.dtype(), self.device())
    }

    /// Applies a binary primitive with broadcasting. Operands are promoted to a common dtype
    /// (bool < int32 < float32); arithmetic on bools computes in int32, and `div`/`pow` in float32.
    pub fn binary(&self, op: BinaryOp, rhs: &Tensor) -> Result<Tensor> {
        let name = op.name();
        self.check_device(name, rhs)?;
        let shape = broadcast_shapes(name, self.shape(), rhs.shape())?;
        let mut dtype = self.dtype().promote(rhs.dtype());
        if op.is_logical() {
            dtype = DType::Bool;
        } else if !op.is_comparison() {
            if dtype == DType::Bool {
                dtype = DType::I32;
            }
            if !op.takes_int() {
                dtype = DType::F32;
            }
        }
        let (a, b) = (self.cast(dtype)?, rhs.cast(dtype)?);
        let (al, bl) = (a.layout().broadcast_to(name, &shape)?, b.layout().broadcast_to(name, &shape)?);
        let storage = self.device().binary(op, &a.storage(), &al, &b.storage(), &bl)?;
        Ok(a.derived(storage, &shape, || Op::Binary(op, a.clone(), b.clone()), &[&a, &b]))
    }

    /// Elementwise `self + rhs` with NumPy broadcasting.
    pub fn add(&self, rhs: &Tensor) -> Result<Tensor> {
        self.binary(BinaryOp::Add, rhs)
    }

    pub fn sub(&self, rhs: &Tensor) -> Result<Tensor> {
        self.binary(BinaryOp::Sub, rhs)
    }

    pub fn mul(&self, rhs: &Tensor) -> Result<Tensor> {
        self.binary(BinaryOp::Mul, rhs)
    }

    /// True division (ints give float32).
    pub fn div(&self, rhs: &Tensor) -> Result<Tensor> {
        self.binary(BinaryOp::Div, rhs)
    }

    pub fn pow(&self, rhs: &Tensor) -> Result<Tensor> {
        self.binary(BinaryOp::Pow, rhs)
    }

    /// Elementwise maximum (NaN propagates; ties split the gradient, as in PyTorch).
    pub fn maximum(&self, rhs: &Tensor) -> Result<Tensor> {
        self.binary(BinaryOp::Maximum, rhs)
    }

    pub fn minimum(&self, rhs: &Tensor) -> Result<Tensor> {
        self.binary(BinaryOp::Minimum, rhs)
    }

    pub fn eq(&self, rhs: &Tensor) -> Result<Tensor> {
        self.binary(BinaryOp::Eq, rhs)
    }

    pub fn ne(&self, rhs: &Tensor) -> Result<Tensor> {
        self.binary(BinaryOp::Ne, rhs)
    }

    pub fn lt(&self, rhs: &Tensor) -> Result<Tensor> {
        self.binary(BinaryOp::Lt, rhs)
    }

    pub fn le(&self, rhs: &Tensor) -> Result<Tensor> {
        self.binary(BinaryOp::Le, rhs)
    }

    pub fn gt(&self, rhs: &Tensor) -> Result<Tensor> {
        self.binary(BinaryOp::Gt, rhs)
    }

    pub fn ge(&self, rhs: &Tensor) -> Result<Tensor> {
        self.binary(BinaryOp::Ge, rhs)
    }

    pub fn logical_and(&self, rhs: &Tensor) -> Result<Tensor> {
        self.binary(BinaryOp::And, rhs)
    }

    pub fn logical_or(&self, rhs: &Tensor) -> Result<Tensor> {
        self.binary(BinaryOp::Or, rhs)
    }

    /// `op(self, value)` with a scalar of this tensor's dtype (float32 for a fractional value on ints).
    pub fn binary_scalar(&self, op: BinaryOp, value: f64) -> Result<Tensor> {
        let scalar = if self.dtype() != DType::F32 && value.fract() != 0.0 {
            Tensor::full(&[], value, DType::F32, self.device())?
        } else {
            self.scalar_like(value)?
        };
        self.binary(op, &scalar)
    }

    /// `self + value`.
    pub fn add_scalar(&self, value: f64) -> Result<Tensor> {
        self.binary_scalar(BinaryOp::Add, value)
    }

    /// `self * value`.
    pub fn mul_scalar(&self, value: f64) -> Result<Tensor> {
        self.binary_scalar(BinaryOp::Mul, value)
    }

    /// `self ^ exponent`.
    pub fn pow_scalar(&self, exponent: f64) -> Result<Tensor> {
        self.binary_scalar(BinaryOp::Pow, exponent)
    }

    /// `cond ? a : b` elementwise, all three broadcast together; `a` and `b` are promoted to one dtype.
    pub fn where_cond(cond: &Tensor, a: &Tensor, b: &Tensor) -> Result<Tensor> {
        cond.check_device("where", a)?;
        cond.check_device("where", b)?;
        let shape = broadcast_shapes("where", &broadcast_shapes("where", cond.shape(), a.shape())?, b.shape())?;
        let dtype = a.dtype().promote(b.dtype());
        let (c, a, b) = (cond.cast(DType::Bool)?, a.cast(dtype)?, b.cast(dtype)?);
        let layouts = [
            c.layout().broadcast_to("where", &shape)?,
            a.layout().broadcast_to("where", &shape)?,
            b.layout().broadcast_to("where", &shape)?,
        ];
        let storage = a.device().select(&c.storage(), &layouts[0], &a.storage(), &layouts[1], &b.storage(), &layouts[2])?;
        let op = || Op::Where { cond: c.clone(), a: a.clone(), b: b.clone() };
        Ok(a.derived(storage, &shape, op, &[&a, &b]))
    }

    /// `x` where `x > 0`, else `alpha * x`.
    pub fn leaky_relu(&self, alpha: f64) -> Result<Tensor> {
        let positive = self.gt(&self.scalar_like(0.0)?)?;
        Tensor::where_cond(&positive, self, &self.mul_scalar(alpha)?)
    }

    /// `x` where `x > 0`, else `alpha * (e^x - 1)`.
    pub fn elu(&self, alpha: f64) -> Result<Tensor> {
        let positive = self.gt(&self.scalar_like(0.0)?)?;
        Tensor::where_cond(&positive, self, &self.exp()?.add_scalar(-1.0)?.mul_scalar(alpha)?)
    }

    /// Limits values to `[min, max]` (either bound optional); the gradient passes inside the bounds,
    /// bounds included, as in PyTorch.
    pub fn clamp(&self, min: Option<f64>, max: Option<f64>) -> Result<Tensor> {
        if let (Some(lo), Some(hi)) = (min, max) {
            if lo > hi {
                return Err(Error::Invalid { op: "clamp", msg: format!("min {lo} is greater than max {hi}") });
            }
        }
        let mut out = self.clone();
        if let Some(lo) = min {
            let lo = out.scalar_like(lo)?;
            out = Tensor::where_cond(&out.lt(&lo)?, &lo, &out)?;
        }
        if let Some(hi) = max {
            let hi = out.scalar_like(hi)?;
            out = Tensor::where_cond(&out.gt(&hi)?, &hi, &out)?;
        }
        Ok(out)
    }
}
