//! The [`Backend`] kernels of the WebGPU backend: each fills its kernel family's parameter struct
//! (params.rs, mirrored by a WGSL struct in the family's `.wgsl` file) and queues one or a few
//! dispatches.

use super::params::{
    dims_of, u32_of, u32x4_of, ConvParams, ElementwiseParams, GemmParams, IndexParams, MatmulParams, ReduceParams, SoftmaxParams,
    UpdateParams, WindowGeometry, WindowParams,
};
use super::plan::Images;
use super::shaders::{GemmBody, GemmOp, Kernel};
use super::{Bound, GpuContext, GpuStorage};
use crate::backend::{dtype_error, expect, Activation, Backend, BinaryOp, ConvGroups, ReduceOp, UnaryOp, UpdateHyper, UpdateOp, Window};
use crate::dtype::{DType, HostData};
use crate::error::{Error, Result};
use crate::layout::{numel, Layout};
use bytemuck::Zeroable;

/// Rows shorter than this are reduced one invocation per output (`shaders/reduce_rows.wgsl`).
const SHORT_ROW: usize = 256;
/// Long rows with few outputs are split so that about this many workgroups share them, in chunks of
/// at least `LONG_ROW_CHUNK` elements; a second pass combines the partial results.
const LONG_ROW_WORKGROUPS: usize = 1024;
const LONG_ROW_CHUNK: usize = 4096;
/// Workgroups the split-K weight gradient aims for, and the shortest contraction slice it makes.
const WGRAD_WORKGROUPS: usize = 512;
const WGRAD_MIN_CHUNK: usize = 2048;
/// Products whose result has at most this many rows (batch-1 inference; convolutions with few
/// channels) run as one invocation per output (`shaders/skinny.wgsl`): even the smallest tile (16
/// rows) would compute mostly padding.
const SKINNY_ROWS: usize = 8;
/// A convolution's image reads (im2col on the fly) cost more than a multiply-add: tiles share each
/// read among 128 rows, skinny kernels repeat it per row. So the forward and input-gradient kernels go
/// skinny only over short contractions (measured on SwiftShader: 8 channels x 9 taps 2.4x faster
/// skinny, 8 x 144 1.3x slower).
const SKINNY_CONV_TAPS: usize = 64;

/// Fails unless every operand is float32.
fn require_f32(op: &'static str, operands: &[(&GpuStorage, &Layout)]) -> Result<()> {
    match operands.iter().find(|(s, _)| s.dtype != DType::F32) {
        Some((s, l)) => Err(dtype_error(op, s.dtype, l, expect::F32)),
        None => Ok(()),
    }
}

/// The parameters every elementwise family reads (all layouts share the first one's shape), over
/// the fewest axes the views allow: their offsets, the shape, then each one's strides.
fn elementwise_params(op: &str, layouts: &[&Layout]) -> Result<ElementwiseParams> {
    let numel = layouts[0].numel();
    let coalesced = Layout::coalesced(layouts);
    let first = &coalesced[0];
    let offsets: Vec<usize> = coalesced.iter().map(Layout::offset).collect();
    let mut dims = first.shape().to_vec();
    for l in &coalesced {
        dims.extend(l.strides());
    }
    let params = ElementwiseParams {
        numel: u32_of(op, numel)?,
        rank: u32_of(op, first.rank())?,
        unused0: 0,
        unused1: 0,
        offsets: u32x4_of(op, &offsets)?,
        dims: dims_of(op, &dims)?,
    };
    Ok(params)
}

/// The convolution parameters shared by its three kernels: the window, the group sizes and the image
/// operand `image` (`x`, or `dy` viewed as an image), the rest zero.
fn conv_params(op: &str, w: &Window, groups: &ConvGroups, image: &Layout) -> Result<ConvParams> {
    let u = |v| u32_of(op, v);
    Ok(ConvParams {
        win: WindowGeometry::of(op, w)?,
        groups: u(groups.groups)?,
        group_channels: u(groups.channels)?,
        image_offset: u(image.offset())?,
        image_strides: u32x4_of(op, image.strides())?,
        ..Zeroable::zeroed()
    })
}

/// The images of an NCHW view (axis 0).
fn images_of(l: &Layout) -> Images {
    Images { offset: l.offset(), stride: l.strides()[0], span: l.sliced(0, 0, 1, 1).span() }
}

/// Images of `size` contiguous elements each, the first at `offset`.
fn contiguous_images(offset: usize, size: usize) -> Images {
    Images { offset, stride: size, span: size }
}

/// The GEMM body for a result of `rows` rows: skinny up to `skinny_rows`, else the best-fitting tile.
fn gemm_body(rows: usize, skinny_rows: usize) -> GemmBody {
    if rows <= skinny_rows {
        GemmBody::Skinny
    } else {
        GemmBody::tiled_for(rows)
    }
}

impl GpuContext {
    /// A new buffer holding `layout`'s elements of `x`, computed by `kernel` (unary family).
    fn map_kernel(&self, kernel: Kernel, x: &GpuStorage, layout: &Layout, out: DType) -> Result<GpuStorage> {
        let name = kernel.name();
        let y = self.new_buffer(&name, layout.numel(), out)?;
        self.elementwise_pass(kernel, layout.numel(), &[(x, layout)], &[&y], |ls| elementwise_params(&name, &[&ls[0]]))?;
        Ok(y)
    }

