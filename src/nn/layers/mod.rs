//! The layers: one file per family, each a [`Module`](super::Module).

mod activations;
pub mod config;
mod conv;
mod deconv;
mod dense;
mod dot;
mod dropout;
mod embedding;
mod graph;
mod merge;
mod norm;
mod pool;
mod reshape;
mod resize;
mod sample_ops;
mod separable;
mod sequential;

pub use conv::{Conv1d, Conv1dConfig, Conv2d, Conv2dConfig};
pub use deconv::{Conv2dTranspose, Conv2dTransposeConfig};
pub use dense::{Dense, DenseConfig};
pub use dropout::{Dropout, DropoutConfig};
pub use embedding::{Embedding, EmbeddingConfig};
pub use graph::{Graph, Node, Port};
pub use norm::{BatchNorm, BatchNormConfig, LayerNorm, LayerNormConfig};
pub use pool::{
    AvgPool1dConfig, AvgPool2dConfig, GlobalAvgPool1dConfig, GlobalAvgPool2d, GlobalAvgPool2dConfig, GlobalMaxPool1dConfig,
    GlobalMaxPool2dConfig, GlobalPool, MaxPool1dConfig, MaxPool2dConfig, Pool1d, Pool2d, PoolKind,
};
pub use reshape::{Flatten, FlattenConfig, Reshape, ReshapeConfig, ZeroPad2d, ZeroPad2dConfig};
pub use resize::{Cropping2d, Cropping2dConfig, UpSampling2d, UpSampling2dConfig};
pub use separable::{DepthwiseConv2d, DepthwiseConv2dConfig, DepthwiseOptions, SeparableConv2d, SeparableConv2dConfig};
pub use sequential::Sequential;
// Activation, merge and shape layers (issue 14).
pub use activations::{EluConfig, LeakyReluConfig, PRelu, PReluConfig, Relu, ReluConfig, Softmax, SoftmaxConfig, ThresholdedReluConfig};
pub use dot::{Dot, DotConfig};
pub use merge::{
    AddConfig, AverageConfig, Concatenate, ConcatenateConfig, MaximumConfig, Merge, MergeKind, MinimumConfig, MultiplyConfig,
    SubtractConfig,
};
pub use sample_ops::{Permute, PermuteConfig, RepeatVector, RepeatVectorConfig, Rescaling, RescalingConfig};

use config::{kind, LayerKind};

/// Every layer kind the front doors build (`Layer.create(kind, config, …)`), each with its config
/// struct: the one table the wasm shim dispatches on and `ts/generated/layers.ts` is rendered from.
pub const LAYER_KINDS: &[LayerKind] = &[
    kind::<DenseConfig>("dense"),
    kind::<Conv2dConfig>("conv2d"),
    kind::<Conv1dConfig>("conv1d"),
    kind::<MaxPool2dConfig>("maxPool2d"),
    kind::<AvgPool2dConfig>("avgPool2d"),
    kind::<GlobalAvgPool2dConfig>("globalAvgPool2d"),
    kind::<FlattenConfig>("flatten"),
    kind::<ReshapeConfig>("reshape"),
    kind::<DropoutConfig>("dropout"),
    kind::<BatchNormConfig>("batchNorm"),
    kind::<LayerNormConfig>("layerNorm"),
    kind::<EmbeddingConfig>("embedding"),
    kind::<ActivationConfig>("activation"),
    kind::<ZeroPad2dConfig>("zeroPad2d"),
    // Activation, merge and shape layers (issue 14).
    kind::<ReluConfig>("relu"),
    kind::<LeakyReluConfig>("leakyRelu"),
    kind::<PReluConfig>("prelu"),
    kind::<EluConfig>("elu"),
    kind::<SoftmaxConfig>("softmax"),
    kind::<ThresholdedReluConfig>("thresholdedRelu"),
    kind::<AddConfig>("add"),
    kind::<SubtractConfig>("subtract"),
    kind::<MultiplyConfig>("multiply"),
    kind::<AverageConfig>("average"),
    kind::<MaximumConfig>("maximum"),
    kind::<MinimumConfig>("minimum"),
    kind::<ConcatenateConfig>("concatenate"),
    kind::<DotConfig>("dot"),
    kind::<PermuteConfig>("permute"),
    kind::<RepeatVectorConfig>("repeatVector"),
    kind::<RescalingConfig>("rescaling"),
    kind::<DepthwiseConv2dConfig>("depthwiseConv2d"),
    kind::<SeparableConv2dConfig>("separableConv2d"),
    kind::<Conv2dTransposeConfig>("conv2dTranspose"),
    kind::<Cropping2dConfig>("cropping2d"),
    kind::<UpSampling2dConfig>("upSampling2d"),
    kind::<GlobalMaxPool2dConfig>("globalMaxPool2d"),
    kind::<MaxPool1dConfig>("maxPool1d"),
    kind::<AvgPool1dConfig>("avgPool1d"),
    kind::<GlobalAvgPool1dConfig>("globalAvgPool1d"),
    kind::<GlobalMaxPool1dConfig>("globalMaxPool1d"),
];

use crate::nn::{ActivationConfig, Flavor};
use crate::tensor::Tensor;

/// A new trainable leaf tensor.
fn param(t: Tensor) -> Tensor {
    t.set_requires_grad(true);
    t
}

/// `(name, tensor)` pairs of the present tensors.
fn named(items: &[(&str, Option<&Tensor>)]) -> Vec<(String, Tensor)> {
    items.iter().filter_map(|(n, t)| t.map(|t| (n.to_string(), t.clone()))).collect()
}

/// A weight and optional bias under the flavour's names (`kernel`/`bias` or `weight`/`bias`).
fn weight_and_bias(flavor: Flavor, weight: &Tensor, bias: Option<&Tensor>) -> Vec<(String, Tensor)> {
    let w = if flavor == Flavor::Keras { "kernel" } else { "weight" };
    named(&[(w, Some(weight)), ("bias", bias)])
}

/// A normalisation's scale and shift (those present) under the flavour's names (`gamma`/`beta` or
/// `weight`/`bias`).
fn scale_and_shift(flavor: Flavor, gamma: Option<&Tensor>, beta: Option<&Tensor>) -> Vec<(String, Tensor)> {
    match flavor {
        Flavor::Keras => named(&[("gamma", gamma), ("beta", beta)]),
        Flavor::Torch => named(&[("weight", gamma), ("bias", beta)]),
    }
}
