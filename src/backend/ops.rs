//! The primitive ops every backend implements; every other op is composed from these in
//! `src/ops/`, so a new backend writes few kernels.

/// Elementwise functions of one operand. Float ops take f32; `Neg`, `Abs`, `Sign`, `Square` also take
/// i32; `Not` takes bool; `Copy` takes anything. The `*Grad` ops are derivatives used by backward.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    Copy,
    Neg,
    Abs,
    Exp,
    Log,
    Log1p,
    Sqrt,
    Rsqrt,
    Square,
    Reciprocal,
    Sin,
    Cos,
    Tanh,
    Sigmoid,
    Relu,
    Gelu,
    GeluTanh,
    Silu,
    Softplus,
    Sign,
    Floor,
    Ceil,
    Round,
    Erf,
    Not,
    GeluGrad,
    GeluTanhGrad,
    SiluGrad,
    /// `y * (1 - y)`: the sigmoid's derivative from its output `y`.
    SigmoidGradFromOutput,
    /// `1 - y^2`: tanh's derivative from its output `y`.
    TanhGradFromOutput,
}

impl UnaryOp {
    /// Every op (for shader validation and exhaustive tests).
    pub const ALL: [UnaryOp; 30] = [
        UnaryOp::Copy, UnaryOp::Neg, UnaryOp::Abs, UnaryOp::Exp, UnaryOp::Log, UnaryOp::Log1p, UnaryOp::Sqrt,
        UnaryOp::Rsqrt, UnaryOp::Square, UnaryOp::Reciprocal, UnaryOp::Sin, UnaryOp::Cos, UnaryOp::Tanh,
        UnaryOp::Sigmoid, UnaryOp::Relu, UnaryOp::Gelu, UnaryOp::GeluTanh, UnaryOp::Silu, UnaryOp::Softplus,
        UnaryOp::Sign, UnaryOp::Floor, UnaryOp::Ceil, UnaryOp::Round, UnaryOp::Erf, UnaryOp::Not,
        UnaryOp::GeluGrad, UnaryOp::GeluTanhGrad, UnaryOp::SiluGrad, UnaryOp::SigmoidGradFromOutput,
        UnaryOp::TanhGradFromOutput,
    ];

    /// The op's name in the JS API (`"exp"`, `"geluTanh"`, `"logicalNot"`, …); `None` for the internal
    /// copy and derivative ops.
    pub fn name(self) -> Option<&'static str> {
        Some(match self {
            UnaryOp::Neg => "neg",
            UnaryOp::Abs => "abs",
            UnaryOp::Exp => "exp",
            UnaryOp::Log => "log",
            UnaryOp::Log1p => "log1p",
            UnaryOp::Sqrt => "sqrt",
            UnaryOp::Rsqrt => "rsqrt",
            UnaryOp::Square => "square",
            UnaryOp::Reciprocal => "reciprocal",
            UnaryOp::Sin => "sin",
            UnaryOp::Cos => "cos",
            UnaryOp::Tanh => "tanh",
            UnaryOp::Sigmoid => "sigmoid",
            UnaryOp::Relu => "relu",
            UnaryOp::Gelu => "gelu",
            UnaryOp::GeluTanh => "geluTanh",
            UnaryOp::Silu => "silu",
            UnaryOp::Softplus => "softplus",
            UnaryOp::Sign => "sign",
            UnaryOp::Floor => "floor",
            UnaryOp::Ceil => "ceil",
            UnaryOp::Round => "round",
            UnaryOp::Erf => "erf",
            UnaryOp::Not => "logicalNot",
            UnaryOp::Copy
            | UnaryOp::GeluGrad
            | UnaryOp::GeluTanhGrad
            | UnaryOp::SiluGrad
            | UnaryOp::SigmoidGradFromOutput
            | UnaryOp::TanhGradFromOutput => return None,
        })
    }

    /// The op called `name` (see [`UnaryOp::name`]).
    pub fn from_name(name: &str) -> Option<UnaryOp> {
        UnaryOp::ALL.iter().copied().find(|op| op.name() == Some(name))
    }

    /// True for ops defined on i32 as well as f32.
    pub fn takes_int(self) -> bool {
        matches!(self, UnaryOp::Copy | UnaryOp::Neg | UnaryOp::Abs | UnaryOp::Sign | UnaryOp::Square)
    }
}

/// Elementwise functions of two operands of one dtype (the tensor layer promotes and broadcasts).
/// Comparisons yield bool; `And`/`Or` take bool; `Div` and `Pow` take f32.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
    Maximum,
    Minimum,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
}

