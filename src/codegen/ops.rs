//! `ts/generated/ops.ts`: the names of the primitive ops, from the op tables in `backend/unary.rs`,
//! `backend/binary.rs` and `backend/ops.rs`.

use super::{header, union, GeneratedFile};
use crate::backend::{Activation, BinaryOp, ReduceOp, UnaryOp};

pub fn file() -> GeneratedFile {
    let mut s = header("src/backend/{unary,binary,ops}.rs");
    s += &format!(
        "\n/** The name of a public unary op. */\nexport type UnaryName ={};\n",
        union(UnaryOp::ALL.iter().filter_map(|op| op.name()))
    );
    s += &format!("\n/** The name of a binary op. */\nexport type BinaryName ={};\n", union(BinaryOp::ALL.iter().map(|op| op.name())));
    s += &format!("\n/** The name of a reduction. */\nexport type ReduceName ={};\n", union(ReduceOp::ALL.iter().map(|op| op.name())));
    let activations: Vec<String> = Activation::ALL.iter().map(|a| format!("'{}'", a.name())).collect();
    s += &format!(
        "\n/** The name of an activation fused into `linear`. */\nexport type FusedActivationName ={};\n",
        union(Activation::ALL.iter().map(|a| a.name()))
    );
    s += &format!(
        "\n/** Every {{@link FusedActivationName}}. */\nexport const FUSED_ACTIVATIONS: readonly FusedActivationName[] = [{}];\n",
        activations.join(", ")
    );
    GeneratedFile { path: "ts/generated/ops.ts", region: None, contents: s }
}
