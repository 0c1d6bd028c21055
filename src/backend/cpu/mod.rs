//! The CPU backend: plain Rust kernels over strided layouts. It is the numerical reference every
//! GPU kernel is tested against; matmul (the hot path) is blocked for cache and SIMD.

pub mod alloc;
mod index;
pub mod math;
mod matmul;
mod strided;
mod window;

use std::rc::Rc;

use super::{
    dtype_error, expect, update_values, Activation, Backend, BinaryOp, ConvGroups, ReduceOp, UnaryOp, UpdateHyper, UpdateOp, Window,
};
use crate::dtype::{DType, HostData};
use crate::error::{Error, Result};
use crate::layout::{numel, Layout};
use strided::for_each_row;

/// A flat buffer of one dtype, shared by every view of it.
#[derive(Debug, Clone)]
pub enum CpuStorage {
    F32(Rc<Vec<f32>>),
    I32(Rc<Vec<i32>>),
    Bool(Rc<Vec<bool>>),
}

impl CpuStorage {
    pub fn dtype(&self) -> DType {
        match self {
            CpuStorage::F32(_) => DType::F32,
            CpuStorage::I32(_) => DType::I32,
            CpuStorage::Bool(_) => DType::Bool,
        }
    }

    fn f32(&self, op: &'static str, layout: &Layout) -> Result<&[f32]> {
        match self {
            CpuStorage::F32(v) => Ok(v),
            other => Err(dtype_error(op, other.dtype(), layout, expect::F32)),
        }
    }

    fn i32(&self, op: &'static str, layout: &Layout) -> Result<&[i32]> {
        match self {
            CpuStorage::I32(v) => Ok(v),
            other => Err(dtype_error(op, other.dtype(), layout, expect::I32)),
        }
    }
}

impl From<HostData> for CpuStorage {
    fn from(data: HostData) -> Self {
        match data {
            HostData::F32(v) => CpuStorage::F32(Rc::new(v)),
            HostData::I32(v) => CpuStorage::I32(Rc::new(v)),
            HostData::Bool(v) => CpuStorage::Bool(Rc::new(v)),
        }
    }
}

/// The CPU backend (stateless).
pub struct CpuBackend;

/// The elements of a view in row-major order, copied for `op`.
pub(crate) fn read(op: &'static str, storage: &CpuStorage, layout: &Layout) -> Result<HostData> {
    Ok(match storage {
        CpuStorage::F32(v) => HostData::F32(map(op, v, layout, |x| x)?),
        CpuStorage::I32(v) => HostData::I32(map(op, v, layout, |x| x)?),
        CpuStorage::Bool(v) => HostData::Bool(map(op, v, layout, |x| x)?),
    })
}

/// Host data as storage, moved (no copy).
pub(crate) fn from_host(data: HostData) -> CpuStorage {
    data.into()
}

/// `f` of every element of a view, in row-major order, into a buffer reserved for `op`.
fn map<T: Copy, U>(op: &'static str, data: &[T], l: &Layout, f: impl Fn(T) -> U) -> Result<Vec<U>> {
    Ok(strided::map(alloc::with_capacity(op, l.shape(), l.numel())?, data, l, f))
}

/// `f` of every pair of elements of two views of one shape (see [`map`]).
fn zip<T: Copy, U>(op: &'static str, a: &[T], al: &Layout, b: &[T], bl: &Layout, f: impl Fn(T, T) -> U) -> Result<Vec<U>> {
    Ok(strided::zip(alloc::with_capacity(op, al.shape(), al.numel())?, a, al, b, bl, f))
}

/// `f` of every triple of elements of three views of one shape (see [`map`]).
#[allow(clippy::too_many_arguments)]
fn zip3<A: Copy, T: Copy, U>(
    op: &'static str,
    c: &[A],
    cl: &Layout,
    a: &[T],
    al: &Layout,
    b: &[T],
    bl: &Layout,
    f: impl Fn(A, T, T) -> U,
) -> Result<Vec<U>> {
    Ok(strided::zip3(alloc::with_capacity(op, al.shape(), al.numel())?, c, cl, a, al, b, bl, f))
}

/// `len` copies of `value` as a buffer of `shape` for `op` (see [`alloc`]), with `len` its size.
fn filled<T: Clone>(op: &'static str, shape: &[usize], value: T) -> Result<Vec<T>> {
    alloc::filled(op, shape, numel(shape), value)
}

