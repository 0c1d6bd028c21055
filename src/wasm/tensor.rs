//! `Tensor` and `TensorList` as seen from JS.

use wasm_bindgen::prelude::*;

use super::args::{signed, signeds, size, sizes};
use super::{current_device, js_error};
use crate::backend::{BinaryOp, UnaryOp};
use crate::selectors::{ArgReduction, Distribution, Moment, PadMode, Pool, Reduction};
use crate::{Activation, AdamStep, Conv2dOptions, ConvTranspose2dOptions, DType, Error, HostData, Padding, Pool2dOptions, Tensor};

/// A tensor handle (the TypeScript wrapper documents the API).
#[wasm_bindgen(js_name = Tensor)]
pub struct JsTensor(pub(crate) Tensor);

/// An ordered list of tensor handles, for ops that take several tensors (JS arrays of handles
/// cannot be borrowed across the boundary).
#[wasm_bindgen]
#[derive(Default)]
pub struct TensorList(pub(crate) Vec<Tensor>);

#[wasm_bindgen]
impl TensorList {
    #[wasm_bindgen(constructor)]
    pub fn new() -> TensorList {
        TensorList::default()
    }

    pub fn push(&mut self, t: &JsTensor) {
        self.0.push(t.0.clone());
    }

    #[wasm_bindgen(getter)]
    pub fn length(&self) -> usize {
        self.0.len()
    }

    /// The `i`-th tensor (a new handle).
    pub fn get(&self, i: usize) -> Option<JsTensor> {
        self.0.get(i).cloned().map(JsTensor)
    }
}

pub(crate) type JsResult<T> = Result<T, JsError>;

pub(crate) fn wrap(result: crate::Result<Tensor>) -> JsResult<JsTensor> {
    result.map(JsTensor).map_err(js_error)
}

pub(crate) fn wrap_list(result: crate::Result<Vec<Tensor>>) -> JsResult<TensorList> {
    result.map(TensorList).map_err(js_error)
}

pub(crate) fn invalid(op: &'static str, msg: String) -> JsError {
    js_error(Error::Invalid { op, msg })
}

fn pair(op: &'static str, name: &str, v: &[f64]) -> JsResult<[usize; 2]> {
    match *v {
        [a] => Ok([size(op, name, a)?; 2]),
        [a, b] => Ok([size(op, name, a)?, size(op, name, b)?]),
        _ => Err(invalid(op, format!("{name} must have 1 or 2 values, got {v:?}"))),
    }
}

/// An int32 value (a bound of `randint`).
fn int32(op: &'static str, name: &str, v: f64) -> JsResult<i32> {
    i32::try_from(signed(op, name, v)?).map_err(|_| invalid(op, format!("{name} must be an int32, got {v}")))
}

/// Optional axes (all when `None`).
fn axes_of(op: &'static str, v: Option<Vec<f64>>) -> JsResult<Option<Vec<isize>>> {
    v.map(|a| signeds(op, "axis", &a)).transpose()
}

/// `"valid"`, `"same"`, or explicit padding from 1 (all sides), 2 (rows, columns) or 4 (top, left,
/// bottom, right) numbers.
fn padding(op: &'static str, mode: &str, pads: &[f64]) -> JsResult<Padding> {
    let p = sizes(op, "padding", pads)?;
    let parsed = match PadMode::parse(mode) {
        Some(PadMode::Explicit) => Padding::explicit(&p),
        Some(PadMode::Valid | PadMode::Same) => Padding::named(mode),
        None => None,
    };
    parsed.ok_or_else(|| invalid(op, format!("padding must be 'valid', 'same' or 1, 2 or 4 numbers, got {mode} {pads:?}")))
}

#[wasm_bindgen(js_class = Tensor)]
impl JsTensor {
    /// A float32 tensor of `shape` holding `data` (row-major) on the current backend.
    #[wasm_bindgen(js_name = fromData)]
    pub fn from_data(data: Vec<f32>, shape: &[f64]) -> JsResult<JsTensor> {
        // Owned: the values are copied into wasm memory once, not a second time here.
        wrap(Tensor::new(HostData::F32(data), &sizes("tensor", "shape", shape)?, &current_device()))
    }

