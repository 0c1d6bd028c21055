//! Edge cases the reference and gradient checks do not reach: kinks and ties, empty shapes, graph
//! lifetime, dtypes, errors, creation and the seeded generator. Values are hand-derived.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::read;
use webgrad::{manual_seed, DType, Device, Error, HostData, Padding, Pool2dOptions, Tensor};

fn cpu() -> Device {
    Device::Cpu
}

fn t(data: &[f32], shape: &[usize]) -> Tensor {
    Tensor::from_slice(data, shape, &cpu()).unwrap()
}

fn host(t: &Tensor) -> HostData {
    pollster::block_on(t.to_host()).unwrap()
}

#[test]
fn relu_and_abs_have_zero_gradient_at_zero() {
    let x = t(&[-1.0, 0.0, 2.0], &[3]);
    x.set_requires_grad(true);
    x.relu().unwrap().sum().unwrap().backward().unwrap();
    assert_eq!(read(&x.grad().unwrap()), vec![0.0, 0.0, 1.0]);
    let y = t(&[-1.0, 0.0, 2.0], &[3]);
    y.set_requires_grad(true);
    y.abs().unwrap().sum().unwrap().backward().unwrap();
    assert_eq!(read(&y.grad().unwrap()), vec![-1.0, 0.0, 1.0]);
}

#[test]
fn max_ties_share_the_gradient() {
    let x = t(&[1.0, 3.0, 3.0, 2.0], &[4]);
    x.set_requires_grad(true);
    x.max(None, false).unwrap().backward().unwrap();
    assert_eq!(read(&x.grad().unwrap()), vec![0.0, 0.5, 0.5, 0.0]);
    let (a, b) = (t(&[1.0, 2.0], &[2]), t(&[1.0, 3.0], &[2]));
    a.set_requires_grad(true);
    b.set_requires_grad(true);
    a.maximum(&b).unwrap().sum().unwrap().backward().unwrap();
    assert_eq!(read(&a.grad().unwrap()), vec![0.5, 0.0]);
    assert_eq!(read(&b.grad().unwrap()), vec![0.5, 1.0]);
}

#[test]
fn max_pooling_routes_each_window_gradient_to_its_first_maximum() {
    // As TensorFlow and PyTorch do: ties give the whole gradient to the first maximum in the
    // window's row-major order, NaN wins, and padding never does. On every backend.
    for d in common::devices() {
        let pool = |data: &[f32], shape: &[usize], o: Pool2dOptions, g: &[f32]| {
            let x = Tensor::from_slice(data, shape, &d).unwrap();
            x.set_requires_grad(true);
            let y = x.max_pool2d(&o).unwrap();
            let weights = Tensor::from_slice(g, y.shape(), &d).unwrap();
            y.mul(&weights).unwrap().sum().unwrap().backward().unwrap();
            (read(&y), read(&x.grad().unwrap()))
        };
        let image = [1.0, 1.0, 2.0, 5.0, 1.0, 0.0, 5.0, 2.0];
        let (y, dx) = pool(&image, &[1, 1, 2, 4], Pool2dOptions::new([2, 2]), &[2.0, 3.0]);
        assert_eq!(y, vec![1.0, 5.0], "{}", d.kind());
        assert_eq!(dx, vec![2.0, 0.0, 0.0, 3.0, 0.0, 0.0, 0.0, 0.0], "{}", d.kind());
        // Overlapping windows: the middle one's maximum is (1, 2), the last one's (0, 3).
        let (y, dx) =
            pool(&image, &[1, 1, 2, 4], Pool2dOptions { stride: Some([1, 1]), ..Pool2dOptions::new([2, 2]) }, &[1.0, 10.0, 100.0]);
        assert_eq!(y, vec![1.0, 5.0, 5.0], "{}", d.kind());
        assert_eq!(dx, vec![1.0, 0.0, 0.0, 100.0, 0.0, 0.0, 10.0, 0.0], "{}", d.kind());
        // One pixel the maximum of two windows sums both gradients.
        let (y, dx) =
            pool(&[1.0, 9.0, 2.0], &[1, 1, 1, 3], Pool2dOptions { stride: Some([1, 1]), ..Pool2dOptions::new([1, 2]) }, &[1.0, 10.0]);
        assert_eq!((y, dx), (vec![9.0, 9.0], vec![0.0, 11.0, 0.0]), "{}", d.kind());
        let (y, dx) = pool(&[f32::NAN, 3.0, 4.0, f32::NAN], &[1, 1, 2, 2], Pool2dOptions::new([2, 2]), &[1.0]);
        assert!(y[0].is_nan(), "{}: {y:?}", d.kind());
        assert_eq!(dx, vec![1.0, 0.0, 0.0, 0.0], "{}", d.kind());
        // 'same' padding adds one column on the right; the second window holds -2 and padding.
        let same = Pool2dOptions { stride: Some([1, 2]), padding: Padding::Same, ..Pool2dOptions::new([1, 2]) };
        let (y, dx) = pool(&[-3.0, -1.0, -2.0], &[1, 1, 1, 3], same, &[1.0, 1.0]);
        assert_eq!(y, vec![-1.0, -2.0], "{}", d.kind());
        assert_eq!(dx, vec![0.0, 1.0, 1.0], "{}", d.kind());
    }
}

