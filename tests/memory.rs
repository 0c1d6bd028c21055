//! A training loop's memory stays flat: backward frees each step's graph, and replaced parameters
//! are dropped; graphs far deeper than the stack is tall are built, differentiated and dropped. In
//! its own test binary, so no other test's tensors move the count; the tests here take turns.
#![cfg(not(target_arch = "wasm32"))]

use std::sync::{Mutex, MutexGuard};

use webgrad::{live_tensors, manual_seed, no_grad, DType, Device, Tensor};

/// Held by each test: the live-tensor count is per process, so they must not overlap.
fn one_at_a_time() -> MutexGuard<'static, ()> {
    static TURN: Mutex<()> = Mutex::new(());
    TURN.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Runs `f` on a thread with a 256 KiB stack (a wasm stack is 1 MiB): anything recursive over a
/// graph's depth overflows it, which aborts the test binary.
fn on_a_small_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new().stack_size(256 * 1024).spawn(f).unwrap().join().unwrap();
}

/// Ops in the deep chains below.
const DEPTH: usize = 100_000;

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
    let _turn = one_at_a_time();
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

#[test]
fn a_chain_of_100k_ops_runs_backward_and_drops_on_a_small_stack() {
    let _turn = one_at_a_time();
    let before = live_tensors();
    on_a_small_stack(|| {
        let d = Device::Cpu;
        let x = Tensor::from_slice(&[2.0], &[1], &d).unwrap();
        x.set_requires_grad(true);
        // y = x * c^n: dy/dx = c^n (c as f32, about 22,026 for n = 100k).
        let c = 1.0001f32;
        let mut y = x.clone();
        for _ in 0..DEPTH {
            y = y.mul_scalar(c as f64).unwrap();
        }
        let want = (c as f64).powi(DEPTH as i32);
        let value = y.host_now().unwrap().to_f32()[0] as f64;
        assert!((value / (2.0 * want) - 1.0).abs() < 1e-2, "forward {value}, want {}", 2.0 * want);
        // Twice, keeping the graph: both passes and the graph's teardown at the end are iterative.
        for _ in 0..2 {
            y.sum().unwrap().backward_opts(None, true).unwrap();
        }
        let grad = x.grad().unwrap().host_now().unwrap().to_f32()[0] as f64;
        assert!((grad / (2.0 * want) - 1.0).abs() < 1e-2, "gradient {grad}, want {}", 2.0 * want);
    });
    assert_eq!(live_tensors(), before, "the chain's tensors were not all freed");
}

#[test]
fn dropping_a_chain_of_100k_ops_without_backward_frees_it_on_a_small_stack() {
    let _turn = one_at_a_time();
    let before = live_tensors();
    on_a_small_stack(|| {
        let d = Device::Cpu;
        let x = Tensor::from_slice(&[0.0], &[1], &d).unwrap();
        x.set_requires_grad(true);
        let mut y = x.clone();
        for _ in 0..DEPTH {
            y = y.add_scalar(1.0).unwrap();
        }
        assert_eq!(y.host_now().unwrap().to_f32(), vec![DEPTH as f32]);
        // Dropped here, graph and all: the last handle to each node goes in turn.
    });
    assert_eq!(live_tensors(), before, "the chain's tensors were not all freed");
}
