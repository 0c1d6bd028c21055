// The adjoint of im2col: each image pixel sums the column entries that read it (no two threads write
// one pixel, so no atomics).
// info: [numel, channels, in_h, in_w, kh, kw, stride_h, stride_w, dilation_h, dilation_w, pad_top, pad_left,
//        out_h, out_w, cols_offset, cols_stride_n, cols_stride_row, cols_stride_position, image_offset]
@group(0) @binding(1) var<storage, read> cols: array<f32>;
@group(0) @binding(2) var<storage, read_write> image: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
    let i = linear_index(wid, nwg, lid);
    if (i >= info(0)) {
        return;
    }
    let channels = info(1);
    let in_h = info(2);
    let in_w = info(3);
    let kh = info(4);
    let kw = info(5);
    let x = i % in_w;
    let y = (i / in_w) % in_h;
    let c = (i / (in_w * in_h)) % channels;
    let n = i / (in_w * in_h * channels);
    var sum = 0.0;
    for (var ky = 0u; ky < kh; ky = ky + 1u) {
        let oy = window_output(y, ky, info(6), info(8), info(10), info(12));
        if (oy < 0) {
            continue;
        }
        for (var kx = 0u; kx < kw; kx = kx + 1u) {
            let ox = window_output(x, kx, info(7), info(9), info(11), info(13));
            if (ox < 0) {
                continue;
            }
            let row = (c * kh + ky) * kw + kx;
            sum = sum + cols[info(14) + n * info(15) + row * info(16) + (u32(oy) * info(13) + u32(ox)) * info(17)];
        }
    }
    image[info(18) + i] = sum;
}
