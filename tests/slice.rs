#![cfg(not(target_arch = "wasm32"))]
//! The foundation slice (add with broadcasting, 2-D matmul, sum, backward) on every backend, against
//! hand-derived values, an independent reference matmul, and central finite differences.

mod common;

use common::{assert_close, devices, random, read, reference_matmul};
use webgrad::{Device, Error, Tensor};

#[test]
fn add_broadcasts_rows_and_columns() {
    for d in devices() {
        let a = Tensor::from_slice(&[1., 2., 3., 4., 5., 6.], &[2, 3], &d).unwrap();
        let row = Tensor::from_slice(&[10., 20., 30.], &[3], &d).unwrap();
        let col = Tensor::from_slice(&[100., 200.], &[2, 1], &d).unwrap();
        assert_eq!(read(&a.add(&row).unwrap()), vec![11., 22., 33., 14., 25., 36.], "{d:?}");
        let both = row.add(&col).unwrap();
        assert_eq!(both.shape(), &[2, 3]);
        assert_eq!(read(&both), vec![110., 120., 130., 210., 220., 230.], "{d:?}");
        let s = Tensor::scalar(0.5, &d).unwrap();
        assert_eq!(read(&s.add(&a).unwrap()), vec![1.5, 2.5, 3.5, 4.5, 5.5, 6.5], "{d:?}");
    }
}

#[test]
fn matmul_and_sum_hand_derived() {
    for d in devices() {
        let a = Tensor::from_slice(&[1., 2., 3., 4., 5., 6.], &[2, 3], &d).unwrap();
        let b = Tensor::from_slice(&[1., 2., 3., 4., 5., 6.], &[3, 2], &d).unwrap();
        let c = a.matmul(&b).unwrap();
        assert_eq!(c.shape(), &[2, 2]);
        assert_eq!(read(&c), vec![22., 28., 49., 64.], "{d:?}");
        let s = c.sum().unwrap();
        assert_eq!(s.shape(), &[] as &[usize]);
        assert_eq!(read(&s), vec![163.], "{d:?}");
        assert_eq!(read(&a.sum_dims(Some(&[0]), false).unwrap()), vec![5., 7., 9.], "{d:?}");
        assert_eq!(read(&a.sum_dims(Some(&[1]), true).unwrap()), vec![6., 15.], "{d:?}");
    }
}

#[test]
fn backward_hand_derived() {
    for d in devices() {
        pollster::block_on(common::check_slice_hand_derived(&d));
        pollster::block_on(common::check_errors_leave_device_working(&d));
    }
}

#[test]
fn a_tensor_used_twice_gets_both_gradients() {
    for d in devices() {
        let x = Tensor::from_slice(&[1., 2.], &[2], &d).unwrap();
        x.set_requires_grad(true);
        x.add(&x).unwrap().sum().unwrap().backward().unwrap();
        assert_eq!(read(&x.grad().unwrap()), vec![2., 2.], "{d:?}");
    }
}

#[test]
fn matmul_matches_reference_on_odd_and_transposed_shapes() {
    for d in devices() {
        // Up to 8 rows take the skinny (one invocation per output) path on WebGPU; 9 and more the tiled GEMM.
        for &(m, k, n) in &[(1, 1, 1), (3, 5, 7), (8, 131, 70), (9, 7, 65), (67, 130, 45), (128, 64, 129), (5, 0, 3)] {
            let (av, bv) = (random(m * k, 1), random(k * n, 2));
            let a = Tensor::from_slice(&av, &[m, k], &d).unwrap();
            let b = Tensor::from_slice(&bv, &[k, n], &d).unwrap();
            let expected = reference_matmul(&av, &bv, m, k, n);
            assert_close(&read(&a.matmul(&b).unwrap()), &expected, 1e-4, 1e-4);
            // The same product through transposed views (strided reads, no copy).
            let at = Tensor::from_slice(&read(&a.t().unwrap().contiguous().unwrap()), &[k, m], &d).unwrap();
            let bt = Tensor::from_slice(&read(&b.t().unwrap().contiguous().unwrap()), &[n, k], &d).unwrap();
            assert_close(&read(&at.t().unwrap().matmul(&bt.t().unwrap()).unwrap()), &expected, 1e-4, 1e-4);
        }
    }
}