fn ok<T>(data: Vec<T>) -> Result<CpuStorage>
where
    HostData: From<Vec<T>>,
{
    Ok(HostData::from(data).into())
}

impl From<Vec<f32>> for HostData {
    fn from(v: Vec<f32>) -> Self {
        HostData::F32(v)
    }
}

impl From<Vec<i32>> for HostData {
    fn from(v: Vec<i32>) -> Self {
        HostData::I32(v)
    }
}

impl From<Vec<bool>> for HostData {
    fn from(v: Vec<bool>) -> Self {
        HostData::Bool(v)
    }
}

/// Reduces the rows of a view whose reduced axes come last, `reduced` elements per output, into a
/// buffer of shape `kept` for `op`.
#[allow(clippy::too_many_arguments)]
fn reduce_rows<T: Copy>(
    op: &'static str,
    kept: &[usize],
    data: &[T],
    permuted: &Layout,
    reduced: usize,
    outputs: usize,
    init: T,
    f: impl Fn(T, T) -> T,
) -> Result<Vec<T>> {
    let mut out = alloc::filled(op, kept, outputs, init)?;
    if reduced == 0 {
        return Ok(out);
    }
    let mut position = 0usize;
    for_each_row([permuted], |[o], n, [s]| {
        let slot = &mut out[position / reduced];
        *slot = (0..n).fold(*slot, |acc, j| f(acc, data[o + j * s]));
        position += n;
    });
    Ok(out)
}

/// The position of the first extreme element of each row (`better(a, b)`: a beats b), into a buffer
/// of shape `kept` for `op`.
#[allow(clippy::too_many_arguments)]
fn arg_rows<T: Copy>(
    op: &'static str,
    kept: &[usize],
    data: &[T],
    permuted: &Layout,
    reduced: usize,
    outputs: usize,
    better: impl Fn(T, T) -> bool,
) -> Result<Vec<i32>> {
    let mut out = alloc::filled(op, kept, outputs, 0i32)?;
    let mut best: Vec<Option<T>> = alloc::filled(op, kept, outputs, None)?;
    let mut position = 0usize;
    for_each_row([permuted], |[o], n, [s]| {
        for j in 0..n {
            let (slot, at) = (position / reduced, position % reduced);
            let v = data[o + j * s];
            if best[slot].is_none_or(|b| better(v, b)) {
                best[slot] = Some(v);
                out[slot] = at as i32;
            }
            position += 1;
        }
    });
    Ok(out)
}

impl Backend for CpuBackend {
    type Storage = CpuStorage;

    fn upload(&self, data: &HostData) -> Result<CpuStorage> {
        let shape = [data.len()];
        Ok(match data {
            HostData::F32(v) => HostData::F32(alloc::copy("upload", &shape, v)?),
            HostData::I32(v) => HostData::I32(alloc::copy("upload", &shape, v)?),
            HostData::Bool(v) => HostData::Bool(alloc::copy("upload", &shape, v)?),
        }
        .into())
    }

    fn unary(&self, op: UnaryOp, x: &CpuStorage, l: &Layout) -> Result<CpuStorage> {
        let name = op.name().unwrap_or(if op == UnaryOp::Copy { "copy" } else { "backward" });
        match (x, op) {
            (CpuStorage::F32(v), op) if op.takes_float() => ok(map(name, v, l, |a| op.eval_f32(a))?),
            (CpuStorage::I32(v), op) if op.takes_int() => ok(map(name, v, l, |a| op.eval_i32(a))?),
            (CpuStorage::Bool(v), op) if op.takes_bool() => ok(map(name, v, l, |a| op.eval_bool(a))?),
            (x, op) => Err(Error::DType { op: name, dtype: x.dtype(), shape: l.shape().to_vec(), expected: expect::unary(op) }),
        }
    }

