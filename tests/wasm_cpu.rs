//! The slice on the CPU backend compiled to wasm (run by `wasm-pack test --node`).
#![cfg(target_arch = "wasm32")]

mod common;

use wasm_bindgen_test::wasm_bindgen_test;
use webgrad::Device;

#[wasm_bindgen_test]
async fn cpu_slice_hand_derived() {
    common::check_slice_hand_derived(&Device::Cpu).await;
}

#[wasm_bindgen_test]
async fn cpu_errors_leave_the_module_working() {
    common::check_errors_leave_device_working(&Device::Cpu).await;
}

#[wasm_bindgen_test]
async fn no_webgpu_in_node_is_an_error_not_a_crash() {
    // Node has no navigator.gpu: asking for WebGPU must fail cleanly.
    let e = Device::webgpu().await.expect_err("Node has no WebGPU");
    assert!(e.to_string().contains("webgpu"), "{e}");
}

#[wasm_bindgen_test]
async fn cpu_matches_numpy_reference_in_wasm() {
    assert!(common::reference::check_reference(&Device::Cpu).await > 100);
}

#[wasm_bindgen_test]
async fn cpu_gradients_match_finite_differences_in_wasm() {
    let failures = common::gradcheck::check_all(&Device::Cpu).await;
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Exhausting wasm's 4 GiB is an Error naming the op, not a trap, and freeing the tensors lets
/// the module compute again.
#[wasm_bindgen_test]
async fn running_out_of_memory_is_an_error_and_the_module_keeps_working() {
    use webgrad::Tensor;
    let d = Device::Cpu;
    let one = Tensor::from_slice(&[1.0], &[1], &d).unwrap().broadcast_to(&[1 << 26]).unwrap();
    let mut held = Vec::new();
    let error = loop {
        match one.add_scalar(1.0) {
            Ok(t) => held.push(t),
            Err(e) => break e.to_string(),
        }
        assert!(held.len() < 64, "64 tensors of 256 MiB fit in a 4 GiB memory");
    };
    assert!(error.contains("out of memory") && error.starts_with("add:"), "{error}");
    assert!(error.contains("268435456 bytes for shape [67108864]"), "{error}");
    drop(held);
    let x = Tensor::from_slice(&[1.0, 2.0, 3.0], &[3], &d).unwrap();
    assert_eq!(x.mul(&x).unwrap().sum().unwrap().to_vec().await.unwrap(), vec![14.0]);
    // The freed memory serves large outputs again.
    assert_eq!(one.add_scalar(1.0).unwrap().narrow(0, 0, 2).unwrap().to_vec().await.unwrap(), vec![2.0, 2.0]);
}

/// A chain of 100k ops runs backward and is freed, graph and all, without overflowing the stack.
#[wasm_bindgen_test]
async fn a_chain_of_100k_ops_runs_backward_and_drops() {
    use webgrad::{live_tensors, Tensor};
    let before = live_tensors();
    {
        let x = Tensor::from_slice(&[0.5], &[1], &Device::Cpu).unwrap();
        x.set_requires_grad(true);
        let mut y = x.clone();
        for _ in 0..100_000 {
            y = y.add_scalar(1.0).unwrap();
        }
        assert_eq!(y.to_vec().await.unwrap(), vec![100_000.5]);
        y.sum().unwrap().backward_opts(None, true).unwrap();
        assert_eq!(x.grad().unwrap().to_vec().await.unwrap(), vec![1.0]);
    }
    assert_eq!(live_tensors(), before, "the chain's tensors were not all freed");
}

/// NaN and infinities are truthy on the CPU (as in PyTorch and TF.js, and as on WebGPU).
#[wasm_bindgen_test]
async fn nan_is_truthy_on_the_cpu() {
    use webgrad::{DType, Tensor};
    let x = Tensor::from_slice(&[f32::NAN, 0.0, -0.0, f32::INFINITY, -1.0], &[5], &Device::Cpu).unwrap();
    let b = x.cast(DType::Bool).unwrap();
    let and = b.logical_and(&b).unwrap().cast(DType::F32).unwrap();
    assert_eq!(and.to_vec().await.unwrap(), vec![1.0, 0.0, 0.0, 1.0, 1.0]);
}

#[wasm_bindgen_test]
fn safetensors_fuzz_in_wasm() {
    // wasm32's usize is 32 bits: sizes overflow there first.
    let (loaded, refused) = common::safetensors_fuzz::fuzz(3000, 20261204);
    assert!(loaded > 100 && refused > 1000, "{loaded} loaded, {refused} refused");
}
