// softmax (or log-softmax when LOG) along one axis, one workgroup per row: a tree maximum, a tree sum
// of exp(x - max), then every element written. The view arrives permuted so the axis is last; the
// output's strides (of the unpermuted contiguous result) are permuted the same way.
// info: [rows, length, rank, x_offset, shape[rank], x_strides[rank], y_strides[rank]]
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

const LOG: bool = {{LOG}};

var<workgroup> part: array<f32, 256>;

fn at_x(i: u32) -> u32 {
    return strided_offset(i, info(2), 4u, 4u + info(2), info(3));
}

fn at_y(i: u32) -> u32 {
    return strided_offset(i, info(2), 4u, 4u + 2u * info(2), 0u);
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
    let row = wid.y * nwg.x + wid.x;
    let rows = info(0);
    let length = info(1);
    let live = row < rows;
    var m = -inf_f32();
    if (live) {
        for (var r = lid; r < length; r = r + WG) {
            m = max_nan(m, x[at_x(row * length + r)]);
        }
    }
    part[lid] = m;
    workgroupBarrier();
    for (var step = WG / 2u; step > 0u; step = step / 2u) {
        if (lid < step) {
            part[lid] = max_nan(part[lid], part[lid + step]);
        }
        workgroupBarrier();
    }
    // An infinite maximum shifts by 0, so that shifting never makes NaN.
    let top = part[0];
    let shift = select(top, 0.0, is_inf(top));
    workgroupBarrier();
    var s = 0.0;
    if (live) {
        for (var r = lid; r < length; r = r + WG) {
            s = s + exp(x[at_x(row * length + r)] - shift);
        }
    }
    part[lid] = s;
    workgroupBarrier();
    for (var step = WG / 2u; step > 0u; step = step / 2u) {
        if (lid < step) {
            part[lid] = part[lid] + part[lid + step];
        }
        workgroupBarrier();
    }
    let total = part[0];
    if (live) {
        for (var r = lid; r < length; r = r + WG) {
            let i = row * length + r;
            let v = x[at_x(i)] - shift;
            if (LOG) {
                y[at_y(i)] = v - log_f(total);
            } else {
                y[at_y(i)] = exp(v) / total;
            }
        }
    }
}
