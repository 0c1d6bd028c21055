//! The model layer as seen from JS: layers built from config objects, optimizers, the one-call
//! training step, and loss functions. The TypeScript layer turns each API's spelling (Keras's
//! `units`, PyTorch's `out_features`) into the canonical config keys read here.

use std::rc::Rc;

use wasm_bindgen::prelude::*;

use super::config::Config;
use super::tensor::{invalid, wrap, wrap_list, JsResult, JsTensor, TensorList};
use super::{current_device, js_error};
use crate::nn::layers::{Dropout, Graph, Node, Port, Sequential, LAYER_KINDS};
use crate::nn::{
    clip_grad_norm, clip_grad_value, softplus, Flavor, GradClip, Head, Loss, LrSchedule, Metric, Module, Optimizer, OptimizerKind,
    Reduction, Trainer,
};
use crate::Tensor;

fn flavor(name: &str) -> JsResult<Flavor> {
    match name {
        "keras" => Ok(Flavor::Keras),
        "torch" => Ok(Flavor::Torch),
        other => Err(invalid("layer", format!("unknown flavour '{other}'"))),
    }
}

/// A layer or model (a Rust `Module`).
#[wasm_bindgen(js_name = Layer)]
pub struct JsLayer(Rc<dyn Module>);

/// Layers to chain into a `Sequential`.
#[wasm_bindgen]
#[derive(Default)]
pub struct LayerList(Vec<Rc<dyn Module>>);

#[wasm_bindgen]
impl LayerList {
    #[wasm_bindgen(constructor)]
    pub fn new() -> LayerList {
        LayerList::default()
    }

    pub fn push(&mut self, layer: &JsLayer) {
        self.0.push(layer.0.clone());
    }
}

/// The layer of `kind` from its config (the table in `nn/layers/mod.rs`).
fn build(kind: &str, c: &Config, f: Flavor) -> JsResult<Rc<dyn Module>> {
    let Some(entry) = LAYER_KINDS.iter().find(|k| k.kind == kind) else {
        return Err(invalid("layer", format!("unknown layer kind '{kind}'")));
    };
    let make = (entry.read)(c)?;
    make(f, &current_device()).map_err(js_error)
}

#[wasm_bindgen(js_class = Layer)]
impl JsLayer {
    /// A layer of `kind` (`"dense"`, `"conv2d"`, …) from a canonical config, with `flavor`'s
    /// (`"keras"` or `"torch"`) defaults, its weights on the current backend; config errors name
    /// the layer as `name` (its class: `"Dense"`, `"Linear"`).
    pub fn create(kind: &str, config: JsValue, flavor_name: &str, name: &str) -> JsResult<JsLayer> {
        let f = flavor(flavor_name)?;
        build(kind, &Config::new(name, config), f).map(JsLayer)
    }

    /// The layers chained in order.
    pub fn sequential(layers: &LayerList) -> JsLayer {
        JsLayer(Rc::new(Sequential::new(layers.0.clone())))
    }

    /// A functional model: `layers` named `names`; `nodes` in topological order, each encoded as
    /// `[0, input index]` (a model input) or `[1, layer, n, node₁, output₁, …, nodeₙ, outputₙ]` (a
    /// layer applied to earlier nodes' outputs); `arity[i]` outputs of node `i`; `outputs` as
    /// `node, output` pairs. Malformed wiring is an Error.
    pub fn graph(layers: &LayerList, names: Vec<String>, nodes: Vec<u32>, arity: Vec<u32>, outputs: Vec<u32>) -> JsResult<JsLayer> {
        if names.len() != layers.0.len() {
            return Err(invalid("model", format!("{} layers but {} names", layers.0.len(), names.len())));
        }
        let nodes = decode_nodes(&nodes)?;
        let outputs = pairs(&outputs)?;
        let arity = arity.into_iter().map(|a| a as usize).collect();
        let graph = Graph::new(names.into_iter().zip(layers.0.iter().cloned()).collect(), nodes, arity, outputs).map_err(js_error)?;
        Ok(JsLayer(Rc::new(graph)))
    }

    pub fn forward(&self, x: &JsTensor) -> JsResult<JsTensor> {
        wrap(self.0.forward(&x.0))
    }