    /// The reduction kernels' parameters (the view with the reduced axes moved last, one chunk per
    /// row), the number of outputs and the elements each reduces.
    fn reduce_params(&self, op: &str, layout: &Layout, axes: &[usize]) -> Result<(ReduceParams, usize, usize)> {
        let (permuted, outputs, reduced) = layout.reduction(axes);
        let u = |v| u32_of(op, v);
        let params = ReduceParams {
            outputs: u(outputs)?,
            reduced: u(reduced)?,
            rank: u(layout.rank())?,
            offset: u(layout.offset())?,
            chunks: 1,
            chunk: u(reduced)?,
            unused0: 0,
            unused1: 0,
            dims: dims_of(op, &[permuted.shape(), permuted.strides()].concat())?,
        };
        Ok((params, outputs, reduced))
    }

    /// Batched matmul, optionally with a fused bias + activation epilogue (`[batch, m, k]` operands).
    fn matmul_with(
        &self,
        a: &GpuStorage,
        al: &Layout,
        b: &GpuStorage,
        bl: &Layout,
        epilogue: Option<(&GpuStorage, &Layout, Activation)>,
    ) -> Result<GpuStorage> {
        require_f32("matmul", &[(a, al), (b, bl)])?;
        let (batch, m, k, n) = (al.shape()[0], al.shape()[1], al.shape()[2], bl.shape()[2]);
        let kernel = Kernel::Gemm { op: GemmOp::Matmul(epilogue.map(|(_, _, act)| act)), body: gemm_body(m, SKINNY_ROWS) };
        let name = kernel.name();
        let out = self.new_buffer(&name, batch * m * n, DType::F32)?;
        let (sa, sb) = (al.strides(), bl.strides());
        let u = |v| u32_of(&name, v);
        let (bias_offset, bias_stride) = match epilogue {
            Some((_, bl, _)) => (u(bl.offset())?, u(bl.strides().first().copied().unwrap_or(0))?),
            None => (0, 0),
        };
        let params = |m, a_offset, a_batch, b_offset, b_batch, c_offset| -> Result<MatmulParams> {
            Ok(MatmulParams {
                m: u(m)?,
                n: u(n)?,
                k: u(k)?,
                layer: 0,
                a_offset: u(a_offset)?,
                a_row: u(sa[1])?,
                a_col: u(sa[2])?,
                a_batch: u(a_batch)?,
                b_offset: u(b_offset)?,
                b_row: u(sb[1])?,
                b_col: u(sb[2])?,
                b_batch: u(b_batch)?,
                c_offset: u(c_offset)?,
                bias_offset,
                bias_stride,
            })
        };
        let bias = epilogue.map(|(bias, _, _)| Bound::whole(bias.buffer()));
        let limit = self.limits.max_storage_buffer_binding_size;
        if [a, b, &out].iter().all(|s| s.buffer().size() <= limit) {
            let params = params(m, al.offset(), sa[0], bl.offset(), sb[0], 0)?;
            let bound: Vec<Bound> = [a, b, &out].iter().map(|s| Bound::whole(s.buffer())).chain(bias).collect();
            self.dispatch_gemm(kernel, params, &bound, m, n, batch)?;
            return Ok(out);
        }
        // Above the binding limit: one product per batch entry and block of rows, each binding the
        // windows of A, B and C it reads and writes.
        let Some(rows) = self.plan().matmul_rows(al, bl) else {
            let msg = format!(
                "[{m}, {k}] @ [{k}, {n}] with strides {sa:?} and {sb:?} cannot be cut into pieces under this adapter's {limit}-byte storage binding; make the operands contiguous first"
            );
            return Err(Error::Gpu { op: name, msg });
        };
        let cl = Layout::contiguous(&[batch, m, n]);
        for p in 0..batch {
            let (b_bound, b_view) = self.bind_view(b, &bl.sliced(0, p, 1, 1));
            for r0 in (0..m).step_by(rows) {
                let r = rows.min(m - r0);
                let (a_bound, a_view) = self.bind_view(a, &al.sliced(0, p, 1, 1).sliced(1, r0, r, 1));
                let (c_bound, c_view) = self.bind_view(&out, &cl.sliced(0, p, 1, 1).sliced(1, r0, r, 1));
                let params = params(r, a_view.offset(), 0, b_view.offset(), 0, c_view.offset())?;
                let bound: Vec<Bound> = [a_bound, b_bound, c_bound].into_iter().chain(bias).collect();
                self.dispatch_gemm(kernel, params, &bound, r, n, 1)?;
            }
        }
        Ok(out)
    }

