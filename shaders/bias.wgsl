// The bias of a fused linear layer, bound after the output, at `p.bias_offset` by `p.bias_stride`.
@group(0) @binding(4) var<storage, read> bias: array<f32>;

fn bias_at(col: u32) -> f32 {
    if (col < p.n) {
        return bias[p.bias_offset + col * p.bias_stride];
    }
    return 0.0;
}

fn bias4(col: u32) -> vec4<f32> {
    return vec4<f32>(bias_at(col), bias_at(col + 1u), bias_at(col + 2u), bias_at(col + 3u));
}
