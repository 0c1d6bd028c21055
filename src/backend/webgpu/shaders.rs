//! The WGSL table: each kernel family is one `.wgsl` file under `shaders/`, completed by the shared
//! prelude and specialised by replacing `{{NAME}}` snippets (element types, the op's expression). A
//! specialised kernel is its own pipeline in the cache.

use super::params::{
    ConvParams, ElementwiseParams, IndexParams, MatmulParams, ParamsDecl, ReduceParams, SoftmaxParams, UpdateParams, WindowParams,
};
use crate::backend::{Activation, BinaryOp, ReduceOp, UnaryOp, UpdateOp};
use crate::dtype::DType;

const COMMON: &str = include_str!("../../../shaders/common.wgsl");
/// The tiled GEMM body, for matmul and the implicit-GEMM convolutions (they provide its operands).
const GEMM: &str = include_str!("../../../shaders/gemm.wgsl");
/// The body that replaces it for results with few rows (one invocation per output).
const SKINNY: &str = include_str!("../../../shaders/skinny.wgsl");
/// The image operand (cols read on the fly), for the convolution and its weight gradient.
const CONV_IMAGE: &str = include_str!("../../../shaders/conv_image.wgsl");
/// The out-of-range index record, for the kernels that read indices.
const FAULT: &str = include_str!("../../../shaders/fault.wgsl");
/// `dim(i)` and `strided_offset`, for the parameter structs with a variable-rank `dims` part.
const DIMS: &str = include_str!("../../../shaders/dims.wgsl");

/// A kernel family and its specialisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kernel {
    Unary(UnaryOp, DType),
    Cast(DType, DType),
    Binary(BinaryOp, DType),
    Select(DType),
    Reduce(ReduceOp, DType),
    /// The same reductions for short rows: one invocation per output.
    ReduceRows(ReduceOp, DType),
    /// A product on one of the GEMM bodies.
    Gemm {
        op: GemmOp,
        body: GemmBody,
    },
    CopyInto(DType),
    Gather(DType),
    ScatterAdd(DType),
    Im2Col,
    Col2Im,
    /// Max pooling (values and taps) and its input gradient.
    MaxPool,
    MaxPoolGrad,
    /// Fused softmax (log-softmax with `log`); `short` rows take one invocation each.
    Softmax {
        log: bool,
        short: bool,
    },
    /// One optimizer update.
    Update(UpdateOp),
}

/// The products that run on the GEMM bodies; each kernel file provides the operand loaders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GemmOp {
    /// Matrix product; with an activation, `act(a @ b + bias)` fused into the epilogue.
    Matmul(Option<Activation>),
    /// Convolution as implicit GEMM (no im2col buffer).
    Conv2d,
    /// Its weight gradient, likewise.
    Conv2dWeightGrad,
    /// Its input gradient (a transposed convolution), likewise.
    Conv2dInputGrad,
}

impl GemmOp {
    const ALL_CONV: [GemmOp; 3] = [GemmOp::Conv2d, GemmOp::Conv2dWeightGrad, GemmOp::Conv2dInputGrad];
}

/// The address space of the `info` binding every kernel reads (`shaders/common.wgsl`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InfoSpace {
    /// A uniform buffer: what GPUs read fastest, and 1.5-2.5x faster kernels than storage on lavapipe.
    Uniform,
    /// A read-only storage buffer: on SwiftShader, uniform reads made training 1.4-1.8x slower.
    Storage,
}

/// How a GEMM-family kernel covers its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GemmBody {
    /// Tiles of this many rows by 128 columns through workgroup memory (`shaders/gemm.wgsl`).
    Tiled(u32),
    /// One invocation per output, for results with very few rows (`shaders/skinny.wgsl`).
    Skinny,
}

impl GemmBody {
    /// The tile heights the tiled body is specialised for.
    pub const TILE_ROWS: [u32; 4] = [16, 32, 64, 128];

    /// The tiled body whose tile height wastes least on a result of `rows` rows: the smallest that
    /// holds them all, or the tallest (most reuse of each staged B element) for taller results.
    pub fn tiled_for(rows: usize) -> GemmBody {
        let fits = Self::TILE_ROWS.iter().copied().find(|&t| rows <= t as usize);
        GemmBody::Tiled(fits.unwrap_or(128))
    }

