//! Bad sizes never panic or wrap (issue 12): each repro as a unit test, then property tests over
//! shapes, views and window parameters, checked against reference formulas written here in u128.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::read;
use proptest::prelude::*;
use webgrad::layout::{sizes_from_signed, MAX_ELEMENTS};
use webgrad::{Conv2dOptions, ConvTranspose2dOptions, DType, Device, Error, Padding, Pool2dOptions, Tensor};

const CPU: Device = Device::Cpu;

fn t(data: &[f32], shape: &[usize]) -> Tensor {
    Tensor::from_slice(data, shape, &CPU).unwrap()
}

fn ones(shape: &[usize]) -> Tensor {
    Tensor::ones(shape, DType::F32, &CPU).unwrap()
}

fn labels(v: &[i32]) -> Tensor {
    Tensor::from_i32(v, &[v.len()], &CPU).unwrap()
}

/// The error's message, asserted to be an `Error::Invalid` naming `op`.
fn invalid<T: std::fmt::Debug>(r: webgrad::Result<T>, op: &str) -> String {
    match r {
        Err(e @ Error::Invalid { .. }) => {
            let msg = e.to_string();
            assert!(msg.starts_with(&format!("{op}: ")), "{msg} should name {op}");
            msg
        }
        other => panic!("expected an Invalid error naming {op}, got {other:?}"),
    }
}

// ---- creation ----

#[test]
fn creation_past_the_cap_is_an_error_naming_the_op() {
    let msg = invalid(Tensor::zeros(&[100_000, 100_000], DType::F32, &CPU), "zeros");
    assert!(msg.contains("[100000, 100000]") && msg.contains("more than a tensor can hold"), "{msg}");
    invalid(Tensor::zeros(&[1 << 32], DType::F32, &CPU), "zeros");
    invalid(Tensor::ones(&[usize::MAX, 2], DType::F32, &CPU), "ones");
    invalid(Tensor::full(&[usize::MAX, usize::MAX], 1.0, DType::I32, &CPU), "full");
    invalid(Tensor::rand(&[1 << 20, 1 << 20], &CPU), "uniform");
    invalid(Tensor::randn(&[1 << 20, 1 << 20], &CPU), "normal");
    invalid(Tensor::randint(&[1 << 20, 1 << 20], 0, 2, &CPU), "randint");
    // Zero sizes next to huge ones: still refused (the strides would overflow).
    invalid(Tensor::zeros(&[0, usize::MAX, usize::MAX], DType::F32, &CPU), "zeros");
    // Just at the cap's edge the count is fine (a shape check only: [0, cap] holds nothing).
    assert_eq!(Tensor::zeros(&[0, MAX_ELEMENTS], DType::F32, &CPU).unwrap().shape(), &[0, MAX_ELEMENTS]);
    invalid(Tensor::zeros(&[0, MAX_ELEMENTS + 1], DType::F32, &CPU), "zeros");
}

#[test]
fn eye_linspace_arange_and_randperm_counts_are_checked() {
    invalid(Tensor::eye(65536, 65536, DType::F32, &CPU), "eye");
    invalid(Tensor::eye(usize::MAX, 2, DType::F32, &CPU), "eye");
    invalid(Tensor::linspace(0.0, 1.0, usize::MAX, &CPU), "linspace");
    invalid(Tensor::linspace(0.0, 1.0, u32::MAX as usize, &CPU), "linspace");
    invalid(Tensor::arange(0.0, 1e300, 1e-300, DType::F32, &CPU), "arange");
    invalid(Tensor::arange(0.0, 1e12, 1.0, DType::F32, &CPU), "arange");
    invalid(Tensor::randperm(usize::MAX, &CPU), "randperm");
    assert_eq!(read(&Tensor::eye(2, 3, DType::F32, &CPU).unwrap()), vec![1.0, 0.0, 0.0, 0.0, 1.0, 0.0]);
    assert_eq!(Tensor::eye(0, 3, DType::F32, &CPU).unwrap().shape(), &[0, 3]);
}

#[test]
fn signed_sizes_are_checked_before_any_conversion() {
    let msg = invalid(sizes_from_signed("zeros", &[2, -1]), "zeros");
    assert!(msg.contains("-1") && msg.contains("negative"), "{msg}");
    invalid(sizes_from_signed("eye", &[-1, -1]), "eye");
    invalid(sizes_from_signed("zeros", &[1 << 40]), "zeros");
    invalid(sizes_from_signed("zeros", &[65536, 65536]), "zeros");
    assert_eq!(sizes_from_signed("zeros", &[2, 0, 3]).unwrap(), vec![2, 0, 3]);
}

