//! The regions generated from the unary op table (`backend/unary.rs`): the option-less elementwise
//! methods of the TS `Tensor` (ts/tensor.ts) and the list of them in README.md's op table.

use super::GeneratedFile;
use crate::backend::UnaryOp;

/// The rows whose TS method is generated.
fn ts_ops() -> impl Iterator<Item = (UnaryOp, &'static str)> {
    UnaryOp::ALL.into_iter().filter(|op| op.ts_method()).filter_map(|op| Some((op, op.name()?)))
}

/// A JSDoc comment of the doc lines, indented for a class member.
fn jsdoc(lines: &[&str]) -> String {
    match lines {
        [] => String::new(),
        [line] => format!("  /** {} */\n", line.trim()),
        lines => format!("  /**\n{}  */\n", lines.iter().map(|l| format!("   *{}\n", l.trim_end())).collect::<String>()),
    }
}

/// One method per row, calling the private `#unary` of ts/tensor.ts.
pub fn tensor_methods() -> GeneratedFile {
    let mut s = String::from("\n");
    for (op, name) in ts_ops() {
        s += &format!("{}  {name}(): Tensor {{\n    return this.#unary('{name}');\n  }}\n", jsdoc(op.doc()));
    }
    s += "  ";
    GeneratedFile {
        path: "ts/tensor.ts",
        region: Some((
            "// generated:unary start (by `cargo run --example gen_ts` from src/backend/unary.rs: do not edit)",
            "// generated:unary end",
        )),
        contents: s,
    }
}

/// The names of the generated methods, for the README's op table.
pub fn readme() -> GeneratedFile {
    let names: Vec<&str> = ts_ops().map(|(_, name)| name).collect();
    GeneratedFile {
        path: "README.md",
        region: Some(("<!-- unary:start -->", "<!-- unary:end -->")),
        contents: format!("`{}`", names.join(" ")),
    }
}
