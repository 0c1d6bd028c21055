//! `Tensor` and `TensorList` as seen from JS.

use wasm_bindgen::prelude::*;

use super::{current_device, js_error};
use crate::backend::{BinaryOp, UnaryOp};
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

fn usizes(v: &[u32]) -> Vec<usize> {
    v.iter().map(|&d| d as usize).collect()
}

fn isizes(v: &[i32]) -> Vec<isize> {
    v.iter().map(|&d| d as isize).collect()
}

fn pair(op: &'static str, name: &str, v: &[u32]) -> JsResult<[usize; 2]> {
    match *v {
        [a] => Ok([a as usize, a as usize]),
        [a, b] => Ok([a as usize, b as usize]),
        _ => Err(invalid(op, format!("{name} must have 1 or 2 values, got {v:?}"))),
    }
}

/// `"valid"`, `"same"`, or explicit padding from 1 (all sides), 2 (rows, columns) or 4 (top, left,
/// bottom, right) numbers.
fn padding(op: &'static str, mode: &str, pads: &[u32]) -> JsResult<Padding> {
    match (mode, pads) {
        ("valid", _) => Ok(Padding::Valid),
        ("same", _) => Ok(Padding::Same),
        ("explicit", [p]) => Ok(Padding::Explicit([*p as usize; 4])),
        ("explicit", [h, w]) => Ok(Padding::Explicit([*h as usize, *w as usize, *h as usize, *w as usize])),
        ("explicit", [t, l, b, r]) => Ok(Padding::Explicit([*t as usize, *l as usize, *b as usize, *r as usize])),
        _ => Err(invalid(op, format!("padding must be 'valid', 'same' or 1, 2 or 4 numbers, got {mode} {pads:?}"))),
    }
}

#[wasm_bindgen(js_class = Tensor)]
impl JsTensor {
    /// A float32 tensor of `shape` holding `data` (row-major) on the current backend.
    #[wasm_bindgen(js_name = fromData)]
    pub fn from_data(data: &[f32], shape: &[u32]) -> JsResult<JsTensor> {
        wrap(Tensor::new(HostData::F32(data.to_vec()), &usizes(shape), &current_device()))
    }

    /// An int32 tensor.
    #[wasm_bindgen(js_name = fromInt32)]
    pub fn from_int32(data: &[i32], shape: &[u32]) -> JsResult<JsTensor> {
        wrap(Tensor::new(HostData::I32(data.to_vec()), &usizes(shape), &current_device()))
    }

    /// A bool tensor from bytes (nonzero is true).
    #[wasm_bindgen(js_name = fromBool)]
    pub fn from_bool(data: &[u8], shape: &[u32]) -> JsResult<JsTensor> {
        wrap(Tensor::new(HostData::Bool(data.iter().map(|&b| b != 0).collect()), &usizes(shape), &current_device()))
    }

    /// `shape` filled with `value`, of `dtype` (`"float32"`, `"int32"` or `"bool"`).
    pub fn full(shape: &[u32], value: f64, dtype: &str) -> JsResult<JsTensor> {
        let dtype = DType::parse(dtype).map_err(js_error)?;
        wrap(Tensor::full(&usizes(shape), value, dtype, &current_device()))
    }

    pub fn arange(start: f64, end: f64, step: f64, dtype: &str) -> JsResult<JsTensor> {
        let dtype = DType::parse(dtype).map_err(js_error)?;
        wrap(Tensor::arange(start, end, step, dtype, &current_device()))
    }

    pub fn linspace(start: f64, end: f64, steps: u32) -> JsResult<JsTensor> {
        wrap(Tensor::linspace(start, end, steps as usize, &current_device()))
    }

    pub fn eye(rows: u32, cols: u32, dtype: &str) -> JsResult<JsTensor> {
        let dtype = DType::parse(dtype).map_err(js_error)?;
        wrap(Tensor::eye(rows as usize, cols as usize, dtype, &current_device()))
    }

    /// Random values: `kind` is `"uniform"` (in [a, b)), `"normal"` (mean a, std b) or `"randint"`
    /// (int32 in [a, b)).
    pub fn random(kind: &str, shape: &[u32], a: f64, b: f64) -> JsResult<JsTensor> {
        let (shape, device) = (usizes(shape), current_device());
        wrap(match kind {
            "uniform" => Tensor::uniform(&shape, a, b, &device),
            "normal" => Tensor::normal(&shape, a, b, &device),
            "randint" => Tensor::randint(&shape, a as i32, b as i32, &device),
            other => return Err(invalid("random", format!("unknown distribution '{other}'"))),
        })
    }

