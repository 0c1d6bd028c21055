//! The layers without a framework fixture, against hand-derived values: embedding lookups and their
//! accumulated gradients, 1-D convolution as a special case of 2-D, global pooling, reshapes,
//! dropout's train/eval behaviour, sequential naming, and the errors of bad configurations.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::rc::Rc;

use common::{assert_close, devices, read};
use webgrad::nn::layers::{Conv1d, Dropout, Embedding, Flatten, GlobalAvgPool2d, Reshape, Sequential};
use webgrad::nn::{Act, Flavor, Init, Loss, Module};
use webgrad::{Padding, Tensor};

#[test]
fn embedding_gathers_rows_and_accumulates_gradients() {
    for d in devices() {
        let layer = Embedding::new(4, 2, Flavor::Torch, &d).unwrap();
        let table = &layer.parameters()[0];
        table.assign(&Tensor::from_slice(&[0., 1., 10., 11., 20., 21., 30., 31.], &[4, 2], &d).unwrap()).unwrap();
        let ids = Tensor::from_i32(&[2, 0, 2], &[1, 3], &d).unwrap();
        let y = layer.forward(&ids).unwrap();
        assert_eq!(y.shape(), [1, 3, 2]);
        assert_close(&read(&y), &[20., 21., 0., 1., 20., 21.], 0.0, 0.0);
        // d(sum(y * w))/d(table): row 2 gets two contributions, row 0 one, rows 1 and 3 none.
        let w = Tensor::from_slice(&[1., 2., 3., 4., 5., 6.], &[1, 3, 2], &d).unwrap();
        y.mul(&w).unwrap().sum().unwrap().backward().unwrap();
        assert_close(&read(&table.grad().unwrap()), &[3., 4., 0., 0., 6., 8., 0., 0.], 0.0, 0.0);
        // Keras users pass float ids; out-of-range ids are an error, not a crash.
        let floats = Tensor::from_slice(&[3.0], &[1], &d).unwrap();
        assert_close(&read(&layer.forward(&floats).unwrap()), &[30., 31.], 0.0, 0.0);
        let bad = Tensor::from_i32(&[4], &[1], &d).unwrap();
        let result = layer.forward(&bad).and_then(|t| pollster::block_on(t.to_vec()));
        assert!(result.is_err(), "index 4 of a 4-row table");
    }
}

#[test]
fn conv1d_is_conv2d_over_a_single_row() {
    for d in devices() {
        let layer = Conv1d::new(2, 3, 3, 1, Padding::Same, 1, 1, true, Act::Linear, Flavor::Torch, &d).unwrap();
        let x = Tensor::uniform(&[2, 2, 5], -1.0, 1.0, &d).unwrap();
        let y = layer.forward(&x).unwrap();
        let p = layer.parameters();
        let w = p[0].unsqueeze(2).unwrap();
        let opts = webgrad::Conv2dOptions { padding: Padding::Same, ..Default::default() };
        let reference = x.unsqueeze(2).unwrap().conv2d(&w, Some(&p[1]), &opts).unwrap().squeeze(Some(2)).unwrap();
        assert_eq!(y.shape(), [2, 3, 5]);
        assert_close(&read(&y), &read(&reference), 1e-5, 1e-6);
    }
}

#[test]
fn pooling_and_reshaping_layers() {
    for d in devices() {
        let x = Tensor::from_slice(&(0..16).map(|v| v as f32).collect::<Vec<_>>(), &[1, 2, 2, 4], &d).unwrap();
        // Channels-first [1, 2, 2, 4]: channel means 3.5 and 11.5; channels-last: means over axes 1, 2.
        assert_close(&read(&GlobalAvgPool2d { channels_last: false }.forward(&x).unwrap()), &[3.5, 11.5], 0.0, 0.0);
        assert_close(&read(&GlobalAvgPool2d { channels_last: true }.forward(&x).unwrap()), &[6., 7., 8., 9.], 0.0, 0.0);
        assert_eq!(Flatten.forward(&x).unwrap().shape(), [1, 16]);
        assert_eq!(Reshape(vec![4, -1]).forward(&x).unwrap().shape(), [1, 4, 4]);
        assert!(Reshape(vec![3, -1]).forward(&x).is_err());
    }
}

#[test]
fn dropout_masks_in_training_only() {
    let d = webgrad::Device::Cpu;
    webgrad::manual_seed(5);
    let layer = Dropout::new(0.25).unwrap();
    let ones = Tensor::full(&[4000], 1.0, webgrad::DType::F32, &d).unwrap();
    let y = read(&layer.forward(&ones).unwrap());
    let kept = y.iter().filter(|&&v| v != 0.0).count();
    assert!(y.iter().all(|&v| v == 0.0 || (v - 4.0 / 3.0).abs() < 1e-6));
    assert!((kept as f32 / 4000.0 - 0.75).abs() < 0.03, "kept {kept}");
    layer.set_training(false);
    assert!(read(&layer.forward(&ones).unwrap()).iter().all(|&v| v == 1.0));
    assert!(Dropout::new(1.0).is_err());
}

