// The weight gradient of a convolution as implicit GEMM: for group g,
// dW[g*Og + o, k] = sum over images n and positions p of dy[n, g*Og + o, p] * cols[n, k, p], the
// contraction running over (n, p) and cols read straight from the image (never stored).
// On the tiled GEMM of shaders/gemm.wgsl, with split-K: the contraction is cut into slices of
// `chunk` (a multiple of the K tile), one per workgroup layer, each writing a partial dW that the host
// then sums (a long contraction over few outputs would otherwise leave most of the GPU idle).
// Parameters: `ConvParams` (src/backend/webgpu/params.rs), M = Og, N = Cg*kh*kw, K = images*positions.
@group(0) @binding(1) var<storage, read> a: array<f32>;  // dy, [N, O, P] contiguous from dy_offset
// binding 2: the image `x` (shaders/conv_image.wgsl)
@group(0) @binding(3) var<storage, read_write> c: array<f32>;

fn epilogue(v: vec4<f32>, col: u32) -> vec4<f32> {
    return v;
}

// dy[n, g*Og + row, p] for the contraction index k = n * P + p; `base` is the group.
fn c_offset() -> u32 {
    return 0u;
}

fn a_column_major() -> bool {
    return false;
}

fn load_a(base: u32, row: u32, k: u32) -> f32 {
    if (row < p.m && k < p.k) {
        let image_position = divmod(k, p.positions);
        return a[p.dy_offset + image_position.x * p.dy_image_stride + (base * p.m + row) * p.positions + image_position.y];
    }
    return 0.0;
}

// cols[n, col, p] (col: a tap of the group's channels) for k = n * P + p; `base` is the group.
fn load_b(base: u32, k: u32, col: u32) -> f32 {
    if (k < p.k && col < p.n) {
        let image_position = divmod(k, p.positions);
        return im2col_at(image_position.x, base, col, image_position.y);
    }
    return 0.0;
}

// Workgroup layer z = slice * groups + g: the group's rows of dy, its channels of the image, its
// partial dW over contraction slice `slice`.
fn a_base_of(z: u32) -> u32 {
    return divmod(z, p.groups).y;
}

fn b_base_of(z: u32) -> u32 {
    return divmod(z, p.groups).y;
}

fn k_range(z: u32, k: u32) -> vec2<u32> {
    let begin = divmod(z, p.groups).x * p.chunk;
    return vec2<u32>(begin, min(k, begin + p.chunk));
}
