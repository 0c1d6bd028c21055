// c[i] = OP(a, b) at element i of two views of the output's shape (broadcast axes have stride 0).
// Parameters: `ElementwiseParams` (src/backend/webgpu/params.rs), dims [shape, a strides, b strides].
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
    if (i >= p.numel) {
        return;
    }
    let rank = p.rank;
    let va = a[strided_offset(i, rank, 0u, rank, p.offsets.x)];
    let vb = b[strided_offset(i, rank, 0u, 2u * rank, p.offsets.y)];
    c[i] = op(va, vb);
}
