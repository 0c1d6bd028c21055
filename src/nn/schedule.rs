//! Learning-rate schedules: the rate at step `t` (counted from 0) given the base rate.

use crate::error::{Error, Result};

/// How the learning rate changes with the step count.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LrSchedule {
    Constant,
    /// Multiply by `gamma` every `step_size` steps (PyTorch `StepLR`).
    Step {
        step_size: u32,
        gamma: f32,
    },
    /// `gamma^(t / decay_steps)`, floored when `staircase` (Keras `ExponentialDecay`; PyTorch
    /// `ExponentialLR` is `decay_steps = 1`).
    Exponential {
        gamma: f32,
        decay_steps: u32,
        staircase: bool,
    },
    /// Half a cosine from the base rate down to `min_lr` over `t_max` steps, then `min_lr`
    /// (PyTorch `CosineAnnealingLR` for `t <= t_max`; Keras `CosineDecay` with `alpha = min/base`).
    Cosine {
        t_max: u32,
        min_lr: f32,
    },
}

impl LrSchedule {
    /// Checks the schedule: positive step counts (`step_size`, `decay_steps`, `t_max`) and finite
    /// non-negative rates and factors.
    pub fn validate(&self) -> Result<()> {
        let bad = |msg: String| Err(Error::Invalid { op: "schedule", msg });
        let factor = |name: &str, v: f32| {
            if v.is_finite() && v >= 0.0 {
                Ok(())
            } else {
                bad(format!("{name} must be a finite number >= 0, got {v}"))
            }
        };
        let steps = |name: &str, v: u32| if v > 0 { Ok(()) } else { bad(format!("{name} must be a positive integer, got {v}")) };
        match *self {
            LrSchedule::Constant => Ok(()),
            LrSchedule::Step { step_size, gamma } => steps("step_size", step_size).and(factor("gamma", gamma)),
            LrSchedule::Exponential { gamma, decay_steps, .. } => steps("decay_steps", decay_steps).and(factor("gamma", gamma)),
            LrSchedule::Cosine { t_max, min_lr } => steps("t_max", t_max).and(factor("min_lr", min_lr)),
        }
    }

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

#[cfg(test)]
mod tests {
    use super::LrSchedule;

    #[test]
    fn schedules_give_hand_derived_rates() {
        let close = |a: f32, b: f32| assert!((a - b).abs() < 1e-6, "{a} vs {b}");
        let step = LrSchedule::Step { step_size: 2, gamma: 0.5 };
        for (t, want) in [(0, 1.0), (1, 1.0), (2, 0.5), (5, 0.25)] {
            close(step.lr_at(1.0, t), want);
        }
        let smooth = LrSchedule::Exponential { gamma: 0.5, decay_steps: 2, staircase: false };
        close(smooth.lr_at(1.0, 1), 0.5f32.sqrt());
        let stairs = LrSchedule::Exponential { gamma: 0.5, decay_steps: 2, staircase: true };
        close(stairs.lr_at(1.0, 3), 0.5);
        let cosine = LrSchedule::Cosine { t_max: 4, min_lr: 0.1 };
        // halfway: min + (base - min) / 2; at and past t_max: min.
        close(cosine.lr_at(1.0, 2), 0.55);
        close(cosine.lr_at(1.0, 4), 0.1);
        close(cosine.lr_at(1.0, 9), 0.1);
    }
}
