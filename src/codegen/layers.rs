//! `ts/generated/layers.ts`: one TypeScript interface per layer config struct (the front doors
//! build these objects, so a key the core does not read fails to compile), and `LayerConfigs`, the
//! config of each layer kind, from `LAYER_KINDS` in `src/nn/layers/mod.rs`.

use super::{header, GeneratedFile};
use crate::nn::layers::LAYER_KINDS;

/// A doc comment at `indent`, one line (Prettier leaves long comments alone).
fn doc(text: &str, indent: &str) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        String::new()
    } else {
        format!("{indent}/** {text} */\n")
    }
}

pub fn file() -> GeneratedFile {
    let mut s = header("the layer config structs (src/nn/layers/)");
    s += "\nimport type { ActivationName, InitializerName, PaddingName } from './names.js';\n";
    let mut seen = Vec::new();
    for kind in LAYER_KINDS {
        if seen.contains(&kind.config) {
            continue;
        }
        seen.push(kind.config);
        let fields = (kind.fields)();
        s += &format!("\n{}", doc(kind.doc, ""));
        if fields.is_empty() {
            s += &format!("export type {} = Record<never, never>;\n", kind.config);
            continue;
        }
        s += &format!("export interface {} {{\n", kind.config);
        for f in fields {
            s += &doc(&f.doc, "  ");
            s += &format!("  {}{}: {};\n", f.key, if f.optional { "?" } else { "" }, f.ts);
        }
        s += "}\n";
    }
    s += "\n/** The config of each core layer kind (`Layer.create(kind, config, flavour, name)`). */\nexport interface LayerConfigs {\n";
    for kind in LAYER_KINDS {
        s += &format!("  {}: {};\n", kind.kind, kind.config);
    }
    s += "}\n\n/** A core layer kind. */\nexport type LayerKind = keyof LayerConfigs;\n";
    s += "\n/** A kind and its config, as a front door hands them to the core. */\nexport type CoreLayer = { [K in LayerKind]: [K, LayerConfigs[K]] }[LayerKind];\n";
    GeneratedFile { path: "ts/generated/layers.ts", region: None, contents: s }
}
