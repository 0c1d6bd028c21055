// The image operand of the implicit-GEMM convolutions (forward and weight gradient): cols = im2col(x)
// read on the fly through the window geometry in info[11..28] (see src/backend/webgpu/kernels.rs).
@group(0) @binding(2) var<storage, read> x: array<f32>;

// The image value cols[k, p] for image n and group g (0 in the padding).
fn im2col_at(n: u32, g: u32, k: u32, p: u32) -> f32 {
    let taps = info[14] * info[15];
    let ci = g * info[11] + k / taps;
    let r = k % taps;
    let ky = r / info[15];
    let kx = r % info[15];
    let oy = p / info[22];
    let ox = p % info[22];
    let y = i32(oy * info[16] + ky * info[18]) - i32(info[20]);
    let xx = i32(ox * info[17] + kx * info[19]) - i32(info[21]);
    if (y < 0 || y >= i32(info[12]) || xx < 0 || xx >= i32(info[13])) {
        return 0.0;
    }
    return x[info[23] + n * info[24] + ci * info[25] + u32(y) * info[26] + u32(xx) * info[27]];
}
