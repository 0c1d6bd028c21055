//! A functional model: layers wired as a directed acyclic graph, with several inputs and outputs
//! (Keras's functional `Model`). A layer applied at several nodes shares its weights.

use std::rc::Rc;

use crate::error::{Error, Result};
use crate::nn::Module;
use crate::tensor::Tensor;

/// One output of one node: `(node, output index)`.
pub type Port = (usize, usize);

/// A node: a graph input, or a layer applied to earlier nodes' outputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// The `i`-th model input.
    Input(usize),
    /// The layer at this index of [`Graph::layers`], applied to these ports, in order.
    Apply { layer: usize, inputs: Vec<Port> },
}

/// Layers (each named once) and nodes in topological order: a node reads only earlier nodes, so a
/// graph cannot hold a cycle.
pub struct Graph {
    layers: Vec<(String, Rc<dyn Module>)>,
    nodes: Vec<Node>,
    /// How many outputs each node gives (an input node gives one).
    arity: Vec<usize>,
    inputs: usize,
    outputs: Vec<Port>,
}

fn invalid(msg: String) -> Error {
    Error::Invalid { op: "model", msg }
}

impl Graph {
    /// Checks the wiring: unique layer names, each input node once and in order, every port an
    /// output of an earlier node (`arity[n]` outputs for node `n`), at least one output.
    pub fn new(layers: Vec<(String, Rc<dyn Module>)>, nodes: Vec<Node>, arity: Vec<usize>, outputs: Vec<Port>) -> Result<Graph> {
        for (i, (name, _)) in layers.iter().enumerate() {
            if layers[..i].iter().any(|(n, _)| n == name) {
                return Err(invalid(format!("two layers are named '{name}'; layer names must be unique")));
            }
        }
        if arity.len() != nodes.len() {
            return Err(invalid(format!("{} nodes but {} output counts", nodes.len(), arity.len())));
        }
        let mut inputs = 0;
        for (n, node) in nodes.iter().enumerate() {
            match node {
                Node::Input(i) if *i == inputs && arity[n] == 1 => inputs += 1,
                Node::Input(i) => return Err(invalid(format!("node {n} is input {i}, expected input {inputs} with one output"))),
                Node::Apply { layer, inputs: ports } => {
                    if *layer >= layers.len() {
                        return Err(invalid(format!("node {n} applies layer {layer} of {}", layers.len())));
                    }
                    if ports.is_empty() {
                        return Err(invalid(format!("node {n} ({}) has no inputs", layers[*layer].0)));
                    }
                    check_ports(ports, n, &arity)?;
                }
            }
        }
        if inputs == 0 || outputs.is_empty() {
            return Err(invalid(format!("a model needs inputs and outputs, got {inputs} inputs and {} outputs", outputs.len())));
        }
        check_ports(&outputs, nodes.len(), &arity)?;
        Ok(Graph { layers, nodes, arity, inputs, outputs })
    }

    /// The layers and their names, in the order first applied.
    pub fn layers(&self) -> &[(String, Rc<dyn Module>)] {
        &self.layers
    }

    /// The number of model inputs.
    pub fn input_count(&self) -> usize {
        self.inputs
    }

    /// The number of model outputs.
    pub fn output_count(&self) -> usize {
        self.outputs.len()
    }

    fn layer_named(&self, name: &str) -> Option<&dyn Module> {
        self.layers.iter().find(|(n, _)| n == name).map(|(_, l)| l.as_ref())
    }

    /// Every layer's named tensors as `"{layer}/{name}"` (Keras's weight names).
    fn prefixed(&self, f: impl Fn(&dyn Module) -> Vec<(String, Tensor)>) -> Vec<(String, Tensor)> {
        self.layers.iter().flat_map(|(layer, l)| f(l.as_ref()).into_iter().map(move |(n, t)| (format!("{layer}/{n}"), t))).collect()
    }
}

/// Each port is an output of a node before `before`.
fn check_ports(ports: &[Port], before: usize, arity: &[usize]) -> Result<()> {
    for &(node, slot) in ports {
        if node >= before || slot >= arity[node] {
            return Err(invalid(format!("node {before} reads output {slot} of node {node}, which is not an earlier node's output")));
        }
    }
    Ok(())
}

impl Module for Graph {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let mut ys = self.call(std::slice::from_ref(x))?;
        match ys.len() {
            1 => Ok(ys.remove(0)),
            n => Err(invalid(format!("forward gives one output, but the model has {n}; call it with a list"))),
        }
    }

    fn call(&self, inputs: &[Tensor]) -> Result<Vec<Tensor>> {
        if inputs.len() != self.inputs {
            return Err(invalid(format!("expects {} inputs, got {}", self.inputs, inputs.len())));
        }
        let mut values: Vec<Vec<Tensor>> = Vec::with_capacity(self.nodes.len());
        for (n, node) in self.nodes.iter().enumerate() {
            let out = match node {
                Node::Input(i) => vec![inputs[*i].clone()],
                Node::Apply { layer, inputs: ports } => {
                    let args: Vec<Tensor> = ports.iter().map(|&(m, s)| values[m][s].clone()).collect();
                    let (name, l) = &self.layers[*layer];
                    let out = l.call(&args).map_err(|e| invalid(format!("layer '{name}': {e}")))?;
                    if out.len() != self.arity[n] {
                        return Err(invalid(format!("layer '{name}' gave {} outputs, expected {}", out.len(), self.arity[n])));
                    }
                    out
                }
            };
            values.push(out);
        }
        Ok(self.outputs.iter().map(|&(m, s)| values[m][s].clone()).collect())
    }

    fn kind(&self) -> &'static str {
        "Functional"
    }

    fn named_parameters(&self) -> Vec<(String, Tensor)> {
        self.prefixed(|l| l.named_parameters())
    }

    fn named_buffers(&self) -> Vec<(String, Tensor)> {
        self.prefixed(|l| l.named_buffers())
    }

    fn set_training(&self, training: bool) {
        self.layers.iter().for_each(|(_, l)| l.set_training(training));
    }

    fn keras_layout(&self, name: &str) -> Option<&'static [usize]> {
        let (layer, rest) = name.split_once('/')?;
        self.layer_named(layer)?.keras_layout(rest)
    }

    fn set_trainable(&self, trainable: bool) {
        self.layers.iter().for_each(|(_, l)| l.set_trainable(trainable));
    }
}
