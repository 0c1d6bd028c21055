// The weight gradient of a convolution as implicit GEMM: for group g,
// dW[g*Og + o, k] = sum over images n and positions p of dy[n, g*Og + o, p] * cols[n, k, p], the
// contraction running over (n, p) and cols read straight from the image (never stored).
// Same 128x128 tiling as shaders/matmul.wgsl, with split-K: the contraction is cut into slices of
// `chunk` (a multiple of the K tile), one per workgroup layer, each writing a partial dW that the host
// then sums (a long contraction over few outputs would otherwise leave most of the GPU idle).
// info: [M = Og, N = Cg*kh*kw, K = images*positions, dy_offset, positions, dy_image_stride, groups, chunk, 0, 0, 0,
//        channels_per_group, in_h, in_w, kh, kw, stride_h, stride_w, dilation_h, dilation_w, pad_top, pad_left,
//        out_w, x_offset, x_stride_n, x_stride_c, x_stride_h, x_stride_w]
@group(0) @binding(1) var<storage, read> a: array<f32>;  // dy, [N, O, P] contiguous from dy_offset
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;

fn epilogue(v: vec4<f32>, col: u32) -> vec4<f32> {
    return v;
}

// The image value cols[k, p] for image n and group g (0 in the padding).
fn im2col_at(n: u32, g: u32, k: u32, p: u32) -> f32 {
    let taps = info[14] * info[15];
    let ci = g * info[11] + k / taps;
    let r = k % taps;
    let ky = r / info[15];
    let kx = r % info[15];
    let oy = p / info[22];
    let ox = p % info[22];
    let y = i32(oy * info[16] + ky * info[18]) - i32(info[20]);
    let xx = i32(ox * info[17] + kx * info[19]) - i32(info[21]);
    if (y < 0 || y >= i32(info[12]) || xx < 0 || xx >= i32(info[13])) {
        return 0.0;
    }
    return x[info[23] + n * info[24] + ci * info[25] + u32(y) * info[26] + u32(xx) * info[27]];
}

const TILE: u32 = 128u;
const TK: u32 = 16u;

var<workgroup> a_tile: array<vec4<f32>, 512>;  // [k][row group], 16 x 32 (4 rows per vec4)
var<workgroup> b_tile: array<vec4<f32>, 512>;  // [k][column group], 16 x 32

// dy[n, g*Og + row, p] for the contraction index k = n * P + p; `base` is the group.
fn load_a(base: u32, row: u32, k: u32) -> f32 {
    if (row < info[0] && k < info[2]) {
        let n = k / info[4];
        let p = k % info[4];
        return a[info[3] + n * info[5] + (base * info[0] + row) * info[4] + p];
    }
    return 0.0;
}

// cols[n, col, p] (col: a tap of the group's channels) for k = n * P + p; `base` is the group.
fn load_b(base: u32, k: u32, col: u32) -> f32 {
    if (k < info[2] && col < info[1]) {
        return im2col_at(k / info[4], base, col, k % info[4]);
    }
    return 0.0;
}

fn load_b4(base: u32, k: u32, col: u32) -> vec4<f32> {
    return vec4<f32>(load_b(base, k, col), load_b(base, k, col + 1u), load_b(base, k, col + 2u), load_b(base, k, col + 3u));
}

