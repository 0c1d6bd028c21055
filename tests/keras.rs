//! Keras semantics against TensorFlow.js: layers (forward and gradients), losses, optimizers'
//! first steps and a whole `fit`, from `tests/fixtures/keras.json` (made by
//! `tests/fixtures/make_keras.mjs`), on every backend.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::rc::Rc;

use common::fixture::{self, tensor, values};
use common::{assert_close, devices, read};
use serde_json::Value;
use webgrad::nn::layers::{BatchNorm, Conv2d, Dense, LayerNorm, Pool2d, PoolKind, Sequential, ZeroPad2d};
use webgrad::nn::{Act, Flavor, Loss, Metric, Module, Optimizer, OptimizerKind, Reduction, Trainer};
use webgrad::{Conv2dOptions, Device, Padding, Pool2dOptions, Tensor};

const FIXTURE: &str = include_str!("fixtures/keras.json");

fn cases() -> Value {
    fixture::cases(FIXTURE)
}

/// `isize` axes for `permute`.
fn axes(order: &[usize]) -> Vec<isize> {
    order.iter().map(|&a| a as isize).collect()
}

/// Sets every parameter and buffer of `layer`, in TensorFlow.js's weight order, from `inits` in
/// TensorFlow.js's layouts (each brought to the stored layout by the inverse of `keras_layout`).
fn set_weights(layer: &dyn Module, inits: &[Tensor]) {
    let targets: Vec<(String, Tensor)> = layer.named_parameters().into_iter().chain(layer.named_buffers()).collect();
    assert_eq!(targets.len(), inits.len(), "{}: weights {:?}", layer.kind(), targets.iter().map(|(n, _)| n).collect::<Vec<_>>());
    for ((name, t), v) in targets.iter().zip(inits) {
        let v = match layer.keras_layout(name) {
            Some(order) => {
                let mut inverse = vec![0; order.len()];
                order.iter().enumerate().for_each(|(i, &a)| inverse[a] = i as isize);
                v.permute(&inverse).unwrap()
            }
            None => v.clone(),
        };
        t.assign(&v).unwrap();
    }
}

/// Forward, gradients by the input and every parameter, and (for batch norm) the updated running
/// statistics and the evaluation output.
fn check_layer(name: &str, make: impl Fn(&Device) -> Box<dyn Module>) {
    let c = &cases()[name];
    for d in devices() {
        let layer = make(&d);
        let inits: Vec<Tensor> = (0..).map_while(|i| c.get(format!("init{i}")).map(|v| tensor(v, &d))).collect();
        set_weights(layer.as_ref(), &inits);
        let x = tensor(&c["x"], &d);
        x.set_requires_grad(true);
        layer.set_training(c.get("y_eval").is_some());
        let y = layer.forward(&x).unwrap();
        assert_close(&read(&y), &values(&c["y"]), 1e-4, 1e-5);
        if c.get("forward_only").is_some() {
            continue;
        }
        y.mul(&tensor(&c["r"], &d)).unwrap().sum().unwrap().backward().unwrap();
        assert_close(&read(&x.grad().unwrap()), &values(&c["dx"]), 1e-3, 1e-4);
        for (pname, p) in layer.named_parameters() {
            let mut g = p.grad().unwrap();
            if let Some(order) = layer.keras_layout(&pname) {
                g = g.permute(&axes(order)).unwrap();
            }
            assert_close(&read(&g), &values(&c[format!("d{pname}")]), 1e-3, 1e-4);
        }
        for (bname, b) in layer.named_buffers() {
            assert_close(&read(&b), &values(&c[format!("w_{bname}")]), 1e-5, 1e-6);
        }
        if let Some(expected) = c.get("y_eval") {
            layer.set_training(false);
            assert_close(&read(&layer.forward(&x).unwrap()), &values(expected), 1e-4, 1e-5);
        }
    }
}

#[test]
fn dense_matches_tfjs() {
    check_layer("dense_relu", |d| Box::new(Dense::new(3, 4, true, Act::Relu, Flavor::Keras, d).unwrap()));
    check_layer("dense_softmax", |d| Box::new(Dense::new(3, 4, true, Act::Softmax(-1), Flavor::Keras, d).unwrap()));
}

