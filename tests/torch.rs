//! PyTorch semantics against `tests/fixtures/torch.json` (NumPy re-implementations of PyTorch's
//! documented algorithms, made by `tests/fixtures/make_torch.py`) and hand-derived initialiser
//! bounds, on every backend.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::fixture::{self, labels, tensor, values};
use common::{assert_close, devices, read};
use webgrad::nn::layers::{BatchNorm, Dense, LayerNorm};
use webgrad::nn::{Act, Flavor, Loss, Module, OptimizerKind, Reduction};
use webgrad::{Device, Tensor};

const FIXTURE: &str = include_str!("fixtures/torch.json");

fn cases() -> serde_json::Value {
    fixture::cases(FIXTURE)
}

#[test]
fn optimizers_match_pytorch_algorithms() {
    let c = cases();
    let torch = |name: &str| OptimizerKind::defaults(name, Flavor::Torch).unwrap().0;
    let table = [
        ("sgd_momentum_dampening_wd", OptimizerKind::Sgd { momentum: 0.9, dampening: 0.1, nesterov: false, weight_decay: 0.01 }),
        ("sgd_nesterov", OptimizerKind::Sgd { momentum: 0.9, dampening: 0.0, nesterov: true, weight_decay: 0.0 }),
        ("adam", torch("adam")),
        ("adam_l2", OptimizerKind::Adam { beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.1, decoupled: false, epsilon_hat: false }),
        ("adamw", torch("adamw")),
        ("rmsprop", torch("rmsprop")),
        (
            "rmsprop_centered_momentum",
            OptimizerKind::RmsProp { rho: 0.99, eps: 1e-8, momentum: 0.5, centered: true, eps_inside_sqrt: false, weight_decay: 0.0 },
        ),
        ("adagrad", torch("adagrad")),
    ];
    for d in devices() {
        for (name, kind) in table {
            let case = &c[format!("optim_{name}")];
            fixture::replay_optimizer(case, kind, case["lr"].as_f64().unwrap() as f32, &d, 1e-4);
        }
    }
}

#[test]
fn batch_norm_and_layer_norm_match_pytorch() {
    let c = cases();
    for d in devices() {
        let bn = &c["batchnorm1d"];
        let layer = BatchNorm::new(3, None, None, Flavor::Torch, &d).unwrap();
        let params = layer.parameters();
        params[0].assign(&tensor(&bn["gamma"], &d)).unwrap();
        params[1].assign(&tensor(&bn["beta"], &d)).unwrap();
        let x = tensor(&bn["x"], &d);
        assert_close(&read(&layer.forward(&x).unwrap()), &values(&bn["y"]), 1e-4, 1e-5);
        let buffers = layer.named_buffers();
        assert_eq!(buffers[0].0, "running_mean");
        assert_close(&read(&buffers[0].1), &values(&bn["running_mean"]), 1e-5, 1e-6);
        assert_close(&read(&buffers[1].1), &values(&bn["running_var"]), 1e-5, 1e-6);
        // PyTorch counts the training batches (`num_batches_tracked`, an int64 scalar there).
        assert_eq!(
            (buffers[2].0.as_str(), buffers[2].1.shape(), buffers[2].1.dtype()),
            ("num_batches_tracked", &[][..], webgrad::DType::I32)
        );
        assert_eq!(read(&buffers[2].1), [1.0]);
        layer.set_training(false);
        assert_close(&read(&layer.forward(&x).unwrap()), &values(&bn["y_eval"]), 1e-4, 1e-5);
        assert_eq!(read(&layer.named_buffers()[2].1), [1.0], "an evaluation batch is not counted");

        let ln = &c["layernorm"];
        let layer = LayerNorm::new(&[4], None, Flavor::Torch, &d).unwrap();
        let params = layer.parameters();
        params[0].assign(&tensor(&ln["gamma"], &d)).unwrap();
        params[1].assign(&tensor(&ln["beta"], &d)).unwrap();
        assert_close(&read(&layer.forward(&tensor(&ln["x"], &d)).unwrap()), &values(&ln["y"]), 1e-4, 1e-5);
    }
}

