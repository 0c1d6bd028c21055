// The adjoint of im2col: each image pixel sums the column entries that read it (no two threads write
// one pixel, so no atomics).
// Parameters: `WindowParams` (src/backend/webgpu/params.rs); the source is cols, its strides
// [n, row, position].
@group(0) @binding(1) var<storage, read> cols: array<f32>;
@group(0) @binding(2) var<storage, read_write> image: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
    let i = linear_index(wid, nwg, lid);
    if (i >= p.numel) {
        return;
    }
    let w = p.win;
    let s = p.src_strides;
    let channels = p.channels;
    let in_h = w.in_h;
    let in_w = w.in_w;
    let kh = w.kernel_h;
    let kw = w.kernel_w;
    let x = i % in_w;
    let y = (i / in_w) % in_h;
    let c = (i / (in_w * in_h)) % channels;
    let n = i / (in_w * in_h * channels);
    var sum = 0.0;
    for (var ky = 0u; ky < kh; ky = ky + 1u) {
        let oy = window_output(y, ky, w.stride_h, w.dilation_h, w.pad_top, w.out_h);
        if (oy < 0) {
            continue;
        }
        for (var kx = 0u; kx < kw; kx = kx + 1u) {
            let ox = window_output(x, kx, w.stride_w, w.dilation_w, w.pad_left, w.out_w);
            if (ox < 0) {
                continue;
            }
            let row = (c * kh + ky) * kw + kx;
            sum = sum + cols[p.src_offset + n * s.x + row * s.y + (u32(oy) * w.out_w + u32(ox)) * s.z];
        }
    }
    image[p.out_offset + i] = sum;
}
