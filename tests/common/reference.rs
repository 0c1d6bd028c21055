//! Replays the NumPy reference cases of `tests/fixtures/reference.json` (made by
//! `tests/fixtures/make_reference.py`) on a device and compares every value.

use serde_json::Value;
use webgrad::backend::{BinaryOp, UnaryOp};
use webgrad::{Conv2dOptions, ConvTranspose2dOptions, Device, HostData, Padding, Pool2dOptions, Tensor};

const REFERENCE: &str = include_str!("../fixtures/reference.json");

fn number(v: &Value) -> f64 {
    match v {
        Value::String(s) if s == "nan" => f64::NAN,
        Value::String(s) if s == "inf" => f64::INFINITY,
        Value::String(s) if s == "-inf" => f64::NEG_INFINITY,
        Value::Bool(b) => *b as u8 as f64,
        other => other.as_f64().expect("a number"),
    }
}

fn shape_of(v: &Value) -> Vec<usize> {
    v.as_array().expect("a shape").iter().map(|d| d.as_u64().expect("a size") as usize).collect()
}

fn host(v: &Value) -> (HostData, Vec<usize>) {
    let data: Vec<f64> = v["data"].as_array().expect("data").iter().map(number).collect();
    let host = match v["dtype"].as_str().expect("dtype") {
        "float32" => HostData::F32(data.iter().map(|&x| x as f32).collect()),
        "int32" => HostData::I32(data.iter().map(|&x| x as i32).collect()),
        _ => HostData::Bool(data.iter().map(|&x| x != 0.0).collect()),
    };
    (host, shape_of(&v["shape"]))
}

fn ints(v: &Value) -> Vec<usize> {
    v.as_array().map(|a| a.iter().map(|d| d.as_u64().expect("an int") as usize).collect()).unwrap_or_default()
}

fn pair(v: &Value) -> [usize; 2] {
    let v = ints(v);
    [v[0], v[1]]
}

fn axes(v: &Value) -> Option<Vec<isize>> {
    v.as_array().map(|a| a.iter().map(|d| d.as_i64().expect("an axis") as isize).collect())
}

fn padding(args: &Value) -> Padding {
    match args["padMode"].as_str().expect("padMode") {
        "valid" => Padding::Valid,
        "same" => Padding::Same,
        _ => {
            let p = ints(&args["pads"]);
            Padding::Explicit([p[0], p[1], p[2], p[3]])
        }
    }
}

/// Runs one case's op on `inputs`.
fn run(op: &str, args: &Value, t: &[Tensor]) -> webgrad::Result<Tensor> {
    let name = args["name"].as_str().unwrap_or("");
    let keepdim = args["keepdim"].as_bool().unwrap_or(false);
    let axis = || args["axis"].as_i64().expect("axis") as isize;
    match op {
        "unary" => t[0].unary(UnaryOp::from_name(name).expect("unary op")),
        "binary" => t[0].binary(BinaryOp::from_name(name).expect("binary op"), &t[1]),
        "leakyRelu" => t[0].leaky_relu(number(&args["alpha"])),
        "elu" => t[0].elu(number(&args["alpha"])),
        "clamp" => t[0].clamp(Some(number(&args["min"])), Some(number(&args["max"]))),
        "where" => Tensor::where_cond(&t[0], &t[1], &t[2]),
        "reduce" => {
            let a = axes(&args["axes"]);
            let a = a.as_deref();
            match name {
                "sum" => t[0].sum_dims(a, keepdim),
                "mean" => t[0].mean(a, keepdim),
                "max" => t[0].max(a, keepdim),
                "min" => t[0].min(a, keepdim),
                "prod" => t[0].prod(a, keepdim),
                _ => t[0].logsumexp(a, keepdim),
            }
        }
        "moment" => {
            let a = axes(&args["axes"]);
            let c = number(&args["correction"]);
            if name == "var" {
                t[0].var(a.as_deref(), c, keepdim)
            } else {
                t[0].std(a.as_deref(), c, keepdim)
            }
        }
        "argReduce" => {
            let a = args["axis"].as_i64().map(|a| a as isize);
            if name == "argmax" {
                t[0].argmax(a, keepdim)
            } else {
                t[0].argmin(a, keepdim)
            }
        }
        "softmax" => t[0].softmax(axis()),
        "logSoftmax" => t[0].log_softmax(axis()),
        "matmul" => t[0].matmul(&t[1]),
        "slice" => {
            let bound = |v: &Value| v.as_i64().map(|x| x as isize);
            t[0].slice(axis(), bound(&args["start"]), bound(&args["end"]), args["step"].as_u64().expect("step") as usize)
        }
        "permute" => t[0].permute(&axes(&args["order"]).expect("order")),
        "concat" => Tensor::concat(t, axis()),
        "stack" => Tensor::stack(t, axis()),
        "pad" => {
            let w = ints(&args["widths"]);
            t[0].pad(&w.chunks(2).map(|p| (p[0], p[1])).collect::<Vec<_>>(), number(&args["value"]))
        }
        "flip" => t[0].flip(&axes(&args["axes"]).expect("axes")),
        "gather" => t[0].gather(axis(), &t[1]),
        "indexSelect" => t[0].index_select(axis(), &t[1]),
        "scatterAdd" => t[0].scatter_add(axis(), &t[1], &t[2]),
        "oneHot" => t[0].one_hot(args["classes"].as_u64().expect("classes") as usize),
        "conv2d" => {
            let o = Conv2dOptions {
                stride: pair(&args["stride"]),
                padding: padding(args),
                dilation: pair(&args["dilation"]),
                groups: args["groups"].as_u64().expect("groups") as usize,
            };
            t[0].conv2d(&t[1], None, &o)
        }
        "conv1d" => {
            let p = ints(&args["pads"]);
            let stride = args["stride"].as_u64().expect("stride") as usize;
            let dilation = args["dilation"].as_u64().expect("dilation") as usize;
            let groups = args["groups"].as_u64().expect("groups") as usize;
            t[0].conv1d(&t[1], None, stride, Padding::Explicit([0, p[0], 0, p[1]]), dilation, groups)
        }
        "convTranspose2d" => {
            let o = ConvTranspose2dOptions {
                stride: pair(&args["stride"]),
                padding: pair(&args["padding"]),
                output_padding: pair(&args["outputPadding"]),
                dilation: pair(&args["dilation"]),
                groups: args["groups"].as_u64().expect("groups") as usize,
            };
            t[0].conv_transpose2d(&t[1], None, &o)
        }
        "pool2d" => {
            let o = Pool2dOptions {
                kernel: pair(&args["kernel"]),
                stride: Some(pair(&args["stride"])),
                padding: padding(args),
                dilation: [1, 1],
                count_include_pad: args["countIncludePad"].as_bool().expect("countIncludePad"),
            };
            if args["kind"] == "max" {
                t[0].max_pool2d(&o)
            } else {
                t[0].avg_pool2d(&o)
            }
        }
        other => panic!("unknown fixture op {other}"),
    }
}

