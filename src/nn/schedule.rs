//! Learning-rate schedules: the rate at step `t` (counted from 0) given the base rate.

/// How the learning rate changes with the step count.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LrSchedule {
    Constant,
    /// Multiply by `gamma` every `step_size` steps (PyTorch `StepLR`).
    Step { step_size: u32, gamma: f32 },
    /// `gamma^(t / decay_steps)`, floored when `staircase` (Keras `ExponentialDecay`; PyTorch
    /// `ExponentialLR` is `decay_steps = 1`).
    Exponential { gamma: f32, decay_steps: u32, staircase: bool },
    /// Half a cosine from the base rate down to `min_lr` over `t_max` steps, then `min_lr`
    /// (PyTorch `CosineAnnealingLR` for `t <= t_max`; Keras `CosineDecay` with `alpha = min/base`).
    Cosine { t_max: u32, min_lr: f32 },
}

impl LrSchedule {
    pub fn lr_at(&self, base: f32, t: u32) -> f32 {
        match *self {
            LrSchedule::Constant => base,
            LrSchedule::Step { step_size, gamma } => base * gamma.powi((t / step_size.max(1)) as i32),
            LrSchedule::Exponential { gamma, decay_steps, staircase } => {
                let p = t as f64 / decay_steps.max(1) as f64;
                base * (gamma as f64).powf(if staircase { p.floor() } else { p }) as f32
            }
            LrSchedule::Cosine { t_max, min_lr } => {
                let progress = (t.min(t_max) as f64) / t_max.max(1) as f64;
                min_lr + (base - min_lr) * (0.5 * (1.0 + (std::f64::consts::PI * progress).cos())) as f32
            }
        }
    }
}
