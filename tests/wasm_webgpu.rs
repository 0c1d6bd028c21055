//! The slice on WebGPU in headless Chromium (run by `wasm-pack test --headless --chrome`), compared
//! with hand-derived values and with the CPU backend. A missing adapter fails: never a skip.
#![cfg(target_arch = "wasm32")]

mod common;

use common::random;
use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};
use webgrad::{Device, Tensor};

wasm_bindgen_test_configure!(run_in_browser);

async fn gpu() -> Device {
    let device = Device::webgpu().await.expect("Chromium must expose a WebGPU adapter (--enable-unsafe-webgpu)");
    console_log!("browser WebGPU adapter: {}", device.name());
    device
}

#[wasm_bindgen_test]
async fn webgpu_slice_hand_derived() {
    common::check_slice_hand_derived(&gpu().await).await;
}

#[wasm_bindgen_test]
async fn webgpu_matches_cpu_on_random_inputs() {
    let gpu = gpu().await;
    let (m, k, n) = (67, 130, 45);
    let (av, bv, cv) = (random(m * k, 1), random(k * n, 2), random(n, 3));
    let run = |d: &Device| {
        let a = Tensor::from_slice(&av, &[m, k], d).unwrap();
        let b = Tensor::from_slice(&bv, &[k, n], d).unwrap();
        let c = Tensor::from_slice(&cv, &[n], d).unwrap();
        a.set_requires_grad(true);
        c.set_requires_grad(true);
        let y = a.matmul(&b).unwrap().add(&c).unwrap();
        let loss = y.t().unwrap().matmul(&a).unwrap().sum().unwrap();
        loss.backward().unwrap();
        (y, a.grad().unwrap(), c.grad().unwrap())
    };
    let (on_gpu, on_cpu) = (run(&gpu), run(&Device::Cpu));
    for (g, c) in [(on_gpu.0, on_cpu.0), (on_gpu.1, on_cpu.1), (on_gpu.2, on_cpu.2)] {
        let (g, c) = (g.to_vec().await.unwrap(), c.to_vec().await.unwrap());
        assert_eq!(g.len(), c.len());
        for (x, y) in g.iter().zip(&c) {
            assert!((x - y).abs() <= 1e-3 + 1e-3 * y.abs(), "gpu {x} vs cpu {y}");
        }
    }
}

#[wasm_bindgen_test]
async fn webgpu_errors_leave_the_device_working() {
    common::check_errors_leave_device_working(&gpu().await).await;
}

#[wasm_bindgen_test]
async fn webgpu_matches_numpy_reference_in_chromium() {
    assert!(common::reference::check_reference(&gpu().await).await > 100);
}

#[wasm_bindgen_test]
async fn webgpu_gradients_match_finite_differences_in_chromium() {
    let failures = common::gradcheck::check_all(&gpu().await).await;
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[wasm_bindgen_test]
async fn webgpu_sin_and_cos_match_the_cpu_in_chromium() {
    // webgrad's own range-reduced sin/cos (not the built-ins, off by ~2e-4 on SwiftShader).
    let gpu = gpu().await;
    let xs: Vec<f32> = (0..20_001).map(|i| -100.0 + i as f32 * 0.010_000_3).collect();
    let x = Tensor::from_slice(&xs, &[xs.len()], &gpu).unwrap();
    for (op, f) in [(webgrad::backend::UnaryOp::Sin, f64::sin as fn(f64) -> f64), (webgrad::backend::UnaryOp::Cos, f64::cos)] {
        let got = x.unary(op).unwrap().to_vec().await.unwrap();
        let worst = got.iter().zip(&xs).map(|(&g, &v)| (g as f64 - f(v as f64)).abs()).fold(0.0, f64::max);
        console_log!("{op:?} on |x| <= 100: max abs error {worst:.2e}");
        assert!(worst <= 1e-6, "{op:?}: max error {worst:.2e}");
    }
}

#[wasm_bindgen_test]
async fn webgpu_nan_is_truthy_in_chromium() {
    let gpu = gpu().await;
    let x = Tensor::from_slice(&[f32::NAN, 0.0, -0.0, f32::INFINITY, 1.0], &[5], &gpu).unwrap();
    let b = x.cast(webgrad::DType::Bool).unwrap().cast(webgrad::DType::F32).unwrap();
    assert_eq!(b.to_vec().await.unwrap(), vec![1.0, 0.0, 0.0, 1.0, 1.0]);
}
