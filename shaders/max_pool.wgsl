// Max pooling: values[n, c, oy, ox] is the largest image pixel its window reads (NaN wins, padding
// never does) and taps[...] the tap ky * kw + kx holding it, the first on ties.
// info: [numel, channels, in_h, in_w, kh, kw, stride_h, stride_w, dilation_h, dilation_w, pad_top, pad_left,
//        out_h, out_w, x_offset, x_stride_n, x_stride_c, x_stride_h, x_stride_w, out_offset]
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> values: array<f32>;
@group(0) @binding(3) var<storage, read_write> taps: array<i32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
    let i = linear_index(wid, nwg, lid);
    if (i >= info(0)) {
        return;
    }
    let kw = info(5);
    let ox = i % info(13);
    let oy = (i / info(13)) % info(12);
    let plane = i / (info(13) * info(12));
    let base = info(14) + (plane / info(1)) * info(15) + (plane % info(1)) * info(16);
    var best = -inf_f32();
    var best_tap = 0u;
    var found = false;
    for (var tap = 0u; tap < info(4) * kw; tap = tap + 1u) {
        // Signed arithmetic: the padded coordinate may be negative.
        let y = i32(oy * info(6) + (tap / kw) * info(8)) - i32(info(10));
        let xx = i32(ox * info(7) + (tap % kw) * info(9)) - i32(info(11));
        if (y < 0 || y >= i32(info(2)) || xx < 0 || xx >= i32(info(3))) {
            continue;
        }
        let v = x[base + u32(y) * info(17) + u32(xx) * info(18)];
        if (!found || v > best || (is_nan(v) && !is_nan(best))) {
            best = v;
            best_tap = tap;
            found = true;
        }
    }
    values[info(19) + i] = best;
    taps[info(19) + i] = i32(best_tap);
}