#[test]
fn prod_gradient_with_zeros() {
    // d/dx_i prod(x) = product of the others: [0*3, 2*3, 2*0] for x = [2, 0, 3]; two zeros give 0.
    let x = t(&[2.0, 0.0, 3.0, 0.0, 5.0, 0.0], &[2, 3]);
    x.set_requires_grad(true);
    x.prod(Some(&[1]), false).unwrap().sum().unwrap().backward().unwrap();
    assert_eq!(read(&x.grad().unwrap()), vec![0.0, 6.0, 0.0, 0.0, 0.0, 0.0]);
}

#[test]
fn nan_and_infinity_pass_through() {
    let x = t(&[f32::NAN, f32::INFINITY, f32::NEG_INFINITY], &[3]);
    let r = read(&x.relu().unwrap());
    assert!(r[0].is_nan() && r[1] == f32::INFINITY && r[2] == 0.0);
    assert!(read(&x.sum().unwrap())[0].is_nan());
    assert!(read(&x.max(None, false).unwrap())[0].is_nan());
    let e = read(&x.exp().unwrap());
    assert!(e[0].is_nan() && e[1] == f32::INFINITY && e[2] == 0.0);
}

#[test]
fn softmax_of_huge_logits_is_finite() {
    let x = t(&[1e30, 0.0, -1e30, f32::NEG_INFINITY], &[4]);
    assert_eq!(read(&x.softmax(0).unwrap()), vec![1.0, 0.0, 0.0, 0.0]);
    // Shifting before subtracting keeps the digits: log(1/2) exactly, not 1000 - 1000.6931.
    assert_eq!(read(&t(&[1000.0, 1000.0], &[2]).log_softmax(0).unwrap()), vec![-std::f32::consts::LN_2; 2]);
    let all_neg_inf = t(&[f32::NEG_INFINITY; 2], &[2]);
    assert_eq!(read(&all_neg_inf.logsumexp(None, false).unwrap()), vec![f32::NEG_INFINITY]);
}

#[test]
fn empty_dimensions() {
    let e = Tensor::zeros(&[0, 3], DType::F32, &cpu()).unwrap();
    assert_eq!(read(&e.sum().unwrap()), vec![0.0]);
    assert_eq!(read(&e.sum_dims(Some(&[0]), false).unwrap()), vec![0.0; 3]);
    assert_eq!(e.sum_dims(Some(&[1]), false).unwrap().shape(), &[0]);
    assert_eq!(read(&e.prod(None, false).unwrap()), vec![1.0]);
    assert!(read(&e.mean(Some(&[0]), false).unwrap()).iter().all(|v| v.is_nan()));
    assert!(matches!(e.max(Some(&[0]), false).unwrap_err(), Error::Invalid { .. }));
    assert_eq!(e.exp().unwrap().shape(), &[0, 3]);
    let m = t(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[3, 2]);
    assert_eq!(read(&e.matmul(&m).unwrap()), Vec::<f32>::new());
    let k0 = Tensor::zeros(&[2, 0], DType::F32, &cpu()).unwrap();
    assert_eq!(read(&k0.matmul(&Tensor::zeros(&[0, 2], DType::F32, &cpu()).unwrap()).unwrap()), vec![0.0; 4]);
    assert_eq!(read(&Tensor::concat(&[e.clone(), t(&[1.0, 2.0, 3.0], &[1, 3])], 0).unwrap()), vec![1.0, 2.0, 3.0]);
}

#[test]
fn backward_frees_the_graph_unless_retained() {
    let x = t(&[1.0, 2.0], &[2]);
    x.set_requires_grad(true);
    let loss = x.square().unwrap().sum().unwrap();
    loss.backward_opts(None, true).unwrap();
    loss.backward().unwrap();
    assert_eq!(read(&x.grad().unwrap()), vec![4.0, 8.0]);
    assert!(matches!(loss.backward().unwrap_err(), Error::GraphFreed { .. }));
    assert!(loss.op().is_none());
}

