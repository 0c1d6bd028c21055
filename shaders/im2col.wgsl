// cols[n, (c * kh + ky) * kw + kx, oy * out_w + ox] = image[n, c, y, x], or the pad value off the image.
// info: [numel, channels, in_h, in_w, kh, kw, stride_h, stride_w, dilation_h, dilation_w, pad_top, pad_left,
//        out_h, out_w, x_offset, x_stride_n, x_stride_c, x_stride_h, x_stride_w, pad_value_bits, cols_offset]
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> cols: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
    let i = linear_index(wid, nwg, lid);
    if (i >= info(0)) {
        return;
    }
    let channels = info(1);
    let kh = info(4);
    let kw = info(5);
    let positions = info(12) * info(13);
    let p = i % positions;
    let row = (i / positions) % (channels * kh * kw);
    let n = i / (positions * channels * kh * kw);
    let kx = row % kw;
    let ky = (row / kw) % kh;
    let c = row / (kw * kh);
    let oy = p / info(13);
    let ox = p % info(13);
    // Signed arithmetic: the padded coordinate may be negative.
    let y = i32(oy * info(6) + ky * info(8)) - i32(info(10));
    let xx = i32(ox * info(7) + kx * info(9)) - i32(info(11));
    var v = bitcast<f32>(info(19));
    if (y >= 0 && y < i32(info(2)) && xx >= 0 && xx < i32(info(3))) {
        v = x[info(14) + n * info(15) + c * info(16) + u32(y) * info(17) + u32(xx) * info(18)];
    }
    cols[info(20) + i] = v;
}
