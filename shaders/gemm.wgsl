// The tiled GEMM shared by matmul and the implicit-GEMM convolution kernels, appended to each of them
// by the kernel table. Each workgroup of 16 x TILE_M/8 threads computes a TILE_M x 128 tile of
// C = A @ B (M x N, contraction K); each thread an 8x8 block held in sixteen vec4 registers, updated
// by vec4 fused multiply-adds. TILE_M (128, 64, 32 or 16, a specialisation) follows M, so a result
// with few rows (a convolution with few channels) does not compute mostly padding. K advances 16 at a
// time through tiles staged in workgroup memory (at most 16 KiB, the WebGPU default) as vec4s: A as
// [k][row group], B as [k][column group], so each k step reads 4 vectors per thread.
// The including kernel provides the binding `c`, parameters `p` with `p.m, p.n, p.k` = M, N, K and
// `p.layer` (a `GemmParams` struct), and:
//   load_a(base, row, k) / load_b(base, k, col): one operand element (0 outside the matrix);
//   a_base_of(z) / b_base_of(z): the `base` the loaders get in layer z (z = layer_of(wid.z): the
//     workgroup layer plus the first layer of this dispatch);
//   k_range(z, k): the contraction slice [x, y) layer z covers (a multiple of 16 at x);
//   epilogue(v, col): applied to each finished vec4 of C, stored at c_offset() + z * M * N;
//   a_column_major(): whether A's rows, rather than its k, are adjacent in memory.
const TILE_M: u32 = {{TILE_M}}u;
const TILE_N: u32 = 128u;
const TK: u32 = 16u;
const THREADS: u32 = TILE_M * 2u;
const ROW_GROUPS: u32 = TILE_M / 4u;

// The workgroup layer (batch entry, image or slice): more layers than one grid dimension allows run
// as several dispatches, each starting at layer `p.layer`.
fn layer_of(wid_z: u32) -> u32 {
    return wid_z + p.layer;
}

var<workgroup> a_tile: array<vec4<f32>, TK * ROW_GROUPS>;  // [k][row group] (4 rows per vec4)
var<workgroup> b_tile: array<vec4<f32>, 512>;  // [k][column group], 16 x 32

fn load_b4(base: u32, k: u32, col: u32) -> vec4<f32> {
    return vec4<f32>(load_b(base, k, col), load_b(base, k, col + 1u), load_b(base, k, col + 2u), load_b(base, k, col + 3u));
}

@compute @workgroup_size(16, {{TILE_Y}}, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    let m = p.m;
    let n = p.n;
    let k = p.k;
    let z = layer_of(wid.z);
    let a_base = a_base_of(z);
    let b_base = b_base_of(z);
    let ks = k_range(z, k);
    let row0 = wid.y * TILE_M;
    let col0 = wid.x * TILE_N;
    let thread = lid.y * 16u + lid.x;
    // Staging: each thread loads 8 elements of A along its contiguous direction: one row's 8
    // consecutive k, or (column-major A, e.g. a transposed activation in a weight gradient) one k's 8
    // consecutive rows; and B's (k, 8 columns) slots thread, thread + THREADS, ... of the 16 x 16.
    let by_columns = a_column_major();
    let a_row = select(thread / 2u, (thread % (TILE_M / 8u)) * 8u, by_columns);
    let a_k = select((thread % 2u) * 8u, thread / (TILE_M / 8u), by_columns);

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
    for (var k0 = ks.x; k0 < ks.y; k0 = k0 + TK) {
        let ar = row0 + a_row;
        if (by_columns) {
            let kk = k0 + a_k;
            let lo = vec4<f32>(load_a(a_base, ar, kk), load_a(a_base, ar + 1u, kk), load_a(a_base, ar + 2u, kk), load_a(a_base, ar + 3u, kk));
            let hi = vec4<f32>(load_a(a_base, ar + 4u, kk), load_a(a_base, ar + 5u, kk), load_a(a_base, ar + 6u, kk), load_a(a_base, ar + 7u, kk));
            a_tile[a_k * ROW_GROUPS + a_row / 4u] = lo;
            a_tile[a_k * ROW_GROUPS + a_row / 4u + 1u] = hi;
        } else {
            for (var j = 0u; j < 8u; j = j + 1u) {
                a_tile[(a_k + j) * ROW_GROUPS + a_row / 4u][a_row % 4u] = load_a(a_base, ar, k0 + a_k + j);
            }
        }
        for (var slot = thread; slot < 256u; slot = slot + THREADS) {
            let b_k = slot / 16u;
            let group = slot % 16u;
            let bc = col0 + group * 8u;
            b_tile[b_k * 32u + group * 2u] = load_b4(b_base, k0 + b_k, bc);
            b_tile[b_k * 32u + group * 2u + 1u] = load_b4(b_base, k0 + b_k, bc + 4u);
        }
        workgroupBarrier();
        for (var kk = 0u; kk < TK; kk = kk + 1u) {
            let b0 = b_tile[kk * 32u + lid.x * 2u];
            let b1 = b_tile[kk * 32u + lid.x * 2u + 1u];
            let a_lo = a_tile[kk * ROW_GROUPS + lid.y * 2u];
            let a_hi = a_tile[kk * ROW_GROUPS + lid.y * 2u + 1u];
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
    let c_base = c_offset() + z * m * n;
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
    let n = p.n;
    if (col < n) { c[at] = v.x; }
    if (col + 1u < n) { c[at + 1u] = v.y; }
    if (col + 2u < n) { c[at + 2u] = v.z; }
    if (col + 3u < n) { c[at + 3u] = v.w; }
}

fn store_row(base: u32, row: u32, col: u32, lo: vec4<f32>, hi: vec4<f32>) {
    if (row >= p.m) {
        return;
    }
    let at = base + row * p.n + col;
    store4(at, col, epilogue(lo, col));
    store4(at + 4u, col + 4u, epilogue(hi, col + 4u));
}
