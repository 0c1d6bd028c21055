//! Helpers shared by the native integration tests.
#![allow(dead_code)]

pub mod fixture;
pub mod gradcheck;
pub mod reference;
pub mod safetensors_fuzz;

use webgrad::{Device, Tensor};

/// The WebGPU device; a missing adapter fails the test (set WEBGRAD_SKIP_GPU=1 to run CPU-only).
#[cfg(not(target_arch = "wasm32"))]
pub fn gpu() -> Option<Device> {
    if std::env::var_os("WEBGRAD_SKIP_GPU").is_some() {
        return None;
    }
    match pollster::block_on(Device::webgpu()) {
        Ok(device) => Some(device),
        Err(e) => panic!("no WebGPU adapter ({e}); install mesa-vulkan-drivers or set WEBGRAD_SKIP_GPU=1"),
    }
}

/// Every backend a test body runs on: the CPU, then WebGPU.
#[cfg(not(target_arch = "wasm32"))]
pub fn devices() -> Vec<Device> {
    std::iter::once(Device::Cpu).chain(gpu()).collect()
}

/// Deterministic values in [-1, 1) (a 32-bit LCG; no dependency, same on every platform).
pub fn random(n: usize, seed: u32) -> Vec<f32> {
    let mut state = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
    (0..n)
        .map(|_| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (state >> 8) as f32 / (1u32 << 23) as f32 - 1.0
        })
        .collect()
}

#[cfg(not(target_arch = "wasm32"))]
pub fn read(t: &Tensor) -> Vec<f32> {
    pollster::block_on(t.to_vec()).expect("readback")
}

/// Asserts |a - b| <= atol + rtol * |b| elementwise.
pub fn assert_close(actual: &[f32], expected: &[f32], rtol: f32, atol: f32) {
    assert_eq!(actual.len(), expected.len(), "lengths differ");
    for (i, (a, e)) in actual.iter().zip(expected).enumerate() {
        assert!((a - e).abs() <= atol + rtol * e.abs(), "element {i}: {a} vs expected {e}\nactual {actual:?}\nexpected {expected:?}");
    }
}

/// Plain triple-loop matrix product, the independent reference for matmul tests.
pub fn reference_matmul(a: &[f32], b: &[f32], m: usize, k: usize, n: usize) -> Vec<f32> {
    let mut c = vec![0.0f64; m * n];
    for i in 0..m {
        for j in 0..n {
            for p in 0..k {
                c[i * n + j] += a[i * k + p] as f64 * b[p * n + j] as f64;
            }
        }
    }
    c.into_iter().map(|v| v as f32).collect()
}

/// sum(a @ b + bias) for fixed inputs and its gradients, all hand-derived: d/da = 1 @ b^T (row sums
/// of b), d/db = a^T @ 1 (column sums of a), d/dbias = the number of rows, per column. Shared by the
/// native and both wasm suites.
pub async fn check_slice_hand_derived(d: &Device) {
    let a = Tensor::from_slice(&[1., 2., 3., 4., 5., 6.], &[2, 3], d).unwrap();
    let b = Tensor::from_slice(&[1., 2., 3., 4., 5., 6.], &[3, 2], d).unwrap();
    let bias = Tensor::from_slice(&[0.5, -0.5], &[2], d).unwrap();
    for t in [&a, &b, &bias] {
        t.set_requires_grad(true);
    }
    let y = a.matmul(&b).unwrap().add(&bias).unwrap();
    assert_eq!(y.to_vec().await.unwrap(), vec![22.5, 27.5, 49.5, 63.5], "{d:?}");
    let loss = y.sum().unwrap();
    assert_eq!(loss.to_vec().await.unwrap(), vec![163.], "{d:?}");
    loss.backward().unwrap();
    assert_eq!(a.grad().unwrap().to_vec().await.unwrap(), vec![3., 7., 11., 3., 7., 11.], "{d:?}");
    assert_eq!(b.grad().unwrap().to_vec().await.unwrap(), vec![5., 5., 7., 7., 9., 9.], "{d:?}");
    assert_eq!(bias.grad().unwrap().to_vec().await.unwrap(), vec![2., 2.], "{d:?}");
    // Gradients accumulate across backward calls, and zero_grad clears them.
    a.matmul(&b).unwrap().add(&bias).unwrap().sum().unwrap().backward().unwrap();
    assert_eq!(bias.grad().unwrap().to_vec().await.unwrap(), vec![4., 4.], "{d:?}");
    bias.zero_grad();
    assert!(bias.grad().is_none());
}

/// A shape error names the op and both shapes, and the device keeps working after it.
pub async fn check_errors_leave_device_working(d: &Device) {
    let a = Tensor::from_slice(&[1.; 6], &[2, 3], d).unwrap();
    let b = Tensor::from_slice(&[1.; 4], &[4], d).unwrap();
    assert_eq!(a.add(&b).unwrap_err().to_string(), "add: shapes [2, 3] and [4] cannot be broadcast together");
    assert!(a.matmul(&a).unwrap_err().to_string().starts_with("matmul: shapes [2, 3] and [2, 3]"));
    assert_eq!(a.add(&a).unwrap().sum().unwrap().to_vec().await.unwrap(), vec![12.]);
}