#[test]
fn conv2d_matches_tfjs() {
    let same = Conv2dOptions { padding: Padding::Same, ..Default::default() };
    check_layer("conv2d_same", |d| Box::new(Conv2d::new(3, 4, [3, 3], same, true, Act::Linear, Flavor::Keras, d).unwrap()));
    let strided = Conv2dOptions { stride: [2, 2], ..Default::default() };
    check_layer("conv2d_valid_s2_relu", |d| Box::new(Conv2d::new(3, 2, [2, 3], strided, true, Act::Relu, Flavor::Keras, d).unwrap()));
}

#[test]
fn batch_norm_matches_tfjs() {
    check_layer("batchnorm_2d", |d| Box::new(BatchNorm::new(4, None, None, Flavor::Keras, d).unwrap()));
    check_layer("batchnorm_nhwc", |d| Box::new(BatchNorm::new(4, Some(0.9), None, Flavor::Keras, d).unwrap()));
}

#[test]
fn layer_norm_matches_tfjs() {
    check_layer("layernorm", |d| Box::new(LayerNorm::new(&[5], None, Flavor::Keras, d).unwrap()));
}

#[test]
fn pooling_matches_tfjs() {
    check_layer("maxpool", |_| Box::new(Pool2d { kind: PoolKind::Max, options: Pool2dOptions::new([2, 2]), channels_last: true }));
    let same = Pool2dOptions { padding: Padding::Same, count_include_pad: false, ..Pool2dOptions::new([2, 2]) };
    check_layer("avgpool_same", move |_| Box::new(Pool2d { kind: PoolKind::Avg, options: same, channels_last: true }));
    let valid = Pool2dOptions { stride: Some([1, 1]), ..Pool2dOptions::new([2, 3]) };
    check_layer("avgpool_valid", move |_| Box::new(Pool2d { kind: PoolKind::Avg, options: valid, channels_last: true }));
}

#[test]
fn zero_padding_matches_tfjs() {
    // TF.js's [[top, bottom], [left, right]] = [[1, 2], [0, 3]] is [top, left, bottom, right] = [1, 0, 2, 3].
    check_layer("zeropad_asym", |_| Box::new(ZeroPad2d { padding: [1, 0, 2, 3], channels_last: true }));
}

#[test]
fn losses_match_tfjs() {
    let c = cases();
    let table = [
        ("mse", Loss::MeanSquaredError),
        ("mae", Loss::MeanAbsoluteError),
        ("huber", Loss::Huber { delta: 1.0 }),
        ("binary_crossentropy", Loss::BinaryCrossentropy { from_logits: false }),
        ("binary_crossentropy_logits", Loss::BinaryCrossentropy { from_logits: true }),
        ("categorical_crossentropy", Loss::CategoricalCrossentropy { from_logits: false }),
        ("categorical_crossentropy_logits", Loss::CategoricalCrossentropy { from_logits: true }),
        ("sparse_categorical_crossentropy", Loss::SparseCategoricalCrossentropy { from_logits: false }),
    ];
    for d in devices() {
        for (name, loss) in table {
            let case = &c[format!("loss_{name}")];
            let pred = tensor(&case["pred"], &d);
            pred.set_requires_grad(true);
            let value = loss.compute(&pred, &tensor(&case["target"], &d), Flavor::Keras, Reduction::Mean).unwrap();
            assert_close(&read(&value), &values(&case["loss"]), 1e-5, 1e-6);
            value.backward().unwrap();
            assert_close(&read(&pred.grad().unwrap()), &values(&case["dpred"]), 1e-4, 1e-6);
        }
    }
}

#[test]
fn optimizers_match_tfjs() {
    let c = cases();
    let keras = |name: &str| OptimizerKind::defaults(name, Flavor::Keras).unwrap().0;
    let table = [
        ("sgd", keras("sgd"), 0.1),
        ("momentum", OptimizerKind::Sgd { momentum: 0.9, dampening: 0.0, nesterov: false, weight_decay: 0.0 }, 0.1),
        ("nesterov", OptimizerKind::Sgd { momentum: 0.9, dampening: 0.0, nesterov: true, weight_decay: 0.0 }, 0.1),
        ("adam", keras("adam"), 0.01),
        ("rmsprop", keras("rmsprop"), 0.01),
        (
            "rmsprop_centered_momentum",
            OptimizerKind::RmsProp { rho: 0.9, eps: 1e-7, momentum: 0.5, centered: true, eps_inside_sqrt: true, weight_decay: 0.0 },
            0.01,
        ),
        ("adagrad", keras("adagrad"), 0.1),
    ];
    for d in devices() {
        for (name, kind, lr) in table {
            // TF.js's f32 arithmetic drifts up to 7e-5 (relative) from an f64 replay of its own rule
            // in the centred RMSprop case; webgrad's values agree with the f64 replay.
            fixture::replay_optimizer(&c[format!("optim_{name}")], kind, lr, &d, 2e-4);
        }
    }
}