    fn binary(&self, op: BinaryOp, a: &CpuStorage, al: &Layout, b: &CpuStorage, bl: &Layout) -> Result<CpuStorage> {
        use CpuStorage::*;
        let name = op.name();
        match (a, b) {
            (F32(a), F32(b)) if op.takes_float() && op.is_comparison() => ok(zip(name, a, al, b, bl, |x, y| op.test_f32(x, y))?),
            (F32(a), F32(b)) if op.takes_float() => ok(zip(name, a, al, b, bl, |x, y| op.eval_f32(x, y))?),
            (I32(a), I32(b)) if op.takes_int() && op.is_comparison() => ok(zip(name, a, al, b, bl, |x, y| op.test_i32(x, y))?),
            (I32(a), I32(b)) if op.takes_int() => ok(zip(name, a, al, b, bl, |x, y| op.eval_i32(x, y))?),
            (Bool(a), Bool(b)) if op.takes_bool() => ok(zip(name, a, al, b, bl, |x, y| op.eval_bool(x, y))?),
            (Bool(_), Bool(_)) => Err(dtype_error("binary", DType::Bool, al, expect::ARITHMETIC)),
            (a, b) if a.dtype() != b.dtype() => Err(dtype_error("binary", b.dtype(), bl, expect::OPERANDS)),
            (a, _) => Err(dtype_error("binary", a.dtype(), al, expect::OP_DTYPE)),
        }
    }

    fn select(&self, c: &CpuStorage, cl: &Layout, a: &CpuStorage, al: &Layout, b: &CpuStorage, bl: &Layout) -> Result<CpuStorage> {
        let CpuStorage::Bool(c) = c else { return Err(dtype_error("where", c.dtype(), cl, expect::CONDITION)) };
        match (a, b) {
            (CpuStorage::F32(a), CpuStorage::F32(b)) => ok(zip3("where", c, cl, a, al, b, bl, |k, x, y| if k { x } else { y })?),
            (CpuStorage::I32(a), CpuStorage::I32(b)) => ok(zip3("where", c, cl, a, al, b, bl, |k, x, y| if k { x } else { y })?),
            (CpuStorage::Bool(a), CpuStorage::Bool(b)) => ok(zip3("where", c, cl, a, al, b, bl, |k, x, y| if k { x } else { y })?),
            (a, _) => Err(dtype_error("where", a.dtype(), al, expect::BRANCHES)),
        }
    }

    fn cast(&self, x: &CpuStorage, l: &Layout, dtype: DType) -> Result<CpuStorage> {
        use CpuStorage::*;
        let op = "cast";
        match (x, dtype) {
            (F32(v), DType::F32) => ok(map(op, v, l, |a| a)?),
            (F32(v), DType::I32) => ok(map(op, v, l, |a| a as i32)?),
            // NaN is truthy (as in PyTorch, NumPy and TF.js): only ±0 is false.
            (F32(v), DType::Bool) => ok(map(op, v, l, |a| a != 0.0)?),
            (I32(v), DType::F32) => ok(map(op, v, l, |a| a as f32)?),
            (I32(v), DType::I32) => ok(map(op, v, l, |a| a)?),
            (I32(v), DType::Bool) => ok(map(op, v, l, |a| a != 0)?),
            (Bool(v), DType::F32) => ok(map(op, v, l, |a| a as u8 as f32)?),
            (Bool(v), DType::I32) => ok(map(op, v, l, |a| a as i32)?),
            (Bool(v), DType::Bool) => ok(map(op, v, l, |a| a)?),
        }
    }

