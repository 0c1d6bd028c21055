//! Merge layers, functions of several inputs with no weights: elementwise (`Add`, `Subtract`,
//! `Multiply`, `Average`, `Maximum`, `Minimum`) and `Concatenate`. They take their inputs through
//! [`Module::call`]; `forward` of one tensor is an error.

use std::rc::Rc;

use crate::error::{Error, Result};
use crate::nn::Module;
use crate::tensor::Tensor;

/// How an elementwise merge combines its inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MergeKind {
    Add,
    /// The first input minus the second (exactly two inputs).
    Subtract,
    Multiply,
    /// The sum divided by the number of inputs.
    Average,
    Maximum,
    Minimum,
}

impl MergeKind {
    /// The layer kind's name, which its errors carry.
    pub fn name(self) -> &'static str {
        match self {
            MergeKind::Add => "add",
            MergeKind::Subtract => "subtract",
            MergeKind::Multiply => "multiply",
            MergeKind::Average => "average",
            MergeKind::Maximum => "maximum",
            MergeKind::Minimum => "minimum",
        }
    }
}

/// The error of `forward` on a merge layer.
fn one_input(op: &'static str, x: &Tensor) -> Error {
    Error::Invalid { op, msg: format!("a merge layer takes a list of inputs, got one tensor of shape {:?}", x.shape()) }
}

/// Checks there are at least two inputs, each with a batch axis, all of one batch size.
fn check_inputs(op: &'static str, inputs: &[Tensor]) -> Result<()> {
    if inputs.len() < 2 {
        return Err(Error::Invalid { op, msg: format!("a merge layer takes at least 2 inputs, got {}", inputs.len()) });
    }
    if let Some(t) = inputs.iter().find(|t| t.rank() == 0) {
        return Err(Error::Rank { op, expected: 1, got: t.shape().to_vec() });
    }
    let batch = inputs[0].shape()[0];
    if let Some(t) = inputs.iter().find(|t| t.shape()[0] != batch) {
        let why = "merged inputs must have the same batch size";
        return Err(Error::ShapeMismatch { op, lhs: inputs[0].shape().to_vec(), rhs: t.shape().to_vec(), why });
    }
    Ok(())
}

/// The inputs as TensorFlow.js (and Keras) broadcast them in a merge: an input of lower rank gets
/// size-1 axes inserted after the batch axis up to the highest rank, then the sample axes broadcast
/// (sizes equal or 1).
fn aligned(op: &'static str, inputs: &[Tensor]) -> Result<Vec<Tensor>> {
    check_inputs(op, inputs)?;
    let rank = inputs.iter().map(Tensor::rank).max().unwrap_or(1);
    let mut out = Vec::with_capacity(inputs.len());
    let mut shape = vec![1; rank];
    for t in inputs {
        let mut t = t.clone();
        while t.rank() < rank {
            t = t.unsqueeze(1)?;
        }
        for (s, &d) in shape.iter_mut().zip(t.shape()) {
            if *s == 1 {
                *s = d;
            } else if d != 1 && d != *s {
                let why = "merged inputs' sample axes must be equal or 1";
                return Err(Error::ShapeMismatch { op, lhs: inputs[0].shape().to_vec(), rhs: t.shape().to_vec(), why });
            }
        }
        out.push(t);
    }
    Ok(out)
}

/// An elementwise merge of its inputs.
pub struct Merge(pub MergeKind);

