// The input gradient of a convolution as implicit GEMM (a transposed convolution): for image n and
// group g, dx[n, g*Cg + c, pixel] = sum over (o, ky, kx) of W[g*Og + o, c, ky, kx] * dy[n, g*Og + o, q],
// where q is the output position that read `pixel` through tap (ky, kx) (none: 0). Neither W^T @ dy
// nor its col2im is stored. On the tiled GEMM of shaders/gemm.wgsl.
// Parameters: `ConvParams` (src/backend/webgpu/params.rs), M = Cg, N = in_h*in_w, K = Og*kh*kw; the
// image operand is dy (`p.image_offset`, `p.image_strides` = [n, o, position, 1]).
@group(0) @binding(1) var<storage, read> a: array<f32>;  // W, [O, Cg, kh, kw] contiguous from w_offset
@group(0) @binding(2) var<storage, read> x: array<f32>;  // dy, [N, O, out_h * out_w]
@group(0) @binding(3) var<storage, read_write> c: array<f32>;

fn epilogue(v: vec4<f32>, col: u32) -> vec4<f32> {
    return v;
}

// dy[n, g*Og + o, q] for contraction index k = (o, ky, kx) and input pixel p (0 where no output read it).
fn dy_at(n: u32, g: u32, k: u32, position: u32) -> f32 {
    let w = p.win;
    let channel_tap = divmod(k, w.kernel_h * w.kernel_w);
    let tap = divmod(channel_tap.y, w.kernel_w);
    let pixel = divmod(position, w.in_w);
    let ty = i32(pixel.x + w.pad_top) - i32(tap.x * w.dilation_h);
    let tx = i32(pixel.y + w.pad_left) - i32(tap.y * w.dilation_w);
    if (ty < 0 || tx < 0) {
        return 0.0;
    }
    let oy = divmod(u32(ty), w.stride_h);
    let ox = divmod(u32(tx), w.stride_w);
    if (oy.y != 0u || ox.y != 0u || oy.x >= w.out_h || ox.x >= w.out_w) {
        return 0.0;
    }
    let og = divmod(p.out_channels, p.groups).x;
    let s = p.image_strides;
    return x[p.image_offset + n * s.x + (g * og + channel_tap.x) * s.y + (oy.x * w.out_w + ox.x) * s.z];
}

// W[g*Og + o, row, ky, kx] for k = (o, ky, kx): the weights read transposed; `base` is n * groups + g.
fn c_offset() -> u32 {
    return p.out_offset;
}

fn a_column_major() -> bool {
    return false;
}

fn load_a(base: u32, row: u32, k: u32) -> f32 {
    if (row < p.m && k < p.k) {
        let taps = p.win.kernel_h * p.win.kernel_w;
        let g = divmod(base, p.groups).y;
        let og = divmod(p.out_channels, p.groups).x;
        let channel_tap = divmod(k, taps);
        return a[p.weights_offset + ((g * og + channel_tap.x) * p.group_channels + row) * taps + channel_tap.y];
    }
    return 0.0;
}

// `base` packs the image and group: base = n * groups + g.
fn load_b(base: u32, k: u32, col: u32) -> f32 {
    if (k < p.k && col < p.n) {
        let image_group = divmod(base, p.groups);
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
