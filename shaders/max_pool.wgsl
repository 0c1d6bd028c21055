// Max pooling: values[n, c, oy, ox] is the largest image pixel its window reads (NaN wins, padding
// never does) and taps[...] the tap ky * kw + kx holding it, the first on ties.
// Parameters: `WindowParams` (src/backend/webgpu/params.rs); the source is the image x.
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> values: array<f32>;
@group(0) @binding(3) var<storage, read_write> taps: array<i32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
    let i = linear_index(wid, nwg, lid);
    if (i >= p.numel) {
        return;
    }
    let w = p.win;
    let s = p.src_strides;
    let kw = w.kernel_w;
    let ox = i % w.out_w;
    let oy = (i / w.out_w) % w.out_h;
    let plane = i / (w.out_w * w.out_h);
    let base = p.src_offset + (plane / p.channels) * s.x + (plane % p.channels) * s.y;
    var best = -inf_f32();
    var best_tap = 0u;
    var found = false;
    for (var tap = 0u; tap < w.kernel_h * kw; tap = tap + 1u) {
        // Signed arithmetic: the padded coordinate may be negative.
        let y = i32(oy * w.stride_h + (tap / kw) * w.dilation_h) - i32(w.pad_top);
        let xx = i32(ox * w.stride_w + (tap % kw) * w.dilation_w) - i32(w.pad_left);
        if (y < 0 || y >= i32(w.in_h) || xx < 0 || xx >= i32(w.in_w)) {
            continue;
        }
        let v = x[base + u32(y) * s.z + u32(xx) * s.w];
        if (!found || v > best || (is_nan(v) && !is_nan(best))) {
            best = v;
            best_tap = tap;
            found = true;
        }
    }
    values[p.out_offset + i] = best;
    taps[p.taps_offset + i] = i32(best_tap);
}
