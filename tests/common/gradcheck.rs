//! Central-difference gradient checks: for each case, the autograd gradient of
//! `loss = sum(f(inputs) * w)` (fixed random `w`) is compared with `(loss(x + e) - loss(x - e)) / 2e`
//! per input element, the loss summed in f64 on the host.

use webgrad::backend::{BinaryOp, UnaryOp};
use webgrad::{Activation, Conv2dOptions, ConvTranspose2dOptions, Device, Padding, Pool2dOptions, Result, Tensor};

use super::random;

/// Where a case's input values are drawn from (away from kinks and poles): the unary op table's
/// domains, so each op's row says where its gradient is checked.
pub use webgrad::backend::GradDomain as Domain;

/// The function a case checks, of its inputs.
pub type CaseFn = Box<dyn Fn(&[Tensor]) -> Result<Tensor>>;

pub struct Case {
    pub name: String,
    pub inputs: Vec<(Vec<usize>, Domain)>,
    pub f: CaseFn,
}

fn values(n: usize, domain: Domain, seed: u32) -> Vec<f32> {
    let r = random(n, seed);
    match domain {
        Domain::Any => r,
        Domain::NonZero => r.iter().map(|&v| v.signum() * (0.2 + 0.8 * v.abs())).collect(),
        Domain::Positive => r.iter().map(|&v| 1.0 + 0.5 * v).collect(),
    }
}

fn case(name: impl Into<String>, inputs: &[(&[usize], Domain)], f: impl Fn(&[Tensor]) -> Result<Tensor> + 'static) -> Case {
    Case { name: name.into(), inputs: inputs.iter().map(|(s, d)| (s.to_vec(), *d)).collect(), f: Box::new(f) }
}

use Domain::{Any, NonZero, Positive};

/// One case per differentiable row of the unary op table, on the domain the row gives.
fn unary_cases() -> impl Iterator<Item = Case> {
    UnaryOp::ALL.into_iter().filter_map(|op| {
        let domain = op.grad_domain()?;
        Some(case(op.name().map_or_else(|| format!("{op:?}"), str::to_string), &[(&[2, 3], domain)], move |t| t[0].unary(op)))
    })
}

/// One case per differentiable row of the binary op table, each operand on the domain the row gives.
fn binary_cases() -> impl Iterator<Item = Case> {
    BinaryOp::ALL.into_iter().filter_map(|op| {
        let (a, b) = op.grad_domains()?;
        Some(case(op.name(), &[(&[2, 3], a), (&[2, 3], b)], move |t| t[0].binary(op, &t[1])))
    })
}