#[test]
fn sequential_names_and_modes_follow_pytorch() {
    let d = webgrad::Device::Cpu;
    let model = Sequential::new(vec![
        Rc::new(webgrad::nn::layers::Dense::new(3, 4, true, Act::Relu, Flavor::Torch, &d).unwrap()),
        Rc::new(Dropout::new(0.5).unwrap()),
        Rc::new(webgrad::nn::layers::BatchNorm::new(4, None, None, Flavor::Torch, &d).unwrap()),
    ]);
    let names: Vec<String> = model.named_parameters().into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["0.weight", "0.bias", "2.weight", "2.bias"]);
    let buffers: Vec<String> = model.named_buffers().into_iter().map(|(n, _)| n).collect();
    assert_eq!(buffers, ["2.running_mean", "2.running_var", "2.num_batches_tracked"]);
    // In eval mode dropout is off and batch norm uses running statistics (0 and 1): y = relu(xW+b) / sqrt(1 + eps).
    model.set_training(false);
    let x = Tensor::from_slice(&[1., 2., 3.], &[1, 3], &d).unwrap();
    let hidden = read(&model.layers()[0].forward(&x).unwrap());
    let expected: Vec<f32> = hidden.iter().map(|h| h / (1.0f32 + 1e-5).sqrt()).collect();
    assert_close(&read(&model.forward(&x).unwrap()), &expected, 1e-6, 1e-7);
}

#[test]
fn bad_configurations_are_clear_errors() {
    let d = webgrad::Device::Cpu;
    let msg = |r: webgrad::Result<()>| r.unwrap_err().to_string();
    assert!(msg(Act::from_name("relux", Flavor::Keras).map(|_| ())).contains("unknown activation 'relux'"));
    assert!(msg(Init::from_name("glorot").map(|_| ())).contains("unknown initializer 'glorot'"));
    assert!(msg(Loss::from_name("mse2").map(|_| ())).contains("unknown loss 'mse2'"));
    assert!(msg(webgrad::nn::OptimizerKind::defaults("adamax", Flavor::Torch).map(|_| ())).contains("unknown optimizer 'adamax'"));
    let dense = webgrad::nn::layers::Dense::new(3, 2, true, Act::Linear, Flavor::Keras, &d).unwrap();
    let wrong = Tensor::full(&[2, 4], 1.0, webgrad::DType::F32, &d).unwrap();
    assert!(msg(dense.forward(&wrong).map(|_| ())).contains("linear"));
    let pred = Tensor::full(&[2, 3], 0.5, webgrad::DType::F32, &d).unwrap();
    let labels = Tensor::from_i32(&[0, 1, 2], &[3], &d).unwrap();
    let err = msg(Loss::from_name("sparseCategoricalCrossentropy")
        .unwrap()
        .compute(&pred, &labels, Flavor::Keras, webgrad::nn::Reduction::Mean)
        .map(|_| ()));
    assert!(err.contains("[2, 3]") && err.contains("[3]"), "{err}");
}

#[test]
fn softplus_follows_pytorchs_beta_and_threshold() {
    // log1p(exp(beta x)) / beta, and x itself where beta x > threshold.
    let ln1p_exp = |v: f64| (1.0 + v.exp()).ln();
    for d in devices() {
        let x = Tensor::from_slice(&[-2.0, 0.0, 1.0, 3.0, 30.0], &[5], &d).unwrap();
        let plain = webgrad::nn::softplus(&x, 1.0, 20.0).unwrap();
        let want: Vec<f32> = [-2.0, 0.0, 1.0, 3.0, 30.0].iter().map(|&v| if v > 20.0 { v as f32 } else { ln1p_exp(v) as f32 }).collect();
        assert_close(&read(&plain), &want, 1e-6, 1e-6);
        // beta 2, threshold 4: 2 * 3 = 6 > 4 gives 3 exactly; 2 * 1 = 2 gives log1p(e^2) / 2.
        let sharp = webgrad::nn::softplus(&x, 2.0, 4.0).unwrap();
        let want = [ln1p_exp(-4.0) / 2.0, 2f64.ln() / 2.0, ln1p_exp(2.0) / 2.0, 3.0, 30.0].map(|v| v as f32);
        assert_close(&read(&sharp), &want, 1e-6, 1e-6);
        assert!(webgrad::nn::softplus(&x, 0.0, 20.0)
            .unwrap_err()
            .to_string()
            .starts_with("softplus: beta must be a finite non-zero number"));
    }
}

#[test]
fn an_initializer_refuses_a_shape_beyond_the_address_space() {
    let e = Init::Zeros.tensor(&[usize::MAX / 2, 4], webgrad::nn::Fans { fan_in: 1, fan_out: 1 }, &webgrad::Device::Cpu).unwrap_err();
    assert!(e.to_string().starts_with(&format!("initializer: a weight of shape [{}, 4]", usize::MAX / 2)), "{e}");
}
