//! Scalar helpers of the elementwise ops (the unary table in `backend/unary.rs` calls them) and the
//! binary ops: the reference the WGSL snippets must agree with.

const SQRT_2_OVER_PI: f32 = 0.797_884_6;
const GELU_CUBIC: f32 = 0.044_715;
const INV_SQRT_2: f32 = std::f32::consts::FRAC_1_SQRT_2;
const INV_SQRT_2PI: f32 = 0.398_942_3;

/// A logistic sigmoid that neither overflows nor loses precision for large |x|.
pub fn sigmoid(x: f32) -> f32 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// Sign with sign(0) = 0 and NaN passed through (unlike `f32::signum`).
pub fn sign(x: f32) -> f32 {
    if x > 0.0 {
        1.0
    } else if x < 0.0 {
        -1.0
    } else {
        x
    }
}

/// `f32::max` that propagates NaN (as PyTorch's `maximum` does).
pub fn maximum(a: f32, b: f32) -> f32 {
    if a.is_nan() || b.is_nan() {
        f32::NAN
    } else {
        a.max(b)
    }
}

/// `f32::min` that propagates NaN.
pub fn minimum(a: f32, b: f32) -> f32 {
    if a.is_nan() || b.is_nan() {
        f32::NAN
    } else {
        a.min(b)
    }
}

/// `max(x, 0)`; `x <= 0` is false for NaN, which passes through.
pub fn relu(x: f32) -> f32 {
    if x <= 0.0 {
        0.0
    } else {
        x
    }
}

/// GELU, exact form.
pub fn gelu(x: f32) -> f32 {
    0.5 * x * (1.0 + libm::erff(x * INV_SQRT_2))
}

/// GELU, tanh approximation.
pub fn gelu_tanh(x: f32) -> f32 {
    0.5 * x * (1.0 + (SQRT_2_OVER_PI * (x + GELU_CUBIC * x * x * x)).tanh())
}

/// The derivative of [`gelu`].
pub fn gelu_grad(x: f32) -> f32 {
    0.5 * (1.0 + libm::erff(x * INV_SQRT_2)) + x * INV_SQRT_2PI * (-0.5 * x * x).exp()
}

/// The derivative of [`gelu_tanh`].
pub fn gelu_tanh_grad(x: f32) -> f32 {
    let t = (SQRT_2_OVER_PI * (x + GELU_CUBIC * x * x * x)).tanh();
    0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * SQRT_2_OVER_PI * (1.0 + 3.0 * GELU_CUBIC * x * x)
}

/// The derivative of `x * sigmoid(x)`.
pub fn silu_grad(x: f32) -> f32 {
    let s = sigmoid(x);
    s * (1.0 + x * (1.0 - s))
}
