//! A chain of modules, each fed the previous one's output.

use std::rc::Rc;

use crate::error::Result;
use crate::nn::Module;
use crate::tensor::Tensor;

#[derive(Default)]
pub struct Sequential {
    layers: Vec<Rc<dyn Module>>,
}

impl Sequential {
    pub fn new(layers: Vec<Rc<dyn Module>>) -> Sequential {
        Sequential { layers }
    }

    pub fn push(&mut self, layer: Rc<dyn Module>) {
        self.layers.push(layer);
    }

    pub fn layers(&self) -> &[Rc<dyn Module>] {
        &self.layers
    }
}

impl Module for Sequential {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let mut y = x.clone();
        for layer in &self.layers {
            y = layer.forward(&y)?;
        }
        Ok(y)
    }

    fn kind(&self) -> &'static str {
        "Sequential"
    }

    fn named_parameters(&self) -> Vec<(String, Tensor)> {
        prefixed(&self.layers, |l| l.named_parameters())
    }

    fn named_buffers(&self) -> Vec<(String, Tensor)> {
        prefixed(&self.layers, |l| l.named_buffers())
    }

    fn set_training(&self, training: bool) {
        self.layers.iter().for_each(|l| l.set_training(training));
    }

    fn keras_layout(&self, name: &str) -> Option<&'static [usize]> {
        let (index, rest) = name.split_once('.')?;
        self.layers.get(index.parse::<usize>().ok()?)?.keras_layout(rest)
    }

    fn set_trainable(&self, trainable: bool) {
        self.layers.iter().for_each(|l| l.set_trainable(trainable));
    }
}

/// Every layer's named tensors as `"{index}.{name}"` (PyTorch's `nn.Sequential` names).
fn prefixed(layers: &[Rc<dyn Module>], f: impl Fn(&dyn Module) -> Vec<(String, Tensor)>) -> Vec<(String, Tensor)> {
    layers.iter().enumerate().flat_map(|(i, l)| f(l.as_ref()).into_iter().map(move |(n, t)| (format!("{i}.{n}"), t))).collect()
}
