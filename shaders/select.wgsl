// out[i] = cond[i] ? a[i] : b[i] over three views of the output's shape.
// info: [numel, rank, cond_offset, a_offset, b_offset, shape[rank], cond_strides[rank], a_strides[rank], b_strides[rank]]
@group(0) @binding(1) var<storage, read> cond: array<u32>;
@group(0) @binding(2) var<storage, read> a: array<{{T}}>;
@group(0) @binding(3) var<storage, read> b: array<{{T}}>;
@group(0) @binding(4) var<storage, read_write> out: array<{{T}}>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
    let i = linear_index(wid, nwg, lid);
    if (i >= info(0)) {
        return;
    }
    let rank = info(1);
    let k = cond[strided_offset(i, rank, 5u, 5u + rank, info(2))];
    let va = a[strided_offset(i, rank, 5u, 5u + 2u * rank, info(3))];
    let vb = b[strided_offset(i, rank, 5u, 5u + 3u * rank, info(4))];
    out[i] = select(vb, va, k != 0u);
}