    /// [`Backend::reduce`] of `layout` (offsets counted from the start of `x`, which may be a window
    /// of a larger buffer).
    pub(super) fn reduce_window(&self, op: ReduceOp, x: Bound, dtype: DType, layout: &Layout, axes: &[usize]) -> Result<GpuStorage> {
        let kernel = Kernel::Reduce(op, dtype);
        let name = kernel.name();
        let (mut params, outputs, reduced) = self.reduce_params(&name, layout, axes)?;
        let arg = matches!(op, ReduceOp::ArgMax | ReduceOp::ArgMin);
        let out_dtype = if arg { DType::I32 } else { dtype };
        if reduced < SHORT_ROW {
            let out = self.new_buffer(&name, outputs, out_dtype)?;
            let bound = [x, Bound::whole(out.buffer())];
            self.dispatch_bound(Kernel::ReduceRows(op, dtype), &params, &bound, self.grid_for(&name, outputs)?)?;
            return Ok(out);
        }
        // Long rows and few outputs: split each row over many workgroups, then combine the partials
        // (arg reductions keep one workgroup per row: their partials would need positions).
        let chunks =
            if arg { 1 } else { (LONG_ROW_WORKGROUPS / outputs.max(1)).clamp(1, reduced.div_ceil(LONG_ROW_CHUNK)).min(SHORT_ROW - 1) };
        (params.outputs, params.chunks, params.chunk) =
            (u32_of(&name, outputs * chunks)?, u32_of(&name, chunks)?, u32_of(&name, reduced.div_ceil(chunks))?);
        let first = self.new_buffer(&name, outputs * chunks, out_dtype)?;
        self.dispatch_bound(kernel, &params, &[x, Bound::whole(first.buffer())], self.grid(params.outputs))?;
        if chunks == 1 {
            return Ok(first);
        }
        self.reduce(op, &first, &Layout::contiguous(&[outputs, chunks]), &[1])
    }

    /// The weight gradient over the images of `win` (`x` and `dy` bound as windows; `x`'s layout and
    /// `dy`'s offset counted from their windows' starts), with split-K over its contraction.
    fn weight_grad_piece(&self, x: (Bound, Layout), dy: (Bound, usize), win: &Window, groups: usize, out_c: usize) -> Result<GpuStorage> {
        let positions = win.positions();
        let sizes = win.conv_groups(out_c, groups);
        let ConvGroups { out_channels: group_out, taps, .. } = sizes;
        let body = gemm_body(group_out, SKINNY_ROWS);
        let kernel = Kernel::Gemm { op: GemmOp::Conv2dWeightGrad, body };
        let name = kernel.name();
        // Split-K: enough slices of the contraction to fill the GPU when the output is small (counted
        // in 256-invocation workgroups).
        let contraction = win.batch * positions;
        let (gx, gy, _) = body.grid(u32_of(&name, group_out)?, u32_of(&name, taps)?, 1);
        let tiles = (gx as usize * gy as usize * groups * body.threads() as usize).div_ceil(256);
        let slices = (WGRAD_WORKGROUPS / tiles.max(1)).clamp(1, contraction.div_ceil(WGRAD_MIN_CHUNK)).min(255);
        let chunk = contraction.div_ceil(slices).div_ceil(16) * 16;
        let slices = contraction.div_ceil(chunk.max(1)).max(1);
        let partial = self.new_buffer(&name, slices * out_c * taps, DType::F32)?;
        let u = |v| u32_of(&name, v);
        let params = ConvParams {
            m: u(group_out)?,
            n: u(taps)?,
            k: u(contraction)?,
            dy_offset: u(dy.1)?,
            positions: u(positions)?,
            dy_image_stride: u(out_c * positions)?,
            chunk: u(chunk)?,
            ..conv_params(&name, win, &sizes, &x.1)?
        };
        let bound = [dy.0, x.0, self.whole_bindings(kernel, &[&partial])?[0]];
        self.dispatch_gemm(kernel, params, &bound, group_out, taps, groups * slices)?;
        if slices == 1 {
            return Ok(partial);
        }
        self.reduce(ReduceOp::Sum, &partial, &Layout::contiguous(&[slices, out_c * taps]), &[0])
    }

    /// Queues a GEMM-family kernel over `layers` results of `m` x `n`: one dispatch, or several when
    /// the layers exceed one grid dimension's limit (each chunk's first layer travels in the
    /// parameters' `layer`, see `layer_of` in shaders/gemm.wgsl).
    fn dispatch_gemm<P: GemmParams>(
        &self,
        kernel: Kernel,
        mut params: P,
        bound: &[Bound],
        m: usize,
        n: usize,
        layers: usize,
    ) -> Result<()> {
        let name = kernel.name();
        let Kernel::Gemm { body, .. } = kernel else {
            return Err(Error::Gpu { op: name, msg: "not a GEMM-family kernel".into() });
        };
        let (gx, gy, _) = body.grid(u32_of(&name, m)?, u32_of(&name, n)?, 1);
        let max = self.limits.max_compute_workgroups_per_dimension;
        if gx > max || gy > max {
            return Err(Error::Gpu { op: name, msg: format!("a result of {m} x {n} needs more than {max} workgroups per dimension") });
        }
        let layers = u32_of(&name, layers)?;
        for first in (0..layers).step_by(max.max(1) as usize) {
            params.set_layer(first);
            self.dispatch_bound(kernel, &params, bound, (gx, gy, max.min(layers - first)))?;
        }
        Ok(())
    }

    /// Queues a sliding-window kernel (im2col, col2im, pooling) with one invocation per element of
    /// `per_image` per image, over pieces of whole images (one piece unless an operand is above the
    /// binding limit). Each piece binds its images of every operand (bindings 1..); the kernel's
    /// parameters are `place(params, at)`: `params` holding the piece's size and the window, `at`
    /// where each operand's first image starts within its window.
    fn window_pass(
        &self,
        kernel: Kernel,
        w: &Window,
        per_image: usize,
        operands: &[(&GpuStorage, Images)],
        place: impl Fn(WindowParams, &[u32]) -> WindowParams,
    ) -> Result<()> {
        let name = kernel.name();
        let (channels, win) = (u32_of(&name, w.channels)?, WindowGeometry::of(&name, w)?);
        let images: Vec<Images> = operands.iter().map(|(_, images)| *images).collect();
        for (n0, count) in self.plan().image_pieces(&name, w.batch, &images)? {
            let (bound, at): (Vec<Bound>, Vec<usize>) =
                operands.iter().map(|(storage, images)| self.bind_images(storage, *images, n0, count)).unzip();
            let params = WindowParams { numel: u32_of(&name, count * per_image)?, channels, win, ..Zeroable::zeroed() };
            let at = at.iter().map(|&a| u32_of(&name, a)).collect::<Result<Vec<u32>>>()?;
            let params = place(params, &at);
            self.dispatch_bound(kernel, &params, &bound, self.grid_for(&name, count * per_image)?)?;
        }
        Ok(())
    }
}

