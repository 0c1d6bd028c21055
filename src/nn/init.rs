//! Weight initialisers, with the fan conventions of Keras and PyTorch (they agree: a dense
//! kernel's fan-in is its input size, a convolution's is `in_channels / groups * kh * kw`).

use super::module::Flavor;
use super::names::{alias, core, listed, lookup, one_of, shown_names, Named};
use crate::backend::cpu::alloc::filled;
use crate::backend::Device;
use crate::dtype::HostData;
use crate::error::{Error, Result};
use crate::random::draw;
use crate::tensor::Tensor;

/// How initialisers run while a model file loads (see [`set_load_init`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadInit {
    /// The values all initialisers together may still fill; past it, an Error before allocating.
    pub budget: usize,
    /// Fill zeros instead of drawing: the file is about to overwrite every weight.
    pub zeros: bool,
}

thread_local! {
    static LOAD_INIT: std::cell::Cell<Option<LoadInit>> = const { std::cell::Cell::new(None) };
}

/// `Some(mode)` while a model file loads: initialisers together may fill at most `mode.budget`
/// values, else an Error before allocating, so a config that lies about a size is refused before it
/// takes the memory. With `mode.zeros` they fill zeros: a file that holds every weight overwrites
/// them at once, so drawing is wasted time (TensorFlow.js's `fastWeightInit`), and its weights are
/// the budget. `None` turns it off. Returns the previous setting.
pub fn set_load_init(mode: Option<LoadInit>) -> Option<LoadInit> {
    LOAD_INIT.with(|m| m.replace(mode))
}

/// Takes `n` values from the load's budget: `Ok(true)` to fill zeros, `Ok(false)` to draw.
fn take_load_budget(shape: &[usize], n: usize) -> Result<bool> {
    LOAD_INIT.with(|m| match m.get() {
        None => Ok(false),
        Some(mode) if n <= mode.budget => {
            m.set(Some(LoadInit { budget: mode.budget - n, ..mode }));
            Ok(mode.zeros)
        }
        Some(LoadInit { budget: left, zeros }) => {
            let why = if zeros {
                format!("only {left} of the file's weight values are left: the layer's config disagrees with the file's weights")
            } else {
                format!("only {left} values are left of what a loaded model may draw without the file's weights")
            };
            Err(Error::Invalid { op: "initializer", msg: format!("a weight of shape {shape:?} needs {n} values, but {why}") })
        }
    })
}

/// The fan-in and fan-out of a weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fans {
    pub fan_in: usize,
    pub fan_out: usize,
}

impl Fans {
    /// TensorFlow.js's fans of a weight of `shape` (channels-last): `[in, out]` for rank 2, the
    /// last two axes times the receptive field for ranks 3 to 5, else both `sqrt(size)` (rounded).
    pub fn keras(shape: &[usize]) -> Fans {
        match shape {
            [i, o] => Fans { fan_in: *i, fan_out: *o },
            [window @ .., i, o] if (1..=3).contains(&window.len()) => {
                let field = window.iter().fold(1usize, |a, &d| a.saturating_mul(d));
                Fans { fan_in: i.saturating_mul(field), fan_out: o.saturating_mul(field) }
            }
            _ => {
                let root = (shape.iter().map(|&d| d as f64).product::<f64>()).sqrt().round() as usize;
                Fans { fan_in: root, fan_out: root }
            }
        }
    }
}

/// How a tensor's initial values are drawn (from the seeded generator of `manual_seed`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Init {
    Zeros,
    Ones,
    Constant(f32),
    Uniform {
        low: f32,
        high: f32,
    },
    Normal {
        mean: f32,
        std: f32,
    },
    /// Normal, redrawn beyond two standard deviations (Keras's `truncatedNormal`).
    TruncatedNormal {
        mean: f32,
        std: f32,
    },
    /// `U(±sqrt(6 / (fan_in + fan_out)))`: Keras's default kernel initialiser.
    GlorotUniform,
    /// Truncated normal with `std = sqrt(2 / (fan_in + fan_out)) / 0.8796`.
    GlorotNormal,
    /// `U(±sqrt(6 / fan_in))`.
    HeUniform,
    /// Truncated normal with `std = sqrt(2 / fan_in) / 0.8796`.
    HeNormal,
    /// `U(±sqrt(3 / fan_in))`.
    LecunUniform,
    /// Truncated normal with `std = sqrt(1 / fan_in) / 0.8796`.
    LecunNormal,
    /// PyTorch's `kaiming_uniform_(a)`: `U(±sqrt(6 / ((1 + a²) fan_in)))`; `a = √5` is the default
    /// of `nn.Linear` and `nn.Conv2d` weights.
    KaimingUniform {
        a: f32,
    },
    /// PyTorch's `kaiming_normal_(a)`: `N(0, 2 / ((1 + a²) fan_in))`.
    KaimingNormal {
        a: f32,
    },
    /// `U(±1 / sqrt(fan_in))`: PyTorch's default bias.
    FanInUniform,
}