#[test]
fn losses_match_pytorch() {
    let c = cases();
    for d in devices() {
        let ce = &c["cross_entropy_nd"];
        let logits = tensor(&ce["logits"], &d);
        logits.set_requires_grad(true);
        let loss =
            Loss::from_name("crossEntropy").unwrap().compute(&logits, &labels(&ce["target"], &d), Flavor::Torch, Reduction::Mean).unwrap();
        assert_close(&read(&loss), &values(&ce["loss"]), 1e-5, 1e-6);
        loss.backward().unwrap();
        assert_close(&read(&logits.grad().unwrap()), &values(&ce["dlogits"]), 1e-4, 1e-6);

        let bce = &c["bce_clamped"];
        let loss = Loss::from_name("bce")
            .unwrap()
            .compute(&tensor(&bce["p"], &d), &tensor(&bce["t"], &d), Flavor::Torch, Reduction::Mean)
            .unwrap();
        assert_close(&read(&loss), &values(&bce["loss"]), 1e-5, 1e-5);

        let nll = &c["nll"];
        let loss = Loss::Nll.compute(&tensor(&nll["logp"], &d), &labels(&nll["target"], &d), Flavor::Torch, Reduction::Mean).unwrap();
        assert_close(&read(&loss), &values(&nll["loss"]), 1e-5, 1e-6);
    }
}

#[test]
fn default_initialisers_follow_each_api() {
    // PyTorch Linear(in=300): weight and bias in ±1/sqrt(300) (kaiming_uniform(a=√5) and the bias
    // rule), variance bound²/3. Keras Dense(300 -> 100): glorot_uniform in ±sqrt(6/400), zero bias.
    let d = Device::Cpu;
    let torch = Dense::new(300, 100, true, Act::Linear, Flavor::Torch, &d).unwrap();
    let keras = Dense::new(300, 100, true, Act::Linear, Flavor::Keras, &d).unwrap();
    let check = |t: &Tensor, bound: f32| {
        let v = read(t);
        assert!(v.iter().all(|x| x.abs() <= bound), "values beyond ±{bound}");
        let var = v.iter().map(|x| x * x).sum::<f32>() / v.len() as f32;
        assert!((var / (bound * bound / 3.0) - 1.0).abs() < 0.1, "variance {var} vs {}", bound * bound / 3.0);
    };
    let (tp, kp) = (torch.named_parameters(), keras.named_parameters());
    assert_eq!(tp[0].1.shape(), [100, 300]);
    assert_eq!(kp[0].1.shape(), [300, 100]);
    check(&tp[0].1, 1.0 / 300f32.sqrt());
    check(&kp[0].1, (6.0f32 / 400.0).sqrt());
    assert!(read(&tp[1].1).iter().all(|x| x.abs() <= 1.0 / 300f32.sqrt()) && read(&tp[1].1).iter().any(|&x| x != 0.0));
    assert!(read(&kp[1].1).iter().all(|&x| x == 0.0));
}

#[test]
fn gradient_clipping_is_hand_derived() {
    use webgrad::nn::GradClip;
    for d in devices() {
        // Gradients [3, 4] and [12]: joint norm 13, so clip_grad_norm_(6.5) halves both (to within
        // PyTorch's 1e-6 in the divisor); clip by value 3.5 caps the elements.
        let a = Tensor::from_slice(&[3.0, 4.0], &[2], &d).unwrap();
        let b = Tensor::from_slice(&[12.0], &[1], &d).unwrap();
        let global = GradClip { global_norm: Some(6.5), ..Default::default() }.apply(&[a.clone(), b.clone()]).unwrap();
        assert_close(&read(&global[0]), &[1.5, 2.0], 1e-5, 0.0);
        assert_close(&read(&global[1]), &[6.0], 1e-5, 0.0);
        // Per-tensor norm 2.5: [3, 4] (norm 5) halves; [12] becomes [2.5].
        let each = GradClip { norm: Some(2.5), ..Default::default() }.apply(&[a.clone(), b.clone()]).unwrap();
        assert_close(&read(&each[0]), &[1.5, 2.0], 1e-5, 0.0);
        assert_close(&read(&each[1]), &[2.5], 1e-5, 0.0);
        let value = GradClip { value: Some(3.5), ..Default::default() }.apply(&[a, b]).unwrap();
        assert_close(&read(&value[0]), &[3.0, 3.5], 0.0, 0.0);
        assert_close(&read(&value[1]), &[3.5], 0.0, 0.0);
        // A norm under the limit is left alone.
        let small = Tensor::from_slice(&[0.3, 0.4], &[2], &d).unwrap();
        let kept = GradClip { global_norm: Some(1.0), ..Default::default() }.apply(&[small]).unwrap();
        assert_close(&read(&kept[0]), &[0.3, 0.4], 1e-6, 0.0);
    }
}
