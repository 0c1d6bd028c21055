//! Shape probes (symbolic shape inference): every op is shaped, the costly work is skipped, and the
//! same ops compute once the probe ends.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{gpu, read};
use webgrad::{Conv2dOptions, DType, Device, Tensor};

/// relu(conv2d(x, w, stride 2)) summed over channels: [2, 3, 9, 9] -> [2, 4, 4].
fn conv_net(xv: &[f32], wv: &[f32], d: &Device) -> Tensor {
    let x = Tensor::from_slice(xv, &[2, 3, 9, 9], d).unwrap();
    let w = Tensor::from_slice(wv, &[4, 3, 3, 3], d).unwrap();
    let opts = Conv2dOptions { stride: [2, 2], ..Default::default() };
    x.conv2d(&w, None, &opts).unwrap().relu().unwrap().sum_dims(Some(&[1]), false).unwrap()
}

fn probed<T>(f: impl FnOnce() -> T) -> T {
    assert!(!webgrad::set_probing(true), "a probe was already running");
    let out = f();
    assert!(webgrad::set_probing(false));
    out
}

#[test]
fn on_the_cpu_a_probe_shapes_a_convolution_and_skips_its_product() {
    // Inputs of one sign make every output positive: a product that ran would not be zero.
    let (xv, wv) = (vec![0.5; 2 * 3 * 9 * 9], vec![0.25; 4 * 3 * 3 * 3]);
    let y = probed(|| conv_net(&xv, &wv, &Device::Cpu));
    assert_eq!(y.shape(), &[2, 4, 4]);
    assert!(read(&y).iter().all(|&v| v == 0.0), "the product ran in a probe");
    let after = read(&conv_net(&xv, &wv, &Device::Cpu));
    assert!(after.iter().all(|&v| (v - 4.0 * 27.0 * 0.125).abs() < 1e-4), "{after:?}");
}

#[test]
fn on_webgpu_a_probe_shapes_every_op_but_queues_no_kernel() {
    let Some(d) = gpu() else { return };
    let Device::WebGpu(ctx) = &d else { return };
    let (xv, wv) = (common::random(2 * 3 * 9 * 9, 1), common::random(4 * 3 * 3 * 3, 2));
    let before = ctx.counters().dispatches;
    let y = probed(|| conv_net(&xv, &wv, &d));
    assert_eq!(ctx.counters().dispatches, before, "a probe dispatched");
    assert_eq!(y.shape(), &[2, 4, 4]);
    // Off again, the same ops compute (the CPU is the reference).
    common::assert_close(&read(&conv_net(&xv, &wv, &d)), &read(&conv_net(&xv, &wv, &Device::Cpu)), 1e-5, 1e-5);
}

#[test]
fn a_probe_buffer_past_its_cap_is_an_error_and_the_cap_ends_with_the_probe() {
    let n = (1 << 26) + 1;
    let e = probed(|| Tensor::zeros(&[1, n], DType::F32, &Device::Cpu).unwrap_err().to_string());
    assert!(e.contains("would hold 67108865 values, more than the 67108864 a shape probe allocates"), "{e}");
    assert_eq!(Tensor::zeros(&[1, n], DType::F32, &Device::Cpu).unwrap().shape(), &[1, n]);
}