    #[wasm_bindgen(getter)]
    pub fn shape(&self) -> Vec<u32> {
        self.0.shape().iter().map(|&d| d as u32).collect()
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
    pub fn reduce(&self, name: &str, axes: Option<Vec<i32>>, keepdim: bool) -> JsResult<JsTensor> {
        let axes = axes.map(|a| isizes(&a));
        let axes = axes.as_deref();
        wrap(match name {
            "sum" => self.0.sum_dims(axes, keepdim),
            "mean" => self.0.mean(axes, keepdim),
            "max" => self.0.max(axes, keepdim),
            "min" => self.0.min(axes, keepdim),
            "prod" => self.0.prod(axes, keepdim),
            "logsumexp" => self.0.logsumexp(axes, keepdim),
            other => return Err(invalid("reduce", format!("unknown reduction '{other}'"))),
        })
    }

    /// `"var"` or `"std"` with a `correction` (1 = unbiased).
    pub fn moment(&self, name: &str, axes: Option<Vec<i32>>, correction: f64, keepdim: bool) -> JsResult<JsTensor> {
        let axes = axes.map(|a| isizes(&a));
        let axes = axes.as_deref();
        wrap(match name {
            "var" => self.0.var(axes, correction, keepdim),
            "std" => self.0.std(axes, correction, keepdim),
            other => return Err(invalid("moment", format!("unknown statistic '{other}'"))),
        })
    }

    /// `"argmax"` or `"argmin"` along `axis` (the flattened tensor when omitted).
    #[wasm_bindgen(js_name = argReduce)]
    pub fn arg_reduce(&self, name: &str, axis: Option<i32>, keepdim: bool) -> JsResult<JsTensor> {
        let axis = axis.map(|a| a as isize);
        wrap(match name {
            "argmax" => self.0.argmax(axis, keepdim),
            "argmin" => self.0.argmin(axis, keepdim),
            other => return Err(invalid("argReduce", format!("unknown reduction '{other}'"))),
        })
    }

    pub fn softmax(&self, axis: i32) -> JsResult<JsTensor> {
        wrap(self.0.softmax(axis as isize))
    }

    #[wasm_bindgen(js_name = logSoftmax)]
    pub fn log_softmax(&self, axis: i32) -> JsResult<JsTensor> {
        wrap(self.0.log_softmax(axis as isize))
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
    pub fn reshape(&self, shape: &[i32]) -> JsResult<JsTensor> {
        wrap(self.0.reshape_infer(&isizes(shape)))
    }

    pub fn flatten(&self, start: i32, end: i32) -> JsResult<JsTensor> {
        wrap(self.0.flatten(start as isize, end as isize))
    }

    pub fn squeeze(&self, axis: Option<i32>) -> JsResult<JsTensor> {
        wrap(self.0.squeeze(axis.map(|a| a as isize)))
    }

    pub fn unsqueeze(&self, axis: i32) -> JsResult<JsTensor> {
        wrap(self.0.unsqueeze(axis as isize))
    }

    pub fn permute(&self, order: &[i32]) -> JsResult<JsTensor> {
        wrap(self.0.permute(&isizes(order)))
    }

    pub fn transpose(&self, a: i32, b: i32) -> JsResult<JsTensor> {
        wrap(self.0.transpose(a as isize, b as isize))
    }

    /// Broadcast view; `-1` keeps a size (PyTorch's `expand`).
    pub fn expand(&self, shape: &[i32]) -> JsResult<JsTensor> {
        wrap(self.0.expand(&isizes(shape)))
    }

    pub fn slice(&self, axis: i32, start: Option<i32>, end: Option<i32>, step: u32) -> JsResult<JsTensor> {
        wrap(self.0.slice(axis as isize, start.map(|s| s as isize), end.map(|e| e as isize), step as usize))
    }

    pub fn narrow(&self, axis: i32, start: u32, length: u32) -> JsResult<JsTensor> {
        wrap(self.0.narrow(axis as isize, start as usize, length as usize))
    }

    pub fn split(&self, sizes: &[u32], axis: i32) -> JsResult<TensorList> {
        wrap_list(self.0.split(&usizes(sizes), axis as isize))
    }

    pub fn chunk(&self, chunks: u32, axis: i32) -> JsResult<TensorList> {
        wrap_list(self.0.chunk(chunks as usize, axis as isize))
    }

    /// Pads with `value`; `widths` holds `before, after` for each axis from the first.
    pub fn pad(&self, widths: &[u32], value: f64) -> JsResult<JsTensor> {
        if widths.len() % 2 != 0 {
            return Err(invalid("pad", format!("widths must come in (before, after) pairs, got {widths:?}")));
        }
        let pairs: Vec<(usize, usize)> = widths.chunks_exact(2).map(|p| (p[0] as usize, p[1] as usize)).collect();
        wrap(self.0.pad(&pairs, value))
    }

    pub fn flip(&self, axes: &[i32]) -> JsResult<JsTensor> {
        wrap(self.0.flip(&isizes(axes)))
    }

    pub fn contiguous(&self) -> JsResult<JsTensor> {
        wrap(self.0.contiguous())
    }

    pub fn concat(list: &TensorList, axis: i32) -> JsResult<JsTensor> {
        wrap(Tensor::concat(&list.0, axis as isize))
    }

    pub fn stack(list: &TensorList, axis: i32) -> JsResult<JsTensor> {
        wrap(Tensor::stack(&list.0, axis as isize))
    }

    pub fn gather(&self, axis: i32, index: &JsTensor) -> JsResult<JsTensor> {
        wrap(self.0.gather(axis as isize, &index.0))
    }

    #[wasm_bindgen(js_name = indexSelect)]
    pub fn index_select(&self, axis: i32, index: &JsTensor) -> JsResult<JsTensor> {
        wrap(self.0.index_select(axis as isize, &index.0))
    }

    #[wasm_bindgen(js_name = scatterAdd)]
    pub fn scatter_add(&self, axis: i32, index: &JsTensor, src: &JsTensor) -> JsResult<JsTensor> {
        wrap(self.0.scatter_add(axis as isize, &index.0, &src.0))
    }

    #[wasm_bindgen(js_name = oneHot)]
    pub fn one_hot(&self, classes: u32) -> JsResult<JsTensor> {
        wrap(self.0.one_hot(classes as usize))
    }

    /// NCHW convolution without bias (the wrapper adds it).
    #[allow(clippy::too_many_arguments)]
    pub fn conv2d(&self, weight: &JsTensor, stride: &[u32], pad_mode: &str, pads: &[u32], dilation: &[u32], groups: u32) -> JsResult<JsTensor> {
        let o = Conv2dOptions {
            stride: pair("conv2d", "stride", stride)?,
            padding: padding("conv2d", pad_mode, pads)?,
            dilation: pair("conv2d", "dilation", dilation)?,
            groups: groups as usize,
        };
        wrap(self.0.conv2d(&weight.0, None, &o))
    }

    /// NCL convolution without bias; explicit padding is `left, right` or one number.
    pub fn conv1d(&self, weight: &JsTensor, stride: u32, pad_mode: &str, pads: &[u32], dilation: u32, groups: u32) -> JsResult<JsTensor> {
        let padding = match pads {
            [p] => padding("conv1d", pad_mode, &[0, *p, 0, *p])?,
            [l, r] => padding("conv1d", pad_mode, &[0, *l, 0, *r])?,
            _ => padding("conv1d", pad_mode, &[])?,
        };
        wrap(self.0.conv1d(&weight.0, None, stride as usize, padding, dilation as usize, groups as usize))
    }

    #[wasm_bindgen(js_name = convTranspose2d)]
    pub fn conv_transpose2d(
        &self,
        weight: &JsTensor,
        stride: &[u32],
        padding: &[u32],
        output_padding: &[u32],
        dilation: &[u32],
        groups: u32,
    ) -> JsResult<JsTensor> {
        let op = "convTranspose2d";
        let o = ConvTranspose2dOptions {
            stride: pair(op, "stride", stride)?,
            padding: pair(op, "padding", padding)?,
            output_padding: pair(op, "outputPadding", output_padding)?,
            dilation: pair(op, "dilation", dilation)?,
            groups: groups as usize,
        };
        wrap(self.0.conv_transpose2d(&weight.0, None, &o))
    }

    /// `"max"` or `"avg"` pooling over an NCHW input.
    #[allow(clippy::too_many_arguments)]
    pub fn pool2d(
        &self,
        kind: &str,
        kernel: &[u32],
        stride: &[u32],
        pad_mode: &str,
        pads: &[u32],
        dilation: &[u32],
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
        wrap(match kind {
            "max" => self.0.max_pool2d(&o),
            "avg" => self.0.avg_pool2d(&o),
            other => return Err(invalid("pool2d", format!("unknown pooling '{other}'"))),
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
        step: u32,
    ) -> JsResult<TensorList> {
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