    /// An int32 tensor.
    #[wasm_bindgen(js_name = fromInt32)]
    pub fn from_int32(data: Vec<i32>, shape: &[f64]) -> JsResult<JsTensor> {
        wrap(Tensor::new(HostData::I32(data), &sizes("tensor", "shape", shape)?, &current_device()))
    }

    /// A bool tensor from bytes (nonzero is true).
    #[wasm_bindgen(js_name = fromBool)]
    pub fn from_bool(data: &[u8], shape: &[f64]) -> JsResult<JsTensor> {
        let shape = sizes("tensor", "shape", shape)?;
        wrap(Tensor::new(HostData::Bool(data.iter().map(|&b| b != 0).collect()), &shape, &current_device()))
    }

    /// `shape` filled with `value`, of `dtype` (`"float32"`, `"int32"` or `"bool"`).
    pub fn full(shape: &[f64], value: f64, dtype: &str) -> JsResult<JsTensor> {
        let dtype = DType::parse(dtype).map_err(js_error)?;
        wrap(Tensor::full(&sizes("full", "shape", shape)?, value, dtype, &current_device()))
    }

    pub fn arange(start: f64, end: f64, step: f64, dtype: &str) -> JsResult<JsTensor> {
        let dtype = DType::parse(dtype).map_err(js_error)?;
        wrap(Tensor::arange(start, end, step, dtype, &current_device()))
    }

    pub fn linspace(start: f64, end: f64, steps: f64) -> JsResult<JsTensor> {
        wrap(Tensor::linspace(start, end, size("linspace", "steps", steps)?, &current_device()))
    }

    pub fn eye(rows: f64, cols: f64, dtype: &str) -> JsResult<JsTensor> {
        let dtype = DType::parse(dtype).map_err(js_error)?;
        wrap(Tensor::eye(size("eye", "rows", rows)?, size("eye", "cols", cols)?, dtype, &current_device()))
    }

    /// Random values: `kind` is `"uniform"` (in [a, b)), `"normal"` (mean a, std b) or `"randint"`
    /// (int32 in [a, b)).
    pub fn random(kind: &str, shape: &[f64], a: f64, b: f64) -> JsResult<JsTensor> {
        let (shape, device) = (sizes("random", "shape", shape)?, current_device());
        let kind = Distribution::parse(kind).ok_or_else(|| invalid("random", format!("unknown distribution '{kind}'")))?;
        wrap(match kind {
            Distribution::Uniform => Tensor::uniform(&shape, a, b, &device),
            Distribution::Normal => Tensor::normal(&shape, a, b, &device),
            Distribution::Randint => Tensor::randint(&shape, int32("randint", "low", a)?, int32("randint", "high", b)?, &device),
        })
    }

    #[wasm_bindgen(getter)]
    pub fn shape(&self) -> Vec<f64> {
        self.0.shape().iter().map(|&d| d as f64).collect()
    }

    #[wasm_bindgen(getter)]
    pub fn dtype(&self) -> String {
        self.0.dtype().name().to_string()
    }

    /// The backend holding the tensor: `"cpu"` or `"webgpu"`.
    #[wasm_bindgen(getter)]
    pub fn device(&self) -> String {
        self.0.device().kind().to_string()
    }

    #[wasm_bindgen(getter, js_name = requiresGrad)]
    pub fn requires_grad(&self) -> bool {
        self.0.requires_grad()
    }

    #[wasm_bindgen(setter, js_name = requiresGrad)]
    pub fn set_requires_grad(&self, value: bool) -> JsResult<()> {
        if value && self.0.dtype() != DType::F32 {
            return Err(invalid("requiresGrad", format!("only float32 tensors get gradients, this one is {}", self.0.dtype())));
        }
        self.0.set_requires_grad(value);
        Ok(())
    }

    /// Applies the elementwise function `name` (`"exp"`, `"relu"`, …).
    pub fn unary(&self, name: &str) -> JsResult<JsTensor> {
        let op = UnaryOp::from_name(name).ok_or_else(|| invalid("unary", format!("unknown op '{name}'")))?;
        wrap(self.0.unary(op))
    }

