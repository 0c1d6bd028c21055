//! Functional models (`Graph`) against the same layers composed by hand: a residual add, a layer
//! shared by two nodes, two outputs trained with a weighted sum of losses, freezing, and the errors
//! of bad wiring.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::rc::Rc;

use common::{assert_close, devices, read};
use webgrad::nn::layers::{Dense, Graph, Node};
use webgrad::nn::{Act, Flavor, Head, Loss, Module, Optimizer, OptimizerKind, Trainer};
use webgrad::{Device, Result, Tensor};

/// The sum of its inputs (a merge layer, written here so the graph is tested on its own).
struct Sum;

impl Module for Sum {
    fn forward(&self, _x: &Tensor) -> Result<Tensor> {
        unreachable!("Sum is only called with a list")
    }

    fn kind(&self) -> &'static str {
        "Sum"
    }

    fn call(&self, inputs: &[Tensor]) -> Result<Vec<Tensor>> {
        let mut y = inputs[0].clone();
        for x in &inputs[1..] {
            y = y.add(x)?;
        }
        Ok(vec![y])
    }
}

fn dense(inputs: usize, units: usize, act: Act, d: &Device) -> Rc<dyn Module> {
    Rc::new(Dense::new(inputs, units, true, act, Flavor::Keras, d).unwrap())
}

fn x(d: &Device) -> Tensor {
    Tensor::from_slice(&common::random(12, 7), &[3, 4], d).unwrap()
}

/// `sum(relu(dense_a(x)), x)` then `dense_b`: a residual block.
fn residual(d: &Device) -> (Graph, Rc<dyn Module>, Rc<dyn Module>) {
    let a = dense(4, 4, Act::Relu, d);
    let b = dense(4, 2, Act::Linear, d);
    let layers = vec![("a".to_string(), a.clone()), ("add".to_string(), Rc::new(Sum) as Rc<dyn Module>), ("b".to_string(), b.clone())];
    let nodes = vec![
        Node::Input(0),
        Node::Apply { layer: 0, inputs: vec![(0, 0)] },
        Node::Apply { layer: 1, inputs: vec![(1, 0), (0, 0)] },
        Node::Apply { layer: 2, inputs: vec![(2, 0)] },
    ];
    (Graph::new(layers, nodes, vec![1; 4], vec![(3, 0)]).unwrap(), a, b)
}

#[test]
fn a_residual_graph_is_its_layers_composed() {
    for d in devices() {
        let (g, a, b) = residual(&d);
        let x = x(&d);
        let expected = b.forward(&a.forward(&x).unwrap().add(&x).unwrap()).unwrap();
        assert_close(&read(&g.forward(&x).unwrap()), &read(&expected), 1e-6, 1e-6);
        let names: Vec<String> = g.named_parameters().into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["a/kernel", "a/bias", "b/kernel", "b/bias"]);
    }
}

#[test]
fn a_shared_layer_has_one_set_of_weights_and_sums_its_gradients() {
    for d in devices() {
        let shared = dense(4, 3, Act::Tanh, &d);
        let layers = vec![("shared".to_string(), shared.clone()), ("add".to_string(), Rc::new(Sum) as Rc<dyn Module>)];
        let nodes = vec![
            Node::Input(0),
            Node::Input(1),
            Node::Apply { layer: 0, inputs: vec![(0, 0)] },
            Node::Apply { layer: 0, inputs: vec![(1, 0)] },
            Node::Apply { layer: 1, inputs: vec![(2, 0), (3, 0)] },
        ];
        let g = Graph::new(layers, nodes, vec![1; 5], vec![(4, 0)]).unwrap();
        assert_eq!(g.parameters().len(), 2, "one kernel and one bias");
        let (x1, x2) = (x(&d), Tensor::from_slice(&common::random(12, 8), &[3, 4], &d).unwrap());
        g.call(&[x1.clone(), x2.clone()]).unwrap()[0].sum().unwrap().backward().unwrap();
        let grad = read(&shared.parameters()[0].grad().unwrap());
        // The same gradient from the two applications computed apart, then added.
        shared.parameters().iter().for_each(|p| p.zero_grad());
        shared.forward(&x1).unwrap().sum().unwrap().backward().unwrap();
        let g1 = read(&shared.parameters()[0].grad().unwrap());
        shared.parameters().iter().for_each(|p| p.zero_grad());
        shared.forward(&x2).unwrap().sum().unwrap().backward().unwrap();
        let g2 = read(&shared.parameters()[0].grad().unwrap());
        let sum: Vec<f32> = g1.iter().zip(&g2).map(|(a, b)| a + b).collect();
        assert_close(&grad, &sum, 1e-5, 1e-6);
    }
}

