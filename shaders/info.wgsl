// The positional parameters of the kernel families not yet given a parameter struct: `info`, a u32
// array written per dispatch, each family documenting its layout at the top of its file.
@group(0) @binding(0) var<{{INFO_SPACE}}> info_words: array<vec4<u32>, 32>;

// Word i of this dispatch's `info` array.
fn info(i: u32) -> u32 {
    return info_words[i / 4u][i % 4u];
}

// Storage offset of the row-major element `i` of a view whose `rank` dims start at
// info[shape_at] and strides at info[strides_at].
fn strided_offset(i: u32, rank: u32, shape_at: u32, strides_at: u32, offset: u32) -> u32 {
    var rest = i;
    var at = offset;
    for (var d = rank; d > 1u; d = d - 1u) {
        let qr = divmod(rest, max(info(shape_at + d - 1u), 1u));
        at = at + qr.y * info(strides_at + d - 1u);
        rest = qr.x;
    }
    // The outermost index needs no division (i < numel).
    if (rank > 0u) {
        at = at + rest * info(strides_at);
    }
    return at;
}
