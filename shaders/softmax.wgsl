// softmax (or log-softmax when LOG) along one axis, one workgroup per row: a tree maximum, a tree sum
// of exp(x - max), then every element written. With SHORT (rows shorter than a workgroup: class
// scores), one invocation per row does the three passes alone instead: a workgroup per 10-element
// row spent 50 ms on 128 rows in SwiftShader, mostly in barriers. The view arrives permuted so the
// axis is last; the output's strides (of the unpermuted contiguous result) are permuted the same way.
// Parameters: `SoftmaxParams` (src/backend/webgpu/params.rs), dims [shape, x strides, y strides].
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

const LOG: bool = {{LOG}};
const SHORT: bool = {{SHORT}};

var<workgroup> part: array<f32, 256>;

fn at_x(i: u32) -> u32 {
    return strided_offset(i, p.rank, 0u, p.rank, p.x_offset);
}

fn at_y(i: u32) -> u32 {
    return strided_offset(i, p.rank, 0u, 2u * p.rank, p.y_offset);
}

// y over the row starting at element `first`, given the row's shift and sum of exp(x - shift).
fn write_row(first: u32, begin: u32, step: u32, length: u32, shift: f32, total: f32) {
    for (var r = begin; r < length; r = r + step) {
        let v = x[at_x(first + r)] - shift;
        if (LOG) {
            y[at_y(first + r)] = v - log_f(total);
        } else {
            y[at_y(first + r)] = exp(v) / total;
        }
    }
}

// An infinite maximum shifts by 0, so that shifting never makes NaN.
fn shift_of(top: f32) -> f32 {
    return select(top, 0.0, is_inf(top));
}

fn short_row(row: u32, length: u32) {
    var m = -inf_f32();
    for (var r = 0u; r < length; r = r + 1u) {
        m = max_nan(m, x[at_x(row * length + r)]);
    }
    let shift = shift_of(m);
    var s = 0.0;
    for (var r = 0u; r < length; r = r + 1u) {
        s = s + exp(x[at_x(row * length + r)] - shift);
    }
    write_row(row * length, 0u, 1u, length, shift, s);
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
    let rows = p.rows;
    let length = p.length;
    if (SHORT) {
        let row = linear_index(wid, nwg, lid);
        if (row < rows) {
            short_row(row, length);
        }
        return;
    }
    let row = wid.y * nwg.x + wid.x;
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
    let shift = shift_of(part[0]);
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
        write_row(row * length, lid, WG, length, shift, total);
    }
}
