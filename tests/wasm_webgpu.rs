//! The slice on WebGPU in headless Chromium (run by `wasm-pack test --headless --chrome`), compared
//! with hand-derived values and with the CPU backend. A missing adapter fails: never a skip.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};
use webgrad::{Device, Tensor};

wasm_bindgen_test_configure!(run_in_browser);

async fn gpu() -> Device {
    let device = Device::webgpu().await.expect("Chromium must expose a WebGPU adapter (--enable-unsafe-webgpu)");
    console_log!("browser WebGPU adapter: {}", device.name());
    device
}

fn random(n: usize, seed: u32) -> Vec<f32> {
    let mut state = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
    (0..n)
        .map(|_| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (state >> 8) as f32 / (1u32 << 23) as f32 - 1.0
        })
        .collect()
}

#[wasm_bindgen_test]
async fn webgpu_slice_hand_derived() {
    let d = gpu().await;
    let a = Tensor::from_slice(&[1., 2., 3., 4., 5., 6.], &[2, 3], &d).unwrap();
    let b = Tensor::from_slice(&[1., 2., 3., 4., 5., 6.], &[3, 2], &d).unwrap();
    let bias = Tensor::from_slice(&[0.5, -0.5], &[2], &d).unwrap();
    for t in [&a, &b, &bias] {
        t.set_requires_grad(true);
    }
    let loss = a.matmul(&b).unwrap().add(&bias).unwrap().sum().unwrap();
    assert_eq!(loss.to_vec().await.unwrap(), vec![163.]);
    loss.backward().unwrap();
    assert_eq!(a.grad().unwrap().to_vec().await.unwrap(), vec![3., 7., 11., 3., 7., 11.]);
    assert_eq!(b.grad().unwrap().to_vec().await.unwrap(), vec![5., 5., 7., 7., 9., 9.]);
    assert_eq!(bias.grad().unwrap().to_vec().await.unwrap(), vec![2., 2.]);
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
    let d = gpu().await;
    let a = Tensor::from_slice(&[1.; 6], &[2, 3], &d).unwrap();
    let b = Tensor::from_slice(&[1.; 4], &[4], &d).unwrap();
    assert_eq!(a.add(&b).unwrap_err().to_string(), "add: shapes [2, 3] and [4] cannot be broadcast together");
    assert_eq!(a.add(&a).unwrap().sum().unwrap().to_vec().await.unwrap(), vec![12.]);
}
