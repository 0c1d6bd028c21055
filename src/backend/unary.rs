//! The unary op table: one row per elementwise op of one operand, and everything about the op
//! generated from it, so that nothing can drift — the [`UnaryOp`] variant and its place in
//! [`UnaryOp::ALL`], the JS name, the doc comment, the `Tensor` method, the CPU scalar function per
//! dtype, the WGSL snippet per dtype, the gradient and the domain the gradient is checked on.
//! `src/codegen` renders the TS methods and name unions from the same rows.
//!
//! A row reads:
//!
//! ```text
//! /// Doc comment (the variant's, the Rust method's and the TS method's).
//! Variant {
//!     js: "name" | internal,         // the JS API name; internal: no name, no method
//!     method: rust_name | _,         // the `Tensor` method (`_`: none, or written by hand)
//!     ts: true | false,              // whether ts/generated/unary.ts has the TS method
//!     float: (|x| f32 expr, "WGSL of v") | -,
//!     int: (|x| i32 expr, "WGSL of v") | -,
//!     bool: (|x| bool expr, "WGSL of v") | -,
//!     grad: (|x, y, g| dL/dx given the output y and its gradient g, Domain) | zero,
//! }
//! ```
//!
//! The CPU expressions are the reference the WGSL snippets are tested against; the WGSL helpers
//! they call are in `shaders/common.wgsl` (mind its precision notes: SwiftShader is fast-math), the
//! CPU helpers in `cpu/math.rs`, named gradient rules in `backprop.rs`.

use crate::backend::cpu::math;
use crate::backprop::positive_part;
use crate::dtype::DType;
use crate::error::Result;
use crate::tensor::Tensor;

/// Where the gradient check draws an op's inputs from, away from its kinks and poles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GradDomain {
    /// [-1, 1).
    Any,
    /// ±[0.2, 1): away from 0.
    NonZero,
    /// [0.5, 1.5).
    Positive,
}

macro_rules! unary_name {
    (internal) => {
        None
    };
    ($name:literal) => {
        Some($name)
    };
}

