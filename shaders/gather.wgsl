// out[i] = x at the index element's coordinates with the gather axis replaced by the index value
// (positions outside the axis read 0 and are reported through `fault`). Only positions in [lo, hi)
// are written, x holding that slab of the axis from x_offset: a source above the binding limit is
// gathered slab by slab (the first slab, lo = 0, handles the positions outside the axis). An output
// above the binding limit is written in slabs too, each bound as a window from out_offset.
// info: [numel, rank, axis, x_offset, index_offset, axis_size, index_shape[rank], x_strides[rank], index_strides[rank], lo, hi,
//        out_offset]
@group(0) @binding(1) var<storage, read> x: array<{{T}}>;
@group(0) @binding(2) var<storage, read> index: array<i32>;
@group(0) @binding(3) var<storage, read_write> out: array<{{T}}>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
    let i = linear_index(wid, nwg, lid);
    if (i >= info(0)) {
        return;
    }
    let rank = info(1);
    let axis = info(2);
    let position = index[strided_offset(i, rank, 6u, 6u + 2u * rank, info(4))];
    let lo = info(6u + 3u * rank);
    if (position < 0 || u32(position) >= info(5)) {
        if (lo == 0u) {
            out[info(8u + 3u * rank) + i] = {{ZERO}};
            report_bad_index(position, info(5));
        }
        return;
    }
    if (u32(position) < lo || u32(position) >= info(7u + 3u * rank)) {
        return;
    }
    var rest = i;
    var at = info(3);
    for (var d = rank; d > 0u; d = d - 1u) {
        let dim = max(info(6u + d - 1u), 1u);
        let coord = select(rest % dim, u32(position) - lo, d - 1u == axis);
        at = at + coord * info(6u + rank + d - 1u);
        rest = rest / dim;
    }
    out[info(8u + 3u * rank) + i] = x[at];
}