/// Every differentiable op (the unary and binary ones from their tables), with broadcasting and non-contiguous
/// (transposed, sliced) inputs.
pub fn cases() -> Vec<Case> {
    let conv = |stride, padding, dilation, groups| Conv2dOptions { stride, padding, dilation, groups };
    let mut cases: Vec<Case> = unary_cases().chain(binary_cases()).collect();
    cases.extend([
        // Non-contiguous inputs through the unary kernels.
        case("neg (transposed)", &[(&[3, 2], Any)], |t| t[0].t()?.neg()),
        case("exp (transposed)", &[(&[3, 2], Any)], |t| t[0].t()?.exp()),
        case("relu (sliced)", &[(&[2, 6], NonZero)], |t| t[0].slice(1, Some(1), None, 2)?.relu()),
        case("leaky relu", &[(&[2, 3], NonZero)], |t| t[0].leaky_relu(0.1)),
        case("elu", &[(&[2, 3], NonZero)], |t| t[0].elu(1.5)),
        case("clamp", &[(&[2, 3], NonZero)], |t| t[0].clamp(Some(-0.61), Some(0.53))),
        case("add (broadcast row)", &[(&[2, 3], Any), (&[3], Any)], |t| t[0].add(&t[1])),
        case("sub (outer broadcast)", &[(&[2, 1], Any), (&[1, 3], Any)], |t| t[0].sub(&t[1])),
        case("mul (broadcast, transposed)", &[(&[3, 2], Any), (&[2, 1], Any)], |t| t[0].t()?.mul(&t[1])),
        case("div", &[(&[2, 3], Any), (&[3], Positive)], |t| t[0].div(&t[1])),
        case("pow", &[(&[2, 3], Positive), (&[2, 3], Any)], |t| t[0].pow(&t[1])),
        case("maximum", &[(&[2, 3], Any), (&[2, 3], Any)], |t| t[0].maximum(&t[1])),
        case("minimum (broadcast)", &[(&[2, 3], Any), (&[3], Any)], |t| t[0].minimum(&t[1])),
        case("where", &[(&[2, 3], Any), (&[3], Any)], |t| {
            let cond = t[0].gt(&t[1])?;
            Tensor::where_cond(&cond, &t[0].mul(&t[0])?, &t[1])
        }),
        case("sum (axis, keepdim)", &[(&[2, 3, 2], Any)], |t| t[0].sum_dims(Some(&[1]), true)),
        case("mean (two axes)", &[(&[2, 3, 2], Any)], |t| t[0].mean(Some(&[0, 2]), false)),
        case("max (axis)", &[(&[3, 4], Any)], |t| t[0].max(Some(&[1]), false)),
        case("min (all, transposed)", &[(&[3, 4], Any)], |t| t[0].t()?.min(None, false)),
        case("prod", &[(&[2, 3], NonZero)], |t| t[0].prod(Some(&[1]), false)),
        case("var", &[(&[2, 4], Any)], |t| t[0].var(Some(&[1]), 1.0, false)),
        case("std", &[(&[2, 4], Any)], |t| t[0].std(None, 0.0, false)),
        case("logsumexp", &[(&[2, 4], Any)], |t| t[0].logsumexp(Some(&[1]), false)),
        case("softmax", &[(&[2, 4], Any)], |t| t[0].softmax(-1)),
        case("log softmax (axis 0)", &[(&[3, 2], Any)], |t| t[0].log_softmax(0)),
        case("matmul", &[(&[2, 3], Any), (&[3, 4], Any)], |t| t[0].matmul(&t[1])),
        case("matmul (batch broadcast)", &[(&[2, 1, 2, 3], Any), (&[3, 3, 2], Any)], |t| t[0].matmul(&t[1])),
        case("matmul (vectors)", &[(&[3], Any), (&[3, 2], Any)], |t| t[0].matmul(&t[1])?.matmul(&t[0].narrow(0, 0, 2)?)),
        case("linear (identity, 3-D input)", &[(&[2, 2, 3], Any), (&[3, 4], Any), (&[4], Any)], |t| {
            t[0].linear(&t[1], &t[2], Activation::Identity)
        }),
        case("linear (relu)", &[(&[3, 3], NonZero), (&[3, 5], NonZero), (&[5], NonZero)], |t| t[0].linear(&t[1], &t[2], Activation::Relu)),
        case("linear (sigmoid, transposed weight)", &[(&[3, 4], Any), (&[2, 4], Any), (&[2], Any)], |t| {
            t[0].linear(&t[1].t()?, &t[2], Activation::Sigmoid)
        }),
        case("linear (tanh)", &[(&[4, 3], Any), (&[3, 2], Any), (&[2], Any)], |t| t[0].linear(&t[1], &t[2], Activation::Tanh)),
        case("matmul (transposed operands)", &[(&[3, 2], Any), (&[4, 3], Any)], |t| t[0].t()?.matmul(&t[1].t()?)),
        case("reshape and permute", &[(&[2, 3, 4], Any)], |t| t[0].permute(&[2, 0, 1])?.reshape(&[4, 6])?.square()),
        case("broadcast_to", &[(&[3, 1], Any)], |t| t[0].broadcast_to(&[2, 3, 4])?.mul(&t[0].broadcast_to(&[2, 3, 4])?)),
        case("slice (step, negative start)", &[(&[3, 7], Any)], |t| t[0].slice(1, Some(-6), None, 2)?.square()),
        case("concat", &[(&[2, 3], Any), (&[2, 2], Any)], |t| Tensor::concat(&[t[0].clone(), t[1].square()?], 1)),
        case("stack", &[(&[2, 3], Any), (&[2, 3], Any)], |t| Tensor::stack(&[t[0].clone(), t[1].exp()?], 0)),
        case("split and chunk", &[(&[5, 2], Any)], |t| {
            let parts = t[0].split(&[2, 3], 0)?;
            let chunks = t[0].chunk(2, 0)?;
            parts[1].sum()?.mul(&chunks[0].sum()?)
        }),
        case("pad", &[(&[2, 3], Any)], |t| t[0].pad(&[(1, 0), (2, 1)], 0.5)?.square()),
        case("flip", &[(&[2, 3], Any)], |t| t[0].flip(&[0, 1])?.mul(&t[0])),
        case("squeeze and unsqueeze", &[(&[2, 1, 3], Any)], |t| t[0].squeeze(None)?.unsqueeze(0)?.square()),
        case("gather", &[(&[3, 4], Any)], |t| {
            let index = Tensor::from_i32(&[0, 3, 3, 1, 2, 2], &[3, 2], t[0].device())?;
            t[0].gather(1, &index)
        }),
        case("index select (repeats)", &[(&[3, 4], Any)], |t| {
            let index = Tensor::from_i32(&[2, 0, 2], &[3], t[0].device())?;
            t[0].index_select(0, &index)
        }),
        case("scatter add", &[(&[3, 4], Any), (&[3, 2], Any)], |t| {
            let index = Tensor::from_i32(&[0, 3, 3, 3, 2, 1], &[3, 2], t[0].device())?;
            t[0].scatter_add(1, &index, &t[1])?.square()
        }),
        case("conv2d", &[(&[2, 2, 5, 4], Any), (&[3, 2, 3, 2], Any), (&[3], Any)], move |t| {
            t[0].conv2d(&t[1], Some(&t[2]), &conv([1, 1], Padding::Valid, [1, 1], 1))
        }),
        case("conv2d (stride 2, same)", &[(&[1, 2, 5, 5], Any), (&[2, 2, 3, 3], Any)], move |t| {
            t[0].conv2d(&t[1], None, &conv([2, 2], Padding::Same, [1, 1], 1))
        }),
        case("conv2d (dilation, explicit padding, groups)", &[(&[1, 4, 5, 5], Any), (&[2, 2, 2, 2], Any)], move |t| {
            t[0].conv2d(&t[1], None, &conv([1, 2], Padding::Explicit([1, 0, 0, 1]), [2, 1], 2))
        }),
        case("conv1d", &[(&[2, 2, 6], Any), (&[3, 2, 3], Any)], |t| t[0].conv1d(&t[1], None, 2, Padding::Explicit([0, 1, 0, 1]), 1, 1)),
        case("conv transpose2d", &[(&[1, 2, 3, 3], Any), (&[2, 2, 3, 3], Any), (&[2], Any)], |t| {
            let o = ConvTranspose2dOptions { stride: [2, 2], padding: [1, 1], output_padding: [1, 1], ..Default::default() };
            t[0].conv_transpose2d(&t[1], Some(&t[2]), &o)
        }),
        case("max pool2d (same)", &[(&[1, 2, 5, 5], Any)], |t| {
            t[0].max_pool2d(&Pool2dOptions { stride: Some([2, 2]), padding: Padding::Same, ..Pool2dOptions::new([3, 3]) })
        }),
        case("avg pool2d (padding excluded)", &[(&[1, 2, 5, 5], Any)], |t| {
            let o = Pool2dOptions { stride: Some([2, 2]), padding: Padding::Same, count_include_pad: false, ..Pool2dOptions::new([3, 3]) };
            t[0].avg_pool2d(&o)
        }),
        case("global avg pool2d", &[(&[2, 3, 2, 2], Any)], |t| t[0].global_avg_pool2d()?.square()),
    ]);
    cases.extend(issue14_cases());
    cases
}

