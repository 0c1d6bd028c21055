// The variable-rank part of a parameter struct: `p.dims`, shapes and strides packed four to a vec4
// (a uniform array's elements are 16-byte aligned), each family documenting their order.
fn dim(i: u32) -> u32 {
    return p.dims[i / 4u][i % 4u];
}

// Storage offset of the row-major element `i` of a view whose `rank` dims start at dim(shape_at)
// and strides at dim(strides_at).
fn strided_offset(i: u32, rank: u32, shape_at: u32, strides_at: u32, offset: u32) -> u32 {
    var rest = i;
    var at = offset;
    for (var d = rank; d > 1u; d = d - 1u) {
        let qr = divmod(rest, max(dim(shape_at + d - 1u), 1u));
        at = at + qr.y * dim(strides_at + d - 1u);
        rest = qr.x;
    }
    // The outermost index needs no division (i < numel).
    if (rank > 0u) {
        at = at + rest * dim(strides_at);
    }
    return at;
}
