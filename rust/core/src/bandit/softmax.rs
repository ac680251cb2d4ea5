//! Softmax (Boltzmann) exploration (Sutton & Barto, Reinforcement Learning, 2nd ed., sec. 2.8;
//! Cesa-Bianchi et al. 2017, "Boltzmann Exploration Done Right"): arm i with probability
//! proportional to `exp(mean_i / tau_t)`, with temperature `tau_t = tau * exp(-decay * n)`.

use super::{sample_weighted, softmax, Algorithm, ArmStats};
use crate::error::{check_non_negative, check_positive, Result};
use rand_pcg::Pcg64;
use serde::{Deserialize, Serialize};

/// The temperature never falls below this, so that probabilities stay well defined.
const MIN_TEMPERATURE: f64 = 1e-6;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Softmax {
    tau: f64,
    decay: f64,
}

impl Softmax {
    pub fn new(tau: f64, decay: f64) -> Result<Self> {
        Ok(Softmax {
            tau: check_positive("tau", tau)?,
            decay: check_non_negative("decay", decay)?,
        })
    }
    /// The temperature after `n` rewards.
    pub fn temperature(&self, n: u64) -> f64 {
        (self.tau * (-self.decay * n as f64).exp()).max(MIN_TEMPERATURE)
    }
}

impl Algorithm for Softmax {
    fn choose(&mut self, stats: &ArmStats, arms: &[usize], x: &[f64], rng: &mut Pcg64) -> usize {
        sample_weighted(&self.scores(stats, arms, x), rng)
    }
    fn learn(&mut self, _: &ArmStats, _: usize, _: f64, _: &[f64]) {}
    fn scores(&self, stats: &ArmStats, arms: &[usize], _: &[f64]) -> Vec<f64> {
        let t = self.temperature(stats.total());
        let logits: Vec<f64> = arms.iter().map(|&a| stats.mean(a) / t).collect();
        softmax(&logits)
    }
}

#[cfg(test)]
mod tests {
    use super::super::Policy;
    use super::*;

    #[test]
    fn probabilities_by_hand() {
        let mut p = Policy::new(Softmax::new(0.5, 0.0).unwrap(), 0, 0);
        p.ensure_arms(2);
        p.update(0, 1.0, None).unwrap();
        let s = p.scores(&[0, 1], None).unwrap();
        let e2 = 2f64.exp();
        assert!((s[0] - e2 / (e2 + 1.0)).abs() < 1e-15);
        assert!(Softmax::new(0.0, 0.0).is_err());
    }
}
