//! The binary op table: one row per elementwise op of two operands of one dtype, and everything
//! about the op generated from it, so that nothing can drift — the [`BinaryOp`] variant and its place
//! in [`BinaryOp::ALL`], the JS name, the doc comment, the dtypes it takes, the CPU scalar function
//! per dtype, the WGSL snippet per dtype, the output dtype, the gradient of each operand and the
//! domains the gradient is checked on. `src/codegen` renders the TS name union from the same rows.
//! The `Tensor` methods (`add`, `eq`, …) are written by hand in `src/ops/elementwise.rs`, which
//! broadcasts and promotes the operands first.
//!
//! A row reads:
//!
//! ```text
//! /// Doc comment (the variant's).
//! Variant {
//!     js: "name",                        // the JS API name (and the name in error messages)
//!     out: same | bool,                  // the output dtype: the operands' or bool
//!     float: (|x, y| f32 expr, "WGSL of x, y") | -,
//!     int: (|x, y| i32 expr, "WGSL of x, y") | -,
//!     bool: (|x, y| bool expr, "WGSL of x, y") | -,
//!     grad: (|a, b, y, g| dL/da, |a, b, y, g| dL/db, (domain of a, domain of b)) | none,
//! }
//! ```
//!
//! A CPU expression yields the output dtype (`bool` for an `out: bool` row); a WGSL snippet of bools
//! sees `u32` 0/1 and yields `u32`. The gradients are before summing over broadcast axes, given the
//! output `y` and its gradient `g`; `none` rows (comparisons, logic) are never differentiated. The
//! WGSL helpers the snippets call are in `shaders/common.wgsl`, the CPU helpers in `cpu/math.rs`,
//! named gradient rules in `backprop.rs`.

use crate::backend::cpu::math;
use crate::backend::GradDomain;
use crate::backprop::{extremum_share, pow_exponent_grad};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::tensor::Tensor;

/// The row's expression at `($a, $b)` where the row's output kind is the one asked for; `$default`
/// otherwise (backends never ask).
macro_rules! binary_eval {
    (same, same, $a:ident, $b:ident, (|$x:ident, $y:ident| $e:expr, $wgsl:literal), $default:expr) => {{
        let ($x, $y) = ($a, $b);
        $e
    }};
    (bool, bool, $a:ident, $b:ident, (|$x:ident, $y:ident| $e:expr, $wgsl:literal), $default:expr) => {{
        let ($x, $y) = ($a, $b);
        $e
    }};
    ($out:ident, $want:ident, $a:ident, $b:ident, $col:tt, $default:expr) => {
        $default
    };
}

macro_rules! binary_takes_bool_eval {
    ($a:ident, $b:ident, -) => {
        false
    };
    ($a:ident, $b:ident, (|$x:ident, $y:ident| $e:expr, $wgsl:literal)) => {{
        let ($x, $y) = ($a, $b);
        $e
    }};
}

macro_rules! binary_yields_bool {
    (same) => {
        false
    };
    (bool) => {
        true
    };
}

macro_rules! binary_grad {
    ($op:ident, $a:ident, $b:ident, $y:ident, $g:ident, $left:ident, none) => {
        Err(Error::Invalid { op: "backward", msg: format!("{:?} has no gradient", BinaryOp::$op) })
    };
    ($op:ident, $a:ident, $b:ident, $y:ident, $g:ident, $left:ident,
     (|$la:tt, $lb:tt, $ly:tt, $lg:tt| $le:expr, |$ra:tt, $rb:tt, $ry:tt, $rg:tt| $re:expr, ($da:ident, $db:ident))) => {
        if $left {
            let ($la, $lb, $ly, $lg) = ($a, $b, $y, $g);
            $le
        } else {
            let ($ra, $rb, $ry, $rg) = ($a, $b, $y, $g);
            $re
        }
    };
}

macro_rules! binary_domains {
    (none) => {
        None
    };
    ((|$la:tt, $lb:tt, $ly:tt, $lg:tt| $le:expr, |$ra:tt, $rb:tt, $ry:tt, $rg:tt| $re:expr, ($da:ident, $db:ident))) => {
        Some((GradDomain::$da, GradDomain::$db))
    };
}