    /// The workgroup grid over `layers` results of `m` x `n`.
    pub fn grid(self, m: u32, n: u32, layers: u32) -> (u32, u32, u32) {
        match self {
            GemmBody::Tiled(rows) => (n.div_ceil(128), m.div_ceil(rows), layers),
            GemmBody::Skinny => (n.div_ceil(SKINNY_COLUMNS), m, layers),
        }
    }

    /// Invocations per workgroup.
    pub fn threads(self) -> u32 {
        match self {
            GemmBody::Tiled(rows) => rows * 2,
            GemmBody::Skinny => SKINNY_COLUMNS,
        }
    }
}

/// Output columns per workgroup of the skinny body (its `@workgroup_size`).
const SKINNY_COLUMNS: u32 = 64;

const DTYPES: [DType; 3] = [DType::F32, DType::I32, DType::Bool];

/// The WGSL element type a dtype is stored as (bool as u32 0/1).
fn wgsl(dtype: DType) -> &'static str {
    match dtype {
        DType::F32 => "f32",
        DType::I32 => "i32",
        DType::Bool => "u32",
    }
}

impl Kernel {
    /// Every specialised kernel the backend can run (for the naga validation test).
    pub fn all() -> Vec<Kernel> {
        let mut out = Vec::new();
        for &d in &DTYPES {
            out.extend(UnaryOp::ALL.iter().map(|&op| Kernel::Unary(op, d)));
            out.extend(DTYPES.iter().map(|&to| Kernel::Cast(d, to)));
            out.extend(BinaryOp::ALL.iter().map(|&op| Kernel::Binary(op, d)));
            out.extend(ReduceOp::ALL.iter().map(|&op| Kernel::Reduce(op, d)));
            out.extend(ReduceOp::ALL.iter().map(|&op| Kernel::ReduceRows(op, d)));
            out.extend([Kernel::Select(d), Kernel::CopyInto(d), Kernel::Gather(d), Kernel::ScatterAdd(d)]);
        }
        out.extend([Kernel::Im2Col, Kernel::Col2Im, Kernel::MaxPool, Kernel::MaxPoolGrad]);
        out.extend([(false, false), (false, true), (true, false), (true, true)].map(|(log, short)| Kernel::Softmax { log, short }));
        let matmuls = std::iter::once(None).chain(Activation::ALL.map(Some)).map(GemmOp::Matmul);
        for op in matmuls.chain(GemmOp::ALL_CONV) {
            let tiled = GemmBody::TILE_ROWS.map(GemmBody::Tiled);
            out.extend(tiled.iter().chain([&GemmBody::Skinny]).map(|&body| Kernel::Gemm { op, body }));
        }
        out.extend(UpdateOp::ALL.iter().map(|&op| Kernel::Update(op)));
        out.retain(Kernel::exists);
        out
    }

    /// True when this backend has the kernel (ops on dtypes they do not take have none).
    pub fn exists(&self) -> bool {
        self.template().is_some()
    }

    /// A name for logs, errors and the pipeline cache.
    pub fn name(&self) -> String {
        match self {
            Kernel::Unary(op, d) => format!("unary/{op:?}/{d}"),
            Kernel::Cast(from, to) => format!("cast/{from}/{to}"),
            Kernel::Binary(op, d) => format!("binary/{op:?}/{d}"),
            Kernel::Select(d) => format!("select/{d}"),
            Kernel::Reduce(op, d) => format!("reduce/{op:?}/{d}"),
            Kernel::ReduceRows(op, d) => format!("reduce_rows/{op:?}/{d}"),
            Kernel::Gemm { op, body } => {
                let name = match op {
                    GemmOp::Matmul(None) => "matmul".to_string(),
                    GemmOp::Matmul(Some(act)) => format!("linear/{act:?}"),
                    GemmOp::Conv2d => "conv2d".to_string(),
                    GemmOp::Conv2dWeightGrad => "conv2d_weight_grad".to_string(),
                    GemmOp::Conv2dInputGrad => "conv2d_input_grad".to_string(),
                };
                match body {
                    GemmBody::Tiled(128) => name,
                    GemmBody::Tiled(rows) => format!("{name}/rows{rows}"),
                    GemmBody::Skinny => format!("{name}/skinny"),
                }
            }
            Kernel::CopyInto(d) => format!("copy_into/{d}"),
            Kernel::Gather(d) => format!("gather/{d}"),
            Kernel::ScatterAdd(d) => format!("scatter_add/{d}"),
            Kernel::Im2Col => "im2col".to_string(),
            Kernel::Col2Im => "col2im".to_string(),
            Kernel::MaxPool => "max_pool".to_string(),
            Kernel::MaxPoolGrad => "max_pool_grad".to_string(),
            Kernel::Softmax { log, short } => {
                format!("{}{}", if *log { "log_softmax" } else { "softmax" }, if *short { "/rows" } else { "" })
            }
            Kernel::Update(op) => format!("update/{op:?}"),
        }
    }

