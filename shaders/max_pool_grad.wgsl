// The input gradient of max pooling: each image pixel sums the output gradients of the windows whose
// maximum it was (no two threads write one pixel, so no atomics).
// Parameters: `WindowParams` (src/backend/webgpu/params.rs); the source is dy (contiguous), the
// output dx.
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> taps: array<i32>;
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
    let i = linear_index(wid, nwg, lid);
    if (i >= p.numel) {
        return;
    }
    let w = p.win;
    let in_w = w.in_w;
    let kw = w.kernel_w;
    let x = i % in_w;
    let y = (i / in_w) % w.in_h;
    let plane = i / (in_w * w.in_h);
    let first = plane * w.out_h * w.out_w;
    var sum = 0.0;
    for (var ky = 0u; ky < w.kernel_h; ky = ky + 1u) {
        let oy = window_output(y, ky, w.stride_h, w.dilation_h, w.pad_top, w.out_h);
        if (oy < 0) {
            continue;
        }
        for (var kx = 0u; kx < kw; kx = kx + 1u) {
            let ox = window_output(x, kx, w.stride_w, w.dilation_w, w.pad_left, w.out_w);
            if (ox < 0) {
                continue;
            }
            let o = first + u32(oy) * w.out_w + u32(ox);
            if (taps[p.taps_offset + o] == i32(ky * kw + kx)) {
                sum = sum + dy[p.src_offset + o];
            }
        }
    }
    dx[p.out_offset + i] = sum;
}
