//! Fused optimizer updates against hand-derived values and an independent f64 implementation of
//! PyTorch's SGD/Adam/AdamW and Keras's Adam (written from their documented algorithms), on every
//! backend; on WebGPU each new tensor is one dispatch.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{assert_close, devices, random, read};
use webgrad::{AdamStep, Device, SgdStep, Tensor};

fn adam(lr: f32, weight_decay: f32, decoupled: bool, epsilon_hat: bool, step: u32) -> AdamStep {
    AdamStep { lr, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay, decoupled, epsilon_hat, step }
}

#[test]
fn first_adam_step_hand_derived() {
    // m = v = 0: m' = 0.1 g, v' = 0.001 g^2, corrected m = g, v = g^2, so p' = p - lr * g / (|g| + eps).
    for d in devices() {
        let p = Tensor::from_slice(&[1.0, -2.0], &[2], &d).unwrap();
        let g = Tensor::from_slice(&[0.5, -0.25], &[2], &d).unwrap();
        let z = Tensor::from_slice(&[0.0, 0.0], &[2], &d).unwrap();
        let (p1, m1, v1) = p.adam_update(&g, &z, &z, &adam(0.1, 0.0, false, false, 1)).unwrap();
        assert_close(&read(&p1), &[0.9, -1.9], 1e-6, 1e-6);
        assert_close(&read(&m1), &[0.05, -0.025], 1e-6, 1e-7);
        // 1 - 0.999 in f32 is 0.00099998713: a relative 1.3e-5 off the exact 0.001.
        assert_close(&read(&v1), &[0.00025, 0.0000625], 1e-4, 1e-9);
    }
}

/// PyTorch `Adam`/`AdamW` and Keras `Adam` in f64, straight from their documented update rules.
fn reference_adam(p: &mut [f64], m: &mut [f64], v: &mut [f64], g: &[f64], s: &AdamStep) {
    let (b1, b2, lr, eps, wd) = (s.beta1 as f64, s.beta2 as f64, s.lr as f64, s.eps as f64, s.weight_decay as f64);
    let t = s.step as i32;
    for i in 0..p.len() {
        let mut gi = g[i];
        if s.decoupled {
            p[i] *= 1.0 - lr * wd;
        } else {
            gi += wd * p[i];
        }
        m[i] = b1 * m[i] + (1.0 - b1) * gi;
        v[i] = b2 * v[i] + (1.0 - b2) * gi * gi;
        if s.epsilon_hat {
            let alpha = lr * (1.0 - b2.powi(t)).sqrt() / (1.0 - b1.powi(t));
            p[i] -= alpha * m[i] / (v[i].sqrt() + eps);
        } else {
            let (mh, vh) = (m[i] / (1.0 - b1.powi(t)), v[i] / (1.0 - b2.powi(t)));
            p[i] -= lr * mh / (vh.sqrt() + eps);
        }
    }
}

/// PyTorch `SGD` in f64 (momentum buffer starts as the first gradient).
fn reference_sgd(p: &mut [f64], buf: &mut Option<Vec<f64>>, g: &[f64], s: &SgdStep) {
    let (lr, mu, damp, wd) = (s.lr as f64, s.momentum as f64, s.dampening as f64, s.weight_decay as f64);
    let gs: Vec<f64> = g.iter().zip(p.iter()).map(|(g, p)| g + wd * p).collect();
    let mut d = gs.clone();
    if mu != 0.0 {
        let b = match buf.take() {
            None => gs.clone(),
            Some(b) => b.iter().zip(&gs).map(|(b, g)| mu * b + (1.0 - damp) * g).collect(),
        };
        d = if s.nesterov { gs.iter().zip(&b).map(|(g, b)| g + mu * b).collect() } else { b.clone() };
        *buf = Some(b);
    }
    for (p, d) in p.iter_mut().zip(d) {
        *p -= lr * d;
    }
}

fn f32s(v: &[f64]) -> Vec<f32> {
    v.iter().map(|&x| x as f32).collect()
}

fn f64s(v: &[f32]) -> Vec<f64> {
    v.iter().map(|&x| x as f64).collect()
}

