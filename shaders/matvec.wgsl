// Skinny products (few rows of A, such as batch-1 inference): appended to shaders/matmul.wgsl instead
// of the tiled GEMM, whose 128-row tiles would mostly compute padding. One invocation per output
// element: workgroups of 64 columns, workgroup layer y = the row, z = the batch. Four accumulators
// over interleaved K keep independent multiply-adds in flight; the epilogue (bias and activation of
// a fused linear layer) applies to the finished value.
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
    let m = info[0];
    let n = info[1];
    let k = info[2];
    let col = gid.x;
    let row = wid.y;
    let z = wid.z;
    if (col >= n || row >= m) {
        return;
    }
    let a_at = a_base_of(z) + row * info[4];
    let b_at = b_base_of(z) + col * info[9];
    let a_k = info[5];
    let b_k = info[8];
    var acc = vec4<f32>(0.0);
    let k4 = k - k % 4u;
    for (var i = 0u; i < k4; i = i + 4u) {
        let av = vec4<f32>(a[a_at + i * a_k], a[a_at + (i + 1u) * a_k], a[a_at + (i + 2u) * a_k], a[a_at + (i + 3u) * a_k]);
        let bv = vec4<f32>(b[b_at + i * b_k], b[b_at + (i + 1u) * b_k], b[b_at + (i + 2u) * b_k], b[b_at + (i + 3u) * b_k]);
        acc = fma(av, bv, acc);
    }
    for (var i = k4; i < k; i = i + 1u) {
        acc.x = fma(a[a_at + i * a_k], b[b_at + i * b_k], acc.x);
    }
    let v = acc.x + acc.y + acc.z + acc.w;
    c[(z * m + row) * n + col] = epilogue(vec4<f32>(v, 0.0, 0.0, 0.0), col).x;
}
