//! The slice on the CPU backend compiled to wasm (run by `wasm-pack test --node`).
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::wasm_bindgen_test;
use webgrad::{Device, Tensor};

#[wasm_bindgen_test]
async fn cpu_slice_hand_derived() {
    let d = Device::Cpu;
    let a = Tensor::from_slice(&[1., 2., 3., 4., 5., 6.], &[2, 3], &d).unwrap();
    let b = Tensor::from_slice(&[1., 2., 3., 4., 5., 6.], &[3, 2], &d).unwrap();
    let bias = Tensor::from_slice(&[0.5, -0.5], &[2], &d).unwrap();
    for t in [&a, &b, &bias] {
        t.set_requires_grad(true);
    }
    let y = a.matmul(&b).unwrap().add(&bias).unwrap();
    assert_eq!(y.to_vec().await.unwrap(), vec![22.5, 27.5, 49.5, 63.5]);
    let loss = y.sum().unwrap();
    assert_eq!(loss.to_vec().await.unwrap(), vec![163.]);
    loss.backward().unwrap();
    assert_eq!(a.grad().unwrap().to_vec().await.unwrap(), vec![3., 7., 11., 3., 7., 11.]);
    assert_eq!(b.grad().unwrap().to_vec().await.unwrap(), vec![5., 5., 7., 7., 9., 9.]);
    assert_eq!(bias.grad().unwrap().to_vec().await.unwrap(), vec![2., 2.]);
}

#[wasm_bindgen_test]
async fn cpu_errors_leave_the_module_working() {
    let d = Device::Cpu;
    let a = Tensor::from_slice(&[0.; 6], &[2, 3], &d).unwrap();
    let b = Tensor::from_slice(&[0.; 4], &[4], &d).unwrap();
    assert_eq!(a.add(&b).unwrap_err().to_string(), "add: shapes [2, 3] and [4] cannot be broadcast together");
    assert!(a.matmul(&a).unwrap_err().to_string().starts_with("matmul: shapes [2, 3] and [2, 3]"));
    assert_eq!(a.add(&a).unwrap().sum().unwrap().to_vec().await.unwrap(), vec![0.]);
}

#[wasm_bindgen_test]
async fn no_webgpu_in_node_is_an_error_not_a_crash() {
    // Node has no navigator.gpu: asking for WebGPU must fail cleanly.
    let e = Device::webgpu().await.err().expect("Node has no WebGPU");
    assert!(e.to_string().contains("webgpu"), "{e}");
}
