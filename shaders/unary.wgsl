// y[i] = OP(x at the strided position of element i), from element type IN to OUT (casts included).
// Parameters: `ElementwiseParams` (src/backend/webgpu/params.rs), dims [shape, x strides].
@group(0) @binding(1) var<storage, read> x: array<{{IN}}>;
@group(0) @binding(2) var<storage, read_write> y: array<{{OUT}}>;

fn op(v: {{IN}}) -> {{OUT}} {
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
    y[i] = op(x[strided_offset(i, rank, 0u, rank, p.offsets.x)]);
}
