//! Named kernel parameters: one `#[repr(C)]` struct per kernel family, declared once with
//! [`kernel_params!`], which also renders the WGSL `struct` the family's shader reads it as (spliced
//! into the source by [`super::shaders::Kernel::source`], bound as `p` at binding 0). The Rust
//! declaration is the one source of the field order; `tests/shaders.rs` parses every shader with naga
//! and checks that the WGSL layout rules give each member the offset `offset_of!` gives the Rust field.
//!
//! Field types: `u32`, `f32`, [`U32x4`] (a `vec4<u32>`, 16-byte aligned in WGSL: place it at a
//! multiple of 16 bytes), and nested parameter structs (a WGSL struct in a uniform is 16-byte aligned
//! and its size a multiple of 16: give nested ones a multiple of four words, at a multiple of 16).

use crate::error::{Error, Result};

/// A `vec4<u32>` (shapes and strides of a rank-4 view).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct U32x4(pub [u32; 4]);

/// A field of a parameter struct as the WGSL mirror declares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub name: &'static str,
    /// The WGSL type (`u32`, `f32`, `vec4<u32>`, or a nested struct's name).
    pub wgsl: String,
    /// Byte offset in the Rust struct (`offset_of!`).
    pub offset: usize,
    pub size: usize,
}

/// A type a parameter struct's field may have.
pub trait WgslType {
    /// The type's name in WGSL.
    fn wgsl() -> String;
    /// The WGSL declarations it needs (nested structs), appended to `out` once each.
    fn declare(_out: &mut Vec<String>) {}
}

impl WgslType for u32 {
    fn wgsl() -> String {
        "u32".into()
    }
}

impl WgslType for f32 {
    fn wgsl() -> String {
        "f32".into()
    }
}

impl WgslType for U32x4 {
    fn wgsl() -> String {
        "vec4<u32>".into()
    }
}

impl<T: WgslType, const N: usize> WgslType for [T; N] {
    fn wgsl() -> String {
        format!("array<{}, {N}>", T::wgsl())
    }
}

/// Words of the variable-rank part of a parameter struct (`dims`: shapes and strides, read by
/// `dim(i)` and `strided_offset` in shaders/dims.wgsl), filling the struct to the bytes the arena
/// binds per dispatch.
pub type Dims<const N: usize> = [U32x4; N];

/// `words` (shapes and strides, each `rank` long) packed into `dims`, or the error naming `op` when
/// they do not fit (too many dimensions).
pub(crate) fn dims_of<const N: usize>(op: &str, words: &[usize]) -> Result<Dims<N>> {
    let mut dims = [U32x4::default(); N];
    if words.len() > 4 * N {
        let msg = format!("its parameters take {} words, more than the {} a kernel reads (too many dimensions?)", words.len(), 4 * N);
        return Err(Error::Gpu { op: op.to_string(), msg });
    }
    for (i, &w) in words.iter().enumerate() {
        dims[i / 4].0[i % 4] = u32_of(op, w)?;
    }
    Ok(dims)
}

/// One member of a parameter struct as [`kernel_params!`] records it: a table row, so that the
/// code listing and declaring fields is shared by every struct (not one copy per struct).
pub struct Member {
    pub name: &'static str,
    /// The member type's WGSL name ([`WgslType::wgsl`]).
    pub wgsl: fn() -> String,
    /// The member type's nested declarations ([`WgslType::declare`]).
    pub declare: fn(&mut Vec<String>),
    /// Byte offset in the Rust struct (`offset_of!`).
    pub offset: usize,
    pub size: usize,
}

/// A kernel family's parameters: the words one dispatch's binding 0 holds.
pub trait Params: bytemuck::Pod + WgslType {
    /// The struct's name in Rust and WGSL.
    const NAME: &'static str;
    /// Its members, in declaration order.
    const MEMBERS: &'static [Member];

    /// Its fields, in declaration order.
    fn fields() -> Vec<Field> {
        fields_of(Self::MEMBERS)
    }

    /// The words uploaded for a dispatch.
    fn words(&self) -> &[u32] {
        bytemuck::cast_slice(std::slice::from_ref(self))
    }

    /// The WGSL declarations of this struct and of the structs it nests.
    fn wgsl_structs() -> String {
        let mut out = Vec::new();
        Self::declare(&mut out);
        out.join("\n")
    }
}

fn fields_of(members: &[Member]) -> Vec<Field> {
    members.iter().map(|m| Field { name: m.name, wgsl: (m.wgsl)(), offset: m.offset, size: m.size }).collect()
}

/// Appends the WGSL `struct` text of `name` with `members` to `out` (its nested structs declared
/// before it, once).
pub(crate) fn declare_struct(name: &str, members: &[Member], out: &mut Vec<String>) {
    for m in members {
        (m.declare)(out);
    }
    let members: Vec<String> = members.iter().map(|m| format!("    {}: {},", m.name, (m.wgsl)())).collect();
    let text = format!("struct {name} {{\n{}\n}}", members.join("\n"));
    if !out.contains(&text) {
        out.push(text);
    }
}

