// The position of the first extreme element along the (last, permuted) reduced axis, one workgroup
// per output. Each thread scans its positions in increasing order, then the tree keeps the better
// value and, on ties, the smaller position. BETTER(a, b): a beats b (NaN counts as the largest).
// Parameters: `ReduceParams` (src/backend/webgpu/params.rs), dims [shape, strides].
@group(0) @binding(1) var<storage, read> x: array<{{T}}>;
@group(0) @binding(2) var<storage, read_write> y: array<i32>;

var<workgroup> best_value: array<{{T}}, 256>;
var<workgroup> best_index: array<u32, 256>;

fn better(a: {{T}}, b: {{T}}) -> bool {
    return {{BETTER}};
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
    let o = wid.y * nwg.x + wid.x;
    let outputs = p.outputs;
    let reduced = p.reduced;
    let rank = p.rank;
    var index = 0xffffffffu;
    var value: {{T}};
    if (o < outputs) {
        for (var r = lid; r < reduced; r = r + WG) {
            let v = x[strided_offset(o * reduced + r, rank, 0u, rank, p.offset)];
            if (index == 0xffffffffu || better(v, value)) {
                value = v;
                index = r;
            }
        }
    }
    best_value[lid] = value;
    best_index[lid] = index;
    workgroupBarrier();
    for (var step = WG / 2u; step > 0u; step = step / 2u) {
        if (lid < step) {
            let vi = best_value[lid + step];
            let ii = best_index[lid + step];
            let vm = best_value[lid];
            let im = best_index[lid];
            let take = ii != 0xffffffffu && (im == 0xffffffffu || better(vi, vm) || (!better(vm, vi) && ii < im));
            if (take) {
                best_value[lid] = vi;
                best_index[lid] = ii;
            }
        }
        workgroupBarrier();
    }
    if (lid == 0u && o < outputs) {
        y[o] = i32(best_index[0]);
    }
}