@compute @workgroup_size(16, 16, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    let m = info[0];
    let n = info[1];
    let k = info[2];
    // wid.z = slice * groups + g: the group's rows of dy, its channels of the image, its partial dW.
    let a_base = wid.z % info[6];
    let b_base = wid.z % info[6];
    let k_begin = (wid.z / info[6]) * info[7];
    let k_end = min(k, k_begin + info[7]);
    let row0 = wid.y * TILE;
    let col0 = wid.x * TILE;
    let thread = lid.y * 16u + lid.x;
    // Staging: each thread loads A rows (row, 8 consecutive k) and two vec4s of B (k, 8 columns).
    let a_row = thread / 2u;
    let a_k = (thread % 2u) * 8u;
    let b_k = thread / 16u;
    let b_col = (thread % 16u) * 8u;

    var acc0a = vec4<f32>(0.0);
    var acc0b = vec4<f32>(0.0);
    var acc1a = vec4<f32>(0.0);
    var acc1b = vec4<f32>(0.0);
    var acc2a = vec4<f32>(0.0);
    var acc2b = vec4<f32>(0.0);
    var acc3a = vec4<f32>(0.0);
    var acc3b = vec4<f32>(0.0);
    var acc4a = vec4<f32>(0.0);
    var acc4b = vec4<f32>(0.0);
    var acc5a = vec4<f32>(0.0);
    var acc5b = vec4<f32>(0.0);
    var acc6a = vec4<f32>(0.0);
    var acc6b = vec4<f32>(0.0);
    var acc7a = vec4<f32>(0.0);
    var acc7b = vec4<f32>(0.0);
    for (var k0 = k_begin; k0 < k_end; k0 = k0 + TK) {
        let ar = row0 + a_row;
        for (var j = 0u; j < 8u; j = j + 1u) {
            a_tile[(a_k + j) * 32u + a_row / 4u][a_row % 4u] = load_a(a_base, ar, k0 + a_k + j);
        }
        let bk = k0 + b_k;
        let bc = col0 + b_col;
        b_tile[b_k * 32u + (thread % 16u) * 2u] = load_b4(b_base, bk, bc);
        b_tile[b_k * 32u + (thread % 16u) * 2u + 1u] = load_b4(b_base, bk, bc + 4u);
        workgroupBarrier();
        for (var kk = 0u; kk < TK; kk = kk + 1u) {
            let b0 = b_tile[kk * 32u + lid.x * 2u];
            let b1 = b_tile[kk * 32u + lid.x * 2u + 1u];
            let a_lo = a_tile[kk * 32u + lid.y * 2u];
            let a_hi = a_tile[kk * 32u + lid.y * 2u + 1u];
            let a0 = vec4<f32>(a_lo.x);
            acc0a = fma(a0, b0, acc0a);
            acc0b = fma(a0, b1, acc0b);
            let a1 = vec4<f32>(a_lo.y);
            acc1a = fma(a1, b0, acc1a);
            acc1b = fma(a1, b1, acc1b);
            let a2 = vec4<f32>(a_lo.z);
            acc2a = fma(a2, b0, acc2a);
            acc2b = fma(a2, b1, acc2b);
            let a3 = vec4<f32>(a_lo.w);
            acc3a = fma(a3, b0, acc3a);
            acc3b = fma(a3, b1, acc3b);
            let a4 = vec4<f32>(a_hi.x);
            acc4a = fma(a4, b0, acc4a);
            acc4b = fma(a4, b1, acc4b);
            let a5 = vec4<f32>(a_hi.y);
            acc5a = fma(a5, b0, acc5a);
            acc5b = fma(a5, b1, acc5b);
            let a6 = vec4<f32>(a_hi.z);
            acc6a = fma(a6, b0, acc6a);
            acc6b = fma(a6, b1, acc6b);
            let a7 = vec4<f32>(a_hi.w);
            acc7a = fma(a7, b0, acc7a);
            acc7b = fma(a7, b1, acc7b);
        }
        workgroupBarrier();
    }
    let c_base = wid.z * m * n;
    let col = col0 + lid.x * 8u;
    let row = row0 + lid.y * 8u;
    store_row(c_base, row + 0u, col, acc0a, acc0b);
    store_row(c_base, row + 1u, col, acc1a, acc1b);
    store_row(c_base, row + 2u, col, acc2a, acc2b);
    store_row(c_base, row + 3u, col, acc3a, acc3b);
    store_row(c_base, row + 4u, col, acc4a, acc4b);
    store_row(c_base, row + 5u, col, acc5a, acc5b);
    store_row(c_base, row + 6u, col, acc6a, acc6b);
    store_row(c_base, row + 7u, col, acc7a, acc7b);
}

fn store4(at: u32, col: u32, v: vec4<f32>) {
    let n = info[1];
    if (col < n) { c[at] = v.x; }
    if (col + 1u < n) { c[at + 1u] = v.y; }
    if (col + 2u < n) { c[at + 2u] = v.z; }
    if (col + 3u < n) { c[at + 3u] = v.w; }
}

fn store_row(base: u32, row: u32, col: u32, lo: vec4<f32>, hi: vec4<f32>) {
    if (row >= info[0]) {
        return;
    }
    let at = base + row * info[1] + col;
    store4(at, col, epilogue(lo, col));
    store4(at + 4u, col + 4u, epilogue(hi, col + 4u));
}
