// out[i] = x at the index element's coordinates with the gather axis replaced by the index value
// (positions outside the axis read 0 and are reported through `fault`). Only positions in [lo, hi)
// are written, x holding that slab of the axis from x_offset: a source above the binding limit is
// gathered slab by slab (the first slab, lo = 0, handles the positions outside the axis). An output
// above the binding limit is written in slabs too, each bound as a window from out_offset.
// Parameters: `IndexParams` (src/backend/webgpu/params.rs), x from `source_offset`, dims
// [index shape, x strides, index strides].
@group(0) @binding(1) var<storage, read> x: array<{{T}}>;
@group(0) @binding(2) var<storage, read> index: array<i32>;
@group(0) @binding(3) var<storage, read_write> out: array<{{T}}>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
    let i = linear_index(wid, nwg, lid);
    if (i >= p.count) {
        return;
    }
    let rank = p.rank;
    let axis = p.axis;
    let position = index[strided_offset(i, rank, 0u, 2u * rank, p.index_offset)];
    let lo = p.lo;
    if (position < 0 || u32(position) >= p.axis_size) {
        if (lo == 0u) {
            out[p.out_offset + i] = {{ZERO}};
            report_bad_index(position, p.axis_size);
        }
        return;
    }
    if (u32(position) < lo || u32(position) >= p.hi) {
        return;
    }
    var rest = i;
    var at = p.source_offset;
    for (var d = rank; d > 0u; d = d - 1u) {
        let size = max(dim(d - 1u), 1u);
        let coord = select(rest % size, u32(position) - lo, d - 1u == axis);
        at = at + coord * dim(rank + d - 1u);
        rest = rest / size;
    }
    out[p.out_offset + i] = x[at];
}