#[test]
fn fit_matches_tfjs() {
    let c = &cases()["fit_mlp"];
    for d in devices() {
        let model = Sequential::new(vec![
            Rc::new(Dense::new(3, 4, true, Act::Relu, Flavor::Keras, &d).unwrap()),
            Rc::new(Dense::new(4, 3, true, Act::Softmax(-1), Flavor::Keras, &d).unwrap()),
        ]);
        let inits: Vec<Tensor> = c["weights"].as_array().unwrap().iter().map(|v| tensor(v, &d)).collect();
        set_weights(&model, &inits);
        let model: Rc<dyn Module> = Rc::new(model);
        let loss = Loss::from_name("sparseCategoricalCrossentropy").unwrap();
        let (kind, _) = OptimizerKind::defaults("adam", Flavor::Keras).unwrap();
        let opt = Optimizer::new(kind, 0.05, model.parameters()).unwrap();
        let trainer = Trainer::new(model.clone(), loss, Flavor::Keras, Rc::new(opt), vec![Metric::from_name("accuracy", loss).unwrap()]);
        let (x, y) = (tensor(&c["x"], &d), tensor(&c["y"], &d));
        let order = Tensor::from_i32(&(0..8).collect::<Vec<_>>(), &[8], &d).unwrap();
        for epoch in 0..2 {
            let mut sums = [0.0f32; 2];
            for start in [0, 4] {
                let logs = read(&trainer.train_rows(&x, &y, &order, start, start + 4).unwrap());
                sums[0] += logs[0] / 2.0;
                sums[1] += logs[1] / 2.0;
            }
            assert_close(&[sums[0]], &[c["loss"][epoch].as_f64().unwrap() as f32], 1e-5, 1e-6);
            assert_close(&[sums[1]], &[c["acc"][epoch].as_f64().unwrap() as f32], 1e-6, 1e-6);
        }
        for (p, expected) in model.parameters().iter().zip(c["final"].as_array().unwrap()) {
            assert_close(&read(p), &values(expected), 1e-4, 1e-5);
        }
        let logs = read(&trainer.evaluate(&x, &y).unwrap());
        assert_close(&logs, &[c["eval_loss"].as_f64().unwrap() as f32, c["eval_acc"].as_f64().unwrap() as f32], 1e-5, 1e-6);
    }
}

// Activation, merge and shape layers (issue 14): cases of `multiCase` in make_keras.mjs, a list of
// inputs each, with the gradients of sum(y * r) by every input (`d0`, `d1`, …) and weight.
mod issue14 {
    use super::*;
    use webgrad::nn::layers::{Concatenate, Dot, Merge, MergeKind, PRelu, Permute, Relu, RepeatVector, Rescaling, Softmax};
    use webgrad::nn::Init;

    /// Runs `make`'s layer on the case's inputs through `call` on every backend: the output, and
    /// unless the case is forward-only, the gradients by each input and each parameter.
    fn check_multi(name: &str, make: impl Fn(&Device) -> Box<dyn Module>) {
        let c = &cases()[name];
        assert!(c.is_object(), "no case {name}");
        for d in devices() {
            let layer = make(&d);
            let inits: Vec<Tensor> = (0..).map_while(|i| c.get(format!("init{i}")).map(|v| tensor(v, &d))).collect();
            set_weights(layer.as_ref(), &inits);
            let inputs: Vec<Tensor> = c["inputs"].as_array().unwrap().iter().map(|v| tensor(v, &d)).collect();
            inputs.iter().for_each(|x| x.set_requires_grad(true));
            let y = layer.call(&inputs).unwrap_or_else(|e| panic!("{name}: {e}")).remove(0);
            assert_eq!(y.shape(), fixture::shape(&c["y"]), "{name}");
            assert_close(&read(&y), &values(&c["y"]), 1e-4, 1e-5);
            if c.get("forward_only").is_some() {
                continue;
            }
            y.mul(&tensor(&c["r"], &d)).unwrap().sum().unwrap().backward().unwrap();
            for (i, x) in inputs.iter().enumerate() {
                assert_close(&read(&x.grad().unwrap()), &values(&c[format!("d{i}")]), 1e-3, 1e-4);
            }
            for (pname, p) in layer.named_parameters() {
                assert_close(&read(&p.grad().unwrap()), &values(&c[format!("d{pname}")]), 1e-3, 1e-4);
            }
        }
    }