    /// Applies the broadcasting binary op `name` (`"add"`, `"lt"`, `"logicalAnd"`, …).
    pub fn binary(&self, name: &str, other: &JsTensor) -> JsResult<JsTensor> {
        let op = BinaryOp::from_name(name).ok_or_else(|| invalid("binary", format!("unknown op '{name}'")))?;
        wrap(self.0.binary(op, &other.0))
    }

    /// `cond ? a : b`.
    #[wasm_bindgen(js_name = where)]
    pub fn where_cond(cond: &JsTensor, a: &JsTensor, b: &JsTensor) -> JsResult<JsTensor> {
        wrap(Tensor::where_cond(&cond.0, &a.0, &b.0))
    }

    #[wasm_bindgen(js_name = leakyRelu)]
    pub fn leaky_relu(&self, alpha: f64) -> JsResult<JsTensor> {
        wrap(self.0.leaky_relu(alpha))
    }

    pub fn elu(&self, alpha: f64) -> JsResult<JsTensor> {
        wrap(self.0.elu(alpha))
    }

    pub fn clamp(&self, min: Option<f64>, max: Option<f64>) -> JsResult<JsTensor> {
        wrap(self.0.clamp(min, max))
    }

    pub fn cast(&self, dtype: &str) -> JsResult<JsTensor> {
        wrap(DType::parse(dtype).and_then(|d| self.0.cast(d)))
    }

    /// The reduction `name` (`"sum"`, `"mean"`, `"max"`, `"min"`, `"prod"`, `"logsumexp"`) over
    /// `axes` (all when omitted).
    pub fn reduce(&self, name: &str, axes: Option<Vec<f64>>, keepdim: bool) -> JsResult<JsTensor> {
        let axes = axes_of("reduce", axes)?;
        let axes = axes.as_deref();
        let reduction = Reduction::parse(name).ok_or_else(|| invalid("reduce", format!("unknown reduction '{name}'")))?;
        wrap(match reduction {
            Reduction::Sum => self.0.sum_dims(axes, keepdim),
            Reduction::Mean => self.0.mean(axes, keepdim),
            Reduction::Max => self.0.max(axes, keepdim),
            Reduction::Min => self.0.min(axes, keepdim),
            Reduction::Prod => self.0.prod(axes, keepdim),
            Reduction::LogSumExp => self.0.logsumexp(axes, keepdim),
        })
    }

    /// `"var"` or `"std"` with a `correction` (1 = unbiased).
    pub fn moment(&self, name: &str, axes: Option<Vec<f64>>, correction: f64, keepdim: bool) -> JsResult<JsTensor> {
        let axes = axes_of("moment", axes)?;
        let axes = axes.as_deref();
        let moment = Moment::parse(name).ok_or_else(|| invalid("moment", format!("unknown statistic '{name}'")))?;
        wrap(match moment {
            Moment::Var => self.0.var(axes, correction, keepdim),
            Moment::Std => self.0.std(axes, correction, keepdim),
        })
    }

    /// `"argmax"` or `"argmin"` along `axis` (the flattened tensor when omitted).
    #[wasm_bindgen(js_name = argReduce)]
    pub fn arg_reduce(&self, name: &str, axis: Option<f64>, keepdim: bool) -> JsResult<JsTensor> {
        let axis = axis.map(|a| signed("argReduce", "axis", a)).transpose()?;
        let arg = ArgReduction::parse(name).ok_or_else(|| invalid("argReduce", format!("unknown reduction '{name}'")))?;
        wrap(match arg {
            ArgReduction::ArgMax => self.0.argmax(axis, keepdim),
            ArgReduction::ArgMin => self.0.argmin(axis, keepdim),
        })
    }

    pub fn softmax(&self, axis: f64) -> JsResult<JsTensor> {
        wrap(self.0.softmax(signed("softmax", "axis", axis)?))
    }

    #[wasm_bindgen(js_name = logSoftmax)]
    pub fn log_softmax(&self, axis: f64) -> JsResult<JsTensor> {
        wrap(self.0.log_softmax(signed("logSoftmax", "axis", axis)?))
    }

