//! Time of each op of the benchmark CNN's training step (batch 64, 28x28 digits: conv 1->8, max
//! pool, conv 8->16, max pool) on the native WebGPU adapter, each averaged over 10 queued runs ended
//! by one readback. `cargo run --release --example gpu_cnn_ops`.

use std::time::Instant;

use webgrad::{Conv2dOptions, Device, Error, Pool2dOptions, Tensor};

fn main() -> Result<(), Error> {
    let d = pollster::block_on(Device::webgpu())?;
    println!("adapter: {}", d.name());
    let wait = |t: &Tensor| -> Result<(), Error> { pollster::block_on(t.reshape(&[t.numel()])?.narrow(0, 0, 1)?.to_vec()).map(|_| ()) };
    let time = |label: &str, f: &dyn Fn() -> Result<Tensor, Error>| -> Result<(), Error> {
        wait(&f()?)?;
        let reps = 10;
        let start = Instant::now();
        let mut last = f()?;
        for _ in 1..reps {
            last = f()?;
        }
        wait(&last)?;
        println!("{label:32} {:8.3} ms", start.elapsed().as_secs_f64() / reps as f64 * 1e3);
        Ok(())
    };
    // The gradient of `x` after one backward pass of `f(x).sum()`, cleared for the next run.
    let grad_of = |x: &Tensor, f: &dyn Fn(&Tensor) -> Result<Tensor, Error>| -> Result<Tensor, Error> {
        x.set_requires_grad(true);
        f(x)?.sum()?.backward()?;
        let g = x.grad().ok_or_else(|| Error::Invalid { op: "gpu_cnn_ops", msg: "no gradient".into() })?;
        x.zero_grad();
        Ok(g)
    };
    let x = Tensor::randn(&[64, 1, 28, 28], &d)?;
    let w1 = Tensor::randn(&[8, 1, 3, 3], &d)?;
    let h1 = Tensor::randn(&[64, 8, 26, 26], &d)?;
    let p1 = Tensor::randn(&[64, 8, 13, 13], &d)?;
    let w2 = Tensor::randn(&[16, 8, 3, 3], &d)?;
    let h2 = Tensor::randn(&[64, 16, 11, 11], &d)?;
    let (conv, pool) = (Conv2dOptions::default(), Pool2dOptions::new([2, 2]));
    time("conv 1->8 forward", &|| x.conv2d(&w1, None, &conv))?;
    time("conv 1->8 weight gradient", &|| grad_of(&w1, &|w| x.conv2d(w, None, &conv)))?;
    time("relu", &|| h1.relu())?;
    time("max pool forward", &|| h1.max_pool2d(&pool))?;
    time("max pool gradient", &|| grad_of(&h1, &|h| h.max_pool2d(&pool)))?;
    time("conv 8->16 forward", &|| p1.conv2d(&w2, None, &conv))?;
    time("conv 8->16 weight gradient", &|| grad_of(&w2, &|w| p1.conv2d(w, None, &conv)))?;
    time("conv 8->16 input gradient", &|| grad_of(&p1, &|p| p.conv2d(&w2, None, &conv)))?;
    time("max pool gradient (16 ch.)", &|| grad_of(&h2, &|h| h.max_pool2d(&pool)))?;
    Ok(())
}