impl GpuContext {
    /// The fault record an index kernel of `op` writes, and its slot's binding (cleared in command
    /// order when the record is new).
    fn fault_slot(&self, op: &'static str) -> Result<(std::rc::Rc<super::faults::FaultRecord>, Bound<'_>)> {
        let (record, fresh) = self.faults.claim(op)?;
        let (at, len) = self.faults.window(&record);
        if fresh {
            self.with_encoder(|encoder| encoder.clear_buffer(self.faults.buffer(), at, Some(len)));
        }
        Ok((record, Bound { buffer: self.faults.buffer(), window: Some((at, len)) }))
    }
}

impl Backend for GpuContext {
    type Storage = GpuStorage;

    fn upload(&self, data: &HostData) -> Result<GpuStorage> {
        self.sink.check("upload")?;
        let class = self.buffer_class("upload", super::element_bytes("upload", data.len())?)?;
        // float32 and int32 values are written as they are; bools are widened to words first (in
        // host memory reserved fallibly: wasm's is 4 GiB). `queue.write_buffer` copies the bytes out
        // (in the browser, outside wasm memory), so an upload holds no second copy of its values.
        let widened: Vec<u32>;
        let bytes: &[u8] = match data {
            HostData::F32(v) => bytemuck::cast_slice(v),
            HostData::I32(v) => bytemuck::cast_slice(v),
            HostData::Bool(v) => {
                let mut words = crate::backend::cpu::alloc::with_capacity("upload", &[v.len()], v.len())?;
                words.extend(v.iter().map(|&x| x as u32));
                widened = words;
                bytemuck::cast_slice(&widened)
            }
        };
        // A pooled buffer freed before the last submit (see pool.rs), else a new one sized to its
        // class so that it can serve later outputs once freed. Either way the write lands before the
        // next submit's commands, and none queued reads the buffer.
        let (buffer, failure) = match self.pool.take_for_upload(class) {
            Some(buffer) => (buffer, super::pool::AllocFailure::default()),
            None => self.allocate("upload", data.len(), class)?,
        };
        if !bytes.is_empty() {
            self.queue.write_buffer(&buffer, 0, bytes);
        }
        Ok(GpuStorage::new(buffer, data.len(), data.dtype(), &self.pool).with_failure(failure))
    }

    fn unary(&self, op: UnaryOp, x: &GpuStorage, layout: &Layout) -> Result<GpuStorage> {
        let kernel = Kernel::Unary(op, x.dtype);
        if !kernel.exists() {
            return Err(dtype_error(op.name().unwrap_or("unary"), x.dtype, layout, expect::unary(op)));
        }
        self.map_kernel(kernel, x, layout, x.dtype)
    }

    fn cast(&self, x: &GpuStorage, layout: &Layout, dtype: DType) -> Result<GpuStorage> {
        self.map_kernel(Kernel::Cast(x.dtype, dtype), x, layout, dtype)
    }

    fn binary(&self, op: BinaryOp, a: &GpuStorage, al: &Layout, b: &GpuStorage, bl: &Layout) -> Result<GpuStorage> {
        if a.dtype != b.dtype {
            return Err(dtype_error("binary", b.dtype, bl, expect::OPERANDS));
        }
        let kernel = Kernel::Binary(op, a.dtype);
        if !kernel.exists() {
            let arithmetic = a.dtype == DType::Bool && !op.takes_bool();
            return Err(dtype_error("binary", a.dtype, al, if arithmetic { expect::ARITHMETIC } else { expect::OP_DTYPE }));
        }
        let name = kernel.name();
        let out_dtype = op.output_dtype(a.dtype);
        let out = self.new_buffer(&name, al.numel(), out_dtype)?;
        self.elementwise_pass(kernel, al.numel(), &[(a, al), (b, bl)], &[&out], |ls| elementwise_params(&name, &[&ls[0], &ls[1]]))?;
        Ok(out)
    }

    fn select(&self, c: &GpuStorage, cl: &Layout, a: &GpuStorage, al: &Layout, b: &GpuStorage, bl: &Layout) -> Result<GpuStorage> {
        if c.dtype != DType::Bool {
            return Err(dtype_error("where", c.dtype, cl, expect::CONDITION));
        }
        if a.dtype != b.dtype {
            return Err(dtype_error("where", a.dtype, al, expect::BRANCHES));
        }
        let kernel = Kernel::Select(a.dtype);
        let name = kernel.name();
        let out = self.new_buffer(&name, al.numel(), a.dtype)?;
        self.elementwise_pass(kernel, al.numel(), &[(c, cl), (a, al), (b, bl)], &[&out], |ls| {
            elementwise_params(&name, &[&ls[0], &ls[1], &ls[2]])
        })?;
        Ok(out)
    }