// ---- views ----

#[test]
fn expand_past_the_cap_is_an_error_not_a_zero_sum() {
    let msg = invalid(ones(&[1]).expand(&[65536, 65536]), "expand");
    assert!(msg.contains("[65536, 65536]"), "{msg}");
    invalid(ones(&[1]).broadcast_to(&[65536, 65536]), "broadcastTo");
    invalid(ones(&[2]).expand(&[-1, 2]), "expand");
    invalid(ones(&[2]).expand(&[-3]), "expand");
    invalid(ones(&[2, 2]).expand(&[2]), "expand");
    assert_eq!(read(&ones(&[1, 2]).expand(&[3, -1, -1]).unwrap().sum().unwrap()), vec![6.0]);
}

#[test]
fn broadcasting_and_matmul_past_the_cap_are_errors() {
    let col = ones(&[1]).expand(&[65536, 1]).unwrap();
    let row = ones(&[1]).expand(&[1, 65536]).unwrap();
    invalid(col.add(&row), "add");
    invalid(col.matmul(&row), "matmul");
    invalid(Tensor::where_cond(&col, &row, &col), "where");
}

#[test]
fn reshape_checks_products_and_inferred_sizes() {
    let x = t(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]);
    invalid(x.reshape(&[usize::MAX, 2]), "reshape");
    invalid(x.reshape(&[1 << 40, 1 << 40, 0]), "reshape");
    invalid(x.reshape_infer(&[-1, -1]), "reshape");
    invalid(x.reshape_infer(&[-2, 3]), "reshape");
    invalid(x.reshape_infer(&[4, -1]), "reshape");
    invalid(x.reshape_infer(&[isize::MAX, isize::MAX, -1]), "reshape");
    assert_eq!(x.reshape_infer(&[3, -1]).unwrap().shape(), &[3, 2]);
    invalid(Tensor::zeros(&[0, 3], DType::F32, &CPU).unwrap().reshape_infer(&[0, -1]), "reshape");
    assert!(matches!(x.reshape(&[4, 2]), Err(Error::DataLength { .. })));
}

#[test]
fn narrow_counts_a_negative_start_from_the_end() {
    let x = t(&[1.0, 2.0, 3.0], &[3]);
    assert_eq!(read(&x.narrow_signed(0, -2, 2).unwrap()), vec![2.0, 3.0]);
    assert_eq!(read(&x.narrow_signed(0, 1, 2).unwrap()), vec![2.0, 3.0]);
    assert_eq!(x.narrow_signed(0, 3, 0).unwrap().shape(), &[0]);
    assert_eq!(x.narrow_signed(0, -3, 0).unwrap().shape(), &[0]);
    let msg = invalid(x.narrow_signed(0, -4, 1), "narrow");
    assert!(msg.contains("[-3, 3]"), "{msg}");
    invalid(x.narrow_signed(0, 4, 0), "narrow");
    invalid(x.narrow_signed(0, -2, 3), "narrow");
    invalid(x.narrow_signed(0, 0, -1), "narrow");
    invalid(x.narrow_signed(0, isize::MIN, 1), "narrow");
    invalid(x.narrow_signed(0, 2, isize::MAX), "narrow");
    // The unsigned form: an overflowing end is an error, not a panic.
    assert!(x.narrow(0, usize::MAX, 2).unwrap_err().to_string().starts_with("narrow: "));
}

#[test]
fn slice_with_a_huge_step_takes_one_element() {
    let x = t(&[1.0, 2.0, 3.0], &[3]);
    assert_eq!(read(&x.slice(0, None, None, usize::MAX).unwrap()), vec![1.0]);
    // Along an axis of stride 3: the stride times the step would overflow.
    let m = t(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]);
    assert_eq!(read(&m.slice(0, None, None, usize::MAX).unwrap()), vec![1.0, 2.0, 3.0]);
    assert_eq!(read(&x.slice(0, Some(isize::MIN), Some(isize::MAX), 2).unwrap()), vec![1.0, 3.0]);
}

