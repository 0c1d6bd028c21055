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

/// Every public row of the unary op table has a NumPy case, so a new op's row needs its line in
/// `make_reference.py` (and the values are then checked on both backends by the tests above).
#[test]
fn every_unary_op_of_the_table_has_a_numpy_case() {
    let covered = common::reference::unary_names();
    let ops = webgrad::backend::UnaryOp::ALL;
    let missing: Vec<&str> = ops.iter().filter_map(|op| op.name()).filter(|name| !covered.iter().any(|c| c == name)).collect();
    assert!(missing.is_empty(), "tests/fixtures/reference.json has no case for {missing:?}: add a line to make_reference.py");
}