    fn reduce(&self, op: ReduceOp, x: &GpuStorage, layout: &Layout, axes: &[usize]) -> Result<GpuStorage> {
        let kernel = Kernel::Reduce(op, x.dtype);
        if !kernel.exists() {
            return Err(dtype_error("reduce", x.dtype, layout, expect::NUMBER));
        }
        if x.buffer().size() > self.limits.max_storage_buffer_binding_size {
            return self.reduce_in_slabs(op, x, layout, axes);
        }
        self.reduce_window(op, Bound::whole(x.buffer()), x.dtype, layout, axes)
    }

    fn update(
        &self,
        op: UpdateOp,
        hyper: &UpdateHyper,
        p: (&GpuStorage, &Layout),
        g: (&GpuStorage, &Layout),
        s1: (&GpuStorage, &Layout),
        s2: (&GpuStorage, &Layout),
    ) -> Result<Vec<GpuStorage>> {
        let kernel = Kernel::Update(op);
        let name = kernel.name();
        let n = p.1.numel();
        let outs = (0..op.outputs()).map(|_| self.new_buffer(&name, n, DType::F32)).collect::<Result<Vec<_>>>()?;
        let out_refs: Vec<&GpuStorage> = outs.iter().collect();
        // The operands are contiguous (the op layer makes them so): only their offsets travel.
        let [lr, beta1, beta2, eps, weight_decay, correction1, correction2, flags] = hyper.words();
        self.elementwise_pass(kernel, n, &[p, g, s1, s2], &out_refs, |ls| {
            let u = |v| u32_of(&name, v);
            let params = UpdateParams {
                numel: u(ls[0].numel())?,
                param_offset: u(ls[0].offset())?,
                grad_offset: u(ls[1].offset())?,
                state1_offset: u(ls[2].offset())?,
                state2_offset: u(ls[3].offset())?,
                lr,
                beta1,
                beta2,
                eps,
                weight_decay,
                correction1,
                correction2,
                flags,
            };
            Ok(params)
        })?;
        Ok(outs)
    }

    fn softmax(&self, x: &GpuStorage, layout: &Layout, axis: usize, log: bool) -> Result<GpuStorage> {
        if x.dtype != DType::F32 {
            return Err(dtype_error("softmax", x.dtype, layout, expect::F32));
        }
        let length = layout.shape()[axis];
        let kernel = Kernel::Softmax { log, short: length < SHORT_ROW };
        let name = kernel.name();
        let out = self.new_buffer(&name, layout.numel(), DType::F32)?;
        let order = Layout::axes_last(layout.rank(), &[axis]);
        // Slabs of whole rows, each binding its windows of x and y (one slab unless a tensor is
        // above the binding limit).
        for (xs, ys) in self.plan().slabs(&name, &[layout, &Layout::contiguous(layout.shape())], &[axis])? {
            let ((x_bound, input), (y_bound, output)) = (self.bind_view(x, &xs), self.bind_view(&out, &ys));
            let (input, output) = (input.permuted(&order), output.permuted(&order));
            let rows = xs.numel().checked_div(length).unwrap_or(0);
            let u = |v| u32_of(&name, v);
            let params = SoftmaxParams {
                rows: u(rows)?,
                length: u(length)?,
                rank: u(xs.rank())?,
                x_offset: u(input.offset())?,
                y_offset: u(output.offset())?,
                unused0: 0,
                unused1: 0,
                unused2: 0,
                dims: dims_of(&name, &[input.shape(), input.strides(), output.strides()].concat())?,
            };
            let grid = if length < SHORT_ROW { self.grid_for(&name, rows)? } else { self.grid(u32_of(&name, rows)?) };
            let bound = [x_bound, y_bound];
            self.dispatch_bound(kernel, &params, &bound, grid)?;
        }
        Ok(out)
    }

    fn matmul(&self, a: &GpuStorage, al: &Layout, b: &GpuStorage, bl: &Layout) -> Result<GpuStorage> {
        self.matmul_with(a, al, b, bl, None)
    }

    fn linear(
        &self,
        a: &GpuStorage,
        al: &Layout,
        b: &GpuStorage,
        bl: &Layout,
        c: &GpuStorage,
        cl: &Layout,
        act: Activation,
    ) -> Result<GpuStorage> {
        if c.dtype != DType::F32 {
            return Err(dtype_error("linear", c.dtype, cl, expect::F32));
        }
        self.matmul_with(a, &al.with_leading_axis(1), b, &bl.with_leading_axis(1), Some((c, cl, act)))
    }