macro_rules! unary_method {
    ($op:ident, _, $($doc:literal)*) => {};
    ($op:ident, $method:ident, $($doc:literal)*) => {
        $(#[doc = $doc])*
        pub fn $method(&self) -> Result<Tensor> {
            self.unary(UnaryOp::$op)
        }
    };
}

macro_rules! unary_eval {
    ($v:ident, -) => {
        $v
    };
    ($v:ident, (|$x:ident| $e:expr, $wgsl:literal)) => {{
        let $x = $v;
        $e
    }};
}

macro_rules! unary_grad {
    ($x:ident, $y:ident, $g:ident, zero) => {
        Tensor::zeros($x.shape(), DType::F32, $x.device())
    };
    ($x:ident, $y:ident, $g:ident, (|$px:tt, $py:tt, $pg:tt| $e:expr, $domain:ident)) => {{
        let ($px, $py, $pg) = ($x, $y, $g);
        $e
    }};
}

macro_rules! unary_domain {
    (zero) => {
        None
    };
    ((|$px:tt, $py:tt, $pg:tt| $e:expr, $domain:ident)) => {
        Some(GradDomain::$domain)
    };
}

macro_rules! unary_table {
    ($(
        $(#[doc = $doc:literal])*
        $op:ident {
            js: $js:tt,
            method: $method:tt,
            ts: $ts:literal,
            float: $float:tt,
            int: $int:tt,
            bool: $bool:tt,
            grad: $grad:tt,
        }
    )+) => {
        /// Elementwise functions of one operand, one per row of the table in `backend/unary.rs`.
        /// Float ops take f32 (the tensor layer casts ints and bools); a few also take i32 or bool.
        /// The internal ops (`Copy` and the `*Grad` derivatives backward uses) have no JS name.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum UnaryOp {
            $($(#[doc = $doc])* $op,)+
        }

        impl UnaryOp {
            /// Every op, in table order.
            pub const ALL: [UnaryOp; [$(stringify!($op)),+].len()] = [$(UnaryOp::$op),+];

            /// The op's name in the JS API (`"exp"`, `"geluTanh"`, `"logicalNot"`, …); `None` for the
            /// internal copy and derivative ops.
            pub fn name(self) -> Option<&'static str> {
                match self {
                    $(UnaryOp::$op => unary_name!($js),)+
                }
            }

            /// The op's doc comment, one line per row of it.
            pub fn doc(self) -> &'static [&'static str] {
                match self {
                    $(UnaryOp::$op => &[$($doc),*],)+
                }
            }

            /// True when the TS `Tensor` method of this op is generated (false for internal ops and
            /// for those whose TS method is written by hand, like `gelu` with its options).
            pub fn ts_method(self) -> bool {
                match self {
                    $(UnaryOp::$op => $ts,)+
                }
            }

            /// True for ops defined on f32.
            pub fn takes_float(self) -> bool {
                match self {
                    $(UnaryOp::$op => cell_takes!($float),)+
                }
            }

            /// True for ops defined on i32 as well.
            pub fn takes_int(self) -> bool {
                match self {
                    $(UnaryOp::$op => cell_takes!($int),)+
                }
            }

            /// True for ops defined on bool.
            pub fn takes_bool(self) -> bool {
                match self {
                    $(UnaryOp::$op => cell_takes!($bool),)+
                }
            }

            /// The op at `x` (`x` itself for an op that does not take f32: backends never ask).
            pub fn eval_f32(self, x: f32) -> f32 {
                match self {
                    $(UnaryOp::$op => unary_eval!(x, $float),)+
                }
            }

            /// The op at `x` for an op that takes i32 (wrapping like two's complement; `x` itself
            /// otherwise).
            pub fn eval_i32(self, x: i32) -> i32 {
                match self {
                    $(UnaryOp::$op => unary_eval!(x, $int),)+
                }
            }

            /// The op at `x` for an op that takes bool (`x` itself otherwise).
            pub fn eval_bool(self, x: bool) -> bool {
                match self {
                    $(UnaryOp::$op => unary_eval!(x, $bool),)+
                }
            }

            /// The WGSL expression of `v` for `dtype`, or `None` where the op does not take it.
            pub fn wgsl(self, dtype: DType) -> Option<&'static str> {
                match (self, dtype) {
                    $(
                        (UnaryOp::$op, DType::F32) => cell_wgsl!($float),
                        (UnaryOp::$op, DType::I32) => cell_wgsl!($int),
                        (UnaryOp::$op, DType::Bool) => cell_wgsl!($bool),
                    )+
                }
            }

            /// Where the gradient check draws this op's inputs from; `None` for an op whose
            /// gradient is zero (piecewise constant, or a derivative op never differentiated).
            pub fn grad_domain(self) -> Option<GradDomain> {
                match self {
                    $(UnaryOp::$op => unary_domain!($grad),)+
                }
            }

            /// The gradient with respect to the input `x`, given the output `y` and its gradient `g`.
            pub(crate) fn gradient(self, x: &Tensor, y: &Tensor, g: &Tensor) -> Result<Tensor> {
                match self {
                    $(UnaryOp::$op => unary_grad!(x, y, g, $grad),)+
                }
            }
        }

        impl Tensor {
            $(unary_method!($op, $method, $($doc)*);)+
        }
    };
}

