// The image operand of the implicit-GEMM convolutions (forward and weight gradient): cols = im2col(x)
// read on the fly through the window geometry `p.win` and the image's `p.image_offset` and `p.image_strides`.
@group(0) @binding(2) var<storage, read> x: array<f32>;

// The image value cols[k, p] for image n and group g (0 in the padding).
fn im2col_at(n: u32, g: u32, k: u32, position: u32) -> f32 {
    let w = p.win;
    let channel_tap = divmod(k, w.kernel_h * w.kernel_w);
    let ci = g * p.group_channels + channel_tap.x;
    let tap = divmod(channel_tap.y, w.kernel_w);
    let out = divmod(position, w.out_w);
    let y = i32(out.x * w.stride_h + tap.x * w.dilation_h) - i32(w.pad_top);
    let xx = i32(out.y * w.stride_w + tap.y * w.dilation_w) - i32(w.pad_left);
    if (y < 0 || y >= i32(w.in_h) || xx < 0 || xx >= i32(w.in_w)) {
        return 0.0;
    }
    let s = p.image_strides;
    return x[p.image_offset + n * s.x + ci * s.y + u32(y) * s.z + u32(xx) * s.w];
}
