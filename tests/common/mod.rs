//! Helpers shared by the native integration tests.
#![allow(dead_code)]

use webgrad::{Device, Tensor};

/// The WebGPU device; a missing adapter fails the test (set WEBGRAD_SKIP_GPU=1 to run CPU-only).
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