impl BinaryOp {
    pub const ALL: [BinaryOp; 15] = [
        BinaryOp::Add, BinaryOp::Sub, BinaryOp::Mul, BinaryOp::Div, BinaryOp::Pow, BinaryOp::Maximum,
        BinaryOp::Minimum, BinaryOp::Eq, BinaryOp::Ne, BinaryOp::Lt, BinaryOp::Le, BinaryOp::Gt, BinaryOp::Ge,
        BinaryOp::And, BinaryOp::Or,
    ];

    /// The op's name in error messages and in the JS API (`"add"`, `"logicalAnd"`, …).
    pub fn name(self) -> &'static str {
        match self {
            BinaryOp::Add => "add",
            BinaryOp::Sub => "sub",
            BinaryOp::Mul => "mul",
            BinaryOp::Div => "div",
            BinaryOp::Pow => "pow",
            BinaryOp::Maximum => "maximum",
            BinaryOp::Minimum => "minimum",
            BinaryOp::Eq => "eq",
            BinaryOp::Ne => "ne",
            BinaryOp::Lt => "lt",
            BinaryOp::Le => "le",
            BinaryOp::Gt => "gt",
            BinaryOp::Ge => "ge",
            BinaryOp::And => "logicalAnd",
            BinaryOp::Or => "logicalOr",
        }
    }

    /// The op called `name` (see [`BinaryOp::name`]).
    pub fn from_name(name: &str) -> Option<BinaryOp> {
        BinaryOp::ALL.iter().copied().find(|op| op.name() == name)
    }

    pub fn is_comparison(self) -> bool {
        matches!(self, BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge)
    }

    pub fn is_logical(self) -> bool {
        matches!(self, BinaryOp::And | BinaryOp::Or)
    }
}

/// Reductions. `Sum`, `Prod`, `Max`, `Min` keep the dtype (f32 or i32); `ArgMax`/`ArgMin` reduce
/// one axis to i32 positions (the first one on ties; NaN counts as the largest).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReduceOp {
    Sum,
    Prod,
    Max,
    Min,
    ArgMax,
    ArgMin,
}

impl ReduceOp {
    pub const ALL: [ReduceOp; 6] =
        [ReduceOp::Sum, ReduceOp::Prod, ReduceOp::Max, ReduceOp::Min, ReduceOp::ArgMax, ReduceOp::ArgMin];
}

/// The geometry of a 2-D sliding window over `[batch, channels, in_h, in_w]` (NCHW): the window
/// `kernel` moves by `stride`, its taps are `dilation` apart, the input is padded by
/// `pad = [top, left, bottom, right]`, and there are `out_h x out_w` positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Window {
    pub batch: usize,
    pub channels: usize,
    pub in_h: usize,
    pub in_w: usize,
    pub kernel: [usize; 2],
    pub stride: [usize; 2],
    pub dilation: [usize; 2],
    pub pad: [usize; 4],
    pub out_h: usize,
    pub out_w: usize,
}

impl Window {
    /// The `[batch, channels * kh * kw, out_h * out_w]` shape of the unfolded columns.
    pub fn cols_shape(&self) -> [usize; 3] {
        [self.batch, self.channels * self.kernel[0] * self.kernel[1], self.out_h * self.out_w]
    }

    /// The `[batch, channels, in_h, in_w]` shape of the image.
    pub fn image_shape(&self) -> [usize; 4] {
        [self.batch, self.channels, self.in_h, self.in_w]
    }

    /// Input row and column read by output position (`oy`, `ox`) at tap (`ky`, `kx`), or `None`
    /// inside the padding.
    pub fn source(&self, oy: usize, ox: usize, ky: usize, kx: usize) -> Option<(usize, usize)> {
        let y = (oy * self.stride[0] + ky * self.dilation[0]).checked_sub(self.pad[0])?;
        let x = (ox * self.stride[1] + kx * self.dilation[1]).checked_sub(self.pad[1])?;
        (y < self.in_h && x < self.in_w).then_some((y, x))
    }
}

/// An activation fused into a matmul's epilogue: one whose derivative follows from its output, so
/// backward needs no pre-activation copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Activation {
    Identity,
    Relu,
    Sigmoid,
    Tanh,
}

impl Activation {
    pub const ALL: [Activation; 4] = [Activation::Identity, Activation::Relu, Activation::Sigmoid, Activation::Tanh];
}
