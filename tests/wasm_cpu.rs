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