    /// The family's file and the snippets that specialise it, or None where the op does not apply.
    fn template(&self) -> Option<(&'static str, Vec<(&'static str, &'static str)>)> {
        let unary = include_str!("../../../shaders/unary.wgsl");
        Some(match *self {
            Kernel::Unary(op, d) => (unary, vec![("IN", wgsl(d)), ("OUT", wgsl(d)), ("OP", op.wgsl(d)?)]),
            Kernel::Cast(from, to) => (unary, vec![("IN", wgsl(from)), ("OUT", wgsl(to)), ("OP", cast_snippet(from, to))]),
            Kernel::Binary(op, d) => {
                (include_str!("../../../shaders/binary.wgsl"), vec![("T", wgsl(d)), ("OUT", wgsl(op.output_dtype(d))), ("OP", op.wgsl(d)?)])
            }
            Kernel::Select(d) => (include_str!("../../../shaders/select.wgsl"), vec![("T", wgsl(d))]),
            Kernel::Reduce(op @ (ReduceOp::ArgMax | ReduceOp::ArgMin), d) => {
                (include_str!("../../../shaders/argreduce.wgsl"), vec![("T", wgsl(d)), ("BETTER", better_snippet(op, d)?)])
            }
            Kernel::Reduce(op, d) => {
                let (init, combine) = reduce_snippets(op, d)?;
                (include_str!("../../../shaders/reduce.wgsl"), vec![("T", wgsl(d)), ("INIT", init), ("COMBINE", combine)])
            }
            Kernel::ReduceRows(op, d) => {
                let arg = matches!(op, ReduceOp::ArgMax | ReduceOp::ArgMin);
                let (init, combine, better, out) = if arg {
                    let zero = if d == DType::F32 { "0.0" } else { "0i" };
                    (zero, "acc", better_snippet(op, d)?, "i32")
                } else {
                    let (init, combine) = reduce_snippets(op, d)?;
                    (init, combine, "false", wgsl(d))
                };
                let snippets = vec![
                    ("T", wgsl(d)),
                    ("OUT", out),
                    ("INIT", init),
                    ("COMBINE", combine),
                    ("BETTER", better),
                    ("ARG", if arg { "true" } else { "false" }),
                ];
                (include_str!("../../../shaders/reduce_rows.wgsl"), snippets)
            }
            Kernel::Gemm { op: GemmOp::Matmul(None), .. } => {
                (include_str!("../../../shaders/matmul.wgsl"), vec![("BIAS", ""), ("EPILOGUE", "return v;")])
            }
            Kernel::Gemm { op: GemmOp::Matmul(Some(act)), .. } => {
                let epilogue = match act {
                    Activation::Identity => "return v + bias4(col);",
                    Activation::Relu => "return max(v + bias4(col), vec4<f32>(0.0));",
                    Activation::Sigmoid => {
                        "let z = v + bias4(col);\n    return vec4<f32>(sigmoid(z.x), sigmoid(z.y), sigmoid(z.z), sigmoid(z.w));"
                    }
                    Activation::Tanh => {
                        "let z = v + bias4(col);\n    return vec4<f32>(safe_tanh(z.x), safe_tanh(z.y), safe_tanh(z.z), safe_tanh(z.w));"
                    }
                };
                (
                    include_str!("../../../shaders/matmul.wgsl"),
                    vec![("BIAS", include_str!("../../../shaders/bias.wgsl")), ("EPILOGUE", epilogue)],
                )
            }
            Kernel::CopyInto(d) => (include_str!("../../../shaders/copy_into.wgsl"), vec![("T", wgsl(d))]),
            Kernel::Gather(d) => {
                let zero = match d {
                    DType::F32 => "0.0",
                    DType::I32 => "0i",
                    DType::Bool => "0u",
                };
                (include_str!("../../../shaders/gather.wgsl"), vec![("T", wgsl(d)), ("ZERO", zero)])
            }
            Kernel::ScatterAdd(DType::Bool) => return None,
            Kernel::ScatterAdd(d) => (include_str!("../../../shaders/scatter_add.wgsl"), vec![("T", wgsl(d))]),
            Kernel::Gemm { op: GemmOp::Conv2d, .. } => (include_str!("../../../shaders/conv2d.wgsl"), vec![]),
            Kernel::Gemm { op: GemmOp::Conv2dWeightGrad, .. } => (include_str!("../../../shaders/conv2d_wgrad.wgsl"), vec![]),
            Kernel::Gemm { op: GemmOp::Conv2dInputGrad, .. } => (include_str!("../../../shaders/conv2d_igrad.wgsl"), vec![]),
            Kernel::Im2Col => (include_str!("../../../shaders/im2col.wgsl"), vec![]),
            Kernel::Col2Im => (include_str!("../../../shaders/col2im.wgsl"), vec![]),
            Kernel::MaxPool => (include_str!("../../../shaders/max_pool.wgsl"), vec![]),
            Kernel::MaxPoolGrad => (include_str!("../../../shaders/max_pool_grad.wgsl"), vec![]),
            Kernel::Softmax { log, short } => {
                let flag = |b: bool| if b { "true" } else { "false" };
                (include_str!("../../../shaders/softmax.wgsl"), vec![("LOG", flag(log)), ("SHORT", flag(short))])
            }
            Kernel::Update(op) => {
                let (outputs, body) = update_snippets(op);
                (include_str!("../../../shaders/update.wgsl"), vec![("OUTPUTS", outputs), ("BODY", body)])
            }
        })
    }

