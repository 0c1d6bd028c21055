// The input gradient of a convolution as implicit GEMM (a transposed convolution): for image n and
// group g, dx[n, g*Cg + c, pixel] = sum over (o, ky, kx) of W[g*Og + o, c, ky, kx] * dy[n, g*Og + o, q],
// where q is the output position that read `pixel` through tap (ky, kx) (none: 0). Neither W^T @ dy
// nor its col2im is stored. On the tiled GEMM of shaders/gemm.wgsl.
// info: [M = Cg, N = in_h*in_w, K = Og*kh*kw, w_offset, 0, 0, groups, out_channels, out_h, dx_offset, 0,
//        channels_per_group, in_h, in_w, kh, kw, stride_h, stride_w, dilation_h, dilation_w, pad_top, pad_left,
//        out_w, dy_offset, dy_stride_n, dy_stride_o, dy_stride_position, 0]
@group(0) @binding(1) var<storage, read> a: array<f32>;  // W, [O, Cg, kh, kw] contiguous from w_offset
@group(0) @binding(2) var<storage, read> x: array<f32>;  // dy, [N, O, out_h * out_w]
@group(0) @binding(3) var<storage, read_write> c: array<f32>;

fn epilogue(v: vec4<f32>, col: u32) -> vec4<f32> {
    return v;
}

// dy[n, g*Og + o, q] for contraction index k = (o, ky, kx) and input pixel p (0 where no output read it).
fn dy_at(n: u32, g: u32, k: u32, p: u32) -> f32 {
    let channel_tap = divmod(k, info(14) * info(15));
    let tap = divmod(channel_tap.y, info(15));
    let pixel = divmod(p, info(13));
    let ty = i32(pixel.x + info(20)) - i32(tap.x * info(18));
    let tx = i32(pixel.y + info(21)) - i32(tap.y * info(19));
    if (ty < 0 || tx < 0) {
        return 0.0;
    }
    let oy = divmod(u32(ty), info(16));
    let ox = divmod(u32(tx), info(17));
    if (oy.y != 0u || ox.y != 0u || oy.x >= info(8) || ox.x >= info(22)) {
        return 0.0;
    }
    let og = divmod(info(7), info(6)).x;
    return x[info(23) + n * info(24) + (g * og + channel_tap.x) * info(25) + (oy.x * info(22) + ox.x) * info(26)];
}

// W[g*Og + o, row, ky, kx] for k = (o, ky, kx): the weights read transposed; `base` is n * groups + g.
fn c_offset() -> u32 {
    return info(9);
}

fn a_column_major() -> bool {
    return false;
}

fn load_a(base: u32, row: u32, k: u32) -> f32 {
    if (row < info(0) && k < info(2)) {
        let taps = info(14) * info(15);
        let g = divmod(base, info(6)).y;
        let og = divmod(info(7), info(6)).x;
        let channel_tap = divmod(k, taps);
        return a[info(3) + ((g * og + channel_tap.x) * info(11) + row) * taps + channel_tap.y];
    }
    return 0.0;
}

// `base` packs the image and group: base = n * groups + g.
fn load_b(base: u32, k: u32, col: u32) -> f32 {
    if (k < info(2) && col < info(1)) {
        let image_group = divmod(base, info(6));
        return dy_at(image_group.x, image_group.y, k, col);
    }
    return 0.0;
}

// Workgroup layer z = n * groups + g: the group's weights, image n's gradient; rows g*Cg.. of dx[n].
fn a_base_of(z: u32) -> u32 {
    return z;
}

fn b_base_of(z: u32) -> u32 {
    return z;
}

fn k_range(z: u32, k: u32) -> vec2<u32> {
    return vec2<u32>(0u, k);
}