    pub fn matmul(&self, other: &JsTensor) -> JsResult<JsTensor> {
        wrap(self.0.matmul(&other.0))
    }

    /// `act(self @ weight + bias)` fused; `act` is `"linear"`, `"relu"`, `"sigmoid"` or `"tanh"`.
    pub fn linear(&self, weight: &JsTensor, bias: &JsTensor, act: &str) -> JsResult<JsTensor> {
        let act = match act {
            "linear" | "identity" => Activation::Identity,
            "relu" => Activation::Relu,
            "sigmoid" => Activation::Sigmoid,
            "tanh" => Activation::Tanh,
            other => return Err(invalid("linear", format!("unknown activation '{other}' (expected linear, relu, sigmoid or tanh)"))),
        };
        wrap(self.0.linear(&weight.0, &bias.0, act))
    }

    /// Reshape; one `-1` may stand for the size that fits.
    pub fn reshape(&self, shape: &[f64]) -> JsResult<JsTensor> {
        wrap(self.0.reshape_infer(&signeds("reshape", "shape", shape)?))
    }

    pub fn flatten(&self, start: f64, end: f64) -> JsResult<JsTensor> {
        wrap(self.0.flatten(signed("flatten", "startAxis", start)?, signed("flatten", "endAxis", end)?))
    }

    pub fn squeeze(&self, axis: Option<f64>) -> JsResult<JsTensor> {
        wrap(self.0.squeeze(axis.map(|a| signed("squeeze", "axis", a)).transpose()?))
    }

    pub fn unsqueeze(&self, axis: f64) -> JsResult<JsTensor> {
        wrap(self.0.unsqueeze(signed("unsqueeze", "axis", axis)?))
    }

    pub fn permute(&self, order: &[f64]) -> JsResult<JsTensor> {
        wrap(self.0.permute(&signeds("permute", "order", order)?))
    }

    pub fn transpose(&self, a: f64, b: f64) -> JsResult<JsTensor> {
        wrap(self.0.transpose(signed("transpose", "axis", a)?, signed("transpose", "axis", b)?))
    }

    /// Broadcast view; `-1` keeps a size (PyTorch's `expand`).
    pub fn expand(&self, shape: &[f64]) -> JsResult<JsTensor> {
        wrap(self.0.expand(&signeds("expand", "shape", shape)?))
    }

    pub fn slice(&self, axis: f64, start: Option<f64>, end: Option<f64>, step: f64) -> JsResult<JsTensor> {
        let op = "slice";
        let start = start.map(|s| signed(op, "start", s)).transpose()?;
        let end = end.map(|e| signed(op, "end", e)).transpose()?;
        wrap(self.0.slice(signed(op, "axis", axis)?, start, end, size(op, "step", step)?))
    }

    pub fn narrow(&self, axis: f64, start: f64, length: f64) -> JsResult<JsTensor> {
        let op = "narrow";
        wrap(self.0.narrow(signed(op, "axis", axis)?, size(op, "start", start)?, size(op, "length", length)?))
    }

    pub fn split(&self, split_sizes: &[f64], axis: f64) -> JsResult<TensorList> {
        wrap_list(self.0.split(&sizes("split", "sizes", split_sizes)?, signed("split", "axis", axis)?))
    }

    pub fn chunk(&self, chunks: f64, axis: f64) -> JsResult<TensorList> {
        wrap_list(self.0.chunk(size("chunk", "chunks", chunks)?, signed("chunk", "axis", axis)?))
    }

    /// Pads with `value`; `widths` holds `before, after` for each axis from the first.
    pub fn pad(&self, widths: &[f64], value: f64) -> JsResult<JsTensor> {
        if !widths.len().is_multiple_of(2) {
            return Err(invalid("pad", format!("widths must come in (before, after) pairs, got {widths:?}")));
        }
        let widths = sizes("pad", "widths", widths)?;
        let pairs: Vec<(usize, usize)> = widths.chunks_exact(2).map(|p| (p[0], p[1])).collect();
        wrap(self.0.pad(&pairs, value))
    }

    pub fn flip(&self, axes: &[f64]) -> JsResult<JsTensor> {
        wrap(self.0.flip(&signeds("flip", "axes", axes)?))
    }

