// One element of an optimizer update (see src/backend/update.rs, the reference): BODY writes the new
// parameter (out0) and new state buffers (out1, out2) from the old parameter p, gradient g and state
// s1, s2 (contiguous views of one shape, each at its own offset), all in one pass.
// info: [numel, p_offset, g_offset, s1_offset, s2_offset, hyper bits x 8]
@group(0) @binding(1) var<storage, read> p: array<f32>;
@group(0) @binding(2) var<storage, read> g: array<f32>;
@group(0) @binding(3) var<storage, read> s1: array<f32>;
@group(0) @binding(4) var<storage, read> s2: array<f32>;
{{OUTPUTS}}

fn hyper(i: u32) -> f32 {
    return bitcast<f32>(info(5u + i));
}

fn flag(bit: u32) -> bool {
    return (u32(hyper(7u)) & (1u << bit)) != 0u;
}

fn sgd_buffer(grad: f32, b: f32) -> f32 {
    if (hyper(5u) == 1.0) {
        return grad;
    }
    return hyper(1u) * b + (1.0 - hyper(2u)) * grad;
}

fn update(i: u32, pv: f32, gv: f32, a: f32, b: f32) {
    let lr = hyper(0u);
    let beta1 = hyper(1u);
    let beta2 = hyper(2u);
    let eps = hyper(3u);
    let wd = hyper(4u);
    let decoupled = flag(0u);
    let grad = select(gv + wd * pv, gv, decoupled);
    {{BODY}}
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
    let i = linear_index(wid, nwg, lid);
    if (i >= info(0)) {
        return;
    }
    update(i, p[info(1) + i], g[info(2) + i], s1[info(3) + i], s2[info(4) + i]);
}
