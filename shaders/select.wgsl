// out[i] = cond[i] ? a[i] : b[i] over three views of the output's shape.
// Parameters: `ElementwiseParams` (src/backend/webgpu/params.rs), dims [shape, cond strides, a strides, b strides].
@group(0) @binding(1) var<storage, read> cond: array<u32>;
@group(0) @binding(2) var<storage, read> a: array<{{T}}>;
@group(0) @binding(3) var<storage, read> b: array<{{T}}>;
@group(0) @binding(4) var<storage, read_write> out: array<{{T}}>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
    let i = linear_index(wid, nwg, lid);
    if (i >= p.numel) {
        return;
    }
    let rank = p.rank;
    let k = cond[strided_offset(i, rank, 0u, rank, p.offsets.x)];
    let va = a[strided_offset(i, rank, 0u, 2u * rank, p.offsets.y)];
    let vb = b[strided_offset(i, rank, 0u, 3u * rank, p.offsets.z)];
    out[i] = select(vb, va, k != 0u);
}