    /// The outputs for several inputs (merge layers, functional models).
    pub fn call(&self, inputs: &TensorList) -> JsResult<TensorList> {
        wrap_list(self.0.call(&inputs.0))
    }

    pub fn kind(&self) -> String {
        self.0.kind().to_string()
    }

    /// Trainable tensors (handles to the layer's own, so assignments and updates are shared).
    pub fn parameters(&self) -> TensorList {
        TensorList(self.0.parameters())
    }

    #[wasm_bindgen(js_name = parameterNames)]
    pub fn parameter_names(&self) -> Vec<String> {
        self.0.named_parameters().into_iter().map(|(n, _)| n).collect()
    }

    pub fn buffers(&self) -> TensorList {
        TensorList(self.0.named_buffers().into_iter().map(|(_, t)| t).collect())
    }

    #[wasm_bindgen(js_name = bufferNames)]
    pub fn buffer_names(&self) -> Vec<String> {
        self.0.named_buffers().into_iter().map(|(n, _)| n).collect()
    }

    #[wasm_bindgen(js_name = setTraining)]
    pub fn set_training(&self, training: bool) {
        self.0.set_training(training)
    }

    /// TensorFlow.js's layout of the weight `name` as a permutation of the stored axes, if it differs.
    #[wasm_bindgen(js_name = kerasLayout)]
    pub fn keras_layout(&self, name: &str) -> Option<Vec<u32>> {
        self.0.keras_layout(name).map(|p| p.iter().map(|&a| a as u32).collect())
    }

    /// Freezes (`false`) or unfreezes the layer's parameters (and batch normalisation's statistics).
    #[wasm_bindgen(js_name = setTrainable)]
    pub fn set_trainable(&self, trainable: bool) {
        self.0.set_trainable(trainable)
    }
}

/// `node, output` pairs.
fn pairs(flat: &[u32]) -> JsResult<Vec<Port>> {
    if !flat.len().is_multiple_of(2) {
        return Err(invalid("model", format!("ports come in pairs, got {} numbers", flat.len())));
    }
    Ok(flat.chunks(2).map(|p| (p[0] as usize, p[1] as usize)).collect())
}

/// The nodes of [`JsLayer::graph`]'s encoding.
fn decode_nodes(flat: &[u32]) -> JsResult<Vec<Node>> {
    let bad = |at: usize| invalid("model", format!("malformed node list at {at} of {}", flat.len()));
    let mut nodes = Vec::new();
    let mut at = 0;
    while at < flat.len() {
        match flat[at..] {
            [0, input, ..] => {
                nodes.push(Node::Input(input as usize));
                at += 2;
            }
            [1, layer, n, ..] => {
                let end =
                    (n as usize).checked_mul(2).and_then(|k| k.checked_add(at + 3)).filter(|&e| e <= flat.len()).ok_or_else(|| bad(at))?;
                nodes.push(Node::Apply { layer: layer as usize, inputs: pairs(&flat[at + 3..end])? });
                at = end;
            }
            _ => return Err(bad(at)),
        }
    }
    Ok(nodes)
}

/// An optimizer over a list of parameters.
#[wasm_bindgen(js_name = Optimizer)]
pub struct JsOptimizer(Rc<Optimizer>);

fn schedule(c: &Config) -> JsResult<LrSchedule> {
    Ok(match c.str_or("schedule", "constant")?.as_str() {
        "constant" => LrSchedule::Constant,
        "step" => LrSchedule::Step { step_size: c.usize_or("stepSize", 1)? as u32, gamma: c.f32_or("gamma", 0.1)? },
        "exponential" => LrSchedule::Exponential {
            gamma: c.f32_or("gamma", 0.9)?,
            decay_steps: c.usize_or("decaySteps", 1)? as u32,
            staircase: c.bool_or("staircase", false)?,
        },
        "cosine" => LrSchedule::Cosine { t_max: c.usize("tMax")? as u32, min_lr: c.f32_or("minLr", 0.0)? },
        other => return Err(invalid("optimizer", format!("unknown schedule '{other}'; expected constant, step, exponential or cosine"))),
    })
}

