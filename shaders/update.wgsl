// One element of an optimizer update (see src/backend/update.rs, the reference): BODY writes the new
// parameter (out0) and new state buffers (out1, out2) from the old parameter, gradient g and state
// s1, s2 (contiguous views of one shape, each at its own offset), all in one pass.
// Parameters: `UpdateParams` (src/backend/webgpu/params.rs).
@group(0) @binding(1) var<storage, read> param: array<f32>;
@group(0) @binding(2) var<storage, read> g: array<f32>;
@group(0) @binding(3) var<storage, read> s1: array<f32>;
@group(0) @binding(4) var<storage, read> s2: array<f32>;
{{OUTPUTS}}

fn flag(bit: u32) -> bool {
    return (u32(p.flags) & (1u << bit)) != 0u;
}

fn sgd_buffer(grad: f32, b: f32) -> f32 {
    if (p.correction1 == 1.0) {
        return grad;
    }
    return p.beta1 * b + (1.0 - p.beta2) * grad;
}

fn update(i: u32, pv: f32, gv: f32, a: f32, b: f32) {
    let lr = p.lr;
    let beta1 = p.beta1;
    let beta2 = p.beta2;
    let eps = p.eps;
    let wd = p.weight_decay;
    let decoupled = flag(0u);
    let grad = select(gv + wd * pv, gv, decoupled);
    {{BODY}}
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
    let i = linear_index(wid, nwg, lid);
    if (i >= p.numel) {
        return;
    }
    update(i, param[p.param_offset + i], g[p.grad_offset + i], s1[p.state1_offset + i], s2[p.state2_offset + i]);
}
