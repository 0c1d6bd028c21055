// Reductions of short rows: one invocation per output, looping over its `reduced` elements (the
// workgroup-per-output kernel wastes its threads when rows are shorter than a workgroup: pooling
// windows, class scores). For arg reductions ARG is true and BETTER picks the first extreme.
// Parameters: `ReduceParams` (src/backend/webgpu/params.rs), dims [shape, strides] (reduced axes
// permuted last).
@group(0) @binding(1) var<storage, read> x: array<{{T}}>;
@group(0) @binding(2) var<storage, read_write> y: array<{{OUT}}>;

fn combine(acc: {{T}}, v: {{T}}) -> {{T}} {
    return {{COMBINE}};
}

fn better(a: {{T}}, b: {{T}}) -> bool {
    return {{BETTER}};
}

const ARG: bool = {{ARG}};

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
    let o = linear_index(wid, nwg, lid);
    if (o >= p.outputs) {
        return;
    }
    let reduced = p.reduced;
    let rank = p.rank;
    var acc: {{T}} = {{INIT}};
    var best = 0u;
    for (var r = 0u; r < reduced; r = r + 1u) {
        let v = x[strided_offset(o * reduced + r, rank, 0u, rank, p.offset)];
        if (ARG) {
            if (r == 0u || better(v, acc)) {
                acc = v;
                best = r;
            }
        } else {
            acc = combine(acc, v);
        }
    }
    if (ARG) {
        y[o] = {{OUT}}(best);
    } else {
        y[o] = {{OUT}}(acc);
    }
}