    pub fn contiguous(&self) -> JsResult<JsTensor> {
        wrap(self.0.contiguous())
    }

    pub fn concat(list: &TensorList, axis: f64) -> JsResult<JsTensor> {
        wrap(Tensor::concat(&list.0, signed("concat", "axis", axis)?))
    }

    pub fn stack(list: &TensorList, axis: f64) -> JsResult<JsTensor> {
        wrap(Tensor::stack(&list.0, signed("stack", "axis", axis)?))
    }

    pub fn gather(&self, axis: f64, index: &JsTensor) -> JsResult<JsTensor> {
        wrap(self.0.gather(signed("gather", "axis", axis)?, &index.0))
    }

    #[wasm_bindgen(js_name = indexSelect)]
    pub fn index_select(&self, axis: f64, index: &JsTensor) -> JsResult<JsTensor> {
        wrap(self.0.index_select(signed("indexSelect", "axis", axis)?, &index.0))
    }

    #[wasm_bindgen(js_name = scatterAdd)]
    pub fn scatter_add(&self, axis: f64, index: &JsTensor, src: &JsTensor) -> JsResult<JsTensor> {
        wrap(self.0.scatter_add(signed("scatterAdd", "axis", axis)?, &index.0, &src.0))
    }

    #[wasm_bindgen(js_name = oneHot)]
    pub fn one_hot(&self, classes: f64) -> JsResult<JsTensor> {
        wrap(self.0.one_hot(size("oneHot", "numClasses", classes)?))
    }

    /// NCHW convolution without bias (the wrapper adds it).
    #[allow(clippy::too_many_arguments)]
    pub fn conv2d(
        &self,
        weight: &JsTensor,
        stride: &[f64],
        pad_mode: &str,
        pads: &[f64],
        dilation: &[f64],
        groups: f64,
    ) -> JsResult<JsTensor> {
        let o = Conv2dOptions {
            stride: pair("conv2d", "stride", stride)?,
            padding: padding("conv2d", pad_mode, pads)?,
            dilation: pair("conv2d", "dilation", dilation)?,
            groups: size("conv2d", "groups", groups)?,
        };
        wrap(self.0.conv2d(&weight.0, None, &o))
    }

    /// NCL convolution without bias; explicit padding is `left, right` or one number.
    pub fn conv1d(&self, weight: &JsTensor, stride: f64, pad_mode: &str, pads: &[f64], dilation: f64, groups: f64) -> JsResult<JsTensor> {
        let op = "conv1d";
        let padding = match (pad_mode, pads.len()) {
            ("explicit", 1 | 2) => Padding::explicit_1d(&sizes(op, "padding", pads)?)
                .ok_or_else(|| invalid(op, format!("padding must be 1 or 2 numbers, got {pads:?}")))?,
            _ => padding(op, pad_mode, pads)?,
        };
        let (stride, dilation, groups) = (size(op, "stride", stride)?, size(op, "dilation", dilation)?, size(op, "groups", groups)?);
        wrap(self.0.conv1d(&weight.0, None, stride, padding, dilation, groups))
    }

    #[wasm_bindgen(js_name = convTranspose2d)]
    pub fn conv_transpose2d(
        &self,
        weight: &JsTensor,
        stride: &[f64],
        padding: &[f64],
        output_padding: &[f64],
        dilation: &[f64],
        groups: f64,
    ) -> JsResult<JsTensor> {
        let op = "convTranspose2d";
        let o = ConvTranspose2dOptions {
            stride: pair(op, "stride", stride)?,
            padding: pair(op, "padding", padding)?,
            output_padding: pair(op, "outputPadding", output_padding)?,
            dilation: pair(op, "dilation", dilation)?,
            groups: size(op, "groups", groups)?,
        };
        wrap(self.0.conv_transpose2d(&weight.0, None, &o))
    }