#[test]
fn duplicate_axes_are_errors_naming_the_op() {
    let x = t(&[1.0, 2.0, 3.0, 4.0], &[2, 2]);
    let msg = invalid(x.permute(&[0, 0]), "permute");
    assert!(msg.contains("dim 0 appears multiple times"), "{msg}");
    invalid(x.permute(&[1, -1]), "permute");
    invalid(x.sum_dims(Some(&[0, 0]), false), "sum");
    invalid(x.sum_dims(Some(&[1, -1]), false), "sum");
    invalid(x.mean(Some(&[0, -2]), false), "mean");
    invalid(x.max(Some(&[0, 0]), false), "max");
    invalid(x.min(Some(&[0, 0]), false), "min");
    invalid(x.prod(Some(&[0, 0]), false), "prod");
    invalid(x.var(Some(&[1, 1]), 1.0, false), "var");
    invalid(x.std(Some(&[1, 1]), 1.0, false), "std");
    invalid(x.logsumexp(Some(&[0, 0]), false), "logsumexp");
    invalid(x.flip(&[0, 0]), "flip");
    assert_eq!(read(&x.flip(&[0, 1]).unwrap()), vec![4.0, 3.0, 2.0, 1.0]);
}

#[test]
fn std_and_logsumexp_errors_name_themselves() {
    let x = t(&[1.0, 2.0], &[2]);
    assert!(x.std(Some(&[3]), 1.0, false).unwrap_err().to_string().starts_with("std: "));
    assert!(x.logsumexp(Some(&[3]), false).unwrap_err().to_string().starts_with("logsumexp: "));
    assert!(x.var(Some(&[3]), 1.0, false).unwrap_err().to_string().starts_with("var: "));
    // logsumexp over an empty axis is -inf (the log of an empty sum), not max's error.
    let e = Tensor::zeros(&[2, 0], DType::F32, &CPU).unwrap();
    assert_eq!(read(&e.logsumexp(Some(&[1]), false).unwrap()), vec![f32::NEG_INFINITY; 2]);
}

#[test]
fn reducing_over_no_axes_is_the_identity() {
    let x = t(&[1.0, 2.0, 3.0, 4.0], &[4]);
    for keepdim in [false, true] {
        for r in [
            x.sum_dims(Some(&[]), keepdim),
            x.mean(Some(&[]), keepdim),
            x.max(Some(&[]), keepdim),
            x.min(Some(&[]), keepdim),
            x.prod(Some(&[]), keepdim),
        ] {
            let r = r.unwrap();
            assert_eq!((r.shape(), read(&r)), (&[4][..], vec![1.0, 2.0, 3.0, 4.0]));
        }
        assert_eq!(read(&x.logsumexp(Some(&[]), keepdim).unwrap()), vec![1.0, 2.0, 3.0, 4.0]);
        assert_eq!(read(&x.var(Some(&[]), 0.0, keepdim).unwrap()), vec![0.0; 4]);
        assert!(read(&x.var(Some(&[]), 1.0, keepdim).unwrap()).iter().all(|v| v.is_nan()));
    }
    // A copy, with the gradient of the identity.
    x.set_requires_grad(true);
    x.sum_dims(Some(&[]), false).unwrap().mul_scalar(3.0).unwrap().sum().unwrap().backward().unwrap();
    assert_eq!(read(&x.grad().unwrap()), vec![3.0; 4]);
    // Ints and bools: the sum is int32, as over any axes.
    let b = Tensor::from_bool(&[true, false], &[2], &CPU).unwrap().sum_dims(Some(&[]), false).unwrap();
    assert_eq!(b.dtype(), DType::I32);
    // A scalar reduced over all of its (no) axes.
    assert_eq!(read(&Tensor::scalar(5.0, &CPU).unwrap().sum().unwrap()), vec![5.0]);
}

#[test]
fn pad_refuses_negative_widths_and_checks_sums() {
    let x = ones(&[2]);
    let msg = invalid(x.pad_signed(&[(-1, 0)], 0.0), "pad");
    assert!(msg.contains("negative padding"), "{msg}");
    invalid(x.pad(&[(usize::MAX, 1)], 0.0), "pad");
    invalid(x.pad(&[(MAX_ELEMENTS, 0)], 0.0), "pad");
    assert_eq!(read(&x.pad_signed(&[(1, 2)], 5.0).unwrap()), vec![5.0, 1.0, 1.0, 5.0, 5.0]);
}

#[test]
fn concat_and_stack_check_their_sums() {
    let big = ones(&[1]).expand(&[MAX_ELEMENTS as isize]).unwrap();
    invalid(Tensor::concat(&[big.clone(), big.clone()], 0), "concat");
    invalid(Tensor::stack(&[big.clone(), big], 0), "stack");
}