#[test]
fn adam_variants_match_the_reference_over_several_steps() {
    for d in devices() {
        for (wd, decoupled, epsilon_hat) in [(0.0, false, false), (0.01, false, false), (0.01, true, false), (0.0, false, true)] {
            let n = 37;
            let (mut p, mut m, mut v) = (f64s(&random(n, 1)), vec![0.0; n], vec![0.0; n]);
            let mut tp = Tensor::from_slice(&f32s(&p), &[n], &d).unwrap();
            let mut tm = Tensor::zeros(&[n], webgrad::DType::F32, &d).unwrap();
            let mut tv = tm.clone();
            for step in 1..=4 {
                let g = random(n, 10 + step);
                let s = adam(0.01, wd, decoupled, epsilon_hat, step);
                reference_adam(&mut p, &mut m, &mut v, &f64s(&g), &s);
                let tg = Tensor::from_slice(&g, &[n], &d).unwrap();
                (tp, tm, tv) = tp.adam_update(&tg, &tm, &tv, &s).unwrap();
            }
            assert_close(&read(&tp), &f32s(&p), 1e-5, 1e-6);
            assert_close(&read(&tm), &f32s(&m), 1e-5, 1e-7);
            assert_close(&read(&tv), &f32s(&v), 1e-4, 1e-9);
        }
    }
}

#[test]
fn sgd_variants_match_the_reference_over_several_steps() {
    for d in devices() {
        for (momentum, dampening, wd, nesterov) in
            [(0.0, 0.0, 0.0, false), (0.9, 0.0, 0.0, false), (0.9, 0.1, 0.01, false), (0.9, 0.0, 0.01, true)]
        {
            let s = SgdStep { lr: 0.1, momentum, dampening, weight_decay: wd, nesterov };
            let n = 29;
            let mut p = f64s(&random(n, 2));
            let mut buf = None;
            let mut tp = Tensor::from_slice(&f32s(&p), &[n], &d).unwrap();
            let mut tb: Option<Tensor> = None;
            for step in 0..4 {
                let g = random(n, 20 + step);
                reference_sgd(&mut p, &mut buf, &f64s(&g), &s);
                let tg = Tensor::from_slice(&g, &[n], &d).unwrap();
                (tp, tb) = tp.sgd_update(&tg, tb.as_ref(), &s).unwrap();
            }
            assert_close(&read(&tp), &f32s(&p), 1e-5, 1e-6);
            assert_eq!(tb.is_some(), momentum != 0.0);
        }
    }
}

#[test]
fn an_optimizer_step_on_webgpu_is_one_dispatch_per_parameter() {
    let Some(d) = common::gpu() else { return };
    let Device::WebGpu(ctx) = &d else { return };
    let p = Tensor::randn(&[1000], &d).unwrap();
    let g = Tensor::randn(&[1000], &d).unwrap();
    let z = Tensor::zeros(&[1000], webgrad::DType::F32, &d).unwrap();
    let before = ctx.counters();
    // Adam writes the parameter and both moments in one pass; SGD with momentum the parameter and
    // its buffer.
    let (p1, _, _) = p.adam_update(&g, &z, &z, &adam(0.01, 0.0, false, false, 1)).unwrap();
    assert_eq!(ctx.counters().dispatches - before.dispatches, 1);
    let sgd = webgrad::SgdStep { lr: 0.1, momentum: 0.9, dampening: 0.0, weight_decay: 0.0, nesterov: true };
    let (_, buffer) = p.sgd_update(&g, Some(&z), &sgd).unwrap();
    assert_eq!(ctx.counters().dispatches - before.dispatches, 2);
    assert!(buffer.is_some());
    assert_eq!(ctx.counters().readbacks, before.readbacks);
    assert!(read(&p1).iter().all(|v| v.is_finite()));
}

#[test]
fn update_errors_name_the_op_and_shapes() {
    let d = Device::Cpu;
    let p = Tensor::zeros(&[3], webgrad::DType::F32, &d).unwrap();
    let g = Tensor::zeros(&[4], webgrad::DType::F32, &d).unwrap();
    let e = p.adam_update(&g, &p, &p, &adam(0.1, 0.0, false, false, 1)).unwrap_err().to_string();
    assert_eq!(e, "adam: shapes [3] and [4] do not match (gradient and state must have the parameter's shape)");
    assert!(p.adam_update(&p, &p, &p, &adam(0.1, 0.0, false, false, 0)).is_err());
}