impl Init {
    /// The default `(weight, bias)` initialisers of a flavour's dense and convolution layers:
    /// Keras's glorot-uniform kernel and zero bias, PyTorch's kaiming-uniform(√5) weight and
    /// `U(±1/√fan_in)` bias.
    pub fn layer_defaults(flavor: Flavor) -> (Init, Init) {
        match flavor {
            Flavor::Keras => (Init::GlorotUniform, Init::Zeros),
            Flavor::Torch => (Init::KaimingUniform { a: 5f32.sqrt() }, Init::FanInUniform),
        }
    }
}

/// The element count of `shape`, checked: its f32 values must fit the address space and memory
/// (probed with a fallible reservation, so running out is an Error, not an abort).
fn host_elements(shape: &[usize]) -> Result<usize> {
    let too_big = |why: &str| Error::Invalid { op: "initializer", msg: format!("a weight of shape {shape:?} {why}") };
    let n =
        shape.iter().try_fold(1usize, |a, &d| a.checked_mul(d)).ok_or_else(|| too_big("has more elements than this build can address"))?;
    let bytes = n.checked_mul(std::mem::size_of::<f32>()).filter(|&b| b <= isize::MAX as usize);
    bytes.ok_or_else(|| too_big(&format!("({n} elements) needs more bytes than this build can address")))?;
    Ok(n)
}

/// The factor that makes a normal truncated at ±2σ have the intended standard deviation.
const TRUNCATION: f32 = 0.879_625_6;

/// Every initializer name the core accepts (TensorFlow.js's spelling listed, PyTorch's kaiming
/// shown in messages, snake_case aliases): `Init::from_name`, its message and `wg.INITIALIZERS`
/// are derived from it.
pub const INITIALIZER_NAMES: &[Named<fn() -> Init>] = &[
    listed("zeros", || Init::Zeros),
    listed("ones", || Init::Ones),
    listed("glorotUniform", || Init::GlorotUniform),
    alias("glorot_uniform", || Init::GlorotUniform),
    alias("xavier_uniform", || Init::GlorotUniform),
    listed("glorotNormal", || Init::GlorotNormal),
    alias("glorot_normal", || Init::GlorotNormal),
    alias("xavier_normal", || Init::GlorotNormal),
    listed("heUniform", || Init::HeUniform),
    alias("he_uniform", || Init::HeUniform),
    listed("heNormal", || Init::HeNormal),
    alias("he_normal", || Init::HeNormal),
    listed("leCunUniform", || Init::LecunUniform),
    alias("lecunUniform", || Init::LecunUniform),
    alias("lecun_uniform", || Init::LecunUniform),
    listed("leCunNormal", || Init::LecunNormal),
    alias("lecunNormal", || Init::LecunNormal),
    alias("lecun_normal", || Init::LecunNormal),
    core("kaimingUniform", || Init::KaimingUniform { a: 5f32.sqrt() }),
    alias("kaiming_uniform", || Init::KaimingUniform { a: 5f32.sqrt() }),
    core("kaimingNormal", || Init::KaimingNormal { a: 0.0 }),
    alias("kaiming_normal", || Init::KaimingNormal { a: 0.0 }),
    listed("randomUniform", || Init::Uniform { low: -0.05, high: 0.05 }),
    alias("random_uniform", || Init::Uniform { low: -0.05, high: 0.05 }),
    alias("uniform", || Init::Uniform { low: -0.05, high: 0.05 }),
    listed("randomNormal", || Init::Normal { mean: 0.0, std: 0.05 }),
    alias("random_normal", || Init::Normal { mean: 0.0, std: 0.05 }),
    alias("normal", || Init::Normal { mean: 0.0, std: 0.05 }),
    listed("truncatedNormal", || Init::TruncatedNormal { mean: 0.0, std: 0.05 }),
    alias("truncated_normal", || Init::TruncatedNormal { mean: 0.0, std: 0.05 }),
];

impl Init {
    /// The initialiser called `name` (Keras's camelCase or snake_case names, or PyTorch's).
    pub fn from_name(name: &str) -> Result<Init> {
        match lookup(INITIALIZER_NAMES, name) {
            Some(make) => Ok(make()),
            None => {
                let msg = format!("unknown initializer '{name}'; expected {}", one_of(shown_names(INITIALIZER_NAMES)));
                Err(Error::Invalid { op: "initializer", msg })
            }
        }
    }

