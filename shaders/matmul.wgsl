// Batched C[p] = A[p] @ B[p] with A [M, K] and B [K, N] read through strides (so transposed views need
// no copy), on the tiled GEMM of shaders/gemm.wgsl (batch p = workgroup layer z).
// The epilogue applies to each finished vec4 of C: nothing for a plain product, or bias plus
// activation for a fused linear layer.
// Parameters: `MatmulParams` (src/backend/webgpu/params.rs).
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;

{{BIAS}}

fn epilogue(v: vec4<f32>, col: u32) -> vec4<f32> {
    {{EPILOGUE}}
}

fn c_offset() -> u32 {
    return p.c_offset;
}

fn a_column_major() -> bool {
    return p.a_row == 1u && p.a_col != 1u;
}

fn load_a(base: u32, row: u32, k: u32) -> f32 {
    if (row < p.m && k < p.k) {
        return a[base + row * p.a_row + k * p.a_col];
    }
    return 0.0;
}

fn load_b(base: u32, k: u32, col: u32) -> f32 {
    if (k < p.k && col < p.n) {
        return b[base + k * p.b_row + col * p.b_col];
    }
    return 0.0;
}

fn a_base_of(z: u32) -> u32 {
    return p.a_offset + z * p.a_batch;
}

fn b_base_of(z: u32) -> u32 {
    return p.b_offset + z * p.b_batch;
}

fn k_range(z: u32, k: u32) -> vec2<u32> {
    return vec2<u32>(0u, k);
}
