// The bias of a fused linear layer, bound after the output; info[12] is its offset, info[13] its stride.
@group(0) @binding(4) var<storage, read> bias: array<f32>;

fn bias_at(col: u32) -> f32 {
    if (col < info(1)) {
        return bias[info(12) + col * info(13)];
    }
    return 0.0;
}

fn bias4(col: u32) -> vec4<f32> {
    return vec4<f32>(bias_at(col), bias_at(col + 1u), bias_at(col + 2u), bias_at(col + 3u));
}