/// `sum(out * w)` in f64 on the host.
async fn host_loss(out: &Tensor, w: &[f32]) -> f64 {
    let values = out.to_vec().await.expect("readback");
    values.iter().zip(w).map(|(&v, &w)| v as f64 * w as f64).sum()
}

/// Checks one case on `device`; the error names the input and element that disagree.
pub async fn check(case: &Case, device: &Device) -> std::result::Result<(), String> {
    let base: Vec<Vec<f32>> =
        case.inputs.iter().enumerate().map(|(i, (shape, d))| values(shape.iter().product(), *d, 100 + i as u32)).collect();
    let make = |vals: &[Vec<f32>]| -> Vec<Tensor> {
        case.inputs.iter().zip(vals).map(|((shape, _), v)| Tensor::from_slice(v, shape, device).expect("input")).collect()
    };
    let inputs = make(&base);
    for t in &inputs {
        t.set_requires_grad(true);
    }
    let out = (case.f)(&inputs).map_err(|e| format!("{}: {e}", case.name))?;
    let w = random(out.numel(), 7);
    let weights = Tensor::from_slice(&w, out.shape(), device).expect("weights");
    out.mul(&weights).and_then(|l| l.sum()).and_then(|l| l.backward()).map_err(|e| format!("{}: backward: {e}", case.name))?;
    let eps = 1e-2f32;
    for (i, input) in inputs.iter().enumerate() {
        let analytic = match input.grad() {
            Some(g) => g.to_vec().await.map_err(|e| e.to_string())?,
            None => vec![0.0; input.numel()],
        };
        assert_eq!(analytic.len(), input.numel(), "{}: gradient shape", case.name);
        for j in 0..input.numel() {
            let at = |delta: f32| {
                let mut vals = base.clone();
                vals[i][j] += delta;
                webgrad::no_grad(|| (case.f)(&make(&vals))).expect("forward")
            };
            let (plus, minus) = (at(eps), at(-eps));
            let numeric = ((host_loss(&plus, &w).await - host_loss(&minus, &w).await) / (2.0 * eps as f64)) as f32;
            let a = analytic[j];
            if (a - numeric).abs() > 1e-2 + 1e-2 * numeric.abs() {
                return Err(format!("{}: input {i} element {j}: autograd {a}, finite differences {numeric}", case.name));
            }
        }
    }
    Ok(())
}

