//! `ts/generated/names.ts`: the name lists `wg.ACTIVATIONS`, `wg.INITIALIZERS`, `wg.PADDINGS`,
//! `wg.LOSSES`, `wg.OPTIMIZERS` and `wg.METRICS` (each with its string-literal type), from the core's
//! name tables.

use super::{header, GeneratedFile};
use crate::nn::names::{listed_names, Named};
use crate::nn::{ACTIVATION_NAMES, INITIALIZER_NAMES, LOSS_NAMES, METRIC_NAMES, OPTIMIZER_NAMES};
use crate::ops::PADDING_NAMES;

/// `export const LIST = [...] as const;` and its element type, laid out as Prettier does.
fn list<T>(doc: &str, constant: &str, type_name: &str, table: &'static [Named<T>]) -> String {
    let names: Vec<String> = listed_names(table).map(|n| format!("'{n}'")).collect();
    let one_line = format!("export const {constant} = [{}] as const;", names.join(", "));
    let array = if one_line.len() <= 120 {
        one_line
    } else {
        format!("export const {constant} = [\n{}] as const;", names.iter().map(|n| format!("  {n},\n")).collect::<String>())
    };
    format!("\n/** {doc} */\n{array}\nexport type {type_name} = (typeof {constant})[number];\n")
}

pub fn file() -> GeneratedFile {
    let mut s = header("the name tables in src/nn/ (activation, init, loss, optimizer, metrics) and src/ops/padding.rs");
    s += &list(
        "Activation names of the Keras-like layers (TensorFlow.js's, plus `geluTanh`, `silu` and `logSoftmax`).",
        "ACTIVATIONS",
        "ActivationName",
        ACTIVATION_NAMES,
    );
    s += &list(
        "Weight initializer names, spelled as TensorFlow.js spells them (`leCunNormal`).",
        "INITIALIZERS",
        "InitializerName",
        INITIALIZER_NAMES,
    );
    s += &list("Padding modes of the Keras-like convolution and pooling layers.", "PADDINGS", "PaddingName", PADDING_NAMES);
    s += &list("Loss names `compile` accepts: TensorFlow.js's, `huber`, and Keras's `mse`/`mae`.", "LOSSES", "LossName", LOSS_NAMES);
    s += &list(
        "Optimizer names `compile` accepts, each with TensorFlow.js's defaults (`adamw`: Keras 3's).",
        "OPTIMIZERS",
        "OptimizerName",
        OPTIMIZER_NAMES,
    );
    s += &list(
        "Metric names `compile` accepts (`accuracy` picks the kind that fits the loss, as Keras does).",
        "METRICS",
        "MetricName",
        METRIC_NAMES,
    );
    GeneratedFile { path: "ts/generated/names.ts", region: None, contents: s }
}
