//! Forward values of the op set against NumPy (`tests/fixtures/make_reference.py`), on the CPU and on
//! the native WebGPU adapter.
#![cfg(not(target_arch = "wasm32"))]

mod common;

#[test]
fn cpu_matches_numpy_reference() {
    let checked = pollster::block_on(common::reference::check_reference(&webgrad::Device::Cpu));
    assert!(checked > 100, "only {checked} cases");
}

#[test]
fn webgpu_matches_numpy_reference() {
    let Some(gpu) = common::gpu() else { return };
    let checked = pollster::block_on(common::reference::check_reference(&gpu));
    assert!(checked > 100, "only {checked} cases");
}