    fn act(name: &'static str) -> impl Fn(&Device) -> Box<dyn Module> {
        move |_| Box::new(Act::from_name(name, Flavor::Keras).unwrap())
    }

    #[test]
    fn new_activations_match_tfjs() {
        check_multi("act_relu6", act("relu6"));
        check_multi("act_hard_sigmoid", act("hardSigmoid"));
        // The snake_case name TF.js writes in model.json.
        check_multi("act_hard_sigmoid", act("hard_sigmoid"));
        check_multi("act_mish", act("mish"));
        check_multi("act_softsign", act("softsign"));
        check_multi("act_selu", act("selu"));
    }

    #[test]
    fn activation_layers_match_tfjs() {
        check_multi("relu_max", |_| Box::new(Relu::new(Some(0.5), 0.0, 0.0).unwrap()));
        check_multi("leaky_relu_default", act("leakyRelu"));
        check_multi("leaky_relu_alpha", |_| Box::new(Act::LeakyRelu(0.1)));
        check_multi("prelu", |d| Box::new(PRelu::new(&[3, 4], &[], Init::Zeros, d).unwrap()));
        check_multi("prelu_shared", |d| Box::new(PRelu::new(&[3, 4], &[1], Init::Zeros, d).unwrap()));
        check_multi("elu_layer", |_| Box::new(Act::Elu(1.0)));
        check_multi("softmax_default_axis", |_| Box::new(Softmax { axes: vec![-1] }));
        check_multi("softmax_last_axis", |_| Box::new(Softmax { axes: vec![-1] }));
        check_multi("softmax_two_axes", |_| Box::new(Softmax { axes: vec![1, 2] }));
        check_multi("thresholded_relu", |_| Box::new(Relu::new(None, 0.0, 0.3).unwrap()));
    }