#[test]
fn split_and_chunk_never_loop() {
    let x = t(&[1.0, 2.0, 3.0], &[3]);
    invalid(x.split_size(0, 0), "split");
    invalid(x.split_size(-1, 0), "split");
    invalid(x.split(&[usize::MAX, 4], 0), "split");
    invalid(x.chunk(0, 0), "chunk");
    let pieces = x.split_size(2, 0).unwrap();
    assert_eq!(pieces.iter().map(|p| p.shape()[0]).collect::<Vec<_>>(), vec![2, 1]);
    assert_eq!(x.split_size(isize::MAX, 0).unwrap().len(), 1);
    let empty = Tensor::zeros(&[0], DType::F32, &CPU).unwrap();
    assert_eq!(empty.split_size(0, 0).unwrap().len(), 1);
}

#[test]
fn one_hot_checks_depth_and_labels() {
    let msg = invalid(labels(&[0, 1]).one_hot(0), "oneHot");
    assert!(msg.contains("at least 1"), "{msg}");
    let msg = invalid(labels(&[0, 3]).one_hot(3), "oneHot");
    assert!(msg.contains("label 3") && msg.contains("[0, 3)"), "{msg}");
    invalid(labels(&[-1]).one_hot(3), "oneHot");
    invalid(labels(&[0]).one_hot(usize::MAX), "oneHot");
    invalid(labels(&[0, 0]).one_hot(MAX_ELEMENTS), "oneHot");
    let y = labels(&[2, 0]).one_hot(3).unwrap();
    assert_eq!((y.shape(), y.dtype()), (&[2, 3][..], DType::I32));
    assert_eq!(read(&y), vec![0.0, 0.0, 1.0, 1.0, 0.0, 0.0]);
    let y = Tensor::from_i32(&[0, 1], &[2, 1], &CPU).unwrap().one_hot(2).unwrap();
    assert_eq!(y.shape(), &[2, 1, 2]);
}

// ---- windows ----

#[test]
fn same_padding_keeps_an_empty_axis_empty() {
    let x = Tensor::zeros(&[1, 1, 0, 4], DType::F32, &CPU).unwrap();
    let o = Pool2dOptions { stride: Some([2, 2]), padding: Padding::Same, ..Pool2dOptions::new([1, 1]) };
    assert_eq!(x.max_pool2d(&o).unwrap().shape(), &[1, 1, 0, 2]);
    assert_eq!(x.avg_pool2d(&o).unwrap().shape(), &[1, 1, 0, 2]);
    let w = ones(&[2, 1, 3, 3]);
    let c = Conv2dOptions { stride: [2, 2], padding: Padding::Same, ..Conv2dOptions::default() };
    assert_eq!(x.conv2d(&w, None, &c).unwrap().shape(), &[1, 2, 0, 2]);
}

#[test]
fn window_arithmetic_is_checked() {
    let x = ones(&[1, 1, 4, 4]);
    let pool = |kernel, stride, padding, dilation| Pool2dOptions { stride: Some(stride), padding, dilation, ..Pool2dOptions::new(kernel) };
    invalid(x.max_pool2d(&pool([0, 1], [1, 1], Padding::Valid, [1, 1])), "maxPool2d");
    invalid(x.max_pool2d(&pool([1, 1], [0, 1], Padding::Valid, [1, 1])), "maxPool2d");
    invalid(x.max_pool2d(&pool([2, 2], [1, 1], Padding::Valid, [0, 1])), "maxPool2d");
    invalid(x.max_pool2d(&pool([2, 2], [1, 1], Padding::Valid, [usize::MAX, 1])), "maxPool2d");
    invalid(x.max_pool2d(&pool([usize::MAX, 1], [1, 1], Padding::Same, [2, 1])), "maxPool2d");
    invalid(x.max_pool2d(&pool([1, 1], [1, 1], Padding::Explicit([usize::MAX, 0, 1, 0]), [1, 1])), "maxPool2d");
    invalid(x.avg_pool2d(&pool([1, 1], [1, 1], Padding::Explicit([1 << 20, 1 << 20, 1 << 20, 1 << 20]), [1, 1])), "avgPool2d");
    assert_eq!(x.max_pool2d(&pool([2, 2], [usize::MAX, usize::MAX], Padding::Same, [1, 1])).unwrap().shape(), &[1, 1, 1, 1]);
    let w = ones(&[1, 1, 2, 2]);
    let conv = |stride, padding, dilation| Conv2dOptions { stride, padding, dilation, groups: 1 };
    invalid(x.conv2d(&w, None, &conv([1, 1], Padding::Valid, [usize::MAX, 1])), "conv2d");
    invalid(x.conv2d(&w, None, &conv([1, 1], Padding::Explicit([usize::MAX; 4]), [1, 1])), "conv2d");
    invalid(x.conv2d(&w, None, &conv([0, 1], Padding::Valid, [1, 1])), "conv2d");
    let x1 = ones(&[1, 1, 4]);
    invalid(x1.conv1d(&ones(&[1, 1, 2]), None, 1, Padding::Valid, usize::MAX, 1), "conv2d");
    invalid(x1.conv1d(&ones(&[1, 1, 2]), None, 0, Padding::Valid, 1, 1), "conv2d");
}

