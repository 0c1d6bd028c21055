// Writes a strided view into a strided region of an existing buffer (concatenation writes each part
// into its slice of the output this way).
// info: [numel, rank, src_offset, dst_offset, shape[rank], src_strides[rank], dst_strides[rank]]
@group(0) @binding(1) var<storage, read> src: array<{{T}}>;
@group(0) @binding(2) var<storage, read_write> dst: array<{{T}}>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
    let i = linear_index(wid, nwg, lid);
    if (i >= info(0)) {
        return;
    }
    let rank = info(1);
    dst[strided_offset(i, rank, 4u, 4u + 2u * rank, info(3))] = src[strided_offset(i, rank, 4u, 4u + rank, info(2))];
}