    fn reduce(&self, op: ReduceOp, x: &CpuStorage, l: &Layout, axes: &[usize]) -> Result<CpuStorage> {
        // The reduced axes moved last: each output is then a run of `r` consecutive elements.
        let (permuted, n, r) = l.reduction(axes);
        let (p, name) = (&permuted, op.name());
        let kept: Vec<usize> = (0..l.rank()).filter(|d| !axes.contains(d)).map(|d| l.shape()[d]).collect();
        let k = &kept;
        match (x, op) {
            (CpuStorage::F32(v), ReduceOp::Sum) => ok(reduce_rows(name, k, v, p, r, n, 0.0, |a, b| a + b)?),
            (CpuStorage::F32(v), ReduceOp::Prod) => ok(reduce_rows(name, k, v, p, r, n, 1.0, |a, b| a * b)?),
            (CpuStorage::F32(v), ReduceOp::Max) => ok(reduce_rows(name, k, v, p, r, n, f32::NEG_INFINITY, math::maximum)?),
            (CpuStorage::F32(v), ReduceOp::Min) => ok(reduce_rows(name, k, v, p, r, n, f32::INFINITY, math::minimum)?),
            (CpuStorage::F32(v), ReduceOp::ArgMax) => ok(arg_rows(name, k, v, p, r, n, |a, b| a > b || (a.is_nan() && !b.is_nan()))?),
            (CpuStorage::F32(v), ReduceOp::ArgMin) => ok(arg_rows(name, k, v, p, r, n, |a, b| a < b || (a.is_nan() && !b.is_nan()))?),
            (CpuStorage::I32(v), ReduceOp::Sum) => ok(reduce_rows(name, k, v, p, r, n, 0, i32::wrapping_add)?),
            (CpuStorage::I32(v), ReduceOp::Prod) => ok(reduce_rows(name, k, v, p, r, n, 1, i32::wrapping_mul)?),
            (CpuStorage::I32(v), ReduceOp::Max) => ok(reduce_rows(name, k, v, p, r, n, i32::MIN, i32::max)?),
            (CpuStorage::I32(v), ReduceOp::Min) => ok(reduce_rows(name, k, v, p, r, n, i32::MAX, i32::min)?),
            (CpuStorage::I32(v), ReduceOp::ArgMax) => ok(arg_rows(name, k, v, p, r, n, |a, b| a > b)?),
            (CpuStorage::I32(v), ReduceOp::ArgMin) => ok(arg_rows(name, k, v, p, r, n, |a, b| a < b)?),
            (x, _) => Err(dtype_error("reduce", x.dtype(), l, expect::NUMBER)),
        }
    }

