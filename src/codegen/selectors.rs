//! `ts/generated/selectors.ts`: a union of the names of each string selector of the wasm boundary,
//! from the tables in `src/selectors.rs`.

use super::{header, union, GeneratedFile};
use crate::selectors;

pub fn file() -> GeneratedFile {
    let mut s = header("src/selectors.rs");
    for (ty, doc, names) in selectors::tables() {
        s += &format!("\n/**{doc} */\nexport type {ty} ={};\n", union(names));
    }
    GeneratedFile { path: "ts/generated/selectors.ts", region: None, contents: s }
}
