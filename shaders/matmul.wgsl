// Batched C[p] = A[p] @ B[p] with A [M, K] and B [K, N] read through strides (so transposed views need
// no copy). Each 16x16 workgroup computes a 64x64 tile of C, each thread a 4x4 block held in registers;
// K advances 16 at a time through tiles of A and B staged in workgroup memory.
// info: [M, N, K, a_offset, a_row, a_col, a_batch, b_offset, b_row, b_col, b_batch]
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;

const TILE: u32 = 64u;
const TK: u32 = 16u;
const PER: u32 = 4u;

var<workgroup> a_tile: array<array<f32, 64>, 16>; // [k][row]
var<workgroup> b_tile: array<array<f32, 64>, 16>; // [k][col]

@compute @workgroup_size(16, 16, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    let m = info[0];
    let n = info[1];
    let k = info[2];
    let a_base = info[3] + wid.z * info[6];
    let b_base = info[7] + wid.z * info[10];
    let row0 = wid.y * TILE;
    let col0 = wid.x * TILE;
    let thread = lid.y * 16u + lid.x;

    var acc: array<array<f32, 4>, 4>;
    for (var k0 = 0u; k0 < k; k0 = k0 + TK) {
        // Stage A[row0.., k0..] and B[k0.., col0..]: 1,024 values each, 4 per thread, zero-padded.
        for (var l = 0u; l < 4u; l = l + 1u) {
            let e = thread + l * 256u;
            let ar = e / TK;
            let ak = e % TK;
            var av = 0.0;
            if (row0 + ar < m && k0 + ak < k) {
                av = a[a_base + (row0 + ar) * info[4] + (k0 + ak) * info[5]];
            }
            a_tile[ak][ar] = av;
            let bk = e / TILE;
            let bc = e % TILE;
            var bv = 0.0;
            if (k0 + bk < k && col0 + bc < n) {
                bv = b[b_base + (k0 + bk) * info[8] + (col0 + bc) * info[9]];
            }
            b_tile[bk][bc] = bv;
        }
        workgroupBarrier();
        for (var kk = 0u; kk < TK; kk = kk + 1u) {
            var ar: array<f32, 4>;
            var br: array<f32, 4>;
            for (var i = 0u; i < PER; i = i + 1u) {
                ar[i] = a_tile[kk][lid.y * PER + i];
                br[i] = b_tile[kk][lid.x * PER + i];
            }
            for (var i = 0u; i < PER; i = i + 1u) {
                for (var j = 0u; j < PER; j = j + 1u) {
                    acc[i][j] = fma(ar[i], br[j], acc[i][j]);
                }
            }
        }
        workgroupBarrier();
    }
    let c_base = wid.z * m * n;
    for (var i = 0u; i < PER; i = i + 1u) {
        for (var j = 0u; j < PER; j = j + 1u) {
            let r = row0 + lid.y * PER + i;
            let col = col0 + lid.x * PER + j;
            if (r < m && col < n) {
                c[c_base + r * n + col] = acc[i][j];
            }
        }
    }
}