#[test]
fn conv_transpose_with_an_empty_or_huge_window_is_an_error() {
    let w = ones(&[1, 1, 2, 2]);
    let o = ConvTranspose2dOptions::default();
    invalid(Tensor::zeros(&[1, 1, 0, 3], DType::F32, &CPU).unwrap().conv_transpose2d(&w, None, &o), "convTranspose2d");
    let x = ones(&[1, 1, 3, 3]);
    invalid(x.conv_transpose2d(&w, None, &ConvTranspose2dOptions { stride: [usize::MAX, 1], ..o }), "convTranspose2d");
    invalid(x.conv_transpose2d(&w, None, &ConvTranspose2dOptions { dilation: [usize::MAX, 1], ..o }), "convTranspose2d");
    invalid(x.conv_transpose2d(&w, None, &ConvTranspose2dOptions { padding: [usize::MAX, 0], ..o }), "convTranspose2d");
    invalid(x.conv_transpose2d(&w, None, &ConvTranspose2dOptions { stride: [1 << 20, 1 << 20], ..o }), "convTranspose2d");
    assert_eq!(x.conv_transpose2d(&w, None, &o).unwrap().shape(), &[1, 1, 4, 4]);
}

// ---- properties ----

/// Whether a shape fits the cap, by the definition: the product of its nonzero sizes is at most
/// MAX_ELEMENTS (computed in u128, so it cannot overflow here).
fn fits(shape: &[usize]) -> bool {
    let mut p: u128 = 1;
    for &d in shape.iter().filter(|&&d| d != 0) {
        p = p.saturating_mul(d as u128);
    }
    p <= MAX_ELEMENTS as u128
}

fn product(shape: &[usize]) -> u128 {
    if shape.contains(&0) {
        return 0;
    }
    shape.iter().fold(1u128, |p, &d| p.saturating_mul(d as u128))
}

/// `shape` with each size that would overflow the cap halved until the shape fits.
fn fitted(mut shape: Vec<usize>) -> Vec<usize> {
    for i in 0..shape.len() {
        while !fits(&shape[..=i]) {
            shape[i] /= 2;
        }
    }
    shape
}

fn size() -> impl Strategy<Value = usize> {
    prop_oneof![
        6 => 0usize..5,
        1 => Just(1usize << 16),
        1 => Just(1usize << 20),
        1 => Just(MAX_ELEMENTS),
        1 => Just(1usize << 32),
        1 => Just(usize::MAX),
    ]
}

fn shape() -> impl Strategy<Value = Vec<usize>> {
    proptest::collection::vec(size(), 0..5)
}

/// Asserts the outcome: Ok with `expected` (and a consistent element count), or an error naming `op`.
fn check(op: &str, got: webgrad::Result<Tensor>, expected: Option<Vec<usize>>) -> Option<Tensor> {
    match (got, expected) {
        (Ok(t), Some(e)) => {
            assert_eq!(t.shape(), &e[..], "{op}");
            assert_eq!(t.numel() as u128, product(&e), "{op}");
            Some(t)
        }
        (Err(err), None) => {
            let msg = err.to_string();
            assert!(msg.starts_with(&format!("{op}: ")), "{msg} should name {op}");
            None
        }
        (got, expected) => panic!("{op}: got {:?}, expected {expected:?}", got.map(|t| t.shape().to_vec())),
    }
}

#[derive(Debug, Clone)]
enum View {
    Reshape(Vec<isize>),
    Permute(Vec<isize>),
    Transpose(isize, isize),
    Narrow(isize, isize, isize),
    Slice(isize, Option<isize>, Option<isize>, usize),
    Expand(Vec<isize>),
    Unsqueeze(isize),
}

fn signed() -> impl Strategy<Value = isize> {
    prop_oneof![6 => -4isize..5, 1 => Just(isize::MAX), 1 => Just(isize::MIN), 1 => Just(1isize << 20)]
}