#[test]
fn backward_with_a_seed_and_detach() {
    let x = t(&[1.0, 2.0, 3.0], &[3]);
    x.set_requires_grad(true);
    let y = x.square().unwrap();
    assert!(matches!(y.backward().unwrap_err(), Error::NonScalarBackward { .. }));
    y.backward_with(&t(&[1.0, 0.5, -1.0], &[3])).unwrap();
    assert_eq!(read(&x.grad().unwrap()), vec![2.0, 2.0, -6.0]);
    let d = x.detach();
    assert!(!d.tracks_grad());
    assert!(matches!(d.sum().unwrap().backward().unwrap_err(), Error::Invalid { .. }));
    // The detached branch contributes no gradient.
    x.zero_grad();
    x.mul(&d).unwrap().sum().unwrap().backward().unwrap();
    assert_eq!(read(&x.grad().unwrap()), vec![1.0, 2.0, 3.0]);
}

#[test]
fn a_training_loop_keeps_no_graph_alive() {
    // Each step's graph is freed by backward: the leaf's op stays None and nothing accumulates but
    // the gradient.
    let w = t(&[0.5, -0.5], &[2]);
    w.set_requires_grad(true);
    let x = t(&[1.0, 2.0, 3.0, 4.0], &[2, 2]);
    for _ in 0..100 {
        let loss = x.matmul(&w).unwrap().square().unwrap().mean(None, false).unwrap();
        loss.backward().unwrap();
        assert!(loss.op().is_none());
    }
    // 100 accumulated gradients of mean((x w)^2): 100 * 2/2 * x^T (x w) = 100 * [-2.5, -3.5]... check
    // against one step times 100.
    let one = t(&[0.5, -0.5], &[2]);
    one.set_requires_grad(true);
    x.matmul(&one).unwrap().square().unwrap().mean(None, false).unwrap().backward().unwrap();
    let single = read(&one.grad().unwrap());
    let total = read(&w.grad().unwrap());
    for (s, t) in single.iter().zip(&total) {
        assert!((t - 100.0 * s).abs() < 1e-3, "{t} vs 100 * {s}");
    }
}

#[test]
fn dtypes_promote_and_cast() {
    let i = Tensor::from_i32(&[1, -2, 3], &[3], &cpu()).unwrap();
    let f = t(&[0.5, 0.5, 0.5], &[3]);
    assert_eq!(i.add(&f).unwrap().dtype(), DType::F32);
    assert_eq!(host(&i.add(&i).unwrap()), HostData::I32(vec![2, -4, 6]));
    assert_eq!(host(&i.div(&Tensor::from_i32(&[2, 2, 2], &[3], &cpu()).unwrap()).unwrap()), HostData::F32(vec![0.5, -1.0, 1.5]));
    assert_eq!(host(&i.gt(&f).unwrap()), HostData::Bool(vec![true, false, true]));
    assert_eq!(host(&t(&[1.7, -1.7], &[2]).cast(DType::I32).unwrap()), HostData::I32(vec![1, -1]));
    assert_eq!(host(&i.abs().unwrap()), HostData::I32(vec![1, 2, 3]));
    assert_eq!(host(&i.exp().unwrap()).dtype(), DType::F32);
    assert_eq!(host(&i.sum().unwrap()), HostData::I32(vec![2]));
    let b = Tensor::from_bool(&[true, false, true], &[3], &cpu()).unwrap();
    assert_eq!(host(&b.sum().unwrap()), HostData::I32(vec![2]));
    assert_eq!(host(&b.logical_not().unwrap()), HostData::Bool(vec![false, true, false]));
    assert!(matches!(i.matmul(&i.reshape(&[3, 1]).unwrap()).unwrap_err(), Error::DType { .. }));
}

#[test]
fn ranks_up_to_six() {
    let x = Tensor::arange(0.0, 64.0, 1.0, DType::F32, &cpu()).unwrap().reshape(&[2, 2, 2, 2, 2, 2]).unwrap();
    let s = x.permute(&[5, 4, 3, 2, 1, 0]).unwrap().sum_dims(Some(&[0, 2, 4]), false).unwrap();
    assert_eq!(s.shape(), &[2, 2, 2]);
    // Element [a, b, c] of the result sums x over the axes at positions 0, 2, 4 of the permutation,
    // i.e. original axes 5, 3, 1; the kept ones are original axes 4 (a), 2 (b), 0 (c).
    let expected: Vec<f32> = (0..8)
        .map(|k| {
            let (a, b, c) = (k / 4, (k / 2) % 2, k % 2);
            (0..8)
                .map(|r| {
                    let (p, q, s) = (r / 4, (r / 2) % 2, r % 2);
                    (c * 32 + p * 16 + b * 8 + q * 4 + a * 2 + s) as f32
                })
                .sum()
        })
        .collect();
    assert_eq!(read(&s), expected);
    let y = x.add(&Tensor::ones(&[2, 1, 2, 1, 2, 1], DType::F32, &cpu()).unwrap()).unwrap();
    assert_eq!(read(&y.sum().unwrap()), vec![(0..64).sum::<i32>() as f32 + 64.0]);
}

