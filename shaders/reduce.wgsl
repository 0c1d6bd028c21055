// One workgroup per output: its threads stride over the reduced elements, then combine their partial
// results as a tree in workgroup memory. The view arrives permuted so that reduced axes come last:
// output o covers the row-major elements [o * reduced, (o + 1) * reduced). With `chunks` > 1 (a first
// pass over long rows), workgroup w reduces chunk w % chunks of row w / chunks, `chunk` elements long.
// Parameters: `ReduceParams` (src/backend/webgpu/params.rs), `outputs` counting every chunk, dims
// [shape, strides].
@group(0) @binding(1) var<storage, read> x: array<{{T}}>;
@group(0) @binding(2) var<storage, read_write> y: array<{{T}}>;

var<workgroup> partial: array<{{T}}, 256>;

fn combine(acc: {{T}}, v: {{T}}) -> {{T}} {
    return {{COMBINE}};
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
    let o = wid.y * nwg.x + wid.x;
    let outputs = p.outputs;
    let reduced = p.reduced;
    let rank = p.rank;
    let chunks = p.chunks;
    let chunk = p.chunk;
    let row = o / chunks;
    let begin = (o % chunks) * chunk;
    let end = min(reduced, begin + chunk);
    var acc: {{T}} = {{INIT}};
    if (o < outputs) {
        for (var r = begin + lid; r < end; r = r + WG) {
            acc = combine(acc, x[strided_offset(row * reduced + r, rank, 0u, rank, p.offset)]);
        }
    }
    partial[lid] = acc;
    workgroupBarrier();
    for (var step = WG / 2u; step > 0u; step = step / 2u) {
        if (lid < step) {
            partial[lid] = combine(partial[lid], partial[lid + step]);
        }
        workgroupBarrier();
    }
    if (lid == 0u && o < outputs) {
        y[o] = partial[0];
    }
}