#[test]
fn two_outputs_train_on_the_weighted_sum_of_their_losses() {
    for d in devices() {
        let trunk = dense(4, 4, Act::Relu, &d);
        let (c, v) = (dense(4, 3, Act::Softmax(-1), &d), dense(4, 1, Act::Linear, &d));
        let layers = vec![("trunk".to_string(), trunk), ("class".to_string(), c), ("value".to_string(), v)];
        let nodes = vec![
            Node::Input(0),
            Node::Apply { layer: 0, inputs: vec![(0, 0)] },
            Node::Apply { layer: 1, inputs: vec![(1, 0)] },
            Node::Apply { layer: 2, inputs: vec![(1, 0)] },
        ];
        let g: Rc<dyn Module> = Rc::new(Graph::new(layers, nodes, vec![1; 4], vec![(2, 0), (3, 0)]).unwrap());
        let x = x(&d);
        let labels = Tensor::from_slice(&[0., 2., 1.], &[3], &d).unwrap();
        let values = Tensor::from_slice(&[0.5, -1., 2.], &[3, 1], &d).unwrap();
        // The expected losses, from the outputs before the step.
        let out = g.call(std::slice::from_ref(&x)).unwrap();
        let ce = Loss::SparseCategoricalCrossentropy { from_logits: false };
        let l1 = read(&ce.compute(&out[0], &labels, Flavor::Keras, webgrad::nn::Reduction::Mean).unwrap())[0];
        let l2 = read(&Loss::MeanSquaredError.compute(&out[1], &values, Flavor::Keras, webgrad::nn::Reduction::Mean).unwrap())[0];
        let sgd = OptimizerKind::Sgd { momentum: 0.0, dampening: 0.0, nesterov: false, weight_decay: 0.0 };
        let opt = Rc::new(Optimizer::new(sgd, 0.1, g.parameters()).unwrap());
        let heads =
            vec![Head { loss: ce, weight: 1.0, metrics: vec![] }, Head { loss: Loss::MeanSquaredError, weight: 0.5, metrics: vec![] }];
        let trainer = Trainer::with_heads(g.clone(), heads, Flavor::Keras, opt).unwrap();
        let before = read(&g.parameters()[0]);
        let logs = read(&trainer.train_step_many(&[x], &[labels, values]).unwrap());
        assert_close(&logs, &[l1 + 0.5 * l2, l1, l2], 1e-5, 1e-6);
        assert_ne!(read(&g.parameters()[0]), before, "the trunk learned");
    }
}

#[test]
fn a_frozen_layer_gets_no_gradient_and_keeps_its_weights() {
    for d in devices() {
        let (g, a, _) = residual(&d);
        a.set_trainable(false);
        let g: Rc<dyn Module> = Rc::new(g);
        let sgd = OptimizerKind::Sgd { momentum: 0.0, dampening: 0.0, nesterov: false, weight_decay: 0.0 };
        let opt = Rc::new(Optimizer::new(sgd, 0.1, g.parameters()).unwrap());
        let trainer = Trainer::new(g.clone(), Loss::MeanSquaredError, Flavor::Keras, opt, vec![]);
        let (frozen, head) = (read(&g.parameters()[0]), read(&g.parameters()[2]));
        trainer.train_step(&x(&d), &Tensor::from_slice(&[0.0; 6], &[3, 2], &d).unwrap()).unwrap();
        assert_eq!(read(&g.parameters()[0]), frozen, "bit-identical");
        assert_ne!(read(&g.parameters()[2]), head);
    }
}

#[test]
fn bad_wiring_is_an_error() {
    let d = Device::Cpu;
    let one = || vec![("a".to_string(), dense(4, 4, Act::Relu, &d))];
    let err = |layers, nodes, arity, outputs| Graph::new(layers, nodes, arity, outputs).err().expect("refused").to_string();
    // A node reading itself or a later node (what a cycle needs).
    let e = err(one(), vec![Node::Input(0), Node::Apply { layer: 0, inputs: vec![(1, 0)] }], vec![1, 1], vec![(1, 0)]);
    assert!(e.contains("not an earlier node's output"), "{e}");
    let e = err(one(), vec![Node::Input(0), Node::Apply { layer: 3, inputs: vec![(0, 0)] }], vec![1, 1], vec![(1, 0)]);
    assert!(e.contains("applies layer 3 of 1"), "{e}");
    let e = err(one(), vec![Node::Input(0)], vec![1], vec![(0, 1)]);
    assert!(e.contains("output 1 of node 0"), "{e}");
    let two = vec![("a".to_string(), dense(4, 4, Act::Relu, &d)), ("a".to_string(), dense(4, 4, Act::Relu, &d))];
    let e = err(two, vec![Node::Input(0)], vec![1], vec![(0, 0)]);
    assert!(e.contains("two layers are named 'a'"), "{e}");
    let (g, _, _) = residual(&d);
    let Err(e) = g.call(&[]) else { panic!("refused") };
    let e = e.to_string();
    assert!(e.contains("expects 1 inputs, got 0"), "{e}");
}