    fn update(
        &self,
        op: UpdateOp,
        hyper: &UpdateHyper,
        p: (&CpuStorage, &Layout),
        g: (&CpuStorage, &Layout),
        s1: (&CpuStorage, &Layout),
        s2: (&CpuStorage, &Layout),
    ) -> Result<Vec<CpuStorage>> {
        let n = p.1.numel();
        fn view<'a>((s, l): (&'a CpuStorage, &Layout), n: usize) -> Result<&'a [f32]> {
            Ok(&s.f32("update", l)?[l.offset()..l.offset() + n])
        }
        let (pv, gv, av, bv) = (view(p, n)?, view(g, n)?, view(s1, n)?, view(s2, n)?);
        let mut outs = Vec::with_capacity(op.outputs());
        for _ in 0..op.outputs() {
            outs.push(filled("update", p.1.shape(), 0.0f32)?);
        }
        for i in 0..n {
            let values = update_values(op, hyper, pv[i], gv[i], av[i], bv[i]);
            for (out, v) in outs.iter_mut().zip(values) {
                out[i] = v;
            }
        }
        outs.into_iter().map(ok).collect()
    }

    fn softmax(&self, x: &CpuStorage, l: &Layout, axis: usize, log: bool) -> Result<CpuStorage> {
        let data = x.f32("softmax", l)?;
        let order = Layout::axes_last(l.rank(), &[axis]);
        let (input, output) = (l.permuted(&order), Layout::contiguous(l.shape()).permuted(&order));
        let mut out = filled("softmax", l.shape(), 0.0f32)?;
        for_each_row([&input, &output], |[xo, yo], n, [xs, ys]| {
            let row = |j: usize| data[xo + j * xs];
            let top = (0..n).map(row).fold(f32::NEG_INFINITY, math::maximum);
            // An infinite maximum shifts by 0, so that shifting never makes NaN.
            let shift = if top.is_infinite() { 0.0 } else { top };
            let total: f32 = (0..n).map(|j| (row(j) - shift).exp()).sum();
            for j in 0..n {
                let v = row(j) - shift;
                out[yo + j * ys] = if log { v - total.ln() } else { v.exp() / total };
            }
        });
        ok(out)
    }

    fn matmul(&self, a: &CpuStorage, al: &Layout, b: &CpuStorage, bl: &Layout) -> Result<CpuStorage> {
        let (av, bv) = (a.f32("matmul", al)?, b.f32("matmul", bl)?);
        ok(matmul::batched("matmul", av, al, bv, bl)?)
    }

    fn linear(
        &self,
        a: &CpuStorage,
        al: &Layout,
        b: &CpuStorage,
        bl: &Layout,
        c: &CpuStorage,
        cl: &Layout,
        act: Activation,
    ) -> Result<CpuStorage> {
        let (av, bv) = (a.f32("linear", al)?, b.f32("linear", bl)?);
        let bias = map("linear", c.f32("linear", cl)?, cl, |v| v)?;
        let mut out = matmul::batched("linear", av, &al.with_leading_axis(1), bv, &bl.with_leading_axis(1))?;
        let n = bias.len().max(1);
        for row in out.chunks_exact_mut(n) {
            for (o, &b) in row.iter_mut().zip(&bias) {
                let v = *o + b;
                *o = match act {
                    Activation::Identity => v,
                    Activation::Relu => math::relu(v),
                    Activation::Sigmoid => math::sigmoid(v),
                    Activation::Tanh => v.tanh(),
                };
            }
        }
        ok(out)
    }

    fn concat(&self, parts: &[(&CpuStorage, &Layout)], axis: usize) -> Result<CpuStorage> {
        let host = parts.iter().map(|(s, l)| read("concat", s, l)).collect::<Result<Vec<HostData>>>()?;
        let shapes: Vec<&[usize]> = parts.iter().map(|(_, l)| l.shape()).collect();
        let mut out = shapes.first().map_or_else(Vec::new, |s| s.to_vec());
        if let Some(dim) = out.get_mut(axis) {
            *dim = shapes.iter().map(|s| s[axis]).sum();
        }
        Ok(index::concat(host, &shapes, axis, &out)?.into())
    }

    fn gather(&self, op: &'static str, x: &CpuStorage, xl: &Layout, axis: usize, i: &CpuStorage, il: &Layout) -> Result<CpuStorage> {
        let index = i.i32(op, il)?;
        let positions = index::positions(op, xl, axis, index, il)?;
        fn pick<T: Copy>(op: &'static str, shape: &[usize], v: &[T], positions: &[usize]) -> Result<Vec<T>> {
            let mut out = alloc::with_capacity(op, shape, positions.len())?;
            out.extend(positions.iter().map(|&o| v[o]));
            Ok(out)
        }
        let shape = il.shape();
        match x {
            CpuStorage::F32(v) => ok(pick(op, shape, v, &positions)?),
            CpuStorage::I32(v) => ok(pick(op, shape, v, &positions)?),
            CpuStorage::Bool(v) => ok(pick(op, shape, v, &positions)?),
        }
    }

    fn scatter_add(
        &self,
        op: &'static str,
        base: &CpuStorage,
        bl: &Layout,
        axis: usize,
        i: &CpuStorage,
        il: &Layout,
        src: &CpuStorage,
        sl: &Layout,
    ) -> Result<CpuStorage> {
        let index = i.i32(op, il)?;
        // Positions in a contiguous copy of `base`.
        let positions = index::positions(op, &Layout::contiguous(bl.shape()), axis, index, il)?;
        match (base, src) {
            (CpuStorage::F32(b), CpuStorage::F32(s)) => {
                let mut out = map(op, b, bl, |v| v)?;
                for (&p, v) in positions.iter().zip(map(op, s, sl, |v| v)?) {
                    out[p] += v;
                }
                ok(out)
            }
            (CpuStorage::I32(b), CpuStorage::I32(s)) => {
                let mut out = map(op, b, bl, |v| v)?;
                for (&p, v) in positions.iter().zip(map(op, s, sl, |v| v)?) {
                    out[p] = out[p].wrapping_add(v);
                }
                ok(out)
            }
            (b, _) => Err(dtype_error(op, b.dtype(), bl, expect::SCATTER)),
        }
    }

    fn conv2d(&self, x: &CpuStorage, xl: &Layout, w: &CpuStorage, wl: &Layout, win: &Window, groups: usize) -> Result<CpuStorage> {
        let op = "conv2d";
        let (input, weights) = (x.f32(op, xl)?, w.f32(op, wl)?);
        if crate::is_probing() {
            // A shape probe skips the patches and the product (see `shape_probe`).
            return ok(filled(op, &win.output_shape(wl.shape()[0]), 0.0f32)?);
        }
        let image = map(op, input, xl, |v| v)?;
        let cols = im2col(op, &image, win, 0.0)?;
        let (out_c, positions) = (wl.shape()[0], win.positions());
        let ConvGroups { out_channels: group_out, taps, .. } = win.conv_groups(out_c, groups);
        if groups == 1 {
            // One batched product: the weights broadcast over the images (batch stride 0).
            let a = Layout::contiguous(&[1, out_c, taps]).offset_by(wl.offset()).broadcast_to(op, &[win.batch, out_c, taps])?;
            let b = Layout::contiguous(&[win.batch, taps, positions]);
            return ok(matmul::batched(op, weights, &a, &cols, &b)?);
        }
        let shape = win.output_shape(out_c);
        let mut out = alloc::with_capacity(op, &shape, numel(&shape))?;
        for n in 0..win.batch {
            for g in 0..groups {
                let a = Layout::contiguous(&[1, group_out, taps]).offset_by(wl.offset() + g * group_out * taps);
                let b = Layout::contiguous(&[1, taps, positions]).offset_by((n * groups + g) * taps * positions);
                out.extend(matmul::batched(op, weights, &a, &cols, &b)?);
            }
        }
        ok(out)
    }

    #[allow(clippy::too_many_arguments)]
    fn conv2d_weight_grad(
        &self,
        x: &CpuStorage,
        xl: &Layout,
        dy: &CpuStorage,
        dyl: &Layout,
        win: &Window,
        groups: usize,
        out_c: usize,
    ) -> Result<CpuStorage> {
        let op = "conv2d";
        let image = map(op, x.f32(op, xl)?, xl, |v| v)?;
        let dy = dy.f32(op, dyl)?;
        let cols = im2col(op, &image, win, 0.0)?;
        let positions = win.positions();
        let ConvGroups { out_channels: group_out, taps, .. } = win.conv_groups(out_c, groups);
        let mut out = filled(op, &[out_c, taps], 0.0f32)?;
        for n in 0..win.batch {
            for g in 0..groups {
                // dW_g += dy_ng [Og, P] @ cols_ng^T [P, taps]
                let a = Layout::contiguous(&[1, group_out, positions]).offset_by(dyl.offset() + (n * out_c + g * group_out) * positions);
                let b = Layout::contiguous(&[1, taps, positions]).permuted(&[0, 2, 1]).offset_by((n * groups + g) * taps * positions);
                let part = matmul::batched(op, dy, &a, &cols, &b)?;
                for (o, v) in out[g * group_out * taps..][..group_out * taps].iter_mut().zip(part) {
                    *o += v;
                }
            }
        }
        ok(out)
    }

    fn conv2d_input_grad(
        &self,
        w: &CpuStorage,
        wl: &Layout,
        dy: &CpuStorage,
        dyl: &Layout,
        win: &Window,
        groups: usize,
    ) -> Result<CpuStorage> {
        let op = "conv2d";
        let (weights, dy) = (w.f32(op, wl)?, dy.f32(op, dyl)?);
        let (out_c, positions) = (wl.shape()[0], win.positions());
        let ConvGroups { out_channels: group_out, taps, .. } = win.conv_groups(out_c, groups);
        // cols gradient = W_g^T @ dy_ng for every image and group, then folded back by col2im.
        let shape = [win.batch, groups * taps, positions];
        let mut cols = alloc::with_capacity(op, &shape, numel(&shape))?;
        for n in 0..win.batch {
            for g in 0..groups {
                let a = Layout::contiguous(&[1, group_out, taps]).permuted(&[0, 2, 1]).offset_by(wl.offset() + g * group_out * taps);
                let b = Layout::contiguous(&[1, group_out, positions]).offset_by(dyl.offset() + (n * out_c + g * group_out) * positions);
                cols.extend(matmul::batched(op, weights, &a, dy, &b)?);
            }
        }
        ok(col2im(op, &cols, win)?)
    }

    fn im2col(&self, x: &CpuStorage, xl: &Layout, w: &Window, pad_value: f32) -> Result<CpuStorage> {
        let image = map("im2col", x.f32("im2col", xl)?, xl, |v| v)?;
        ok(im2col("im2col", &image, w, pad_value)?)
    }

    fn col2im(&self, cols: &CpuStorage, cl: &Layout, w: &Window) -> Result<CpuStorage> {
        let cols = map("col2im", cols.f32("col2im", cl)?, cl, |v| v)?;
        ok(col2im("col2im", &cols, w)?)
    }

    fn max_pool2d(&self, x: &CpuStorage, xl: &Layout, w: &Window) -> Result<(CpuStorage, CpuStorage)> {
        let op = "maxPool2d";
        let image = map(op, x.f32(op, xl)?, xl, |v| v)?;
        let shape = [w.batch, w.channels, w.out_h, w.out_w];
        let buffers = (filled(op, &shape, f32::NEG_INFINITY)?, filled(op, &shape, 0i32)?);
        let (values, taps) = window::max_pool(&image, w, buffers);
        Ok((ok(values)?, ok(taps)?))
    }

    fn max_pool2d_grad(&self, dy: &CpuStorage, dyl: &Layout, taps: &CpuStorage, tl: &Layout, w: &Window) -> Result<CpuStorage> {
        let op = "maxPool2d";
        let dy = map(op, dy.f32(op, dyl)?, dyl, |v| v)?;
        let taps = map(op, taps.i32(op, tl)?, tl, |v| v)?;
        ok(window::max_pool_grad(filled(op, &w.image_shape(), 0.0)?, &dy, &taps, w))
    }
}

