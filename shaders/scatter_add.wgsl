// out (a contiguous copy of the base) += src at the index positions along the axis. One thread per
// line of the index (all coordinates but the axis) walks that line in order, so no two threads ever
// add to the same element and no atomics are needed. Positions outside the axis are skipped and
// reported through `fault`. Only positions in [lo, hi) are added, out holding that slab of the axis
// from out_offset: an output above the binding limit is scattered into slab by slab (the first
// slab, lo = 0, reports the positions outside the axis).
// Parameters: `IndexParams` (src/backend/webgpu/params.rs), `count` lines, src from `source_offset`,
// dims [index shape, index strides, src strides, out strides].
@group(0) @binding(1) var<storage, read> index: array<i32>;
@group(0) @binding(2) var<storage, read> src: array<{{T}}>;
@group(0) @binding(3) var<storage, read_write> out: array<{{T}}>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
    let line = linear_index(wid, nwg, lid);
    if (line >= p.count) {
        return;
    }
    let rank = p.rank;
    let axis = p.axis;
    let shape_at = 0u;
    // Offsets of the line's first element, coordinates unravelled with the axis counted as size 1.
    var rest = line;
    var index_at = p.index_offset;
    var src_at = p.source_offset;
    let lo = p.lo;
    let hi = p.hi;
    var out_at = p.out_offset;
    for (var d = rank; d > 0u; d = d - 1u) {
        if (d - 1u == axis) {
            continue;
        }
        let size = max(dim(shape_at + d - 1u), 1u);
        let coord = rest % size;
        rest = rest / size;
        index_at = index_at + coord * dim(shape_at + rank + d - 1u);
        src_at = src_at + coord * dim(shape_at + 2u * rank + d - 1u);
        out_at = out_at + coord * dim(shape_at + 3u * rank + d - 1u);
    }
    let length = dim(shape_at + axis);
    for (var j = 0u; j < length; j = j + 1u) {
        let position = index[index_at + j * dim(shape_at + rank + axis)];
        if (position < 0 || u32(position) >= p.axis_size) {
            if (lo == 0u) {
                report_bad_index(position, p.axis_size);
            }
        } else if (u32(position) >= lo && u32(position) < hi) {
            let slot = out_at + (u32(position) - lo) * dim(shape_at + 3u * rank + axis);
            out[slot] = out[slot] + src[src_at + j * dim(shape_at + 2u * rank + axis)];
        }
    }
}
