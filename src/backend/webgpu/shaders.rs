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
    /// Every specialised kernel (for the naga validation test and pipeline warm-up).
    pub const ALL: &'static [Kernel] =
        &[Kernel::Unary(UnaryOp::Copy), Kernel::Binary(BinaryOp::Add), Kernel::Reduce(ReduceOp::Sum), Kernel::Matmul];

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
            Kernel::Unary(op) => (include_str!("../../../shaders/unary.wgsl"), vec![("OP", unary_snippet(*op))]),
            Kernel::Binary(op) => (include_str!("../../../shaders/binary.wgsl"), vec![("OP", binary_snippet(*op))]),
            Kernel::Reduce(op) => {
                let (init, combine) = reduce_snippets(*op);
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

fn unary_snippet(op: UnaryOp) -> &'static str {
    match op {
        UnaryOp::Copy => "v",
    }
}

fn binary_snippet(op: BinaryOp) -> &'static str {
    match op {
        BinaryOp::Add => "x + y",
    }
}

fn reduce_snippets(op: ReduceOp) -> (&'static str, &'static str) {
    match op {
        ReduceOp::Sum => ("0.0", "acc + v"),
    }
}
