//! webgrad: a tensor + reverse-mode autograd core for the browser, with a WebGPU backend (wgpu, WGSL
//! in `shaders/`) and a CPU backend, compiled to WebAssembly with a TypeScript API on top.
//!
//! The Rust API mirrors the JS one: make tensors on a [`Device`], combine them with ops that return
//! [`Result`], call [`Tensor::backward`], and read values with the async [`Tensor::to_vec`].

pub mod backend;
mod backprop;
#[cfg(not(target_arch = "wasm32"))]
pub mod codegen;
pub mod dtype;
pub mod error;
mod grad_mode;
pub mod layout;
pub mod nn;
pub mod op;
pub mod ops;
mod random;
pub mod safetensors;
pub mod selectors;
mod shape_probe;
pub mod tensor;

#[cfg(target_arch = "wasm32")]
mod wasm;

pub use backend::{Activation, Device};
pub use dtype::{DType, HostData};
pub use error::{Error, Result};
pub use grad_mode::{is_grad_enabled, no_grad, set_grad_enabled};
pub use ops::{AdamStep, Conv2dOptions, ConvTranspose2dOptions, Padding, Pool2dOptions, SgdStep};
pub use random::{manual_seed, DEFAULT_SEED};
pub use shape_probe::{is_probing, set_probing};
pub use tensor::{live_tensors, Tensor};
