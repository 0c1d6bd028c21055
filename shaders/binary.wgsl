// c[i] = OP(a, b) at element i of two views of the output's shape (broadcast axes have stride 0).
// info: [numel, rank, a_offset, b_offset, shape[rank], a_strides[rank], b_strides[rank]]
@group(0) @binding(1) var<storage, read> a: array<{{T}}>;
@group(0) @binding(2) var<storage, read> b: array<{{T}}>;
@group(0) @binding(3) var<storage, read_write> c: array<{{OUT}}>;

fn op(x: {{T}}, y: {{T}}) -> {{OUT}} {
    return {{OP}};
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
    let i = linear_index(wid, nwg, lid);
    if (i >= info(0)) {
        return;
    }
    let rank = info(1);
    let va = a[strided_offset(i, rank, 4u, 4u + rank, info(2))];
    let vb = b[strided_offset(i, rank, 4u, 4u + 2u * rank, info(3))];
    c[i] = op(va, vb);
}