    fn concat(&self, parts: &[(&GpuStorage, &Layout)], axis: usize) -> Result<GpuStorage> {
        let Some((first, first_layout)) = parts.first() else {
            return Err(Error::Invalid { op: "concat", msg: "needs at least one tensor".into() });
        };
        let mut shape = first_layout.shape().to_vec();
        shape[axis] = parts.iter().map(|(_, l)| l.shape()[axis]).sum();
        let kernel = Kernel::CopyInto(first.dtype);
        let name = kernel.name();
        let out = self.new_buffer(&name, shape.iter().product(), first.dtype)?;
        let out_layout = Layout::contiguous(&shape);
        let mut start = 0;
        for (part, layout) in parts {
            if part.dtype != first.dtype {
                return Err(dtype_error("concat", part.dtype, layout, expect::PARTS));
            }
            // The part's region of the output, copied in slabs that each bind their windows of the
            // part and the output (one slab unless one of them is above the binding limit).
            let region = out_layout.sliced(axis, start, layout.shape()[axis], 1);
            for (from, to) in self.plan().slabs(&name, &[layout, &region], &[])? {
                let ((src, from), (dst, to)) = (self.bind_view(part, &from), self.bind_view(&out, &to));
                let params = ElementwiseParams {
                    numel: u32_of(&name, from.numel())?,
                    rank: u32_of(&name, from.rank())?,
                    unused0: 0,
                    unused1: 0,
                    offsets: u32x4_of(&name, &[from.offset(), to.offset()])?,
                    dims: dims_of(&name, &[from.shape(), from.strides(), to.strides()].concat())?,
                };
                self.dispatch_bound(kernel, &params, &[src, dst], self.grid_for(&name, from.numel())?)?;
            }
            start += layout.shape()[axis];
        }
        Ok(out)
    }

    fn gather(&self, op: &'static str, x: &GpuStorage, xl: &Layout, axis: usize, index: &GpuStorage, il: &Layout) -> Result<GpuStorage> {
        if index.dtype != DType::I32 {
            return Err(dtype_error(op, index.dtype, il, expect::INDICES));
        }
        let kernel = Kernel::Gather(x.dtype);
        let name = kernel.name();
        let mut out = self.new_buffer(&name, il.numel(), x.dtype)?;
        let fault = self.fault_slot(op)?;
        let out_layout = Layout::contiguous(il.shape());
        // Slabs of the output and index (one unless the output is above the binding limit), cut
        // along the output's outermost axis so that each is a contiguous run of it, each binding its
        // windows of them; slabs cut along an axis other than the gathered one start that far into x.
        let out_slabs = self.plan().slabs(&name, &[&out_layout, il], &[])?;
        let cut = out_slabs.first().and_then(|(slab, _)| (0..il.rank()).find(|&d| slab.shape()[d] != il.shape()[d]));
        // Slabs of the gathered axis, each binding its window of x (one slab unless x is above the
        // binding limit); each dispatch writes the outputs whose positions fall in its slab.
        let all_but_axis: Vec<usize> = (0..xl.rank()).filter(|&d| d != axis).collect();
        let x_slabs = self.plan().slabs(&name, &[xl, xl], &all_but_axis)?;
        for (out_slab, index_slab) in &out_slabs {
            let ((index_bound, indices), (out_bound, written)) = (self.bind_view(index, index_slab), self.bind_view(&out, out_slab));
            let shift = match cut {
                Some(d) if d != axis => out_slab.offset().checked_div(out_layout.strides()[d]).unwrap_or(0) * xl.strides()[d],
                _ => 0,
            };
            for (slab, _) in &x_slabs {
                let (x_bound, view) = self.bind_view(x, slab);
                let lo = (slab.offset() - xl.offset()).checked_div(xl.strides()[axis]).unwrap_or(0);
                let u = |v| u32_of(&name, v);
                let params = IndexParams {
                    count: u(indices.numel())?,
                    rank: u(indices.rank())?,
                    axis: u(axis)?,
                    axis_size: u(xl.shape()[axis])?,
                    index_offset: u(indices.offset())?,
                    source_offset: u(view.offset() + shift)?,
                    out_offset: u(written.offset())?,
                    lo: u(lo)?,
                    hi: u(lo + slab.shape()[axis])?,
                    unused0: 0,
                    unused1: 0,
                    unused2: 0,
                    dims: dims_of(&name, &[indices.shape(), xl.strides(), indices.strides()].concat())?,
                };
                let bound = [x_bound, index_bound, out_bound, fault.1];
                self.dispatch_bound(kernel, &params, &bound, self.grid_for(&name, indices.numel())?)?;
            }
        }
        out.faults.push(fault.0);
        Ok(out)
    }

    fn scatter_add(
        &self,
        op: &'static str,
        base: &GpuStorage,
        bl: &Layout,
        axis: usize,
        index: &GpuStorage,
        il: &Layout,
        src: &GpuStorage,
        sl: &Layout,
    ) -> Result<GpuStorage> {
        if index.dtype != DType::I32 {
            return Err(dtype_error(op, index.dtype, il, expect::INDICES));
        }
        let kernel = Kernel::ScatterAdd(base.dtype);
        if base.dtype != src.dtype || !kernel.exists() {
            return Err(dtype_error(op, base.dtype, bl, expect::SCATTER));
        }
        let name = kernel.name();
        let mut out = self.unary(UnaryOp::Copy, base, bl)?;
        let along = il.shape()[axis];
        if along == 0 {
            return Ok(out);
        }
        let lines = il.numel() / along;
        let ((index_bound, il), (src_bound, sl)) = (self.bind_operand(kernel, index, il)?, self.bind_operand(kernel, src, sl)?);
        // Slabs of the scatter axis, each binding its window of the output (one slab unless the
        // output is above the binding limit); each dispatch adds the positions that fall in its slab.
        let out_layout = Layout::contiguous(bl.shape());
        let all_but_axis: Vec<usize> = (0..bl.rank()).filter(|&d| d != axis).collect();
        let fault = self.fault_slot(op)?;
        for (slab, _) in self.plan().slabs(&name, &[&out_layout, &out_layout], &all_but_axis)? {
            let (out_bound, view) = self.bind_view(&out, &slab);
            let lo = slab.offset().checked_div(out_layout.strides()[axis]).unwrap_or(0);
            let u = |v| u32_of(&name, v);
            let params = IndexParams {
                count: u(lines)?,
                rank: u(il.rank())?,
                axis: u(axis)?,
                axis_size: u(bl.shape()[axis])?,
                index_offset: u(il.offset())?,
                source_offset: u(sl.offset())?,
                out_offset: u(view.offset())?,
                lo: u(lo)?,
                hi: u(lo + slab.shape()[axis])?,
                unused0: 0,
                unused1: 0,
                unused2: 0,
                dims: dims_of(&name, &[il.shape(), il.strides(), sl.strides(), out_layout.strides()].concat())?,
            };
            let bound = [index_bound, src_bound, out_bound, fault.1];
            self.dispatch_bound(kernel, &params, &bound, self.grid_for(&name, lines)?)?;
        }
        out.faults.push(fault.0);
        Ok(out)
    }

