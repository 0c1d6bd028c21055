// Prelude shared by every kernel. Shapes, strides, offsets and hyper-parameters travel in `p`, the
// kernel family's parameter struct (declared in Rust, src/backend/webgpu/params.rs, whose WGSL mirror
// is spliced in here), written per dispatch. It is a uniform buffer (read-only to the compiler, so
// its reads are hoisted out of loops and shared; 1.5-2.5x faster kernels on lavapipe), except on
// SwiftShader, whose uniform reads are slower than storage reads (see `InfoSpace`).
{{PARAMS}}

const WG: u32 = 256u;

// Linear invocation index over a 2-D grid of 1-D workgroups (the grid is split over y when it
// exceeds the 65,535-workgroups-per-dimension limit).
fn linear_index(wid: vec3<u32>, nwg: vec3<u32>, lid: u32) -> u32 {
    return (wid.y * nwg.x + wid.x) * WG + lid;
}

// Along one axis of a sliding window: the output position whose window reads input coordinate `p`
// at tap `t`, or -1 where none does (window_info order: stride, dilation, leading pad, outputs).
fn window_output(at: u32, t: u32, stride: u32, dilation: u32, pad: u32, outputs: u32) -> i32 {
    let q = i32(at + pad) - i32(t * dilation);
    if (q < 0 || u32(q) % stride != 0u || u32(q) / stride >= outputs) {
        return -1;
    }
    return i32(u32(q) / stride);
}

// (a / b, a % b): one division serves both. (An f32 quotient with integer corrections was tried: it
// made lavapipe's convolutions up to 1.3x faster but SwiftShader's 1.6x slower.)
fn divmod(a: u32, b: u32) -> vec2<u32> {
    let q = a / b;
    return vec2<u32>(q, a - q * b);
}

// Scalar helpers shared by the elementwise snippets (they mirror src/backend/cpu/math.rs).
fn sigmoid(v: f32) -> f32 {
    if (v >= 0.0) {
        return 1.0 / (1.0 + exp(-v));
    }
    let e = exp(v);
    return e / (1.0 + e);
}

// The value of `r = f(v)`, except NaN where `v` is NaN (fast-math implementations lose it, e.g.
// SwiftShader's exp(NaN) is +inf).
fn keep_nan(v: f32, r: f32) -> f32 {
    return select(r, v, is_nan(v));
}

// log with its IEEE edge cases made explicit (some implementations clamp log(0) or take |v|).
fn log_f(v: f32) -> f32 {
    if (v == 0.0) {
        return -inf_f32();
    }
    if (v < 0.0 || is_nan(v)) {
        return nan_f32();
    }
    return log(v);
}

// sin and cos, webgrad's own (the built-ins are only bounded to 2^-11 absolute error on [-pi, pi],
// and SwiftShader's are off by ~2e-4): Cody-Waite reduction by pi/2, k = round(v * 2/pi) and
// r = v - k * pi/2 with pi/2 split in three parts (the first with 8 significant bits, so k * P1 is
// exact for |k| < 2^16, |v| up to ~1e5), then Cephes' minimax polynomials on [-pi/4, pi/4] chosen by
// the quadrant k mod 4. Infinite v gives NaN (r is inf - inf); NaN stays NaN (keep_nan).
fn sin_kernel(r: f32) -> f32 {
    let z = r * r;
    return r + r * z * (-1.6666654611e-1 + z * (8.3321608736e-3 + z * -1.9515295891e-4));
}

fn cos_kernel(r: f32) -> f32 {
    let z = r * r;
    return 1.0 - 0.5 * z + z * z * (4.166664568298827e-2 + z * (-1.388731625493765e-3 + z * 2.443315711809948e-5));
}

// sin(v + shift * pi/2).
fn sin_shifted(v: f32, shift: u32) -> f32 {
    let k = round(v * 0.63661977236758134);
    let r = ((v - k * 1.5703125) - k * 4.837512969970703125e-4) - k * 7.54978995489188216e-8;
    let q = (bitcast<u32>(i32(k)) + shift) & 3u;
    let s = select(sin_kernel(r), cos_kernel(r), (q & 1u) == 1u);
    return select(s, -s, q >= 2u);
}