#[wasm_bindgen(js_class = Optimizer)]
impl JsOptimizer {
    /// `name` (`"sgd"`, `"adam"`, `"adamw"`, `"rmsprop"`, `"adagrad"`) with `flavor`'s defaults,
    /// overridden by `config` (`lr`, `momentum`, `dampening`, `nesterov`, `weightDecay`, `beta1`,
    /// `beta2`, `eps`, `rho`, `centered`, `initialAccumulator`, `clipValue`, `clipNorm`,
    /// `globalClipNorm`, and a `schedule` with its `stepSize`, `gamma`, `decaySteps`, `staircase`,
    /// `tMax`, `minLr`).
    #[wasm_bindgen(constructor)]
    pub fn new(name: &str, params: &TensorList, config: JsValue, flavor_name: &str) -> JsResult<JsOptimizer> {
        let (kind, lr) = OptimizerKind::defaults(name, flavor(flavor_name)?).map_err(js_error)?;
        let c = Config::new(kind.name(), config);
        let kind = match kind {
            OptimizerKind::Sgd { momentum, dampening, nesterov, weight_decay } => OptimizerKind::Sgd {
                momentum: c.number_or("momentum", momentum)?,
                dampening: c.number_or("dampening", dampening)?,
                nesterov: c.bool_or("nesterov", nesterov)?,
                weight_decay: c.number_or("weightDecay", weight_decay)?,
            },
            OptimizerKind::Adam { beta1, beta2, eps, weight_decay, decoupled, epsilon_hat } => OptimizerKind::Adam {
                beta1: c.number_or("beta1", beta1)?,
                beta2: c.number_or("beta2", beta2)?,
                eps: c.number_or("eps", eps)?,
                weight_decay: c.number_or("weightDecay", weight_decay)?,
                decoupled,
                epsilon_hat,
            },
            OptimizerKind::RmsProp { rho, eps, momentum, centered, eps_inside_sqrt, weight_decay } => OptimizerKind::RmsProp {
                rho: c.number_or("rho", rho)?,
                eps: c.number_or("eps", eps)?,
                momentum: c.number_or("momentum", momentum)?,
                centered: c.bool_or("centered", centered)?,
                eps_inside_sqrt,
                weight_decay: c.number_or("weightDecay", weight_decay)?,
            },
            OptimizerKind::Adagrad { eps, initial_accumulator, eps_inside_sqrt, weight_decay } => OptimizerKind::Adagrad {
                eps: c.number_or("eps", eps)?,
                initial_accumulator: c.number_or("initialAccumulator", initial_accumulator)?,
                eps_inside_sqrt,
                weight_decay: c.number_or("weightDecay", weight_decay)?,
            },
        };
        let clip =
            GradClip { value: c.opt_number("clipValue")?, norm: c.opt_number("clipNorm")?, global_norm: c.opt_number("globalClipNorm")? };
        let optimizer = Optimizer::new(kind, c.number_or("lr", lr)?, params.0.clone()).map_err(js_error)?;
        let optimizer = optimizer.with_schedule(schedule(&c)?).and_then(|o| o.with_clip(clip)).map_err(js_error)?;
        Ok(JsOptimizer(Rc::new(optimizer)))
    }

    pub fn step(&self) -> JsResult<()> {
        self.0.step().map_err(js_error)
    }

    #[wasm_bindgen(js_name = zeroGrad)]
    pub fn zero_grad(&self) {
        self.0.zero_grad()
    }

    #[wasm_bindgen(getter)]
    pub fn lr(&self) -> f32 {
        self.0.lr()
    }

    /// Sets the learning rate: a finite number >= 0 (PyTorch's "Invalid learning rate: -1" otherwise).
    #[wasm_bindgen(js_name = setLr)]
    pub fn set_lr(&self, lr: f64) -> JsResult<()> {
        let rate = if lr.is_finite() && lr.abs() > f32::MAX as f64 { f32::INFINITY } else { lr as f32 };
        self.0.set_lr(rate).map_err(js_error)
    }

    #[wasm_bindgen(getter)]
    pub fn steps(&self) -> u32 {
        self.0.steps()
    }
}

/// A compiled model: one call per training batch.
#[wasm_bindgen(js_name = Trainer)]
pub struct JsTrainer(Trainer);

