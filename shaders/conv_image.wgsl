// The image operand of the implicit-GEMM convolutions (forward and weight gradient): cols = im2col(x)
// read on the fly through the window geometry in info[11..28] (see src/backend/webgpu/kernels.rs).
@group(0) @binding(2) var<storage, read> x: array<f32>;

// The image value cols[k, p] for image n and group g (0 in the padding).
fn im2col_at(n: u32, g: u32, k: u32, p: u32) -> f32 {
    let channel_tap = divmod(k, info(14) * info(15));
    let ci = g * info(11) + channel_tap.x;
    let tap = divmod(channel_tap.y, info(15));
    let out = divmod(p, info(22));
    let y = i32(out.x * info(16) + tap.x * info(18)) - i32(info(20));
    let xx = i32(out.y * info(17) + tap.y * info(19)) - i32(info(21));
    if (y < 0 || y >= i32(info(12)) || xx < 0 || xx >= i32(info(13))) {
        return 0.0;
    }
    return x[info(23) + n * info(24) + ci * info(25) + u32(y) * info(26) + u32(xx) * info(27)];
}