    fn conv2d(&self, x: &GpuStorage, xl: &Layout, w: &GpuStorage, wl: &Layout, win: &Window, groups: usize) -> Result<GpuStorage> {
        require_f32("conv2d", &[(x, xl), (w, wl)])?;
        let out_c = wl.shape()[0];
        let (sizes, positions) = (win.conv_groups(out_c, groups), win.positions());
        let ConvGroups { out_channels: group_out, taps, .. } = sizes;
        let skinny_rows = if taps <= SKINNY_CONV_TAPS { SKINNY_ROWS } else { 0 };
        let kernel = Kernel::Gemm { op: GemmOp::Conv2d, body: gemm_body(group_out, skinny_rows) };
        let name = kernel.name();
        let out = self.new_buffer(&name, numel(&win.output_shape(out_c)), DType::F32)?;
        let u = |v| u32_of(&name, v);
        let mut params = ConvParams {
            m: u(group_out)?,
            n: u(positions)?,
            k: u(taps)?,
            weights_offset: u(wl.offset())?,
            weights_row: u(taps)?,
            ..conv_params(&name, win, &sizes, xl)?
        };
        // Pieces of whole images, each binding the windows of x and the output it reads and writes
        // (one piece unless the tensors are above the binding limit), with the output's and the
        // image's offsets within their windows.
        let (images, out_images) = (images_of(xl), contiguous_images(0, out_c * positions));
        let weights = self.whole_bindings(kernel, &[w])?;
        for (n0, count) in self.plan().image_pieces(&name, win.batch, &[images, out_images])? {
            let (x_bound, x_at) = self.bind_images(x, images, n0, count);
            let (c_bound, c_at) = self.bind_images(&out, out_images, n0, count);
            (params.out_offset, params.image_offset) = (u(c_at)?, u(x_at)?);
            self.dispatch_gemm(kernel, params, &[weights[0], x_bound, c_bound], group_out, positions, count * groups)?;
        }
        Ok(out)
    }

    #[allow(clippy::too_many_arguments)]
    fn conv2d_weight_grad(
        &self,
        x: &GpuStorage,
        xl: &Layout,
        dy: &GpuStorage,
        dyl: &Layout,
        win: &Window,
        groups: usize,
        out_c: usize,
    ) -> Result<GpuStorage> {
        require_f32("conv2d", &[(x, xl), (dy, dyl)])?;
        // Pieces of whole images (one unless the tensors are above the binding limit), each a partial
        // gradient over its images' windows of x and dy; the partials are summed.
        let dy_images = contiguous_images(dyl.offset(), out_c * win.positions());
        let mut total: Option<GpuStorage> = None;
        for (n0, count) in self.plan().image_pieces("conv2d_weight_grad", win.batch, &[images_of(xl), dy_images])? {
            let (x_bound, x_at) = self.bind_images(x, images_of(xl), n0, count);
            let piece = Window { batch: count, ..*win };
            let x_piece = (x_bound, xl.sliced(0, n0, count, 1).with_offset(x_at));
            let grad = self.weight_grad_piece(x_piece, self.bind_images(dy, dy_images, n0, count), &piece, groups, out_c)?;
            let shape = Layout::contiguous(&[grad.len]);
            total = Some(match total {
                None => grad,
                Some(sum) => self.binary(BinaryOp::Add, &sum, &shape, &grad, &shape)?,
            });
        }
        match total {
            Some(total) => Ok(total),
            // No images: a zero gradient.
            None => {
                let shape = [out_c, win.conv_groups(out_c, groups).taps];
                self.upload(&HostData::try_filled("conv2d", DType::F32, 0.0, &shape)?)
            }
        }
    }