/// Runs every case, returning all failures.
pub async fn check_all(device: &Device) -> Vec<String> {
    let mut failures = Vec::new();
    for case in cases() {
        if let Err(e) = check(&case, device).await {
            failures.push(e);
        }
    }
    failures
}

/// The activations, merge and shape layers of issue 14, through their modules.
fn issue14_cases() -> Vec<Case> {
    use webgrad::nn::layers::{Dot, Merge, MergeKind, Relu, Softmax};
    use webgrad::nn::{Act, Module};
    // Scaled so the inputs reach relu6's cap and hard sigmoid's clamps.
    let act = |name: &str, act: Act, scale: f64| {
        case(format!("activation {name}"), &[(&[2, 3], NonZero)], move |t| act.apply(&t[0].mul_scalar(scale)?))
    };
    let call = |m: &dyn Module, t: &[Tensor]| -> Result<Tensor> { Ok(m.call(t)?.remove(0)) };
    vec![
        act("relu6", Act::Relu6, 8.0),
        act("hardSigmoid", Act::HardSigmoid, 4.0),
        act("mish", Act::Mish, 3.0),
        act("softsign", Act::Softsign, 3.0),
        act("selu", Act::Selu, 3.0),
        case("relu (max, slope, threshold)", &[(&[2, 3], NonZero)], |t| Relu::new(Some(1.5), 0.3, 0.1)?.forward(&t[0].mul_scalar(2.0)?)),
        case("softmax (two axes)", &[(&[2, 2, 3], Any)], |t| Softmax { axes: vec![1, 2] }.forward(&t[0])),
        case("merge average (broadcast rank)", &[(&[2, 3, 2], Any), (&[2, 2], Any)], move |t| call(&Merge(MergeKind::Average), t)),
        case("dot (normalized, mixed rank)", &[(&[2, 3], Any), (&[2, 2, 3], Any)], move |t| {
            call(&Dot { axes: [1, 2], normalize: true }, t)
        }),
    ]
}