fn sin_f(v: f32) -> f32 {
    return keep_nan(v, sin_shifted(v, 0u));
}

fn cos_f(v: f32) -> f32 {
    return keep_nan(v, sin_shifted(v, 1u));
}

// Truthiness of a float as both frameworks define it (any value but +-0 is true, NaN included), by
// bit test: `v != 0.0` is false for NaN where drivers assume no NaNs.
fn truthy(v: f32) -> bool {
    return (bitcast<u32>(v) & 0x7fffffffu) != 0u;
}

// log(1 + v) without cancellation for small v (Kahan's trick, used only near 0 where it is exact).
fn log1p(v: f32) -> f32 {
    if (abs(v) > 0.5 || is_nan(v)) {
        return log_f(1.0 + v);
    }
    let u = 1.0 + v;
    if (u == 1.0) {
        return v;
    }
    return log_f(u) * v / (u - 1.0);
}

// erf by Abramowitz & Stegun 7.1.26 (absolute error below 1.5e-7).
fn erf(v: f32) -> f32 {
    let x = abs(v);
    let t = 1.0 / (1.0 + 0.3275911 * x);
    let poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
    return sign(v) * (1.0 - poly * exp(-x * x));
}

// tanh that saturates instead of overflowing (exp-based implementations return NaN past |v| ~ 88).
fn safe_tanh(v: f32) -> f32 {
    if (is_nan(v)) {
        return v;
    }
    return tanh(clamp(v, -15.0, 15.0));
}

fn gelu_grad(v: f32) -> f32 {
    return 0.5 * (1.0 + erf(v * 0.70710678)) + v * 0.39894228 * exp(-0.5 * v * v);
}

fn gelu_tanh_grad(v: f32) -> f32 {
    let t = safe_tanh(0.7978846 * (v + 0.044715 * v * v * v));
    return 0.5 * (1.0 + t) + 0.5 * v * (1.0 - t * t) * 0.7978846 * (1.0 + 3.0 * 0.044715 * v * v);
}

fn silu_grad(v: f32) -> f32 {
    let s = sigmoid(v);
    return s * (1.0 + v * (1.0 - s));
}

// NaN and infinity as runtime values: Tint rejects them as constant expressions.
var<private> NAN_BITS: u32 = 0x7fc00000u;
var<private> INF_BITS: u32 = 0x7f800000u;

fn nan_f32() -> f32 {
    return bitcast<f32>(NAN_BITS);
}

fn inf_f32() -> f32 {
    return bitcast<f32>(INF_BITS);
}

// NaN test that survives fast-math assumptions: exponent all ones, mantissa nonzero.
fn is_nan(v: f32) -> bool {
    return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
}

// Infinity test by bit pattern (no literal near the f32 limit: Tint rejects those).
fn is_inf(v: f32) -> bool {
    return (bitcast<u32>(v) & 0x7fffffffu) == 0x7f800000u;
}

// max/min that propagate NaN, as the CPU backend and PyTorch do.
fn max_nan(a: f32, b: f32) -> f32 {
    if (is_nan(a) || is_nan(b)) {
        return nan_f32();
    }
    return max(a, b);
}

fn min_nan(a: f32, b: f32) -> f32 {
    if (is_nan(a) || is_nan(b)) {
        return nan_f32();
    }
    return min(a, b);
}

// x^y for every sign of x (WGSL's pow is undefined for x < 0): integral y keeps the sign by parity.
fn pow_f(x: f32, y: f32) -> f32 {
    if (y == 0.0) {
        return 1.0;
    }
    if (x == 0.0) {
        return select(inf_f32(), 0.0, y > 0.0);
    }
    if (x < 0.0) {
        if (floor(y) != y) {
            return nan_f32();
        }
        let m = pow(-x, y);
        return select(m, -m, abs(y % 2.0) == 1.0);
    }
    return pow(x, y);
}