macro_rules! binary_table {
    ($(
        $(#[doc = $doc:literal])*
        $op:ident {
            js: $js:literal,
            out: $out:ident,
            float: $float:tt,
            int: $int:tt,
            bool: $bool:tt,
            grad: $grad:tt,
        }
    )+) => {
        /// Elementwise functions of two operands of one dtype (the tensor layer promotes and
        /// broadcasts), one per row of the table in `backend/binary.rs`. Comparisons yield bool;
        /// `And`/`Or` take bool; `Div` and `Pow` take f32.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum BinaryOp {
            $($(#[doc = $doc])* $op,)+
        }

        impl BinaryOp {
            /// Every op, in table order.
            pub const ALL: [BinaryOp; [$(stringify!($op)),+].len()] = [$(BinaryOp::$op),+];

            /// The op's name in error messages and in the JS API (`"add"`, `"logicalAnd"`, …).
            pub fn name(self) -> &'static str {
                match self {
                    $(BinaryOp::$op => $js,)+
                }
            }

            /// The op's doc comment, one line per row of it.
            pub fn doc(self) -> &'static [&'static str] {
                match self {
                    $(BinaryOp::$op => &[$($doc),*],)+
                }
            }

            /// True for ops defined on f32.
            pub fn takes_float(self) -> bool {
                match self {
                    $(BinaryOp::$op => cell_takes!($float),)+
                }
            }

            /// True for ops defined on i32.
            pub fn takes_int(self) -> bool {
                match self {
                    $(BinaryOp::$op => cell_takes!($int),)+
                }
            }

            /// True for ops defined on bool.
            pub fn takes_bool(self) -> bool {
                match self {
                    $(BinaryOp::$op => cell_takes!($bool),)+
                }
            }

            /// True for the comparisons: ops whose output is bool whatever the operands' dtype.
            pub fn is_comparison(self) -> bool {
                match self {
                    $(BinaryOp::$op => binary_yields_bool!($out),)+
                }
            }

            /// The op at `(x, y)` for an op that takes f32 and keeps it (NaN otherwise: backends never ask).
            pub fn eval_f32(self, x: f32, y: f32) -> f32 {
                match self {
                    $(BinaryOp::$op => binary_eval!($out, same, x, y, $float, f32::NAN),)+
                }
            }

            /// The op at `(x, y)` for an op that takes i32 and keeps it (wrapping like two's
            /// complement; 0 otherwise).
            pub fn eval_i32(self, x: i32, y: i32) -> i32 {
                match self {
                    $(BinaryOp::$op => binary_eval!($out, same, x, y, $int, 0),)+
                }
            }

            /// The comparison at `(x, y)` of f32 operands (false for other ops).
            pub fn test_f32(self, x: f32, y: f32) -> bool {
                match self {
                    $(BinaryOp::$op => binary_eval!($out, bool, x, y, $float, false),)+
                }
            }

            /// The comparison at `(x, y)` of i32 operands (false for other ops).
            pub fn test_i32(self, x: i32, y: i32) -> bool {
                match self {
                    $(BinaryOp::$op => binary_eval!($out, bool, x, y, $int, false),)+
                }
            }

            /// The op at `(x, y)` for an op that takes bool (false otherwise).
            pub fn eval_bool(self, x: bool, y: bool) -> bool {
                match self {
                    $(BinaryOp::$op => binary_takes_bool_eval!(x, y, $bool),)+
                }
            }

            /// The WGSL expression of `x` and `y` for `dtype`, or `None` where the op does not take it.
            pub fn wgsl(self, dtype: DType) -> Option<&'static str> {
                match (self, dtype) {
                    $(
                        (BinaryOp::$op, DType::F32) => cell_wgsl!($float),
                        (BinaryOp::$op, DType::I32) => cell_wgsl!($int),
                        (BinaryOp::$op, DType::Bool) => cell_wgsl!($bool),
                    )+
                }
            }

            /// Where the gradient check draws each operand from; `None` for an op with no gradient.
            pub fn grad_domains(self) -> Option<(GradDomain, GradDomain)> {
                match self {
                    $(BinaryOp::$op => binary_domains!($grad),)+
                }
            }

            /// The gradient with respect to the left (`left`) or right operand, before summing over
            /// broadcast axes, given the output `y` and its gradient `g`.
            pub(crate) fn gradient(self, a: &Tensor, b: &Tensor, y: &Tensor, g: &Tensor, left: bool) -> Result<Tensor> {
                match self {
                    $(BinaryOp::$op => binary_grad!($op, a, b, y, g, left, $grad),)+
                }
            }
        }
    };
}

impl BinaryOp {
    /// The op called `name` (see [`BinaryOp::name`]).
    pub fn from_name(name: &str) -> Option<BinaryOp> {
        BinaryOp::ALL.iter().copied().find(|op| op.name() == name)
    }

    /// True for the logical ops: those that take bool only and keep it.
    pub fn is_logical(self) -> bool {
        self.takes_bool() && !self.takes_float() && !self.takes_int() && !self.is_comparison()
    }

    /// The output dtype for operands of `dtype`.
    pub fn output_dtype(self, dtype: DType) -> DType {
        if self.is_comparison() {
            DType::Bool
        } else {
            dtype
        }
    }
}

