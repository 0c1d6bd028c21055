//! Native WebGPU matmul throughput: `cargo run --release --example gpu_matmul [sizes…]` prints the
//! adapter and GFLOP/s per square size (the time of several queued products, ended by one readback).

use std::time::Instant;

use webgrad::{Device, Tensor};

fn main() -> Result<(), webgrad::Error> {
    let device = pollster::block_on(Device::webgpu())?;
    println!("adapter: {}", device.name());
    let sizes: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let sizes = if sizes.is_empty() { vec![1024, 2048, 4096] } else { sizes };
    for n in sizes {
        let a = Tensor::randn(&[n, n], &device)?;
        let b = Tensor::randn(&[n, n], &device)?;
        // One element of the result, read back: waits for every product queued before it.
        let wait =
            |c: &Tensor| -> Result<(), webgrad::Error> { pollster::block_on(c.narrow(0, 0, 1)?.narrow(1, 0, 1)?.to_vec()).map(|_| ()) };
        wait(&a.matmul(&b)?)?;
        let reps = (8_000_000_000_000 / (2 * n * n * n)).clamp(3, 50);
        let start = Instant::now();
        let mut last = a.matmul(&b)?;
        for _ in 1..reps {
            last = a.matmul(&b)?;
        }
        wait(&last)?;
        let seconds = start.elapsed().as_secs_f64() / reps as f64;
        println!("matmul {n}: {:.1} GFLOP/s ({:.3} ms, {reps} reps)", 2.0 * (n as f64).powi(3) / seconds / 1e9, seconds * 1e3);
    }
    Ok(())
}
