// Batched C[p] = A[p] @ B[p] with A [M, K] and B [K, N] read through strides (so transposed views need
// no copy), on the tiled GEMM of shaders/gemm.wgsl (batch p = workgroup layer z).
// The epilogue applies to each finished vec4 of C: nothing for a plain product, or bias plus
// activation for a fused linear layer.
// info: [M, N, K, a_offset, a_row, a_col, a_batch, b_offset, b_row, b_col, b_batch, c_offset(, bias_offset,
//        bias_stride)]; c_offset is nonzero where the product runs in pieces, each binding a window of C.
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;

{{BIAS}}

fn epilogue(v: vec4<f32>, col: u32) -> vec4<f32> {
    {{EPILOGUE}}
}

fn c_offset() -> u32 {
    return info(11);
}

fn a_column_major() -> bool {
    return info(4) == 1u && info(5) != 1u;
}

fn load_a(base: u32, row: u32, k: u32) -> f32 {
    if (row < info(0) && k < info(2)) {
        return a[base + row * info(4) + k * info(5)];
    }
    return 0.0;
}

fn load_b(base: u32, k: u32, col: u32) -> f32 {
    if (k < info(2) && col < info(1)) {
        return b[base + k * info(8) + col * info(9)];
    }
    return 0.0;
}

fn a_base_of(z: u32) -> u32 {
    return info(3) + z * info(6);
}

fn b_base_of(z: u32) -> u32 {
    return info(7) + z * info(10);
}

fn k_range(z: u32, k: u32) -> vec2<u32> {
    return vec2<u32>(0u, k);
}
