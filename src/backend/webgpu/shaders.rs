//! The WGSL table: each kernel family is one `.wgsl` file under `shaders/`, completed by the shared
//! prelude and specialised by replacing `{{NAME}}` snippets. A specialised kernel's key names its
//! pipeline in the cache.

use crate::backend::{BinaryOp, ReduceOp, UnaryOp};

const COMMON: &str = include_str!("../../../shaders/common.wgsl");

/// A kernel family and its specialisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kernel {
    Unary(UnaryOp),
    Binary(BinaryOp),
    Reduce(ReduceOp),
    Matmul,
}

impl Kernel {
    /// Every specialised kernel the backend can run (for the naga validation test).
    pub fn all() -> Vec<Kernel> {
        let unary = UnaryOp::ALL.iter().filter(|&&op| unary_snippet(op).is_some()).map(|&op| Kernel::Unary(op));
        let binary = BinaryOp::ALL.iter().filter(|&&op| binary_snippet(op).is_some()).map(|&op| Kernel::Binary(op));
        let reduce = ReduceOp::ALL.iter().filter(|&&op| reduce_snippets(op).is_some()).map(|&op| Kernel::Reduce(op));
        unary.chain(binary).chain(reduce).chain([Kernel::Matmul]).collect()
    }

    /// True when this backend has a kernel for the op.
    pub fn exists(&self) -> bool {
        match self {
            Kernel::Unary(op) => unary_snippet(*op).is_some(),
            Kernel::Binary(op) => binary_snippet(*op).is_some(),
            Kernel::Reduce(op) => reduce_snippets(*op).is_some(),
            Kernel::Matmul => true,
        }
    }

    /// A name for logs, errors and the pipeline cache.
    pub fn name(&self) -> String {
        match self {
            Kernel::Unary(op) => format!("unary/{op:?}"),
            Kernel::Binary(op) => format!("binary/{op:?}"),
            Kernel::Reduce(op) => format!("reduce/{op:?}"),
            Kernel::Matmul => "matmul".to_string(),
        }
    }

    /// The family's file and the snippets that specialise it.
    fn template(&self) -> (&'static str, Vec<(&'static str, &'static str)>) {
        match self {
            Kernel::Unary(op) => (include_str!("../../../shaders/unary.wgsl"), vec![("OP", unary_snippet(*op).unwrap_or("v"))]),
            Kernel::Binary(op) => (include_str!("../../../shaders/binary.wgsl"), vec![("OP", binary_snippet(*op).unwrap_or("x"))]),
            Kernel::Reduce(op) => {
                let (init, combine) = reduce_snippets(*op).unwrap_or(("0.0", "acc"));
                (include_str!("../../../shaders/reduce.wgsl"), vec![("INIT", init), ("COMBINE", combine)])
            }
            Kernel::Matmul => (include_str!("../../../shaders/matmul.wgsl"), vec![]),
        }
    }

    /// The complete WGSL source of this kernel.
    pub fn source(&self) -> String {
        let (family, snippets) = self.template();
        let body = snippets
            .iter()
            .fold(family.to_string(), |src, (name, snippet)| src.replace(&format!("{{{{{name}}}}}"), snippet));
        format!("{COMMON}\n{body}")
    }
}

/// The WGSL expression of `v` for each f32 op (None: no kernel yet).
fn unary_snippet(op: UnaryOp) -> Option<&'static str> {
    Some(match op {
        UnaryOp::Copy => "v",
        UnaryOp::Neg => "-v",
        UnaryOp::Abs => "abs(v)",
        UnaryOp::Exp => "exp(v)",
        UnaryOp::Log => "log(v)",
        UnaryOp::Log1p => "log1p(v)",
        UnaryOp::Sqrt => "sqrt(v)",
        UnaryOp::Rsqrt => "inverseSqrt(v)",
        UnaryOp::Square => "v * v",
        UnaryOp::Reciprocal => "1.0 / v",
        UnaryOp::Sin => "sin(v)",
        UnaryOp::Cos => "cos(v)",
        UnaryOp::Tanh => "safe_tanh(v)",
        UnaryOp::Sigmoid => "sigmoid(v)",
        UnaryOp::Relu => "select(v, 0.0, v <= 0.0)",
        UnaryOp::Gelu => "0.5 * v * (1.0 + erf(v * 0.70710678))",
        UnaryOp::GeluTanh => "0.5 * v * (1.0 + safe_tanh(0.7978846 * (v + 0.044715 * v * v * v)))",
        UnaryOp::Silu => "v * sigmoid(v)",
        UnaryOp::Softplus => "max(v, 0.0) + log1p(exp(-abs(v)))",
        UnaryOp::Sign => "sign(v)",
        UnaryOp::Floor => "floor(v)",
        UnaryOp::Ceil => "ceil(v)",
        UnaryOp::Round => "round(v)",
        UnaryOp::Erf => "erf(v)",
        UnaryOp::GeluGrad => "gelu_grad(v)",
        UnaryOp::GeluTanhGrad => "gelu_tanh_grad(v)",
        UnaryOp::SiluGrad => "silu_grad(v)",
        UnaryOp::Not => return None,
    })
}

/// The WGSL expression of `x` and `y` for each f32 arithmetic op (None: no kernel yet).
fn binary_snippet(op: BinaryOp) -> Option<&'static str> {
    Some(match op {
        BinaryOp::Add => "x + y",
        BinaryOp::Sub => "x - y",
        BinaryOp::Mul => "x * y",
        BinaryOp::Div => "x / y",
        BinaryOp::Pow => "pow(x, y)",
        BinaryOp::Maximum => "max(x, y)",
        BinaryOp::Minimum => "min(x, y)",
        _ => return None,
    })
}

/// The identity and the combining expression of `acc` and `v` (None: no kernel yet).
fn reduce_snippets(op: ReduceOp) -> Option<(&'static str, &'static str)> {
    Some(match op {
        ReduceOp::Sum => ("0.0", "acc + v"),
        ReduceOp::Prod => ("1.0", "acc * v"),
        ReduceOp::Max => ("bitcast<f32>(0xff800000u)", "max(acc, v)"),
        ReduceOp::Min => ("bitcast<f32>(0x7f800000u)", "min(acc, v)"),
        ReduceOp::ArgMax | ReduceOp::ArgMin => return None,
    })
}
