// cols[n, (c * kh + ky) * kw + kx, oy * out_w + ox] = image[n, c, y, x], or the pad value off the image.
// Parameters: `WindowParams` (src/backend/webgpu/params.rs); the source is the image x.
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> cols: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
    let i = linear_index(wid, nwg, lid);
    if (i >= p.numel) {
        return;
    }
    let w = p.win;
    let channels = p.channels;
    let kh = w.kernel_h;
    let kw = w.kernel_w;
    let positions = w.out_h * w.out_w;
    let position = i % positions;
    let row = (i / positions) % (channels * kh * kw);
    let n = i / (positions * channels * kh * kw);
    let kx = row % kw;
    let ky = (row / kw) % kh;
    let c = row / (kw * kh);
    let oy = position / w.out_w;
    let ox = position % w.out_w;
    // Signed arithmetic: the padded coordinate may be negative.
    let y = i32(oy * w.stride_h + ky * w.dilation_h) - i32(w.pad_top);
    let xx = i32(ox * w.stride_w + kx * w.dilation_w) - i32(w.pad_left);
    var v = p.pad_value;
    if (y >= 0 && y < i32(w.in_h) && xx >= 0 && xx < i32(w.in_w)) {
        let s = p.src_strides;
        v = x[p.src_offset + n * s.x + c * s.y + u32(y) * s.z + u32(xx) * s.w];
    }
    cols[p.out_offset + i] = v;
}