fn loss_of(name: &str, c: &Config) -> JsResult<Loss> {
    let loss = Loss::from_name(name).map_err(js_error)?;
    let loss = match loss {
        Loss::Huber { delta } => Loss::Huber { delta: c.f32_or("delta", delta)? },
        other => other,
    };
    Ok(match c.bool_or("fromLogits", false)? {
        true => loss.with_logits(true),
        false => loss,
    })
}

#[wasm_bindgen(js_class = Trainer)]
impl JsTrainer {
    /// `model` trained with `loss` (name, with `fromLogits`/`delta` in `loss_config`) by
    /// `optimizer`, reporting `metrics`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        model: &JsLayer,
        loss: &str,
        loss_config: JsValue,
        optimizer: &JsOptimizer,
        metrics: Vec<String>,
        flavor_name: &str,
    ) -> JsResult<JsTrainer> {
        let loss = loss_of(loss, &Config::new("compile", loss_config))?;
        let metrics = metrics.iter().map(|m| Metric::from_name(m, loss)).collect::<crate::Result<Vec<_>>>().map_err(js_error)?;
        Ok(JsTrainer(Trainer::new(model.0.clone(), loss, flavor(flavor_name)?, optimizer.0.clone(), metrics)))
    }

    /// A model of several outputs: `losses[i]` (weighted by `weights[i]`) and `metric_counts[i]`
    /// of `metrics` (taken in order) for output `i`; `loss_config` (`fromLogits`) applies to all.
    #[wasm_bindgen(js_name = withHeads)]
    #[allow(clippy::too_many_arguments)]
    pub fn with_heads(
        model: &JsLayer,
        losses: Vec<String>,
        weights: Vec<f32>,
        loss_config: JsValue,
        optimizer: &JsOptimizer,
        metrics: Vec<String>,
        metric_counts: Vec<u32>,
        flavor_name: &str,
    ) -> JsResult<JsTrainer> {
        let c = Config::new("compile", loss_config);
        if weights.len() != losses.len() || metric_counts.len() != losses.len() {
            let msg = format!("{} losses, {} weights and {} metric lists must agree", losses.len(), weights.len(), metric_counts.len());
            return Err(invalid("compile", msg));
        }
        let mut names = metrics.iter();
        let mut heads = Vec::with_capacity(losses.len());
        for ((loss, &weight), &count) in losses.iter().zip(&weights).zip(&metric_counts) {
            let loss = loss_of(loss, &c)?;
            let own: Vec<&String> = names.by_ref().take(count as usize).collect();
            if own.len() != count as usize {
                return Err(invalid("compile", format!("metric counts {metric_counts:?} exceed the {} metrics", metrics.len())));
            }
            let metrics = own.iter().map(|m| Metric::from_name(m, loss)).collect::<crate::Result<Vec<_>>>().map_err(js_error)?;
            heads.push(Head { loss, weight, metrics });
        }
        let trainer = Trainer::with_heads(model.0.clone(), heads, flavor(flavor_name)?, optimizer.0.clone()).map_err(js_error)?;
        Ok(JsTrainer(trainer))
    }

    /// [`JsTrainer::train_rows`] for several inputs and targets: `[loss, output losses..., metrics...]`.
    #[wasm_bindgen(js_name = trainRowsMany)]
    pub fn train_rows_many(&self, xs: &TensorList, ys: &TensorList, order: &JsTensor, start: u32, end: u32) -> JsResult<JsTensor> {
        wrap(self.0.train_rows_many(&xs.0, &ys.0, &order.0, start as usize, end as usize))
    }

    /// [`JsTrainer::evaluate_rows`] for several inputs and targets.
    #[wasm_bindgen(js_name = evaluateRowsMany)]
    pub fn evaluate_rows_many(&self, xs: &TensorList, ys: &TensorList, order: &JsTensor, start: u32, end: u32) -> JsResult<JsTensor> {
        wrap(self.0.evaluate_rows_many(&xs.0, &ys.0, &order.0, start as usize, end as usize))
    }

    /// Trains on rows `order[start..end]` of `x` and `y`; returns `[loss, metric...]` (on the device).
    #[wasm_bindgen(js_name = trainRows)]
    pub fn train_rows(&self, x: &JsTensor, y: &JsTensor, order: &JsTensor, start: u32, end: u32) -> JsResult<JsTensor> {
        wrap(self.0.train_rows(&x.0, &y.0, &order.0, start as usize, end as usize))
    }

    /// `[loss, metric...]` of rows `order[start..end]` in evaluation mode.
    #[wasm_bindgen(js_name = evaluateRows)]
    pub fn evaluate_rows(&self, x: &JsTensor, y: &JsTensor, order: &JsTensor, start: u32, end: u32) -> JsResult<JsTensor> {
        wrap(self.0.evaluate_rows(&x.0, &y.0, &order.0, start as usize, end as usize))
    }

    /// The names the metrics are logged under (`"acc"`, `"mse"`, …).
    #[wasm_bindgen(js_name = metricNames)]
    pub fn metric_names(&self) -> Vec<String> {
        self.0.heads().iter().flat_map(|h| h.metrics.iter().map(|m| m.name().to_string())).collect()
    }
}