fn view() -> impl Strategy<Value = View> {
    let list = || proptest::collection::vec(signed(), 0..5);
    prop_oneof![
        list().prop_map(View::Reshape),
        list().prop_map(View::Permute),
        (signed(), signed()).prop_map(|(a, b)| View::Transpose(a, b)),
        (signed(), signed(), signed()).prop_map(|(a, s, l)| View::Narrow(a, s, l)),
        (signed(), proptest::option::of(signed()), proptest::option::of(signed()), prop_oneof![0usize..4, Just(usize::MAX)])
            .prop_map(|(a, s, e, st)| View::Slice(a, s, e, st)),
        list().prop_map(View::Expand),
        signed().prop_map(View::Unsqueeze),
    ]
}

/// `axis` resolved against `rank`, the reference way.
fn axis(a: isize, rank: usize) -> Option<usize> {
    let r = rank as i128;
    let a = a as i128;
    let a = if a < 0 { a + r } else { a };
    (0..r).contains(&a).then_some(a as usize)
}

/// The shape each view gives by the reference rules (None: an error).
fn expected_view(shape: &[usize], v: &View) -> Option<Vec<usize>> {
    let rank = shape.len();
    let numel = product(shape);
    match v {
        View::Reshape(s) => {
            if s.iter().any(|&d| d < -1) || s.iter().filter(|&&d| d == -1).count() > 1 {
                return None;
            }
            let known: Vec<usize> = s.iter().filter(|&&d| d >= 0).map(|&d| d as usize).collect();
            if !fits(&known) {
                return None;
            }
            let k = product(&known);
            let out: Vec<usize> = if s.contains(&-1) {
                if k == 0 || !numel.is_multiple_of(k) {
                    return None;
                }
                s.iter().map(|&d| if d == -1 { (numel / k) as usize } else { d as usize }).collect()
            } else {
                known
            };
            (product(&out) == numel).then_some(out)
        }
        View::Permute(order) => {
            if order.len() != rank {
                return None;
            }
            let axes: Option<Vec<usize>> = order.iter().map(|&a| axis(a, rank)).collect();
            let axes = axes?;
            let mut seen = axes.clone();
            seen.sort_unstable();
            seen.dedup();
            (seen.len() == rank).then(|| axes.iter().map(|&a| shape[a]).collect())
        }
        View::Transpose(a, b) => {
            let (a, b) = (axis(*a, rank)?, axis(*b, rank)?);
            let mut out = shape.to_vec();
            out.swap(a, b);
            Some(out)
        }
        View::Narrow(a, start, len) => {
            let a = axis(*a, rank)?;
            let size = shape[a] as i128;
            let (start, len) = (*start as i128, *len as i128);
            if start < -size || start > size || len < 0 {
                return None;
            }
            let start = if start < 0 { start + size } else { start };
            if start + len > size {
                return None;
            }
            let mut out = shape.to_vec();
            out[a] = len as usize;
            Some(out)
        }
        View::Slice(a, start, end, step) => {
            let a = axis(*a, rank)?;
            if *step == 0 {
                return None;
            }
            let size = shape[a] as i128;
            let clamp = |v: i128| (if v < 0 { v + size } else { v }).clamp(0, size);
            let (s, e) = (clamp(start.map_or(0, |v| v as i128)), clamp(end.map_or(size, |v| v as i128)));
            let len = if e > s { (e - s + *step as i128 - 1) / *step as i128 } else { 0 };
            let mut out = shape.to_vec();
            out[a] = len as usize;
            Some(out)
        }
        View::Expand(s) => {
            if s.len() < rank {
                return None;
            }
            let lead = s.len() - rank;
            let mut out = Vec::new();
            for (i, &d) in s.iter().enumerate() {
                let size = match d {
                    -1 if i >= lead => shape[i - lead],
                    d if d < 0 => return None,
                    d => d as usize,
                };
                if i >= lead && shape[i - lead] != size && shape[i - lead] != 1 {
                    return None;
                }
                out.push(size);
            }
            fits(&out).then_some(out)
        }
        View::Unsqueeze(a) => {
            let a = axis(*a, rank + 1)?;
            let mut out = shape.to_vec();
            out.insert(a, 1);
            Some(out)
        }
    }
}

