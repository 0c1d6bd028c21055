//! Optimizer updates as one elementwise primitive: each call computes the new parameter and its new
//! state buffers from the old parameter, its gradient and up to two state buffers, so a step never
//! reads back and each parameter costs one dispatch. The formulas follow PyTorch's `SGD`, `Adam` and
//! `AdamW`, and Keras's `Adam` (epsilon added to the uncorrected root).

/// Which update a call computes. Each call writes all its new tensors in one pass (one dispatch on
/// WebGPU): the parameter first, then the new state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UpdateOp {
    /// SGD without momentum: `p' = p - lr * g'`.
    Sgd,
    /// SGD with momentum: buffer `b' = momentum * b + (1 - dampening) * g'` (`b' = g'` on the first
    /// step) and `p' = p - lr * d` with `d = g' + momentum * b'` (Nesterov) or `b'`. Outputs `[p', b']`.
    SgdMomentum,
    /// Adam: `m' = beta1 * m + (1 - beta1) * g'`, `v' = beta2 * v + (1 - beta2) * g'^2` and the
    /// bias-corrected parameter update. Outputs `[p', m', v']`.
    Adam,
}

impl UpdateOp {
    pub const ALL: [UpdateOp; 3] = [UpdateOp::Sgd, UpdateOp::SgdMomentum, UpdateOp::Adam];

    /// How many tensors the update writes (the parameter, then its state).
    pub fn outputs(self) -> usize {
        match self {
            UpdateOp::Sgd => 1,
            UpdateOp::SgdMomentum => 2,
            UpdateOp::Adam => 3,
        }
    }
}

/// Hyper-parameters of an update, as the kernels read them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UpdateHyper {
    pub lr: f32,
    /// SGD momentum, or Adam beta1.
    pub beta1: f32,
    /// SGD dampening, or Adam beta2.
    pub beta2: f32,
    pub eps: f32,
    pub weight_decay: f32,
    /// Adam: `1 - beta1^t`; SGD: 1 on the first step (buffer starts as the gradient), else 0.
    pub correction1: f32,
    /// Adam: `1 - beta2^t`.
    pub correction2: f32,
    /// Decoupled weight decay (AdamW): `p *= 1 - lr * weight_decay` instead of adding it to the gradient.
    pub decoupled: bool,
    /// Keras's Adam: epsilon added to `sqrt(v')` before bias correction.
    pub epsilon_hat: bool,
    /// SGD: Nesterov momentum.
    pub nesterov: bool,
}

impl UpdateHyper {
    /// The `f32` words the kernels take: `[lr, beta1, beta2, eps, weight_decay, correction1,
    /// correction2, flags]` with flags bit 0 decoupled, bit 1 epsilon hat, bit 2 Nesterov.
    pub fn words(&self) -> [f32; 8] {
        let flags = self.decoupled as u32 | (self.epsilon_hat as u32) << 1 | (self.nesterov as u32) << 2;
        [self.lr, self.beta1, self.beta2, self.eps, self.weight_decay, self.correction1, self.correction2, flags as f32]
    }
}

/// The new values of one element, `[parameter, state...]` (unused slots 0): the reference for the
/// WGSL version in `shaders/update.wgsl`.
pub fn update_values(op: UpdateOp, h: &UpdateHyper, p: f32, g: f32, s1: f32, s2: f32) -> [f32; 3] {
    let g = if h.decoupled { g } else { g + h.weight_decay * p };
    match op {
        UpdateOp::Sgd => [p - h.lr * g, 0.0, 0.0],
        UpdateOp::SgdMomentum => {
            let b = sgd_buffer(h, g, s1);
            let d = if h.nesterov { g + h.beta1 * b } else { b };
            [p - h.lr * d, b, 0.0]
        }
        UpdateOp::Adam => {
            let m = h.beta1 * s1 + (1.0 - h.beta1) * g;
            let v = h.beta2 * s2 + (1.0 - h.beta2) * g * g;
            let p = if h.decoupled { p * (1.0 - h.lr * h.weight_decay) } else { p };
            let p = if h.epsilon_hat {
                p - h.lr * h.correction2.sqrt() / h.correction1 * m / (v.sqrt() + h.eps)
            } else {
                p - h.lr * (m / h.correction1) / ((v / h.correction2).sqrt() + h.eps)
            };
            [p, m, v]
        }
    }
}

fn sgd_buffer(h: &UpdateHyper, g: f32, b: f32) -> f32 {
    if h.correction1 == 1.0 {
        g
    } else {
        h.beta1 * b + (1.0 - h.beta2) * g
    }
}