    /// Keras's ReLU formula, `min(x, max)` above the threshold, else `slope * (x - threshold)`,
    /// on hand-derived values (TF.js's ReLU layer has no slope or threshold).
    #[test]
    fn relu_slope_and_threshold_follow_keras() {
        /// `(max, slope, threshold, x, y, dy/dx)`.
        type Row = (Option<f32>, f32, f32, &'static [f32], &'static [f32], &'static [f32]);
        let table: [Row; 3] = [
            // max 2, slope 0.5, threshold 1: below 1 -> 0.5 (x - 1); above -> x capped at 2.
            (Some(2.0), 0.5, 1.0, &[-1.0, 0.5, 1.5, 3.0], &[-1.0, -0.25, 1.5, 2.0], &[0.5, 0.5, 1.0, 0.0]),
            // slope alone: leaky ReLU.
            (None, 0.5, 0.0, &[-2.0, 3.0], &[-1.0, 3.0], &[0.5, 1.0]),
            // threshold alone: ThresholdedReLU.
            (None, 0.0, 1.0, &[0.5, 1.5], &[0.0, 1.5], &[0.0, 1.0]),
        ];
        for d in devices() {
            for (max, slope, threshold, x, y, dx) in table {
                let layer = Relu::new(max, slope, threshold).unwrap();
                let t = Tensor::from_slice(x, &[1, x.len()], &d).unwrap();
                t.set_requires_grad(true);
                let out = layer.forward(&t).unwrap();
                assert_close(&read(&out), y, 1e-6, 1e-6);
                out.sum().unwrap().backward().unwrap();
                assert_close(&read(&t.grad().unwrap()), dx, 1e-6, 1e-6);
            }
            // At the threshold itself the output is 0 (x > threshold passes, as in Keras's code).
            let at = Tensor::from_slice(&[1.0], &[1, 1], &d).unwrap();
            assert_close(&read(&Relu::new(None, 0.5, 1.0).unwrap().forward(&at).unwrap()), &[0.0], 0.0, 0.0);
        }
        let err = Relu::new(None, -0.1, 0.0).err().unwrap().to_string();
        assert_eq!(err, "relu: negativeSlope must be a non-negative number, got -0.1");
    }

    #[test]
    fn merge_layers_match_tfjs() {
        let merge = |kind| move |_: &Device| Box::new(Merge(kind)) as Box<dyn Module>;
        check_multi("merge_add", merge(MergeKind::Add));
        check_multi("merge_add_broadcast", merge(MergeKind::Add));
        check_multi("merge_subtract", merge(MergeKind::Subtract));
        check_multi("merge_multiply", merge(MergeKind::Multiply));
        check_multi("merge_average", merge(MergeKind::Average));
        check_multi("merge_maximum", merge(MergeKind::Maximum));
        check_multi("merge_minimum", merge(MergeKind::Minimum));
        check_multi("concatenate_last", |_| Box::new(Concatenate { axis: -1 }));
        check_multi("concatenate_axis1", |_| Box::new(Concatenate { axis: 1 }));
    }

    #[test]
    fn dot_matches_tfjs() {
        let dot = |axes: [isize; 2], normalize| move |_: &Device| Box::new(Dot { axes, normalize }) as Box<dyn Module>;
        check_multi("dot_vectors", dot([1, 1], false));
        check_multi("dot_normalize", dot([-1, -1], true));
        check_multi("dot_matrices", dot([2, 2], false));
        check_multi("dot_axes_1_1", dot([1, 1], false));
        check_multi("dot_mixed_rank", dot([1, 2], false));
    }

    #[test]
    fn shape_layers_match_tfjs() {
        check_multi("permute_swap", |_| Box::new(Permute::new(&[2, 1]).unwrap()));
        check_multi("permute_rotate", |_| Box::new(Permute::new(&[3, 1, 2]).unwrap()));
        check_multi("repeat_vector", |_| Box::new(RepeatVector { n: 3 }));
        check_multi("rescaling", |_| Box::new(Rescaling { scale: 1.0 / 127.5, offset: -1.0 }));
    }

    /// Merge layers as nodes of a functional graph: three inputs into `Add`, then `Concatenate` of
    /// the sum with the first input, against TF.js's `add` output (and the input) from the fixture.
    #[test]
    fn merge_layers_run_in_a_graph() {
        use webgrad::nn::layers::{Graph, Node};
        let c = &cases()["merge_add"];
        for d in devices() {
            let inputs: Vec<Tensor> = c["inputs"].as_array().unwrap().iter().map(|v| tensor(v, &d)).collect();
            let layers: Vec<(String, Rc<dyn Module>)> =
                vec![("add".into(), Rc::new(Merge(MergeKind::Add))), ("concat".into(), Rc::new(Concatenate { axis: -1 }))];
            let nodes = vec![
                Node::Input(0),
                Node::Input(1),
                Node::Input(2),
                Node::Apply { layer: 0, inputs: vec![(0, 0), (1, 0), (2, 0)] },
                Node::Apply { layer: 1, inputs: vec![(3, 0), (0, 0)] },
            ];
            let graph = Graph::new(layers, nodes, vec![1; 5], vec![(4, 0)]).unwrap();
            let y = graph.call(&inputs).unwrap().remove(0);
            assert_eq!(y.shape(), [3, 8]);
            let expected = Tensor::concat(&[tensor(&c["y"], &d), inputs[0].clone()], -1).unwrap();
            assert_close(&read(&y), &read(&expected), 1e-5, 1e-6);
        }
    }

    /// Wrong inputs are Errors naming the layer and the shapes.
    #[test]
    fn merge_and_shape_errors_name_the_layer() {
        let d = Device::Cpu;
        let t = |shape: &[usize]| Tensor::zeros(shape, webgrad::DType::F32, &d).unwrap();
        let err = |r: webgrad::Result<Vec<Tensor>>| match r {
            Ok(_) => panic!("an error was expected"),
            Err(e) => e.to_string(),
        };
        let add = Merge(MergeKind::Add);
        assert_eq!(
            add.forward(&t(&[2, 3])).unwrap_err().to_string(),
            "add: a merge layer takes a list of inputs, got one tensor of shape [2, 3]"
        );
        assert_eq!(err(add.call(&[t(&[2, 3])])), "add: a merge layer takes at least 2 inputs, got 1");
        assert!(err(add.call(&[t(&[2, 3]), t(&[3, 3])])).starts_with("add: shapes [2, 3] and [3, 3]"));
        assert!(err(add.call(&[t(&[2, 3]), t(&[2, 4])])).contains("sample axes must be equal or 1"));
        assert_eq!(err(Merge(MergeKind::Subtract).call(&[t(&[2]), t(&[2]), t(&[2])])), "subtract: takes exactly 2 inputs, got 3");
        assert!(err(Concatenate { axis: 0 }.call(&[t(&[2, 3]), t(&[2, 3])])).contains("batch axis"));
        assert!(err(Concatenate { axis: -1 }.call(&[t(&[2, 3]), t(&[2, 3, 1])])).starts_with("concatenate: shapes [2, 3] and [2, 3, 1]"));
        let dot = Dot { axes: [1, 1], normalize: false };
        assert!(err(dot.call(&[t(&[2, 3]), t(&[2, 4])])).starts_with("dot: shapes [2, 3] and [2, 4]"));
        assert!(err(Dot { axes: [0, 0], normalize: false }.call(&[t(&[2, 3]), t(&[2, 3])])).contains("batch axis"));
        assert_eq!(err(dot.call(&[t(&[2, 3])])), "dot: takes exactly 2 inputs, got 1");
        assert!(Permute::new(&[1, 3]).err().unwrap().to_string().starts_with("permute: dims must be a permutation of 1..=2"));
        assert!(Permute::new(&[2, 1]).unwrap().forward(&t(&[2, 3])).is_err());
        assert!(RepeatVector { n: 2 }.forward(&t(&[2, 3, 4])).is_err());
        let prelu = PRelu::new(&[3, 4], &[1], Init::Zeros, &d).unwrap();
        assert!(prelu.forward(&t(&[2, 3, 5])).unwrap_err().to_string().starts_with("prelu: shapes [2, 3, 5] and [1, 4]"));
        assert!(PRelu::new(&[3, 4], &[3], Init::Zeros, &d).err().unwrap().to_string().contains("sharedAxes must be sample axes 1..=2"));
    }
}
/// A `Layer.create`-style layer of `kind` (the Keras flavour) from a JSON config, as the front
/// doors build it: the table row, its config reader and its build.
fn keras_layer(kind: &str, config: Value, device: &Device) -> Box<dyn Module> {
    let row = webgrad::nn::layers::LAYER_KINDS.iter().find(|k| k.kind == kind).unwrap();
    let layer = (row.read)(&common::fixture::JsonConfig(config)).unwrap()(Flavor::Keras, device).unwrap();
    Box::new(Shared(layer))
}

/// An `Rc` layer as a boxed one.
struct Shared(Rc<dyn Module>);

impl Module for Shared {
    fn forward(&self, x: &Tensor) -> webgrad::Result<Tensor> {
        self.0.forward(x)
    }
    fn kind(&self) -> &'static str {
        self.0.kind()
    }
    fn named_parameters(&self) -> Vec<(String, Tensor)> {
        self.0.named_parameters()
    }
    fn named_buffers(&self) -> Vec<(String, Tensor)> {
        self.0.named_buffers()
    }
    fn set_training(&self, training: bool) {
        self.0.set_training(training)
    }
    fn keras_layout(&self, name: &str) -> Option<&'static [usize]> {
        self.0.keras_layout(name)
    }
}