fn apply(x: &Tensor, v: &View) -> (&'static str, webgrad::Result<Tensor>) {
    match v {
        View::Reshape(s) => ("reshape", x.reshape_infer(s)),
        View::Permute(o) => ("permute", x.permute(o)),
        View::Transpose(a, b) => ("transpose", x.transpose(*a, *b)),
        View::Narrow(a, s, l) => ("narrow", x.narrow_signed(*a, *s, *l)),
        View::Slice(a, s, e, st) => ("slice", x.slice(*a, *s, *e, *st)),
        View::Expand(s) => ("expand", x.expand(s)),
        View::Unsqueeze(a) => ("unsqueeze", x.unsqueeze(*a)),
    }
}

/// Elements a test may actually allocate (reshape copies a broadcast view).
const SMALL: u128 = 1 << 12;

fn window_param() -> impl Strategy<Value = usize> {
    prop_oneof![6 => 0usize..4, 1 => Just(1usize << 20), 1 => Just(usize::MAX / 2), 1 => Just(usize::MAX)]
}

fn pad_param() -> impl Strategy<Value = usize> {
    prop_oneof![6 => 0usize..3, 1 => Just(1usize << 15), 1 => Just(usize::MAX)]
}

/// The reference output size along one axis (None: an error).
fn window_out(size: usize, k: usize, s: usize, d: usize, before: usize, after: usize, same: bool) -> Option<u128> {
    if k == 0 || s == 0 || d == 0 {
        return None;
    }
    let extent = d as u128 * (k as u128 - 1) + 1;
    if extent > MAX_ELEMENTS as u128 {
        return None;
    }
    let (size, s) = (size as u128, s as u128);
    if same {
        let out = size.div_ceil(s);
        let total = if out == 0 { 0 } else { ((out - 1) * s + extent).saturating_sub(size) };
        return (size + total <= MAX_ELEMENTS as u128).then_some(out);
    }
    let padded = size + before as u128 + after as u128;
    if padded > MAX_ELEMENTS as u128 || padded < extent {
        return None;
    }
    Some((padded - extent) / s + 1)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn creation_accepts_exactly_the_shapes_that_fit(shape in shape()) {
        let expected = fits(&shape).then(|| shape.clone());
        if product(&shape) <= SMALL || expected.is_none() {
            check("zeros", Tensor::zeros(&shape, DType::F32, &CPU), expected.clone());
        }
        // A broadcast view of any fitting shape allocates nothing.
        if shape.iter().all(|&d| d <= isize::MAX as usize) {
            check("expand", Tensor::scalar(1.0, &CPU).unwrap().expand(&shape.iter().map(|&d| d as isize).collect::<Vec<_>>()), expected);
        }
    }

    #[test]
    fn views_match_the_reference_shapes(start in shape().prop_map(fitted), views in proptest::collection::vec(view(), 1..5)) {
        let mut x = if product(&start) <= SMALL {
            ones(&start)
        } else {
            Tensor::scalar(1.0, &CPU).unwrap().expand(&start.iter().map(|&d| d as isize).collect::<Vec<_>>()).unwrap()
        };
        for v in &views {
            let expected = expected_view(x.shape(), v);
            // A reshape of a large broadcast view would copy it: only check the refusals there.
            if matches!(v, View::Reshape(_)) && !x.layout().is_contiguous() && product(x.shape()) > SMALL && expected.is_some() {
                continue;
            }
            let (op, got) = apply(&x, v);
            if let Some(y) = check(op, got, expected) {
                x = y;
            }
        }
        // Whatever the views did, the elements still read (small ones) and reduce.
        if product(x.shape()) <= SMALL {
            let n = read(&x.contiguous().unwrap()).len() as u128;
            prop_assert_eq!(n, product(x.shape()));
            prop_assert_eq!(read(&x.sum().unwrap()), vec![n as f32]);
        }
    }

    #[test]
    fn pooling_windows_match_the_reference(
        n in 0usize..3, c in 1usize..3, h in 0usize..6, w in 0usize..6,
        kernel in (window_param(), window_param()), stride in (window_param(), window_param()),
        dilation in (window_param(), window_param()), pads in (pad_param(), pad_param(), pad_param(), pad_param()),
        mode in 0u8..3,
    ) {
        let x = Tensor::zeros(&[n, c, h, w], DType::F32, &CPU).unwrap();
        let padding = match mode { 0 => Padding::Valid, 1 => Padding::Same, _ => Padding::Explicit([pads.0, pads.1, pads.2, pads.3]) };
        let p = match padding { Padding::Explicit(p) => p, _ => [0; 4] };
        let same = mode == 1;
        let oh = window_out(h, kernel.0, stride.0, dilation.0, p[0], p[2], same);
        let ow = window_out(w, kernel.1, stride.1, dilation.1, p[1], p[3], same);
        let (expected, cols_fit) = match (oh, ow) {
            (Some(a), Some(b)) => {
                let (a, b) = (a as usize, b as usize);
                (fits(&[n, c, a, b]).then_some(vec![n, c, a, b]), fits(&[n * c, 1, a, b]) && fits(&[n * c, 1, kernel.0, kernel.1, a, b]))
            }
            _ => (None, false),
        };
        let o = Pool2dOptions { kernel: [kernel.0, kernel.1], stride: Some([stride.0, stride.1]), padding, dilation: [dilation.0, dilation.1], count_include_pad: true };
        // Keep the work small: a pool this test runs has at most SMALL outputs and taps each.
        let taps = kernel.0 as u128 * kernel.1 as u128;
        let runs = expected.as_ref().is_none_or(|e| product(e) <= SMALL && taps <= 16);
        if runs {
            check("maxPool2d", x.max_pool2d(&o), expected.clone());
            check("avgPool2d", x.avg_pool2d(&o), expected.clone().filter(|_| cols_fit));
        }
    }

    #[test]
    fn convolutions_match_the_reference(
        n in 0usize..3, h in 0usize..6, w in 0usize..6, kh in 1usize..3, kw in 1usize..3,
        stride in (window_param(), window_param()), dilation in (window_param(), window_param()),
        pads in (pad_param(), pad_param()), output_padding in (0usize..3, 0usize..3), mode in 0u8..3,
    ) {
        let x = Tensor::zeros(&[n, 2, h, w], DType::F32, &CPU).unwrap();
        let weight = Tensor::zeros(&[3, 2, kh, kw], DType::F32, &CPU).unwrap();
        let padding = match mode { 0 => Padding::Valid, 1 => Padding::Same, _ => Padding::Explicit([pads.0, pads.1, pads.0, pads.1]) };
        let p = match padding { Padding::Explicit(p) => p, _ => [0; 4] };
        let oh = window_out(h, kh, stride.0, dilation.0, p[0], p[2], mode == 1);
        let ow = window_out(w, kw, stride.1, dilation.1, p[1], p[3], mode == 1);
        let expected = match (oh, ow) {
            (Some(a), Some(b)) => {
                let (a, b) = (a as usize, b as usize);
                (fits(&[n, 2, a, b]) && fits(&[n, 2, kh, kw, a, b]) && fits(&[n, 3, a, b])).then_some(vec![n, 3, a, b])
            }
            _ => None,
        };
        if expected.as_ref().is_none_or(|e| product(e) <= SMALL) {
            let o = Conv2dOptions { stride: [stride.0, stride.1], padding, dilation: [dilation.0, dilation.1], groups: 1 };
            check("conv2d", x.conv2d(&weight, None, &o), expected);
        }
        // Transposed: out = (in - 1) * stride + dilation * (k - 1) + output_padding + 1 - 2 * padding.
        let t_weight = Tensor::zeros(&[2, 3, kh, kw], DType::F32, &CPU).unwrap();
        let out = |i: usize, k: usize, s: usize, d: usize, op: usize, pad: usize| -> Option<u128> {
            if s == 0 || d == 0 || op >= s.max(d) || i == 0 {
                return None;
            }
            let full = (i as u128 - 1) * s as u128 + d as u128 * (k as u128 - 1) + op as u128 + 1;
            if full > MAX_ELEMENTS as u128 {
                return None;
            }
            full.checked_sub(2 * pad as u128).filter(|&o| o > 0)
        };
        let to = ConvTranspose2dOptions { stride: [stride.0, stride.1], padding: [pads.0, pads.1], output_padding: [output_padding.0, output_padding.1], dilation: [dilation.0, dilation.1], groups: 1 };
        let expected = match (out(h, kh, stride.0, dilation.0, output_padding.0, pads.0), out(w, kw, stride.1, dilation.1, output_padding.1, pads.1)) {
            (Some(a), Some(b)) => {
                let (a, b) = (a as usize, b as usize);
                (fits(&[n, 3, a, b]) && fits(&[n, 3, kh, kw, h, w])).then_some(vec![n, 3, a, b])
            }
            _ => None,
        };
        if expected.as_ref().is_none_or(|e| product(e) <= SMALL) {
            check("convTranspose2d", x.conv_transpose2d(&t_weight, None, &to), expected);
        }
    }
}
