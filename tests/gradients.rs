//! Every differentiable op's gradient against central finite differences, on the CPU and on WebGPU.
#![cfg(not(target_arch = "wasm32"))]

mod common;

#[test]
fn every_gradient_matches_finite_differences() {
    let failures = pollster::block_on(common::gradcheck::check_all(&webgrad::Device::Cpu));
    assert!(failures.is_empty(), "{} cases disagree:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn every_gradient_matches_finite_differences_on_webgpu() {
    let Some(gpu) = common::gpu() else { return };
    let failures = pollster::block_on(common::gradcheck::check_all(&gpu));
    assert!(failures.is_empty(), "{} cases disagree:\n{}", failures.len(), failures.join("\n"));
}