    /// The complete WGSL source of this kernel (empty where [`Kernel::exists`] is false), reading its
    /// `info` from `space`.
    pub fn source(&self, space: InfoSpace) -> String {
        let Some((family, snippets)) = self.template() else { return String::new() };
        let body = snippets.iter().fold(family.to_string(), |src, (name, snippet)| src.replace(&format!("{{{{{name}}}}}"), snippet));
        let fault = if matches!(self, Kernel::Gather(_) | Kernel::ScatterAdd(_)) { FAULT } else { "" };
        let gemm = match self {
            Kernel::Gemm { op, body } => {
                let image = if matches!(op, GemmOp::Conv2d | GemmOp::Conv2dWeightGrad) { CONV_IMAGE } else { "" };
                let body = match body {
                    GemmBody::Tiled(rows) => GEMM.replace("{{TILE_M}}", &rows.to_string()).replace("{{TILE_Y}}", &(rows / 8).to_string()),
                    GemmBody::Skinny => SKINNY.to_string(),
                };
                format!("{image}{body}")
            }
            _ => String::new(),
        };
        let space = match space {
            InfoSpace::Uniform => "uniform",
            InfoSpace::Storage => "storage, read",
        };
        let decl = self.params();
        let dims = if decl.fields.iter().any(|f| f.name == "dims") { DIMS } else { "" };
        let params = format!("{}\n@group(0) @binding(0) var<{space}> p: {};\n\n{dims}", decl.structs, decl.name);
        format!("{}\n{fault}\n{body}\n{gemm}", COMMON.replace("{{PARAMS}}", &params))
    }

    /// The parameter struct this kernel reads at binding 0 (`p`).
    pub fn params(&self) -> ParamsDecl {
        match self {
            Kernel::Unary(..) | Kernel::Cast(..) | Kernel::Binary(..) | Kernel::Select(_) | Kernel::CopyInto(_) => {
                ParamsDecl::of::<ElementwiseParams>()
            }
            Kernel::Reduce(..) | Kernel::ReduceRows(..) => ParamsDecl::of::<ReduceParams>(),
            Kernel::Softmax { .. } => ParamsDecl::of::<SoftmaxParams>(),
            Kernel::Gather(_) | Kernel::ScatterAdd(_) => ParamsDecl::of::<IndexParams>(),
            Kernel::Gemm { op: GemmOp::Matmul(_), .. } => ParamsDecl::of::<MatmulParams>(),
            Kernel::Gemm { .. } => ParamsDecl::of::<ConvParams>(),
            Kernel::Im2Col | Kernel::Col2Im | Kernel::MaxPool | Kernel::MaxPoolGrad => ParamsDecl::of::<WindowParams>(),
            Kernel::Update(_) => ParamsDecl::of::<UpdateParams>(),
        }
    }
}