binary_table! {
    /// `a + b`.
    Add {
        js: "add", out: same,
        float: (|x, y| x + y, "x + y"), int: (|x, y| x.wrapping_add(y), "x + y"), bool: -,
        grad: (|_, _, _, g| Ok(g.clone()), |_, _, _, g| Ok(g.clone()), (Any, Any)),
    }
    /// `a - b`.
    Sub {
        js: "sub", out: same,
        float: (|x, y| x - y, "x - y"), int: (|x, y| x.wrapping_sub(y), "x - y"), bool: -,
        grad: (|_, _, _, g| Ok(g.clone()), |_, _, _, g| g.neg(), (Any, Any)),
    }
    /// `a * b`.
    Mul {
        js: "mul", out: same,
        float: (|x, y| x * y, "x * y"), int: (|x, y| x.wrapping_mul(y), "x * y"), bool: -,
        grad: (|_, b, _, g| g.mul(b), |a, _, _, g| g.mul(a), (Any, Any)),
    }
    /// `a / b`.
    Div {
        js: "div", out: same,
        float: (|x, y| x / y, "x / y"), int: -, bool: -,
        grad: (|_, b, _, g| g.div(b), |_, b, y, g| g.mul(y)?.div(b)?.neg(), (Any, Positive)),
    }
    /// `a ^ b`.
    Pow {
        js: "pow", out: same,
        float: (|x, y| x.powf(y), "pow_f(x, y)"), int: -, bool: -,
        grad: (|a, b, _, g| g.mul(b)?.mul(&a.pow(&b.add_scalar(-1.0)?)?), |a, _, y, g| pow_exponent_grad(a, y, g), (Positive, Any)),
    }
    /// The larger of `a` and `b` (NaN wins; ties share the gradient).
    Maximum {
        js: "maximum", out: same,
        float: (|x, y| math::maximum(x, y), "max_nan(x, y)"), int: (|x, y| x.max(y), "max(x, y)"), bool: -,
        grad: (|a, b, _, g| extremum_share(g, &a.gt(b)?, a, b), |a, b, _, g| extremum_share(g, &b.gt(a)?, a, b), (Any, Any)),
    }
    /// The smaller of `a` and `b` (NaN wins; ties share the gradient).
    Minimum {
        js: "minimum", out: same,
        float: (|x, y| math::minimum(x, y), "min_nan(x, y)"), int: (|x, y| x.min(y), "min(x, y)"), bool: -,
        grad: (|a, b, _, g| extremum_share(g, &a.lt(b)?, a, b), |a, b, _, g| extremum_share(g, &b.lt(a)?, a, b), (Any, Any)),
    }
    // Float comparisons test NaN by its bits: drivers that assume no NaNs (SwiftShader) fold them.
    // NaN compares unequal to everything, as in IEEE 754.
    /// `a == b`.
    Eq {
        js: "eq", out: bool,
        float: (|x, y| x == y, "u32(x == y && !is_nan(x) && !is_nan(y))"), int: (|x, y| x == y, "u32(x == y)"), bool: (|x, y| x == y, "u32(x == y)"),
        grad: none,
    }
    /// `a != b`.
    Ne {
        js: "ne", out: bool,
        float: (|x, y| x != y, "u32(x != y || is_nan(x) || is_nan(y))"), int: (|x, y| x != y, "u32(x != y)"), bool: (|x, y| x != y, "u32(x != y)"),
        grad: none,
    }
    /// `a < b`.
    Lt {
        js: "lt", out: bool,
        float: (|x, y| x < y, "u32(x < y && !is_nan(x) && !is_nan(y))"), int: (|x, y| x < y, "u32(x < y)"), bool: (|x, y| !x & y, "u32(x < y)"),
        grad: none,
    }
    /// `a <= b`.
    Le {
        js: "le", out: bool,
        float: (|x, y| x <= y, "u32(x <= y && !is_nan(x) && !is_nan(y))"), int: (|x, y| x <= y, "u32(x <= y)"), bool: (|x, y| x <= y, "u32(x <= y)"),
        grad: none,
    }
    /// `a > b`.
    Gt {
        js: "gt", out: bool,
        float: (|x, y| x > y, "u32(x > y && !is_nan(x) && !is_nan(y))"), int: (|x, y| x > y, "u32(x > y)"), bool: (|x, y| x & !y, "u32(x > y)"),
        grad: none,
    }
    /// `a >= b`.
    Ge {
        js: "ge", out: bool,
        float: (|x, y| x >= y, "u32(x >= y && !is_nan(x) && !is_nan(y))"), int: (|x, y| x >= y, "u32(x >= y)"), bool: (|x, y| x >= y, "u32(x >= y)"),
        grad: none,
    }
    /// Elementwise `a && b`.
    And {
        js: "logicalAnd", out: same,
        float: -, int: -, bool: (|x, y| x && y, "u32(x != 0u && y != 0u)"),
        grad: none,
    }
    /// Elementwise `a || b`.
    Or {
        js: "logicalOr", out: same,
        float: -, int: -, bool: (|x, y| x || y, "u32(x != 0u || y != 0u)"),
        grad: none,
    }
}
