//! Optimizer updates as one elementwise primitive: each call computes one new tensor (a parameter or
//! a state buffer) from the old parameter, its gradient and up to two state buffers, so a step never
//! reads back and each new tensor costs one dispatch. The formulas follow PyTorch's `SGD`, `Adam` and
//! `AdamW`, and Keras's `Adam` (epsilon added to the uncorrected root).

/// Which new tensor an update call computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UpdateOp {
    /// SGD momentum buffer `b' = momentum * b + (1 - dampening) * g'` (`b' = g'` on the first step).
    SgdBuffer,
    /// SGD parameter `p' = p - lr * d`, `d = g' + momentum * b'` (Nesterov) or `b'` (or `g'` without momentum).
    SgdParam,
    /// Adam first moment `m' = beta1 * m + (1 - beta1) * g'`.
    AdamM,
    /// Adam second moment `v' = beta2 * v + (1 - beta2) * g'^2`.
    AdamV,
    /// Adam parameter update from `m'` and `v'` (recomputed from the old state, so the calls are independent).
    AdamParam,
}

impl UpdateOp {
    pub const ALL: [UpdateOp; 5] = [UpdateOp::SgdBuffer, UpdateOp::SgdParam, UpdateOp::AdamM, UpdateOp::AdamV, UpdateOp::AdamParam];
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

/// The value of one element of the new tensor `op` computes (the reference for the WGSL version in
/// `shaders/update.wgsl`).
pub fn update_value(op: UpdateOp, h: &UpdateHyper, p: f32, g: f32, s1: f32, s2: f32) -> f32 {
    let g = if h.decoupled { g } else { g + h.weight_decay * p };
    match op {
        UpdateOp::SgdBuffer => sgd_buffer(h, g, s1),
        UpdateOp::SgdParam => {
            let d = if h.beta1 == 0.0 {
                g
            } else if h.nesterov {
                g + h.beta1 * sgd_buffer(h, g, s1)
            } else {
                sgd_buffer(h, g, s1)
            };
            p - h.lr * d
        }
        UpdateOp::AdamM => h.beta1 * s1 + (1.0 - h.beta1) * g,
        UpdateOp::AdamV => h.beta2 * s2 + (1.0 - h.beta2) * g * g,
        UpdateOp::AdamParam => {
            let m = h.beta1 * s1 + (1.0 - h.beta1) * g;
            let v = h.beta2 * s2 + (1.0 - h.beta2) * g * g;
            let p = if h.decoupled { p * (1.0 - h.lr * h.weight_decay) } else { p };
            if h.epsilon_hat {
                p - h.lr * h.correction2.sqrt() / h.correction1 * m / (v.sqrt() + h.eps)
            } else {
                p - h.lr * (m / h.correction1) / ((v / h.correction2).sqrt() + h.eps)
            }
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