/// `check_layer` for each `(case, kind, config)`.
fn check_kinds(table: &[(&str, &str, Value)]) {
    for (name, kind, config) in table {
        check_layer(name, |d| keras_layer(kind, config.clone(), d));
    }
}

#[test]
fn depthwise_and_separable_conv_match_tfjs() {
    use serde_json::json;
    check_kinds(&[
        ("depthwise_same_m2", "depthwiseConv2d", json!({"inChannels": 3, "kernel": 3, "padding": "same", "depthMultiplier": 2})),
        (
            "depthwise_valid_s2_relu_nobias",
            "depthwiseConv2d",
            json!({"inChannels": 2, "kernel": [2, 3], "stride": 2, "activation": "relu", "bias": false}),
        ),
        (
            "separable_same_m2",
            "separableConv2d",
            json!({"inChannels": 3, "filters": 4, "kernel": 3, "depthMultiplier": 2, "padding": "same"}),
        ),
        (
            "separable_dilated_relu_nobias",
            "separableConv2d",
            json!({"inChannels": 2, "filters": 3, "kernel": 3, "dilation": 2, "activation": "relu", "bias": false}),
        ),
    ]);
}

#[test]
fn conv2d_transpose_matches_tfjs() {
    use serde_json::json;
    check_kinds(&[
        ("conv2dtranspose_same_s2", "conv2dTranspose", json!({"inChannels": 2, "filters": 3, "kernel": 3, "stride": 2, "padding": "same"})),
        (
            "conv2dtranspose_same_k4_s1",
            "conv2dTranspose",
            json!({"inChannels": 2, "filters": 2, "kernel": [4, 3], "padding": "same", "activation": "relu"}),
        ),
        (
            "conv2dtranspose_same_mixed",
            "conv2dTranspose",
            json!({"inChannels": 2, "filters": 2, "kernel": [2, 4], "stride": [3, 2], "padding": "same"}),
        ),
        (
            "conv2dtranspose_valid_mixed_nobias",
            "conv2dTranspose",
            json!({"inChannels": 2, "filters": 3, "kernel": [2, 3], "stride": [3, 2], "bias": false}),
        ),
    ]);
}