/// Sliding windows of contiguous `image` unfolded into new columns for `op` (see [`window::im2col`]).
fn im2col(op: &'static str, image: &[f32], w: &Window, pad: f32) -> Result<Vec<f32>> {
    Ok(window::im2col(filled(op, &w.cols_shape(), pad)?, image, w))
}

/// Columns folded back into a new image for `op` (see [`window::col2im`]).
fn col2im(op: &'static str, cols: &[f32], w: &Window) -> Result<Vec<f32>> {
    Ok(window::col2im(filled(op, &w.image_shape(), 0.0)?, cols, w))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f32s(values: &[f32]) -> CpuStorage {
        HostData::F32(values.to_vec()).into()
    }

    #[test]
    fn an_output_too_large_to_reserve_is_an_out_of_memory_error_naming_the_op() {
        let (x, one) = (f32s(&[1.0]), Layout::contiguous(&[1]));
        // Past the element cap (which the ops check first): the kernels' own reservation fails.
        let huge = Layout::unchecked(&[2, usize::MAX / 16], &[0, 0]);
        let bytes = (usize::MAX / 16 * 2) as u128 * 4;
        let message = |op: &str| format!("{op}: out of memory allocating {bytes} bytes for shape [2, {}]", usize::MAX / 16);
        assert_eq!(CpuBackend.unary(UnaryOp::Exp, &x, &huge).unwrap_err().to_string(), message("exp"));
        assert_eq!(CpuBackend.binary(BinaryOp::Add, &x, &huge, &x, &huge).unwrap_err().to_string(), message("add"));
        assert_eq!(CpuBackend.cast(&x, &huge, DType::F32).unwrap_err().to_string(), message("cast"));
        let e = CpuBackend.reduce(ReduceOp::Sum, &x, &huge, &[0]).unwrap_err().to_string();
        assert!(e.starts_with("sum: out of memory"), "{e}");
        // Work after the failure is unaffected.
        let CpuStorage::F32(y) = CpuBackend.unary(UnaryOp::Exp, &x, &one).unwrap() else { unreachable!() };
        assert_eq!(*y, vec![std::f32::consts::E]);
    }

    #[test]
    fn nan_and_infinities_are_truthy_and_only_zeros_are_false() {
        let x = f32s(&[f32::NAN, 0.0, -0.0, f32::INFINITY, f32::NEG_INFINITY, -2.5, 1e-40]);
        let l = Layout::contiguous(&[7]);
        let b = CpuBackend.cast(&x, &l, DType::Bool).unwrap();
        let CpuStorage::Bool(v) = &b else { unreachable!() };
        assert_eq!(**v, vec![true, false, false, true, true, true, true]);
        let CpuStorage::Bool(and) = CpuBackend.binary(BinaryOp::And, &b, &l, &b, &l).unwrap() else { unreachable!() };
        assert_eq!(and, *v);
    }

    #[test]
    fn an_out_of_range_index_names_the_users_op() {
        let (x, l) = (f32s(&[1.0, 2.0, 3.0]), Layout::contiguous(&[3]));
        let (index, il) = (CpuStorage::from(HostData::I32(vec![0, 3])), Layout::contiguous(&[2]));
        let e = CpuBackend.gather("indexSelect", &x, &l, 0, &index, &il).unwrap_err().to_string();
        assert!(e.starts_with("indexSelect: index 3 is out of range for axis 0 of size 3"), "{e}");
        let e = CpuBackend.scatter_add("scatterAdd", &x, &l, 0, &index, &il, &x, &il).unwrap_err().to_string();
        assert!(e.starts_with("scatterAdd: index 3"), "{e}");
    }
}