#[test]
fn sum_of_many_elements() {
    for d in devices() {
        let n = 100_003;
        let values: Vec<f32> = (0..n).map(|i| (i % 7) as f32).collect();
        let expected: f64 = values.iter().map(|&v| v as f64).sum();
        let t = Tensor::from_slice(&values, &[n], &d).unwrap();
        assert_close(&read(&t.sum().unwrap()), &[expected as f32], 1e-6, 0.0);
        // A reduction over a strided (transposed) view, with more outputs than one workgroup.
        let m = Tensor::from_slice(&random(300 * 70, 3), &[300, 70], &d).unwrap();
        let cpu = Tensor::from_slice(&read(&m), &[300, 70], &Device::Cpu).unwrap();
        let expected = read(&cpu.t().unwrap().sum_dims(Some(&[0]), false).unwrap());
        assert_close(&read(&m.t().unwrap().sum_dims(Some(&[0]), false).unwrap()), &expected, 1e-5, 1e-5);
    }
}

/// Central differences of `f` at `x` against the autograd gradient.
fn check_gradient(d: &Device, shape: &[usize], f: &dyn Fn(&Tensor) -> Tensor) {
    let x0 = random(shape.iter().product(), 7);
    let x = Tensor::from_slice(&x0, shape, d).unwrap();
    x.set_requires_grad(true);
    f(&x).backward().unwrap();
    let analytic = read(&x.grad().unwrap());
    let eps = 1e-2f32;
    let numeric: Vec<f32> = (0..x0.len())
        .map(|i| {
            let at = |delta: f32| {
                let mut v = x0.clone();
                v[i] += delta;
                read(&f(&Tensor::from_slice(&v, shape, d).unwrap()))[0]
            };
            (at(eps) - at(-eps)) / (2.0 * eps)
        })
        .collect();
    assert_close(&analytic, &numeric, 1e-2, 1e-2);
}

#[test]
fn gradients_match_finite_differences() {
    for d in devices() {
        let w = Tensor::from_slice(&random(12, 11), &[4, 3], &d).unwrap();
        let bias = Tensor::from_slice(&random(3, 12), &[3], &d).unwrap();
        // x: [2, 4] through matmul, broadcast add and a weighted sum (weights make the check non-trivial).
        let weights = Tensor::from_slice(&random(6, 13), &[2, 3], &d).unwrap();
        check_gradient(&d, &[2, 4], &|x| {
            let y = x.matmul(&w).unwrap().add(&bias).unwrap();
            let z = y.t().unwrap().matmul(&weights).unwrap();
            z.sum().unwrap()
        });
        // The broadcast operand's gradient is summed over the broadcast axes.
        let x2 = Tensor::from_slice(&random(12, 14), &[4, 3], &d).unwrap();
        check_gradient(&d, &[3], &|b| x2.add(b).unwrap().matmul(&weights.t().unwrap()).unwrap().sum().unwrap());
    }
}

#[test]
fn errors_name_the_op_and_shapes() {
    for d in devices() {
        let a = Tensor::from_slice(&[0.; 6], &[2, 3], &d).unwrap();
        let b = Tensor::from_slice(&[0.; 4], &[4], &d).unwrap();
        let e = a.add(&b).unwrap_err();
        assert!(matches!(e, Error::Broadcast { .. }));
        assert_eq!(e.to_string(), "add: shapes [2, 3] and [4] cannot be broadcast together");
        let e = a.matmul(&a).unwrap_err().to_string();
        assert_eq!(e, "matmul: shapes [2, 3] and [2, 3] do not match (the inner dimensions differ)");
        assert_eq!(a.matmul(&b).unwrap_err().to_string(), "matmul: shapes [2, 3] and [4] do not match (the inner dimensions differ)");
        let s = Tensor::scalar(1.0, &d).unwrap();
        assert!(a.matmul(&s).unwrap_err().to_string().contains("matmul: expected a tensor of rank 1, got shape []"));
        assert!(Tensor::from_slice(&[1., 2., 3.], &[2, 2], &d).unwrap_err().to_string().contains("[2, 2]"));
        assert!(matches!(a.backward().unwrap_err(), Error::NonScalarBackward { .. }));
        // The device keeps working after errors.
        assert_eq!(read(&a.add(&a).unwrap().sum().unwrap()), vec![0.]);
    }
}

#[test]
fn no_grad_records_nothing() {
    let x = Tensor::from_slice(&[1., 2.], &[2], &Device::Cpu).unwrap();
    x.set_requires_grad(true);
    let y = webgrad::no_grad(|| x.add(&x).unwrap());
    assert!(y.op().is_none());
    assert!(webgrad::is_grad_enabled());
    assert!(x.add(&x).unwrap().op().is_some());
}

#[test]
fn backends_do_not_mix() {
    let Some(gpu) = common::gpu() else { return };
    let a = Tensor::from_slice(&[1.], &[1], &Device::Cpu).unwrap();
    let b = Tensor::from_slice(&[1.], &[1], &gpu).unwrap();
    assert!(matches!(a.add(&b).unwrap_err(), Error::Device { .. }));
}