/// The loss `name` of `pred` against `target`, with `flavor`'s conventions and `reduction`
/// (`"mean"`, `"sum"` or `"none"`; anything else is PyTorch's "… is not a valid value for
/// reduction"); `config` may set `fromLogits` and `delta`.
#[wasm_bindgen(js_name = lossFn)]
pub fn loss_fn(
    name: &str,
    pred: &JsTensor,
    target: &JsTensor,
    flavor_name: &str,
    reduction: JsValue,
    config: JsValue,
) -> JsResult<JsTensor> {
    let c = Config::new(name, config);
    let loss = loss_of(name, &c)?;
    let reduction = match reduction.as_string().as_deref() {
        Some("mean") => Reduction::Mean,
        Some("sum") => Reduction::Sum,
        Some("none") => Reduction::None,
        other => {
            let got =
                other.map_or_else(|| reduction.as_f64().map_or_else(|| format!("{reduction:?}"), |x| x.to_string()), |s| s.to_string());
            return Err(c.error(&format!("{got} is not a valid value for reduction")));
        }
    };
    wrap(loss.compute(&pred.0, &target.0, flavor(flavor_name)?, reduction))
}

/// PyTorch's `F.softplus(x, beta, threshold)`.
#[wasm_bindgen(js_name = softplusFn)]
pub fn softplus_fn(x: &JsTensor, beta: f64, threshold: f64) -> JsResult<JsTensor> {
    wrap(softplus(&x.0, beta as f32, threshold as f32))
}

/// A random permutation of `0..n` (int32), from the seeded generator.
#[wasm_bindgen]
pub fn randperm(n: u32) -> JsResult<JsTensor> {
    wrap(Tensor::randperm(n as usize, &current_device()))
}

/// Replaces `target`'s values with `value`'s in place (every handle sees them).
#[wasm_bindgen]
pub fn assign(target: &JsTensor, value: &JsTensor) -> JsResult<()> {
    target.0.assign(&value.0).map_err(js_error)
}

/// Rescales the gradients of `params` in place to a joint L2 norm of at most `max_norm`; returns
/// the norm before clipping (PyTorch's `clip_grad_norm_`), or nothing when no gradient exists.
#[wasm_bindgen(js_name = clipGradNorm)]
pub fn clip_grad_norm_js(params: &TensorList, max_norm: f32) -> JsResult<Option<JsTensor>> {
    clip_grad_norm(&params.0, max_norm).map(|t| t.map(JsTensor)).map_err(js_error)
}

/// Clamps the gradients of `params` to `[-value, value]` in place (PyTorch's `clip_grad_value_`).
#[wasm_bindgen(js_name = clipGradValue)]
pub fn clip_grad_value_js(params: &TensorList, value: f32) -> JsResult<()> {
    clip_grad_value(&params.0, value).map_err(js_error)
}

/// Inverted dropout of `x` with probability `rate` (PyTorch's `F.dropout` in training mode).
#[wasm_bindgen]
pub fn dropout(x: &JsTensor, rate: f32) -> JsResult<JsTensor> {
    wrap(Dropout::new(rate).and_then(|layer| layer.forward(&x.0)))
}
