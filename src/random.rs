//! The seedable generator behind `rand`, `randn` and friends: PCG32 on the host, so the same seed
//! gives the same numbers on every backend.

use crate::error::Result;
use std::cell::RefCell;

/// PCG-XSH-RR 64/32 (O'Neill, 2014).
pub(crate) struct Pcg32 {
    state: u64,
    inc: u64,
}

/// The seed in effect until [`manual_seed`] is called.
pub const DEFAULT_SEED: u64 = 0x5eed;

impl Pcg32 {
    fn new(seed: u64) -> Self {
        let mut rng = Pcg32 { state: 0, inc: (0xda3e_39cb_94b9_5bdb << 1) | 1 };
        rng.next_u32();
        rng.state = rng.state.wrapping_add(seed);
        rng.next_u32();
        rng
    }

    pub(crate) fn next_u32(&mut self) -> u32 {
        let old = self.state;
        self.state = old.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(self.inc);
        let xorshifted = (((old >> 18) ^ old) >> 27) as u32;
        xorshifted.rotate_right((old >> 59) as u32)
    }

    /// Uniform in [0, 1) with 24 random bits.
    pub(crate) fn uniform(&mut self) -> f32 {
        (self.next_u32() >> 8) as f32 * (1.0 / 16_777_216.0)
    }

    /// Standard normal by Box–Muller (one value per two uniforms).
    pub(crate) fn normal(&mut self) -> f32 {
        let u1 = 1.0 - self.uniform() as f64;
        let u2 = self.uniform() as f64;
        ((-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()) as f32
    }

    /// Uniform integer in [low, high) (Lemire's multiply-shift; `high > low`).
    pub(crate) fn integer(&mut self, low: i32, high: i32) -> i32 {
        let range = (high as i64 - low as i64) as u64;
        (low as i64 + ((self.next_u32() as u64 * range) >> 32) as i64) as i32
    }
}

thread_local! {
    static RNG: RefCell<Pcg32> = RefCell::new(Pcg32::new(DEFAULT_SEED));
}

/// Reseeds the generator (PyTorch's `manual_seed`).
pub fn manual_seed(seed: u64) {
    RNG.with(|r| *r.borrow_mut() = Pcg32::new(seed));
}

/// `n` values drawn with `draw` from the global generator, into a buffer of `shape` for `op`
/// reserved fallibly (running out of memory is an Error, see `backend::cpu::alloc`).
pub(crate) fn draw<T>(op: &'static str, shape: &[usize], n: usize, mut draw: impl FnMut(&mut Pcg32) -> T) -> Result<Vec<T>> {
    let mut out = crate::backend::cpu::alloc::with_capacity(op, shape, n)?;
    RNG.with(|r| {
        let mut rng = r.borrow_mut();
        out.extend((0..n).map(|_| draw(&mut rng)));
    });
    Ok(out)
}