    /// A new tensor of `shape` drawn from this initialiser; a shape whose bytes this build cannot
    /// address, or that memory cannot hold, is an Error naming the shape.
    pub fn tensor(&self, shape: &[usize], fans: Fans, device: &Device) -> Result<Tensor> {
        let n = host_elements(shape)?;
        let (fan_in, fan_avg) = (fans.fan_in.max(1) as f32, fans.fan_in.saturating_add(fans.fan_out).max(1) as f32 / 2.0);
        let draw = |f: &mut dyn FnMut(&mut crate::random::Pcg32) -> f32| draw("initializer", shape, n, f);
        let uniform = |limit: f32| draw(&mut |r| (2.0 * r.uniform() - 1.0) * limit);
        let truncated = |mean: f32, std: f32| {
            draw(&mut |r| loop {
                let z = r.normal();
                if z.abs() <= 2.0 {
                    break mean + std * z;
                }
            })
        };
        let values = match *self {
            _ if take_load_budget(shape, n)? => filled("initializer", shape, n, 0.0),
            Init::Zeros => filled("initializer", shape, n, 0.0),
            Init::Ones => filled("initializer", shape, n, 1.0),
            Init::Constant(c) => filled("initializer", shape, n, c),
            Init::Uniform { low, high } => draw(&mut |r| low + (high - low) * r.uniform()),
            Init::Normal { mean, std } => draw(&mut |r| mean + std * r.normal()),
            Init::TruncatedNormal { mean, std } => truncated(mean, std),
            Init::GlorotUniform => uniform((3.0 / fan_avg).sqrt()),
            Init::GlorotNormal => truncated(0.0, (1.0 / fan_avg).sqrt() / TRUNCATION),
            Init::HeUniform => uniform((6.0 / fan_in).sqrt()),
            Init::HeNormal => truncated(0.0, (2.0 / fan_in).sqrt() / TRUNCATION),
            Init::LecunUniform => uniform((3.0 / fan_in).sqrt()),
            Init::LecunNormal => truncated(0.0, (1.0 / fan_in).sqrt() / TRUNCATION),
            Init::KaimingUniform { a } => uniform((6.0 / ((1.0 + a * a) * fan_in)).sqrt()),
            Init::KaimingNormal { a } => draw(&mut |r| (2.0 / ((1.0 + a * a) * fan_in)).sqrt() * r.normal()),
            Init::FanInUniform => uniform(1.0 / fan_in.sqrt()),
        }?;
        Tensor::new(HostData::F32(values), shape, device)
    }
}

#[cfg(test)]
mod name_tests {
    use super::*;

    /// While a file loads, initialisers fill zeros (or draw) within the budget, and only while on
    /// (native: the read blocks on the future, which wasm cannot).
    #[test]
    #[cfg(not(target_arch = "wasm32"))]
    fn a_load_fills_zeros_or_draws_within_its_budget() {
        let fans = Fans { fan_in: 4, fan_out: 4 };
        let draw = || pollster::block_on(Init::GlorotUniform.tensor(&[4, 4], fans, &Device::Cpu).unwrap().to_host()).unwrap().to_f32();
        assert_eq!(set_load_init(Some(LoadInit { budget: 40, zeros: true })), None);
        assert!(draw().iter().all(|&v| v == 0.0));
        assert!(draw().iter().all(|&v| v == 0.0));
        // 32 of the 40 values are taken: a third weight of 16 is refused before it is allocated.
        let refused = Init::GlorotUniform.tensor(&[4, 4], fans, &Device::Cpu).unwrap_err().to_string();
        assert!(refused.contains("needs 16 values, but only 8 of the file's weight values are left"), "{refused}");
        // Without the file's weights, values are drawn, within the budget too.
        assert_eq!(set_load_init(Some(LoadInit { budget: 20, zeros: false })), Some(LoadInit { budget: 8, zeros: true }));
        assert!(draw().iter().any(|&v| v != 0.0));
        let refused = Init::GlorotUniform.tensor(&[4, 4], fans, &Device::Cpu).unwrap_err().to_string();
        assert!(refused.contains("only 4 values are left of what a loaded model may draw"), "{refused}");
        assert_eq!(set_load_init(None), Some(LoadInit { budget: 4, zeros: false }));
        assert!(draw().iter().any(|&v| v != 0.0));
    }

    /// The message derived from the table is the one the core always gave.
    #[test]
    fn unknown_initializer_message() {
        assert_eq!(
            Init::from_name("glorot").unwrap_err().to_string(),
            "initializer: unknown initializer 'glorot'; expected zeros, ones, glorotUniform, glorotNormal, heUniform, heNormal, leCunUniform, leCunNormal, kaimingUniform, kaimingNormal, randomUniform, randomNormal or truncatedNormal"
        );
        assert_eq!(Init::from_name("xavier_normal").unwrap(), Init::GlorotNormal);
    }
}
