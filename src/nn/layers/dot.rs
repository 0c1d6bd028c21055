//! The `Dot` merge layer: per-sample dot products of two inputs along an axis of each (Keras's
//! `batch_dot`).

use std::rc::Rc;

use crate::error::{Error, Result};
use crate::nn::Module;
use crate::tensor::Tensor;

/// TensorFlow.js's floor under a squared norm when normalising (its backend epsilon).
const NORM_EPSILON: f64 = 1e-7;

/// For each sample, `x` and `y` contracted along `axes` (axes of the whole inputs, batch axis 0,
/// negative from the end; the batch axis cannot be one): `[n, ...x_rest, ...y_rest]`, or `[n, 1]`
/// when nothing is left. With `normalize`, both are first divided by their L2 norm along the axis,
/// so the output is the cosine similarity. TensorFlow.js takes inputs of rank 2 and 3; any rank of
/// at least 2 works here, as in Keras 3.
pub struct Dot {
    pub axes: [isize; 2],
    pub normalize: bool,
}

/// `x / sqrt(max(sum(x², axis), 1e-7))`, as TensorFlow.js's `l2Normalize`.
fn l2_normalize(x: &Tensor, axis: usize) -> Result<Tensor> {
    let squares = x.square()?.sum_dims(Some(&[axis as isize]), true)?;
    x.div(&squares.maximum(&squares.scalar_like(NORM_EPSILON)?)?.sqrt()?)
}

/// `x` with axis `a` moved to position `to` (the others keep their order).
fn move_axis(x: &Tensor, a: usize, to: usize) -> Result<Tensor> {
    let mut order: Vec<isize> = (0..x.rank() as isize).filter(|&d| d != a as isize).collect();
    order.insert(to, a as isize);
    x.permute(&order)
}

impl Module for Dot {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        Err(Error::Invalid { op: "dot", msg: format!("a merge layer takes a list of inputs, got one tensor of shape {:?}", x.shape()) })
    }

    fn kind(&self) -> &'static str {
        "Dot"
    }

    fn call(&self, inputs: &[Tensor]) -> Result<Vec<Tensor>> {
        let op = "dot";
        let [x, y] = inputs else {
            return Err(Error::Invalid { op, msg: format!("takes exactly 2 inputs, got {}", inputs.len()) });
        };
        for t in [x, y] {
            if t.rank() < 2 {
                return Err(Error::Rank { op, expected: 2, got: t.shape().to_vec() });
            }
        }
        let (ax, ay) = (x.axis(op, self.axes[0])?, y.axis(op, self.axes[1])?);
        if ax == 0 || ay == 0 {
            return Err(Error::Invalid { op, msg: format!("axes {:?} include the batch axis", self.axes) });
        }
        if x.shape()[0] != y.shape()[0] || x.shape()[ax] != y.shape()[ay] {
            let why = "the inputs must have one batch size and one size along the axes";
            return Err(Error::ShapeMismatch { op, lhs: x.shape().to_vec(), rhs: y.shape().to_vec(), why });
        }
        let (x, y) = if self.normalize { (l2_normalize(x, ax)?, l2_normalize(y, ay)?) } else { (x.clone(), y.clone()) };
        let (n, k) = (x.shape()[0], x.shape()[ax]);
        // [n, ...x_rest, k] @ [n, k, ...y_rest] as [n, m, k] @ [n, k, p].
        let x = move_axis(&x, ax, x.rank() - 1)?;
        let y = move_axis(&y, ay, 1)?;
        let (x_rest, y_rest) = (&x.shape()[1..x.rank() - 1], &y.shape()[2..]);
        let (m, p) = (x_rest.iter().product::<usize>(), y_rest.iter().product::<usize>());
        let mut shape: Vec<usize> = [&[n][..], x_rest, y_rest].concat();
        if shape.len() == 1 {
            shape.push(1);
        }
        let out = x.reshape(&[n, m, k])?.matmul(&y.reshape(&[n, k, p])?)?;
        Ok(vec![out.reshape(&shape)?])
    }
}

crate::layer_config! {
    /// Per-sample dot products of two inputs (`Dot`).
    pub struct DotConfig {
        /// One axis for both inputs or `[axisOfFirst, axisOfSecond]` (batch axis 0 excluded).
        axes: Vec<i64>,
        /// Divide each input by its L2 norm along the axis first (cosine similarity).
        normalize: bool = false,
    }
}

crate::impl_layer_config!(DotConfig, |c, _flavor, _device| {
    let axes = match c.axes[..] {
        [a] => [a as isize; 2],
        [a, b] => [a as isize, b as isize],
        _ => return Err(Error::Invalid { op: "dot", msg: format!("axes must be one or two integers, got {:?}", c.axes) }),
    };
    Ok(Rc::new(Dot { axes, normalize: c.normalize }))
});