#[test]
fn errors_are_typed_and_named() {
    let x = t(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]);
    let msg = |e: Error| e.to_string();
    assert_eq!(msg(x.sum_dims(Some(&[2]), false).unwrap_err()), "sum: axis 2 is out of range for shape [2, 3]");
    assert_eq!(msg(x.softmax(-3).unwrap_err()), "softmax: axis -3 is out of range for shape [2, 3]");
    let bad = Tensor::from_i32(&[0, 5], &[2], &cpu()).unwrap();
    assert_eq!(msg(x.index_select(1, &bad).unwrap_err()), "indexSelect: index 5 is out of range for axis 1 of size 3 (shape [2, 3])");
    let float_index = t(&[0.0], &[1]);
    assert!(msg(x.index_select(1, &float_index).unwrap_err()).starts_with("indexSelect: unsupported dtype float32"));
    assert!(msg(x.reshape(&[4, 2]).unwrap_err()).starts_with("reshape: 6 values cannot fill shape [4, 2]"));
    assert!(msg(x.narrow(1, 2, 2).unwrap_err()).starts_with("narrow: index 4 is out of range"));
    assert!(msg(Tensor::concat(&[x.clone(), t(&[1.0], &[1, 1])], 0).unwrap_err()).starts_with("concat: shapes [2, 3] and [1, 1]"));
    let w = t(&[0.0; 18], &[2, 1, 3, 3]);
    assert!(msg(x.reshape(&[1, 2, 3, 1]).unwrap().conv2d(&w, None, &Default::default()).unwrap_err()).starts_with("conv2d:"));
    assert!(msg(Tensor::arange(0.0, 1.0, 0.0, DType::F32, &cpu()).unwrap_err()).starts_with("arange:"));
}

#[test]
fn creation_ops() {
    let d = cpu();
    assert_eq!(read(&Tensor::arange(1.0, 2.0, 0.25, DType::F32, &d).unwrap()), vec![1.0, 1.25, 1.5, 1.75]);
    assert_eq!(host(&Tensor::arange(5.0, 0.0, -2.0, DType::I32, &d).unwrap()), HostData::I32(vec![5, 3, 1]));
    assert_eq!(read(&Tensor::linspace(0.0, 1.0, 5, &d).unwrap()), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
    assert_eq!(read(&Tensor::eye(2, 3, DType::F32, &d).unwrap()), vec![1.0, 0.0, 0.0, 0.0, 1.0, 0.0]);
    assert_eq!(read(&t(&[1.0, 2.0], &[2]).full_like(7.0).unwrap()), vec![7.0, 7.0]);
    assert_eq!(host(&Tensor::from_i32(&[2, 0], &[2], &d).unwrap().one_hot(3).unwrap()), HostData::I32(vec![0, 0, 1, 1, 0, 0]));
}

#[test]
fn the_generator_is_seeded_and_well_distributed() {
    let d = cpu();
    manual_seed(7);
    let a = read(&Tensor::randn(&[4000], &d).unwrap());
    manual_seed(7);
    let b = read(&Tensor::randn(&[4000], &d).unwrap());
    assert_eq!(a, b);
    let mean = a.iter().map(|&v| v as f64).sum::<f64>() / a.len() as f64;
    let var = a.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / a.len() as f64;
    assert!(mean.abs() < 0.06 && (var - 1.0).abs() < 0.08, "mean {mean}, var {var}");
    let u = read(&Tensor::uniform(&[4000], -2.0, 3.0, &d).unwrap());
    assert!(u.iter().all(|&v| (-2.0..3.0).contains(&v)));
    let m = u.iter().map(|&v| v as f64).sum::<f64>() / 4000.0;
    assert!((m - 0.5).abs() < 0.1, "uniform mean {m}");
    let HostData::I32(r) = host(&Tensor::randint(&[1000], -3, 4, &d).unwrap()) else { panic!("int32") };
    assert!(r.iter().all(|v| (-3..4).contains(v)));
    assert!((-3..4).all(|k| r.contains(&k)));
}
