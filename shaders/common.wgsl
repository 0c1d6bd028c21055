// Prelude shared by every kernel. Shapes, strides and offsets travel in `info`, a small u32 array
// written per dispatch; each kernel documents its own `info` layout.
@group(0) @binding(0) var<storage, read> info: array<u32>;

const WG: u32 = 256u;

// Linear invocation index over a 2-D grid of 1-D workgroups (the grid is split over y when it
// exceeds the 65,535-workgroups-per-dimension limit).
fn linear_index(wid: vec3<u32>, nwg: vec3<u32>, lid: u32) -> u32 {
    return (wid.y * nwg.x + wid.x) * WG + lid;
}

// Storage offset of the row-major element `i` of a view whose `rank` dims start at
// info[shape_at] and strides at info[strides_at].
fn strided_offset(i: u32, rank: u32, shape_at: u32, strides_at: u32, offset: u32) -> u32 {
    var rest = i;
    var at = offset;
    for (var d = rank; d > 0u; d = d - 1u) {
        let dim = max(info[shape_at + d - 1u], 1u);
        at = at + (rest % dim) * info[strides_at + d - 1u];
        rest = rest / dim;
    }
    return at;
}