    fn conv2d_input_grad(
        &self,
        w: &GpuStorage,
        wl: &Layout,
        dy: &GpuStorage,
        dyl: &Layout,
        win: &Window,
        groups: usize,
    ) -> Result<GpuStorage> {
        require_f32("conv2d", &[(w, wl), (dy, dyl)])?;
        let out_c = wl.shape()[0];
        let sizes = win.conv_groups(out_c, groups);
        let ConvGroups { channels: group_c, out_channels: group_out, .. } = sizes;
        let (pixels, k) = (win.pixels(), group_out * win.taps());
        let skinny_rows = if k <= SKINNY_CONV_TAPS { SKINNY_ROWS } else { 0 };
        let kernel = Kernel::Gemm { op: GemmOp::Conv2dInputGrad, body: gemm_body(group_c, skinny_rows) };
        let name = kernel.name();
        let out = self.new_buffer(&name, numel(&win.image_shape()), DType::F32)?;
        // The geometry, with dy's offset and strides where the image's go.
        let dy_as_image = Layout::contiguous(&[win.batch, out_c, win.positions(), 1]).offset_by(dyl.offset());
        let u = |v| u32_of(&name, v);
        let mut params = ConvParams {
            m: u(group_c)?,
            n: u(pixels)?,
            k: u(k)?,
            weights_offset: u(wl.offset())?,
            out_channels: u(out_c)?,
            ..conv_params(&name, win, &sizes, &dy_as_image)?
        };
        // Pieces of whole images, as in the forward pass, with dx's and dy's offsets within their
        // windows.
        let dy_images = contiguous_images(dyl.offset(), out_c * win.positions());
        let dx_images = contiguous_images(0, win.channels * pixels);
        let weights = self.whole_bindings(kernel, &[w])?;
        for (n0, count) in self.plan().image_pieces(&name, win.batch, &[dy_images, dx_images])? {
            let (dy_bound, dy_at) = self.bind_images(dy, dy_images, n0, count);
            let (c_bound, c_at) = self.bind_images(&out, dx_images, n0, count);
            (params.out_offset, params.image_offset) = (u(c_at)?, u(dy_at)?);
            self.dispatch_gemm(kernel, params, &[weights[0], dy_bound, c_bound], group_c, pixels, count * groups)?;
        }
        Ok(out)
    }

    fn im2col(&self, x: &GpuStorage, xl: &Layout, w: &Window, pad_value: f32) -> Result<GpuStorage> {
        if x.dtype != DType::F32 {
            return Err(dtype_error("im2col", x.dtype, xl, expect::F32));
        }
        let kernel = Kernel::Im2Col;
        let per_image = w.cols_shape()[1] * w.cols_shape()[2];
        let out = self.new_buffer(&kernel.name(), w.batch * per_image, DType::F32)?;
        let src_strides = u32x4_of(&kernel.name(), xl.strides())?;
        self.window_pass(kernel, w, per_image, &[(x, images_of(xl)), (&out, contiguous_images(0, per_image))], |p, at| WindowParams {
            src_offset: at[0],
            src_strides,
            pad_value,
            out_offset: at[1],
            ..p
        })?;
        Ok(out)
    }

    fn col2im(&self, cols: &GpuStorage, cl: &Layout, w: &Window) -> Result<GpuStorage> {
        if cols.dtype != DType::F32 {
            return Err(dtype_error("col2im", cols.dtype, cl, expect::F32));
        }
        let kernel = Kernel::Col2Im;
        let per_image = w.channels * w.pixels();
        let out = self.new_buffer(&kernel.name(), w.batch * per_image, DType::F32)?;
        let src_strides = u32x4_of(&kernel.name(), cl.strides())?;
        self.window_pass(kernel, w, per_image, &[(cols, images_of(cl)), (&out, contiguous_images(0, per_image))], |p, at| WindowParams {
            src_offset: at[0],
            src_strides,
            out_offset: at[1],
            ..p
        })?;
        Ok(out)
    }

    fn max_pool2d(&self, x: &GpuStorage, xl: &Layout, w: &Window) -> Result<(GpuStorage, GpuStorage)> {
        require_f32("maxPool2d", &[(x, xl)])?;
        let kernel = Kernel::MaxPool;
        let per_image = w.channels * w.positions();
        let values = self.new_buffer(&kernel.name(), w.batch * per_image, DType::F32)?;
        let taps = self.new_buffer(&kernel.name(), w.batch * per_image, DType::I32)?;
        let (src_strides, out_images) = (u32x4_of(&kernel.name(), xl.strides())?, contiguous_images(0, per_image));
        self.window_pass(kernel, w, per_image, &[(x, images_of(xl)), (&values, out_images), (&taps, out_images)], |p, at| WindowParams {
            src_offset: at[0],
            src_strides,
            out_offset: at[1],
            taps_offset: at[2],
            ..p
        })?;
        Ok((values, taps))
    }

    fn max_pool2d_grad(&self, dy: &GpuStorage, dyl: &Layout, taps: &GpuStorage, tl: &Layout, w: &Window) -> Result<GpuStorage> {
        require_f32("maxPool2d", &[(dy, dyl)])?;
        if taps.dtype != DType::I32 {
            return Err(dtype_error("maxPool2d", taps.dtype, tl, expect::TAPS));
        }
        if !dyl.is_contiguous() || !tl.is_contiguous() {
            return Err(Error::Invalid { op: "maxPool2d", msg: "the gradient kernel takes contiguous dy and taps".into() });
        }
        let kernel = Kernel::MaxPoolGrad;
        let (per_output, per_image) = (w.channels * w.positions(), w.channels * w.pixels());
        let dx = self.new_buffer(&kernel.name(), w.batch * per_image, DType::F32)?;
        let operands = [
            (dy, contiguous_images(dyl.offset(), per_output)),
            (taps, contiguous_images(tl.offset(), per_output)),
            (&dx, contiguous_images(0, per_image)),
        ];
        self.window_pass(kernel, w, per_image, &operands, |p, at| WindowParams {
            src_offset: at[0],
            taps_offset: at[1],
            out_offset: at[2],
            ..p
        })?;
        Ok(dx)
    }
}