unary_table! {
    /// A copy (to contiguous storage); any dtype.
    Copy {
        js: internal, method: _, ts: false,
        float: (|x| x, "v"), int: (|x| x, "v"), bool: (|x| x, "v"),
        grad: (|_, _, g| Ok(g.clone()), Any),
    }
    /// `-x`.
    Neg {
        js: "neg", method: neg, ts: true,
        float: (|x| -x, "-v"), int: (|x| x.wrapping_neg(), "-v"), bool: -,
        grad: (|_, _, g| g.neg(), Any),
    }
    /// `|x|`.
    Abs {
        js: "abs", method: abs, ts: true,
        float: (|x| x.abs(), "abs(v)"), int: (|x| x.wrapping_abs(), "abs(v)"), bool: -,
        grad: (|x, _, g| g.mul(&x.sign()?), NonZero),
    }
    /// `e^x`.
    Exp {
        js: "exp", method: exp, ts: true,
        float: (|x| x.exp(), "keep_nan(v, exp(v))"), int: -, bool: -,
        grad: (|_, y, g| g.mul(y), Any),
    }
    /// `e^x - 1`, accurate near 0 (as PyTorch's `expm1` and TF.js's `tf.expm1`).
    Expm1 {
        js: "expm1", method: expm1, ts: true,
        float: (|x| x.exp_m1(), "keep_nan(v, select(exp(v) - 1.0, v * (1.0 + v * (0.5 + v * (0.16666667 + v * (0.041666668 + v * (0.008333334 + v * 0.0013888889))))), abs(v) < 0.1))"), int: -, bool: -,
        grad: (|_, y, g| g.mul(&y.add_scalar(1.0)?), Any),
    }
    /// Natural logarithm.
    Log {
        js: "log", method: log, ts: true,
        float: (|x| x.ln(), "log_f(v)"), int: -, bool: -,
        grad: (|x, _, g| g.div(x), Positive),
    }
    /// `ln(1 + x)`, accurate near 0.
    Log1p {
        js: "log1p", method: log1p, ts: true,
        float: (|x| x.ln_1p(), "log1p(v)"), int: -, bool: -,
        grad: (|x, _, g| g.div(&x.add_scalar(1.0)?), Positive),
    }
    /// Square root.
    Sqrt {
        js: "sqrt", method: sqrt, ts: true,
        float: (|x| x.sqrt(), "keep_nan(v, sqrt(v))"), int: -, bool: -,
        grad: (|_, y, g| g.div(&y.mul_scalar(2.0)?), Positive),
    }
    /// `1 / sqrt(x)`.
    Rsqrt {
        js: "rsqrt", method: rsqrt, ts: true,
        float: (|x| 1.0 / x.sqrt(), "keep_nan(v, inverseSqrt(v))"), int: -, bool: -,
        grad: (|_, y, g| g.mul(&y.pow_scalar(3.0)?.mul_scalar(-0.5)?), Positive),
    }
    /// `x * x`.
    Square {
        js: "square", method: square, ts: true,
        float: (|x| x * x, "v * v"), int: (|x| x.wrapping_mul(x), "v * v"), bool: -,
        grad: (|x, _, g| g.mul(&x.mul_scalar(2.0)?), Any),
    }
    /// `1 / x`.
    Reciprocal {
        js: "reciprocal", method: reciprocal, ts: true,
        float: (|x| 1.0 / x, "1.0 / v"), int: -, bool: -,
        grad: (|_, y, g| g.mul(&y.square()?.neg()?), Positive),
    }
    /// Sine (radians).
    Sin {
        js: "sin", method: sin, ts: true,
        float: (|x| x.sin(), "sin_f(v)"), int: -, bool: -,
        grad: (|x, _, g| g.mul(&x.cos()?), Any),
    }
    /// Cosine (radians).
    Cos {
        js: "cos", method: cos, ts: true,
        float: (|x| x.cos(), "cos_f(v)"), int: -, bool: -,
        grad: (|x, _, g| g.mul(&x.sin()?.neg()?), Any),
    }
    /// Hyperbolic tangent.
    Tanh {
        js: "tanh", method: tanh, ts: true,
        float: (|x| x.tanh(), "safe_tanh(v)"), int: -, bool: -,
        grad: (|_, y, g| g.mul(&y.unary(UnaryOp::TanhGradFromOutput)?), Any),
    }
    /// `1 / (1 + e^-x)`, stable for large |x|.
    Sigmoid {
        js: "sigmoid", method: sigmoid, ts: true,
        float: (|x| math::sigmoid(x), "keep_nan(v, sigmoid(v))"), int: -, bool: -,
        grad: (|_, y, g| g.mul(&y.unary(UnaryOp::SigmoidGradFromOutput)?), Any),
    }
    /// `max(x, 0)` (gradient 0 at 0; NaN passes through).
    Relu {
        js: "relu", method: relu, ts: true,
        float: (|x| math::relu(x), "select(v, 0.0, v <= 0.0)"), int: -, bool: -,
        grad: (|x, _, g| positive_part(g, x), NonZero),
    }
    /// GELU, exact form `x * Φ(x)` with the erf.
    Gelu {
        js: "gelu", method: gelu, ts: false,
        float: (|x| math::gelu(x), "keep_nan(v, 0.5 * v * (1.0 + erf(v * 0.70710678)))"), int: -, bool: -,
        grad: (|x, _, g| g.mul(&x.unary(UnaryOp::GeluGrad)?), Any),
    }
    /// GELU, tanh approximation.
    GeluTanh {
        js: "geluTanh", method: gelu_tanh, ts: false,
        float: (|x| math::gelu_tanh(x), "0.5 * v * (1.0 + safe_tanh(0.7978846 * (v + 0.044715 * v * v * v)))"), int: -, bool: -,
        grad: (|x, _, g| g.mul(&x.unary(UnaryOp::GeluTanhGrad)?), Any),
    }
    /// `x * sigmoid(x)` (swish).
    Silu {
        js: "silu", method: silu, ts: true,
        float: (|x| x * math::sigmoid(x), "keep_nan(v, v * sigmoid(v))"), int: -, bool: -,
        grad: (|x, _, g| g.mul(&x.unary(UnaryOp::SiluGrad)?), Any),
    }
    /// `ln(1 + e^x)`, stable.
    Softplus {
        js: "softplus", method: softplus, ts: true,
        float: (|x| x.max(0.0) + (-x.abs()).exp().ln_1p(), "keep_nan(v, max(v, 0.0) + log1p(exp(-abs(v))))"), int: -, bool: -,
        grad: (|x, _, g| g.mul(&x.sigmoid()?), Any),
    }
    /// -1, 0 or 1 (NaN passes through).
    Sign {
        js: "sign", method: sign, ts: true,
        float: (|x| math::sign(x), "select(sign(v), v, is_nan(v))"), int: (|x| x.signum(), "sign(v)"), bool: -,
        grad: zero,
    }
    /// The largest integer not above `x`.
    Floor {
        js: "floor", method: floor, ts: true,
        float: (|x| x.floor(), "floor(v)"), int: -, bool: -,
        grad: zero,
    }
    /// The smallest integer not below `x`.
    Ceil {
        js: "ceil", method: ceil, ts: true,
        float: (|x| x.ceil(), "ceil(v)"), int: -, bool: -,
        grad: zero,
    }
    /// Rounds half to even, as NumPy, PyTorch and TensorFlow do.
    Round {
        js: "round", method: round, ts: true,
        float: (|x| x.round_ties_even(), "round(v)"), int: -, bool: -,
        grad: zero,
    }
    /// The error function.
    Erf {
        js: "erf", method: erf, ts: true,
        float: (|x| libm::erff(x), "keep_nan(v, erf(v))"), int: -, bool: -,
        grad: (|x, _, g| g.mul(&x.square()?.neg()?.exp()?.mul_scalar(std::f64::consts::FRAC_2_SQRT_PI)?), Any),
    }
    /// Elementwise negation of truth (nonzero is true).
    Not {
        js: "logicalNot", method: logical_not, ts: true,
        float: -, int: -, bool: (|x| !x, "select(1u, 0u, v != 0u)"),
        grad: zero,
    }
    /// GELU's derivative.
    GeluGrad {
        js: internal, method: _, ts: false,
        float: (|x| math::gelu_grad(x), "gelu_grad(v)"), int: -, bool: -,
        grad: zero,
    }
    /// The tanh-approximated GELU's derivative.
    GeluTanhGrad {
        js: internal, method: _, ts: false,
        float: (|x| math::gelu_tanh_grad(x), "gelu_tanh_grad(v)"), int: -, bool: -,
        grad: zero,
    }
    /// SiLU's derivative.
    SiluGrad {
        js: internal, method: _, ts: false,
        float: (|x| math::silu_grad(x), "silu_grad(v)"), int: -, bool: -,
        grad: zero,
    }
    /// `y * (1 - y)`: the sigmoid's derivative from its output `y`.
    SigmoidGradFromOutput {
        js: internal, method: _, ts: false,
        float: (|x| x * (1.0 - x), "v * (1.0 - v)"), int: -, bool: -,
        grad: zero,
    }
    /// `1 - y^2`: tanh's derivative from its output `y`.
    TanhGradFromOutput {
        js: internal, method: _, ts: false,
        float: (|x| 1.0 - x * x, "1.0 - v * v"), int: -, bool: -,
        grad: zero,
    }
}

impl UnaryOp {
    /// The op called `name` (see [`UnaryOp::name`]).
    pub fn from_name(name: &str) -> Option<UnaryOp> {
        UnaryOp::ALL.iter().copied().find(|op| op.name() == Some(name))
    }
}
