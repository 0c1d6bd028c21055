// The input gradient of max pooling: each image pixel sums the output gradients of the windows whose
// maximum it was (no two threads write one pixel, so no atomics).
// info: [numel, channels, in_h, in_w, kh, kw, stride_h, stride_w, dilation_h, dilation_w, pad_top, pad_left,
//        out_h, out_w, dy_offset, taps_offset, dx_offset]
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> taps: array<i32>;
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
    let i = linear_index(wid, nwg, lid);
    if (i >= info(0)) {
        return;
    }
    let in_w = info(3);
    let kw = info(5);
    let x = i % in_w;
    let y = (i / in_w) % info(2);
    let plane = i / (in_w * info(2));
    let first = plane * info(12) * info(13);
    var sum = 0.0;
    for (var ky = 0u; ky < info(4); ky = ky + 1u) {
        let oy = window_output(y, ky, info(6), info(8), info(10), info(12));
        if (oy < 0) {
            continue;
        }
        for (var kx = 0u; kx < kw; kx = kx + 1u) {
            let ox = window_output(x, kx, info(7), info(9), info(11), info(13));
            if (ox < 0) {
                continue;
            }
            let o = first + u32(oy) * info(13) + u32(ox);
            if (taps[info(15) + o] == i32(ky * kw + kx)) {
                sum = sum + dy[info(14) + o];
            }
        }
    }
    dx[info(16) + i] = sum;
}
