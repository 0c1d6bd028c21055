//! A training loop's memory stays flat: backward frees each step's graph, and replaced parameters
//! are dropped. Alone in its own test binary, so no other test's tensors move the count.
#![cfg(not(target_arch = "wasm32"))]

use webgrad::{live_tensors, manual_seed, no_grad, DType, Device, Tensor};

/// One SGD step of a two-layer MLP with softmax cross-entropy; returns the new parameters.
fn step(params: Vec<Tensor>, x: &Tensor, y: &Tensor) -> Vec<Tensor> {
    let (w1, b1, w2, b2) = (&params[0], &params[1], &params[2], &params[3]);
    let logits = x.matmul(w1).unwrap().add(b1).unwrap().relu().unwrap().matmul(w2).unwrap().add(b2).unwrap();
    let loss = logits.log_softmax(-1).unwrap().mul(y).unwrap().sum().unwrap().mul_scalar(-1.0 / 8.0).unwrap();
    loss.backward().unwrap();
    no_grad(|| {
        params
            .iter()
            .map(|p| {
                let next = p.sub(&p.grad().unwrap().mul_scalar(0.1).unwrap()).unwrap();
                next.set_requires_grad(true);
                next
            })
            .collect()
    })
}

#[test]
fn a_training_loop_holds_memory_flat() {
    let d = Device::Cpu;
    manual_seed(1);
    let x = Tensor::randn(&[8, 5], &d).unwrap();
    let labels = Tensor::randint(&[8], 0, 3, &d).unwrap();
    let y = labels.one_hot(3).unwrap().cast(DType::F32).unwrap();
    let mut params = vec![
        Tensor::randn(&[5, 16], &d).unwrap(),
        Tensor::zeros(&[16], DType::F32, &d).unwrap(),
        Tensor::randn(&[16, 3], &d).unwrap(),
        Tensor::zeros(&[3], DType::F32, &d).unwrap(),
    ];
    for p in &params {
        p.set_requires_grad(true);
    }
    for _ in 0..10 {
        params = step(params, &x, &y);
    }
    let after_warmup = live_tensors();
    for _ in 0..1000 {
        params = step(params, &x, &y);
    }
    assert_eq!(live_tensors(), after_warmup, "tensors leaked over 1,000 steps");
}