/// Declares a parameter struct and its WGSL mirror (see the module docs).
macro_rules! kernel_params {
    ($(#[$meta:meta])* pub struct $name:ident { $($(#[$fmeta:meta])* $field:ident: $ty:ty,)* }) => {
        $(#[$meta])*
        #[repr(C)]
        #[derive(Debug, Clone, Copy, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
        pub struct $name {
            $($(#[$fmeta])* pub $field: $ty,)*
        }

        impl $crate::backend::webgpu::params::WgslType for $name {
            fn wgsl() -> String {
                stringify!($name).into()
            }
            fn declare(out: &mut Vec<String>) {
                $crate::backend::webgpu::params::declare_struct(
                    stringify!($name),
                    <$name as $crate::backend::webgpu::params::Params>::MEMBERS,
                    out,
                );
            }
        }

        impl $crate::backend::webgpu::params::Params for $name {
            const NAME: &'static str = stringify!($name);
            const MEMBERS: &'static [$crate::backend::webgpu::params::Member] = &[$($crate::backend::webgpu::params::Member {
                name: stringify!($field),
                wgsl: <$ty as $crate::backend::webgpu::params::WgslType>::wgsl,
                declare: <$ty as $crate::backend::webgpu::params::WgslType>::declare,
                offset: std::mem::offset_of!($name, $field),
                size: std::mem::size_of::<$ty>(),
            }),*];
        }
    };
}

/// A size, index or offset as the u32 a kernel reads, or the error naming the op it overflows.
pub(crate) fn u32_of(op: &str, value: usize) -> Result<u32> {
    u32::try_from(value).map_err(|_| Error::Gpu { op: op.to_string(), msg: format!("{value} exceeds the u32 range") })
}

/// Up to four sizes as a `vec4<u32>` (the rest zero).
pub(crate) fn u32x4_of(op: &str, values: &[usize]) -> Result<U32x4> {
    if values.len() > 4 {
        return Err(Error::Gpu { op: op.to_string(), msg: format!("{} values do not fit a vec4", values.len()) });
    }
    let mut out = [0u32; 4];
    for (o, &v) in out.iter_mut().zip(values) {
        *o = u32_of(op, v)?;
    }
    Ok(U32x4(out))
}

/// A kernel's parameter struct as its shader declares it: for the source and the layout test.
#[derive(Debug, Clone)]
pub struct ParamsDecl {
    pub name: &'static str,
    /// The WGSL struct declarations (nested ones first).
    pub structs: String,
    pub fields: Vec<Field>,
    /// `size_of` the Rust struct: the bytes uploaded per dispatch.
    pub size: usize,
}

impl ParamsDecl {
    pub fn of<P: Params>() -> ParamsDecl {
        ParamsDecl::from_members(P::NAME, P::MEMBERS, std::mem::size_of::<P>())
    }

    /// One shared body for every struct: inlined into each `of`, it was a copy per struct.
    #[inline(never)]
    fn from_members(name: &'static str, members: &'static [Member], size: usize) -> ParamsDecl {
        let mut structs = Vec::new();
        declare_struct(name, members, &mut structs);
        ParamsDecl { name, structs: structs.join("\n"), fields: fields_of(members), size }
    }
}

/// The GEMM-family parameters: the product's `m x n` (contraction `k`) and the first workgroup layer
/// of a dispatch (`layer_of` in shaders/gemm.wgsl and shaders/skinny.wgsl), which
/// `GpuContext::dispatch_gemm` sets per chunk of layers.
pub trait GemmParams: Params {
    fn set_layer(&mut self, first: u32);
}

kernel_params! {
    /// The geometry of a sliding window as the kernels read it (see [`crate::backend::Window`]).
    pub struct WindowGeometry {
        in_h: u32,
        in_w: u32,
        kernel_h: u32,
        kernel_w: u32,
        stride_h: u32,
        stride_w: u32,
        dilation_h: u32,
        dilation_w: u32,
        pad_top: u32,
        pad_left: u32,
        out_h: u32,
        out_w: u32,
    }
}

impl WindowGeometry {
    pub(crate) fn of(op: &str, w: &crate::backend::Window) -> Result<WindowGeometry> {
        let u = |v| u32_of(op, v);
        Ok(WindowGeometry {
            in_h: u(w.in_h)?,
            in_w: u(w.in_w)?,
            kernel_h: u(w.kernel[0])?,
            kernel_w: u(w.kernel[1])?,
            stride_h: u(w.stride[0])?,
            stride_w: u(w.stride[1])?,
            dilation_h: u(w.dilation[0])?,
            dilation_w: u(w.dilation[1])?,
            pad_top: u(w.pad[0])?,
            pad_left: u(w.pad[1])?,
            out_h: u(w.out_h)?,
            out_w: u(w.out_w)?,
        })
    }
}

kernel_params! {
    /// Batched matmul and the fused linear layer (shaders/matmul.wgsl, shaders/bias.wgsl): `C[p] =
    /// A[p] @ B[p]` through strides; `c_offset` is nonzero where the product runs in pieces.
    pub struct MatmulParams {
        m: u32,
        n: u32,
        k: u32,
        layer: u32,
        a_offset: u32,
        a_row: u32,
        a_col: u32,
        a_batch: u32,
        b_offset: u32,
        b_row: u32,
        b_col: u32,
        b_batch: u32,
        c_offset: u32,
        bias_offset: u32,
        bias_stride: u32,
    }
}

kernel_params! {
    /// The implicit-GEMM convolution, its weight gradient and its input gradient
    /// (shaders/conv2d*.wgsl, shaders/conv_image.wgsl). The image operand (`x`; `dy` viewed as
    /// `[N, O, positions, 1]` for the input gradient) is read through `image_offset` and
    /// `image_strides`; `out_offset` is where the dispatch's output window starts.
    pub struct ConvParams {
        m: u32,
        n: u32,
        k: u32,
        layer: u32,
        win: WindowGeometry,
        groups: u32,
        group_channels: u32,
        out_channels: u32,
        weights_offset: u32,
        weights_row: u32,
        out_offset: u32,
        dy_offset: u32,
        positions: u32,
        dy_image_stride: u32,
        chunk: u32,
        image_offset: u32,
        /// Padding: `image_strides` is a `vec4`, 16-byte aligned in WGSL.
        unused: u32,
        image_strides: U32x4,
    }
}

kernel_params! {
    /// im2col, col2im, max pooling and its gradient (shaders/im2col.wgsl, col2im.wgsl,
    /// max_pool.wgsl, max_pool_grad.wgsl): `numel` outputs over `channels` channels; the source
    /// operand (image, columns or dy) starts at `src_offset` with `src_strides`.
    pub struct WindowParams {
        numel: u32,
        channels: u32,
        src_offset: u32,
        out_offset: u32,
        win: WindowGeometry,
        src_strides: U32x4,
        taps_offset: u32,
        pad_value: f32,
    }
}

impl GemmParams for MatmulParams {
    fn set_layer(&mut self, first: u32) {
        self.layer = first;
    }
}

impl GemmParams for ConvParams {
    fn set_layer(&mut self, first: u32) {
        self.layer = first;
    }
}

kernel_params! {
    /// One optimizer update (shaders/update.wgsl): the operands' offsets and the hyper-parameters of
    /// [`crate::backend::UpdateHyper::words`] (`flags` a float holding bit 0 decoupled, bit 1
    /// epsilon hat, bit 2 Nesterov).
    pub struct UpdateParams {
        numel: u32,
        param_offset: u32,
        grad_offset: u32,
        state1_offset: u32,
        state2_offset: u32,
        lr: f32,
        beta1: f32,
        beta2: f32,
        eps: f32,
        weight_decay: f32,
        correction1: f32,
        correction2: f32,
        flags: f32,
    }
}

kernel_params! {
    /// The elementwise families (shaders/unary.wgsl, binary.wgsl, select.wgsl, copy_into.wgsl):
    /// `numel` elements of up to four views of one `rank`-dimensional shape, view `j` starting at
    /// `offsets[j]`; `dims` holds the shape, then each view's strides.
    pub struct ElementwiseParams {
        numel: u32,
        rank: u32,
        unused0: u32,
        unused1: u32,
        offsets: U32x4,
        dims: Dims<30>,
    }
}

kernel_params! {
    /// The reductions (shaders/reduce.wgsl, reduce_rows.wgsl, argreduce.wgsl) of `outputs` rows of
    /// `reduced` elements (the reduced axes permuted last), each row cut into `chunks` slices of
    /// `chunk` (one slice of the whole row for the short-row and arg kernels); `dims` holds the
    /// permuted view's shape, then its strides.
    pub struct ReduceParams {
        outputs: u32,
        reduced: u32,
        rank: u32,
        offset: u32,
        chunks: u32,
        chunk: u32,
        unused0: u32,
        unused1: u32,
        dims: Dims<30>,
    }
}

kernel_params! {
    /// Softmax and log-softmax (shaders/softmax.wgsl) over `rows` rows of `length` (the axis
    /// permuted last); `dims` holds the permuted input's shape, then its strides, then the output's.
    pub struct SoftmaxParams {
        rows: u32,
        length: u32,
        rank: u32,
        x_offset: u32,
        y_offset: u32,
        unused0: u32,
        unused1: u32,
        unused2: u32,
        dims: Dims<30>,
    }
}

kernel_params! {
    /// gather and scatter_add (shaders/gather.wgsl, scatter_add.wgsl): `count` invocations over an
    /// index of `rank` dimensions along `axis` of size `axis_size`; each dispatch handles the
    /// positions `lo..hi` of its slab, written from `out_offset`. `dims` holds the index's shape and
    /// strides, then gather's x strides or scatter's source and output strides.
    pub struct IndexParams {
        count: u32,
        rank: u32,
        axis: u32,
        axis_size: u32,
        index_offset: u32,
        source_offset: u32,
        out_offset: u32,
        lo: u32,
        hi: u32,
        unused0: u32,
        unused1: u32,
        unused2: u32,
        dims: Dims<29>,
    }
}
