//! Native WebGPU convolution throughput (implicit GEMM): forward, and forward + backward, of a
//! ResNet-style 3x3 layer. `cargo run --release --example gpu_conv [batch]`.

use std::time::Instant;

use webgrad::{Conv2dOptions, Device, Padding, Tensor};

fn main() -> Result<(), webgrad::Error> {
    let device = pollster::block_on(Device::webgpu())?;
    println!("adapter: {}", device.name());
    let batch: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(32);
    let (c, hw, k) = (64, 56, 3);
    let x = Tensor::randn(&[batch, c, hw, hw], &device)?;
    let w = Tensor::randn(&[c, c, k, k], &device)?;
    x.set_requires_grad(true);
    w.set_requires_grad(true);
    let o = Conv2dOptions { padding: Padding::Same, ..Default::default() };
    let flops = 2.0 * (batch * c * hw * hw * c * k * k) as f64;
    let wait =
        |t: &Tensor| -> Result<(), webgrad::Error> { pollster::block_on(t.reshape(&[t.numel()])?.narrow(0, 0, 1)?.to_vec()).map(|_| ()) };
    wait(&x.conv2d(&w, None, &o)?)?;
    let reps = 10;
    let start = Instant::now();
    let mut y = x.conv2d(&w, None, &o)?;
    for _ in 1..reps {
        y = x.conv2d(&w, None, &o)?;
    }
    wait(&y)?;
    let fwd = start.elapsed().as_secs_f64() / reps as f64;
    println!("conv2d {batch}x{c}x{hw}x{hw}, 3x3 -> {c}: forward {:.3} ms, {:.1} TFLOPS", fwd * 1e3, flops / fwd / 1e12);
    // One training-style pass, phase by phase (each ended by a readback).
    let time = |f: &dyn Fn() -> Result<(), webgrad::Error>| -> Result<f64, webgrad::Error> {
        let start = Instant::now();
        for _ in 0..reps {
            f()?;
        }
        Ok(start.elapsed().as_secs_f64() / reps as f64 * 1e3)
    };
    let y = x.conv2d(&w, None, &o)?;
    let sum_ms = time(&|| wait(&y.sum()?))?;
    let grad_y = Tensor::randn(y.shape(), &device)?;
    let backward_ms = time(&|| {
        let y = x.conv2d(&w, None, &o)?;
        y.backward_with(&grad_y)?;
        wait(&w.grad().unwrap_or(w.clone()))?;
        wait(&x.grad().unwrap_or(x.clone()))
    })?;
    let weight_ms = time(&|| {
        x.detach().conv2d(&w, None, &o)?.backward_with(&grad_y)?;
        wait(&w.grad().unwrap_or(w.clone()))
    })?;
    let input_ms = time(&|| {
        x.conv2d(&w.detach(), None, &o)?.backward_with(&grad_y)?;
        wait(&x.grad().unwrap_or(x.clone()))
    })?;
    println!("sum of the output: {sum_ms:.3} ms");
    println!("forward + both gradients from a given dy: {backward_ms:.3} ms ({:.1} TFLOPS)", 3.0 * flops / backward_ms / 1e9);
    println!("forward + weight gradient: {weight_ms:.3} ms; forward + input gradient: {input_ms:.3} ms");
    Ok(())
}