/// The message of a failed `Result`.
fn message<T>(r: webgrad::Result<T>) -> String {
    match r {
        Ok(_) => panic!("expected an Error"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn optimizers_refuse_bad_hyper_parameters_with_pytorchs_messages() {
    use webgrad::nn::{Flavor, GradClip, LrSchedule, Optimizer, OptimizerKind};
    let d = Device::Cpu;
    let p = Tensor::from_slice(&[1.0], &[1], &d).unwrap();
    let sgd = |momentum, nesterov| OptimizerKind::Sgd { momentum, dampening: 0.0, nesterov, weight_decay: 0.0 };
    let adam =
        |beta1, beta2, eps, weight_decay| OptimizerKind::Adam { beta1, beta2, eps, weight_decay, decoupled: false, epsilon_hat: false };
    for (kind, lr, want) in [
        (sgd(0.0, false), -1.0, "SGD: Invalid learning rate: -1"),
        (sgd(0.0, false), f32::NAN, "SGD: Invalid learning rate: NaN"),
        (sgd(-0.5, false), 0.1, "SGD: Invalid momentum value: -0.5"),
        (sgd(0.0, true), 0.1, "SGD: Nesterov momentum requires a momentum and zero dampening"),
        (adam(1.0, 0.999, 1e-8, 0.0), 0.1, "Adam: Invalid beta parameter at index 0: 1"),
        (adam(0.9, -0.1, 1e-8, 0.0), 0.1, "Adam: Invalid beta parameter at index 1: -0.1"),
        (adam(0.9, 0.999, -1.0, 0.0), 0.1, "Adam: Invalid epsilon value: -1"),
        (adam(0.9, 0.999, 1e-8, f32::INFINITY), 0.1, "Adam: Invalid weight_decay value: inf"),
    ] {
        assert_eq!(message(Optimizer::new(kind, lr, vec![p.clone()])), want);
    }
    let (kind, _) = OptimizerKind::defaults("adamw", Flavor::Torch).unwrap();
    let opt = Optimizer::new(kind, 0.1, vec![p.clone()]).unwrap();
    assert_eq!(message(opt.set_lr(-1.0)), "AdamW: Invalid learning rate: -1");
    assert_eq!(opt.lr(), 0.1, "a refused rate leaves the old one");
    opt.set_lr(0.0).unwrap();
    let opt = || Optimizer::new(sgd(0.0, false), 0.1, vec![p.clone()]).unwrap();
    assert_eq!(
        message(opt().with_schedule(LrSchedule::Cosine { t_max: 0, min_lr: 0.0 })),
        "schedule: t_max must be a positive integer, got 0"
    );
    assert_eq!(
        message(opt().with_schedule(LrSchedule::Step { step_size: 0, gamma: 0.1 })),
        "schedule: step_size must be a positive integer, got 0"
    );
    assert_eq!(
        message(opt().with_schedule(LrSchedule::Exponential { gamma: f32::NAN, decay_steps: 1, staircase: false })),
        "schedule: gamma must be a finite number >= 0, got NaN"
    );
    let clip = GradClip { value: None, norm: Some(-1.0), global_norm: None };
    assert_eq!(message(opt().with_clip(clip)), "SGD: clipNorm must be a finite number >= 0, got -1");
    assert!(opt().with_schedule(LrSchedule::Cosine { t_max: 3, min_lr: 0.0 }).is_ok());
}

#[test]
fn gradient_clipping_refuses_non_finite_or_negative_bounds() {
    use webgrad::nn::{clip_grad_norm, clip_grad_value};
    let d = Device::Cpu;
    let p = Tensor::from_slice(&[1.0], &[1], &d).unwrap();
    assert_eq!(message(clip_grad_norm(std::slice::from_ref(&p), f32::NAN)), "clipGradNorm_: maxNorm must be a finite number >= 0, got NaN");
    assert_eq!(message(clip_grad_norm(std::slice::from_ref(&p), -1.0)), "clipGradNorm_: maxNorm must be a finite number >= 0, got -1");
    assert_eq!(
        message(clip_grad_value(std::slice::from_ref(&p), f32::INFINITY)),
        "clipGradValue_: clipValue must be a finite number >= 0, got inf"
    );
    assert!(clip_grad_norm(&[p], 1.0).unwrap().is_none(), "no gradient: nothing to clip");
}