/// True when `actual` matches `expected`: NaN with NaN, infinities exactly, else within tolerance.
fn matches(actual: f64, expected: f64, rtol: f64, atol: f64) -> bool {
    if expected.is_nan() {
        return actual.is_nan();
    }
    if expected.is_infinite() {
        return actual == expected;
    }
    (actual - expected).abs() <= atol + rtol * expected.abs()
}

/// Runs every reference case on `device`, returning the number checked; panics with every case that
/// disagrees (its first wrong element).
pub async fn check_reference(device: &Device) -> usize {
    let doc: Value = serde_json::from_str(REFERENCE).expect("reference.json parses");
    let cases = doc["cases"].as_array().expect("cases");
    let mut failures = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let op = case["op"].as_str().expect("op");
        let inputs: Vec<Tensor> = case["inputs"]
            .as_array()
            .expect("inputs")
            .iter()
            .map(|v| {
                let (data, shape) = host(v);
                Tensor::new(data, &shape, device).expect("input")
            })
            .collect();
        let what = format!("case {i} ({op} {})", case["args"]);
        let out = match run(op, &case["args"], &inputs) {
            Ok(out) => out,
            Err(e) => {
                failures.push(format!("{what}: {e}"));
                continue;
            }
        };
        let (expected, shape) = host(&case["expected"]);
        assert_eq!(out.shape(), shape.as_slice(), "{what}: shape");
        assert_eq!(out.dtype(), expected.dtype(), "{what}: dtype");
        let actual = out.to_host().await.unwrap_or_else(|e| panic!("{what}: {e}")).to_f32();
        // WGSL bounds sin and cos only to 2^-11 absolute error (after range reduction, which the
        // kernels do); everything else meets the CPU tolerance.
        let trig = op == "unary" && matches!(case["args"]["name"].as_str(), Some("sin" | "cos"));
        let atol = if trig && device.kind() == "webgpu" { 1.0 / 2048.0 } else { 1e-5 };
        let wrong = actual.iter().zip(expected.to_f32()).enumerate().find(|(_, (a, e))| !matches(**a as f64, *e as f64, 1e-4, atol));
        if let Some((j, (a, e))) = wrong {
            failures.push(format!("{what}: element {j} is {a}, NumPy says {e}"));
        }
    }
    assert!(failures.is_empty(), "{} of {} cases disagree with NumPy on {device:?}:\n{}", failures.len(), cases.len(), failures.join("\n"));
    cases.len()
}

/// The names of the unary ops the reference has a case for.
pub fn unary_names() -> Vec<String> {
    let doc: Value = serde_json::from_str(REFERENCE).expect("reference.json parses");
    let cases = doc["cases"].as_array().expect("cases");
    cases.iter().filter(|c| c["op"] == "unary").filter_map(|c| c["args"]["name"].as_str().map(str::to_string)).collect()
}