#[test]
fn cropping_and_upsampling_match_tfjs() {
    use serde_json::json;
    check_kinds(&[
        // TF.js's [[top, bottom], [left, right]] = [[1, 0], [2, 1]] is [top, left, bottom, right] = [1, 2, 0, 1].
        ("cropping_asym", "cropping2d", json!({"cropping": [1, 2, 0, 1]})),
        ("upsampling_nearest", "upSampling2d", json!({"size": [2, 3]})),
        ("upsampling_nearest_one", "upSampling2d", json!({"size": [2, 3]})),
        ("upsampling_bilinear", "upSampling2d", json!({"size": [3, 2], "bilinear": true})),
    ]);
}

#[test]
fn pooling_1d_and_global_match_tfjs() {
    use serde_json::json;
    check_kinds(&[
        ("global_max_pool2d", "globalMaxPool2d", json!({})),
        ("maxpool1d", "maxPool1d", json!({})),
        ("maxpool1d_same_s2", "maxPool1d", json!({"kernel": 3, "stride": 2, "padding": "same"})),
        ("avgpool1d_valid", "avgPool1d", json!({"kernel": 3, "stride": 1})),
        ("avgpool1d_same", "avgPool1d", json!({"kernel": 3, "stride": 2, "padding": "same"})),
        ("global_avg_pool1d", "globalAvgPool1d", json!({})),
        ("global_max_pool1d", "globalMaxPool1d", json!({})),
    ]);
}

#[test]
fn batch_norm_without_center_or_scale_matches_tfjs() {
    use serde_json::json;
    check_kinds(&[
        ("batchnorm_nocenter", "batchNorm", json!({"channels": 4, "center": false})),
        ("batchnorm_noscale", "batchNorm", json!({"channels": 4, "scale": false})),
        ("batchnorm_nocenter_train", "batchNorm", json!({"channels": 4, "center": false})),
        ("batchnorm_noscale_train", "batchNorm", json!({"channels": 4, "scale": false, "momentum": 0.9})),
    ]);
}

#[test]
fn layers_without_bias_match_tfjs() {
    use serde_json::json;
    check_kinds(&[
        ("dense_nobias", "dense", json!({"inputs": 3, "units": 4, "bias": false})),
        ("conv2d_nobias", "conv2d", json!({"inChannels": 3, "outChannels": 2, "kernel": 2, "bias": false})),
        ("conv1d_nobias", "conv1d", json!({"inChannels": 3, "outChannels": 2, "kernel": 3, "bias": false})),
    ]);
}
