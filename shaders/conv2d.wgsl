// Convolution as implicit GEMM: for image n and group g, out[n, g*Og + o, p] = sum_k W[g*Og + o, k] *
// cols[k, p], where cols (the im2col of the image) is never stored: B tiles are read straight from the
// image through the window geometry. On the tiled GEMM of shaders/gemm.wgsl.
// info: [M = Og, N = positions, K = Cg*kh*kw, w_offset, w_row, w_col, groups, out_offset, 0, 0, 0,
//        channels_per_group, in_h, in_w, kh, kw, stride_h, stride_w, dilation_h, dilation_w, pad_top, pad_left,
//        out_w, x_offset, x_stride_n, x_stride_c, x_stride_h, x_stride_w]
@group(0) @binding(1) var<storage, read> a: array<f32>;
// binding 2: the image `x` (shaders/conv_image.wgsl)
@group(0) @binding(3) var<storage, read_write> c: array<f32>;

fn epilogue(v: vec4<f32>, col: u32) -> vec4<f32> {
    return v;
}

fn c_offset() -> u32 {
    return info(7);
}

fn a_column_major() -> bool {
    return false;
}

fn load_a(base: u32, row: u32, k: u32) -> f32 {
    if (row < info(0) && k < info(2)) {
        return a[base + row * info(4) + k * info(5)];
    }
    return 0.0;
}

// `base` packs the image and group: base = n * groups + g.
fn load_b(base: u32, k: u32, col: u32) -> f32 {
    if (k < info(2) && col < info(1)) {
        let image_group = divmod(base, info(6));
        return im2col_at(image_group.x, image_group.y, k, col);
    }
    return 0.0;
}

// Workgroup layer z = n * groups + g: the weights of group g; output rows g*Og.. of image n.
fn a_base_of(z: u32) -> u32 {
    return info(3) + divmod(z, info(6)).y * info(0) * info(4);
}

fn b_base_of(z: u32) -> u32 {
    return z;
}

fn k_range(z: u32, k: u32) -> vec2<u32> {
    return vec2<u32>(0u, k);
}
