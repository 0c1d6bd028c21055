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
    let e = Device::webgpu().await.err().expect("Node has no WebGPU");
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
