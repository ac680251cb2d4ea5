//! Thompson sampling with Beta posteriors (Thompson 1933; Chapelle & Li 2011, "An Empirical
//! Evaluation of Thompson Sampling"), river's `bandit.ThompsonSampling` with a Beta prior.
//! A reward r in [0, 1] adds r to the successes and 1 - r to the failures; for binary rewards
//! this is river's update exactly, for fractional ones it is the usual generalisation.

use super::{argmax_first, Algorithm, ArmStats, RewardDomain};
use crate::error::{check_positive, Result};
use rand_distr::{Beta, Distribution};
use rand_pcg::Pcg64;
use serde::{Deserialize, Serialize};

/// Draws from Beta(a, b); both are positive and finite by construction.
pub(crate) fn sample_beta(a: f64, b: f64, rng: &mut Pcg64) -> f64 {
    Beta::new(a, b).map_or(a / (a + b), |d| d.sample(rng))
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThompsonBeta {
    alpha: f64,
    beta: f64,
    successes: Vec<f64>,
    failures: Vec<f64>,
}

impl ThompsonBeta {
    /// `alpha`, `beta`: the Beta prior of every arm.
    pub fn new(alpha: f64, beta: f64) -> Result<Self> {
        Ok(ThompsonBeta {
            alpha: check_positive("alpha", alpha)?,
            beta: check_positive("beta", beta)?,
            successes: vec![],
            failures: vec![],
        })
    }
    /// The posterior Beta parameters of `arm`.
    pub fn posterior(&self, arm: usize) -> (f64, f64) {
        (
            self.alpha + self.successes.get(arm).copied().unwrap_or(0.0),
            self.beta + self.failures.get(arm).copied().unwrap_or(0.0),
        )
    }
}

impl Algorithm for ThompsonBeta {
    fn reward_domain(&self) -> RewardDomain {
        RewardDomain::Unit
    }
    fn ensure_arms(&mut self, n: usize) {
        self.successes.resize(n, 0.0);
        self.failures.resize(n, 0.0);
    }
    fn choose(&mut self, _: &ArmStats, arms: &[usize], _: &[f64], rng: &mut Pcg64) -> usize {
        let draws: Vec<f64> = arms
            .iter()
            .map(|&a| {
                let (a, b) = self.posterior(a);
                sample_beta(a, b, rng)
            })
            .collect();
        argmax_first(&draws)
    }
    fn learn(&mut self, _: &ArmStats, arm: usize, reward: f64, _: &[f64]) {
        self.successes[arm] += reward;
        self.failures[arm] += 1.0 - reward;
    }
    fn scores(&self, _: &ArmStats, arms: &[usize], _: &[f64]) -> Vec<f64> {
        arms.iter()
            .map(|&a| {
                let (a, b) = self.posterior(a);
                a / (a + b)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::Policy;
    use super::*;

    #[test]
    fn posterior_by_hand() {
        let mut p = Policy::new(ThompsonBeta::new(1.0, 2.0).unwrap(), 0, 0);
        p.ensure_arms(2);
        p.update(0, 1.0, None).unwrap();
        p.update(0, 0.25, None).unwrap();
        let s = p.scores(&[0, 1], None).unwrap();
        // Arm 0: Beta(2.25, 2.75), mean 0.45; arm 1: prior mean 1/3.
        assert!((s[0] - 0.45).abs() < 1e-15 && (s[1] - 1.0 / 3.0).abs() < 1e-15);
        assert!(p.update(0, 1.5, None).is_err());
        assert!(ThompsonBeta::new(0.0, 1.0).is_err());
    }
}
