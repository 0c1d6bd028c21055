// Products with few rows of the result (batch-1 inference, or convolutions with few channels):
// appended instead of shaders/gemm.wgsl, whose tiles (16 rows at least) would then mostly compute
// padding. One invocation per output element: workgroups of 64 columns, workgroup row y = the row,
// layer z = layer_of(wid.z) the batch/image/slice the including kernel defines. It uses the same
// interface as the GEMM body (p.m, p.n, p.k = M, N, K, p.layer, load_a, load_b, a_base_of, b_base_of, k_range,
// epilogue, c_offset, binding `c`) and stores at c_offset() + z * M * N + row * N + col like it.
// Four accumulators over interleaved K keep independent multiply-adds in flight.
// The workgroup layer (batch entry, image or slice): more layers than one grid dimension allows run
// as several dispatches, each starting at layer `p.layer`.
fn layer_of(wid_z: u32) -> u32 {
    return wid_z + p.layer;
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
    let m = p.m;
    let n = p.n;
    let col = gid.x;
    let row = wid.y;
    let z = layer_of(wid.z);
    if (col >= n || row >= m) {
        return;
    }
    let a_base = a_base_of(z);
    let b_base = b_base_of(z);
    let ks = k_range(z, p.k);
    var acc = vec4<f32>(0.0);
    var i = ks.x;
    for (; i + 4u <= ks.y; i = i + 4u) {
        let av = vec4<f32>(load_a(a_base, row, i), load_a(a_base, row, i + 1u), load_a(a_base, row, i + 2u), load_a(a_base, row, i + 3u));
        let bv = vec4<f32>(load_b(b_base, i, col), load_b(b_base, i + 1u, col), load_b(b_base, i + 2u, col), load_b(b_base, i + 3u, col));
        acc = fma(av, bv, acc);
    }
    for (; i < ks.y; i = i + 1u) {
        acc.x = fma(load_a(a_base, row, i), load_b(b_base, i, col), acc.x);
    }
    let v = acc.x + acc.y + acc.z + acc.w;
    c[c_offset() + (z * m + row) * n + col] = epilogue(vec4<f32>(v, 0.0, 0.0, 0.0), col).x;
}