impl Module for Merge {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        Err(one_input(self.0.name(), x))
    }

    fn kind(&self) -> &'static str {
        match self.0 {
            MergeKind::Add => "Add",
            MergeKind::Subtract => "Subtract",
            MergeKind::Multiply => "Multiply",
            MergeKind::Average => "Average",
            MergeKind::Maximum => "Maximum",
            MergeKind::Minimum => "Minimum",
        }
    }

    fn call(&self, inputs: &[Tensor]) -> Result<Vec<Tensor>> {
        let op = self.0.name();
        if self.0 == MergeKind::Subtract && inputs.len() != 2 {
            return Err(Error::Invalid { op, msg: format!("takes exactly 2 inputs, got {}", inputs.len()) });
        }
        let xs = aligned(op, inputs)?;
        let (first, rest) = xs.split_first().ok_or(Error::Invalid { op, msg: "no inputs".into() })?;
        let combine = |a: Tensor, b: &Tensor| match self.0 {
            MergeKind::Add | MergeKind::Average => a.add(b),
            MergeKind::Subtract => a.sub(b),
            MergeKind::Multiply => a.mul(b),
            MergeKind::Maximum => a.maximum(b),
            MergeKind::Minimum => a.minimum(b),
        };
        let y = rest.iter().try_fold(first.clone(), combine)?;
        let y = if self.0 == MergeKind::Average { y.mul_scalar(1.0 / xs.len() as f64)? } else { y };
        Ok(vec![y])
    }
}

/// Joins its inputs along a sample axis (`Concatenate`); every other axis must match.
pub struct Concatenate {
    pub axis: isize,
}

impl Module for Concatenate {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        Err(one_input("concatenate", x))
    }

    fn kind(&self) -> &'static str {
        "Concatenate"
    }

    fn call(&self, inputs: &[Tensor]) -> Result<Vec<Tensor>> {
        let op = "concatenate";
        check_inputs(op, inputs)?;
        let first = &inputs[0];
        let axis = first.axis(op, self.axis)?;
        if axis == 0 {
            return Err(Error::Invalid { op, msg: format!("axis {} is the batch axis of inputs of shape {:?}", self.axis, first.shape()) });
        }
        for t in inputs {
            let same = t.rank() == first.rank() && (0..t.rank()).all(|d| d == axis || t.shape()[d] == first.shape()[d]);
            if !same {
                let why = "concatenated inputs must match on every axis but the concatenation axis";
                return Err(Error::ShapeMismatch { op, lhs: first.shape().to_vec(), rhs: t.shape().to_vec(), why });
            }
        }
        Ok(vec![Tensor::concat(inputs, axis as isize)?])
    }
}

crate::layer_config! {
    /// The sum of its inputs (`Add`).
    pub struct AddConfig {}
}

crate::layer_config! {
    /// The first input minus the second (`Subtract`).
    pub struct SubtractConfig {}
}

crate::layer_config! {
    /// The product of its inputs (`Multiply`).
    pub struct MultiplyConfig {}
}

crate::layer_config! {
    /// The mean of its inputs (`Average`).
    pub struct AverageConfig {}
}

crate::layer_config! {
    /// The elementwise maximum of its inputs (`Maximum`).
    pub struct MaximumConfig {}
}

crate::layer_config! {
    /// The elementwise minimum of its inputs (`Minimum`).
    pub struct MinimumConfig {}
}

crate::impl_layer_config!(AddConfig, |_c, _flavor, _device| Ok(Rc::new(Merge(MergeKind::Add))));
crate::impl_layer_config!(SubtractConfig, |_c, _flavor, _device| Ok(Rc::new(Merge(MergeKind::Subtract))));
crate::impl_layer_config!(MultiplyConfig, |_c, _flavor, _device| Ok(Rc::new(Merge(MergeKind::Multiply))));
crate::impl_layer_config!(AverageConfig, |_c, _flavor, _device| Ok(Rc::new(Merge(MergeKind::Average))));
crate::impl_layer_config!(MaximumConfig, |_c, _flavor, _device| Ok(Rc::new(Merge(MergeKind::Maximum))));
crate::impl_layer_config!(MinimumConfig, |_c, _flavor, _device| Ok(Rc::new(Merge(MergeKind::Minimum))));

crate::layer_config! {
    /// Its inputs joined along a sample axis (`Concatenate`).
    pub struct ConcatenateConfig {
        /// One axis (negative: from the end), not the batch axis.
        axis: Vec<i64> = vec![-1],
    }
}

crate::impl_layer_config!(ConcatenateConfig, |c, _flavor, _device| match c.axis[..] {
    [axis] => Ok(Rc::new(Concatenate { axis: axis as isize })),
    _ => Err(Error::Invalid { op: "concatenate", msg: format!("axis must be one integer, got {:?}", c.axis) }),
});
