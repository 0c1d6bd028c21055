// Writes a strided view into a strided region of an existing buffer (concatenation writes each part
// into its slice of the output this way).
// Parameters: `ElementwiseParams` (src/backend/webgpu/params.rs), offsets [src, dst], dims [shape,
// src strides, dst strides].
@group(0) @binding(1) var<storage, read> src: array<{{T}}>;
@group(0) @binding(2) var<storage, read_write> dst: array<{{T}}>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
    let i = linear_index(wid, nwg, lid);
    if (i >= p.numel) {
        return;
    }
    let rank = p.rank;
    dst[strided_offset(i, rank, 0u, 2u * rank, p.offsets.y)] = src[strided_offset(i, rank, 0u, rank, p.offsets.x)];
}