    /// `"max"` or `"avg"` pooling over an NCHW input.
    #[allow(clippy::too_many_arguments)]
    pub fn pool2d(
        &self,
        kind: &str,
        kernel: &[f64],
        stride: &[f64],
        pad_mode: &str,
        pads: &[f64],
        dilation: &[f64],
        count_include_pad: bool,
    ) -> JsResult<JsTensor> {
        let op = "pool2d";
        let kernel = pair(op, "kernel", kernel)?;
        let o = Pool2dOptions {
            kernel,
            stride: if stride.is_empty() { None } else { Some(pair(op, "stride", stride)?) },
            padding: padding(op, pad_mode, pads)?,
            dilation: pair(op, "dilation", dilation)?,
            count_include_pad,
        };
        let pool = Pool::parse(kind).ok_or_else(|| invalid("pool2d", format!("unknown pooling '{kind}'")))?;
        wrap(match pool {
            Pool::Max => self.0.max_pool2d(&o),
            Pool::Avg => self.0.avg_pool2d(&o),
        })
    }

    #[wasm_bindgen(js_name = globalAvgPool2d)]
    pub fn global_avg_pool2d(&self) -> JsResult<JsTensor> {
        wrap(self.0.global_avg_pool2d())
    }

    /// One fused Adam/AdamW step of this parameter: resolves to `[param, m, v]`, new tensors.
    #[wasm_bindgen(js_name = adamUpdate)]
    #[allow(clippy::too_many_arguments)]
    pub fn adam_update(
        &self,
        grad: &JsTensor,
        m: &JsTensor,
        v: &JsTensor,
        lr: f32,
        beta1: f32,
        beta2: f32,
        eps: f32,
        weight_decay: f32,
        decoupled: bool,
        epsilon_hat: bool,
        step: f64,
    ) -> JsResult<TensorList> {
        let step = u32::try_from(size("adamUpdate", "step", step)?)
            .map_err(|_| invalid("adamUpdate", format!("step must be below 2^32, got {step}")))?;
        let s = AdamStep { lr, beta1, beta2, eps, weight_decay, decoupled, epsilon_hat, step };
        wrap_list(self.0.adam_update(&grad.0, &m.0, &v.0, &s).map(|(p, m, v)| vec![p, m, v]))
    }

    /// Backward from this tensor, seeded by `seed` when given (required for non-scalars).
    pub fn backward(&self, seed: Option<JsTensor>, retain_graph: bool) -> JsResult<()> {
        self.0.backward_opts(seed.as_ref().map(|s| &s.0), retain_graph).map_err(js_error)
    }

    /// The accumulated gradient, or `undefined`.
    #[wasm_bindgen(getter)]
    pub fn grad(&self) -> Option<JsTensor> {
        self.0.grad().map(JsTensor)
    }

    /// The id of the current gradient tensor, or -1: changes whenever `grad` would return another tensor.
    #[wasm_bindgen(getter, js_name = gradId)]
    pub fn grad_id(&self) -> f64 {
        self.0.grad().map_or(-1.0, |g| g.id().value() as f64)
    }

    #[wasm_bindgen(js_name = zeroGrad)]
    pub fn zero_grad(&self) {
        self.0.zero_grad();
    }

    pub fn detach(&self) -> JsTensor {
        JsTensor(self.0.detach())
    }

    /// Resolves to the elements as a `Float32Array`, `Int32Array` or (bool) `Uint8Array`.
    pub fn data(&self) -> js_sys::Promise {
        let tensor = self.0.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            let values = tensor.to_host().await.map_err(|e| JsValue::from(js_error(e)))?;
            Ok(typed_array(values))
        })
    }

    /// The elements now (as `data` resolves them) where they are in host memory (the CPU backend),
    /// else `undefined`: for printing without a readback.
    #[wasm_bindgen(js_name = hostData)]
    pub fn host_data(&self) -> JsValue {
        self.0.host_now().map_or(JsValue::UNDEFINED, typed_array)
    }
}

/// Host values as the matching JS typed array (`Uint8Array` for bool).
fn typed_array(values: HostData) -> JsValue {
    match values {
        HostData::F32(v) => js_sys::Float32Array::from(v.as_slice()).into(),
        HostData::I32(v) => js_sys::Int32Array::from(v.as_slice()).into(),
        HostData::Bool(v) => js_sys::Uint8Array::from(v.iter().map(|&b| b as u8).collect::<Vec<_>>().as_slice()).into(),
    }
}
