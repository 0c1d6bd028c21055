// Convolution as implicit GEMM: for image n and group g, out[n, g*Og + o, p] = sum_k W[g*Og + o, k] *
// cols[k, p], where cols (the im2col of the image) is never stored: B tiles are read straight from the
// image through the window geometry. On the tiled GEMM of shaders/gemm.wgsl.
// Parameters: `ConvParams` (src/backend/webgpu/params.rs), M = Og, N = positions, K = Cg*kh*kw.
@group(0) @binding(1) var<storage, read> a: array<f32>;
// binding 2: the image `x` (shaders/conv_image.wgsl)
@group(0) @binding(3) var<storage, read_write> c: array<f32>;

fn epilogue(v: vec4<f32>, col: u32) -> vec4<f32> {
    return v;
}

fn c_offset() -> u32 {
    return p.out_offset;
}

fn a_column_major() -> bool {
    return false;
}

fn load_a(base: u32, row: u32, k: u32) -> f32 {
    if (row < p.m && k < p.k) {
        return a[base + row * p.weights_row + k];
    }
    return 0.0;
}

// `base` packs the image and group: base = n * groups + g.
fn load_b(base: u32, k: u32, col: u32) -> f32 {
    if (k < p.k && col < p.n) {
        let image_group = divmod(base, p.groups);
        return im2col_at(image_group.x, image_group.y, k, col);
    }
    return 0.0;
}

// Workgroup layer z = n * groups + g: the weights of group g; output rows g*Og.. of image n.
fn a_base_of(z: u32) -> u32 {
    return p.weights_offset + divmod(z, p.groups).y * p.m * p.weights_row;
}

fn b_base_of(z: u32) -> u32 {
    return z;
}

fn k_range(z: u32, k: u32) -> vec2<u32> {
    return vec2<u32>(0u, k);
}