fn cast_snippet(from: DType, to: DType) -> &'static str {
    match (from, to) {
        (a, b) if a == b => "v",
        (DType::F32, DType::I32) => "i32(v)",
        (DType::F32, DType::Bool) => "u32(truthy(v))",
        (DType::I32, DType::F32) => "f32(v)",
        (DType::I32, DType::Bool) => "u32(v != 0i)",
        (DType::Bool, DType::F32) => "f32(v)",
        _ => "i32(v)",
    }
}

/// The identity and the combining expression of `acc` and `v` (None: the op does not take the dtype).
fn reduce_snippets(op: ReduceOp, dtype: DType) -> Option<(&'static str, &'static str)> {
    Some(match (op, dtype) {
        (_, DType::Bool) => return None,
        (ReduceOp::Sum, DType::F32) => ("0.0", "acc + v"),
        (ReduceOp::Prod, DType::F32) => ("1.0", "acc * v"),
        (ReduceOp::Max, DType::F32) => ("-inf_f32()", "max_nan(acc, v)"),
        (ReduceOp::Min, DType::F32) => ("inf_f32()", "min_nan(acc, v)"),
        (ReduceOp::Sum, _) => ("0i", "acc + v"),
        (ReduceOp::Prod, _) => ("1i", "acc * v"),
        (ReduceOp::Max, _) => ("bitcast<i32>(0x80000000u)", "max(acc, v)"),
        (ReduceOp::Min, _) => ("2147483647i", "min(acc, v)"),
        (ReduceOp::ArgMax | ReduceOp::ArgMin, _) => return None,
    })
}

/// Whether `a` beats `b` for an arg reduction (NaN counts as the largest, as in NumPy).
fn better_snippet(op: ReduceOp, dtype: DType) -> Option<&'static str> {
    Some(match (op, dtype) {
        (_, DType::Bool) => return None,
        (ReduceOp::ArgMax, DType::F32) => "a > b || (is_nan(a) && !is_nan(b))",
        (ReduceOp::ArgMin, DType::F32) => "a < b || (is_nan(a) && !is_nan(b))",
        (ReduceOp::ArgMax, _) => "a > b",
        _ => "a < b",
    })
}

/// The output bindings and the body writing one element of each update (mirrors
/// `src/backend/update.rs`).
fn update_snippets(op: UpdateOp) -> (&'static str, &'static str) {
    const OUT0: &str = "@group(0) @binding(5) var<storage, read_write> out0: array<f32>;";
    const OUT01: &str = "@group(0) @binding(5) var<storage, read_write> out0: array<f32>;\n@group(0) @binding(6) var<storage, read_write> out1: array<f32>;";
    const OUT012: &str = "@group(0) @binding(5) var<storage, read_write> out0: array<f32>;\n@group(0) @binding(6) var<storage, read_write> out1: array<f32>;\n@group(0) @binding(7) var<storage, read_write> out2: array<f32>;";
    match op {
        UpdateOp::Sgd => (OUT0, "out0[i] = pv - lr * grad;"),
        UpdateOp::SgdMomentum => (
            OUT01,
            "let buffer = sgd_buffer(grad, a);
    out0[i] = pv - lr * select(buffer, grad + beta1 * buffer, flag(2u));
    out1[i] = buffer;",
        ),
        UpdateOp::Adam => (
            OUT012,
            "let m = beta1 * a + (1.0 - beta1) * grad;
    let v = beta2 * b + (1.0 - beta2) * grad * grad;
    let q = select(pv, pv * (1.0 - lr * wd), decoupled);
    if (flag(1u)) {
        out0[i] = q - lr * sqrt(p.correction2) / p.correction1 * m / (sqrt(v) + eps);
    } else {
        out0[i] = q - lr * (m / p.correction1) / (sqrt(v / p.correction2) + eps);
    }
    out1[i] = m;
    out2[i] = v;",
        ),
    }
}
