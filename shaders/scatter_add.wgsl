// out (a contiguous copy of the base) += src at the index positions along the axis. One thread per
// line of the index (all coordinates but the axis) walks that line in order, so no two threads ever
// add to the same element and no atomics are needed. Positions outside the axis are skipped and
// reported through `fault`. Only positions in [lo, hi) are added, out holding that slab of the axis
// from out_offset: an output above the binding limit is scattered into slab by slab (the first
// slab, lo = 0, reports the positions outside the axis).
// info: [lines, rank, axis, index_offset, src_offset, axis_size, index_shape[rank], index_strides[rank],
//        src_strides[rank], out_strides[rank], lo, hi, out_offset]
@group(0) @binding(1) var<storage, read> index: array<i32>;
@group(0) @binding(2) var<storage, read> src: array<{{T}}>;
@group(0) @binding(3) var<storage, read_write> out: array<{{T}}>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
    let line = linear_index(wid, nwg, lid);
    if (line >= info(0)) {
        return;
    }
    let rank = info(1);
    let axis = info(2);
    let shape_at = 6u;
    // Offsets of the line's first element, coordinates unravelled with the axis counted as size 1.
    var rest = line;
    var index_at = info(3);
    var src_at = info(4);
    let lo = info(shape_at + 4u * rank);
    let hi = info(shape_at + 4u * rank + 1u);
    var out_at = info(shape_at + 4u * rank + 2u);
    for (var d = rank; d > 0u; d = d - 1u) {
        if (d - 1u == axis) {
            continue;
        }
        let dim = max(info(shape_at + d - 1u), 1u);
        let coord = rest % dim;
        rest = rest / dim;
        index_at = index_at + coord * info(shape_at + rank + d - 1u);
        src_at = src_at + coord * info(shape_at + 2u * rank + d - 1u);
        out_at = out_at + coord * info(shape_at + 3u * rank + d - 1u);
    }
    let length = info(shape_at + axis);
    for (var j = 0u; j < length; j = j + 1u) {
        let position = index[index_at + j * info(shape_at + rank + axis)];
        if (position < 0 || u32(position) >= info(5)) {
            if (lo == 0u) {
                report_bad_index(position, info(5));
            }
        } else if (u32(position) >= lo && u32(position) < hi) {
            let slot = out_at + (u32(position) - lo) * info(shape_at + 3u * rank + axis);
            out[slot] = out[slot] + src[src_at + j * info(shape_at + 2u * rank + axis)];
        }
    }
}
