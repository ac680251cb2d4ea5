//! Discounted Thompson sampling (Raj & Kalyani 2017, "Taming Non-stationary Bandits: A Bayesian
//! Approach"): Beta posteriors whose success and failure counts all decay by `gamma` each step.

use super::thompson::sample_beta;
use super::{argmax_first, Algorithm, ArmStats, RewardDomain};
use crate::error::{check_positive, check_range, param, Result};
use rand_pcg::Pcg64;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DiscountedThompson {
    gamma: f64,
    alpha: f64,
    beta: f64,
    successes: Vec<f64>,
    failures: Vec<f64>,
}

impl DiscountedThompson {
    pub fn new(gamma: f64, alpha: f64, beta: f64) -> Result<Self> {
        if gamma <= 0.0 {
            return Err(param("gamma", "must be in (0, 1]"));
        }
        Ok(DiscountedThompson {
            gamma: check_range("gamma", gamma, 0.0, 1.0)?,
            alpha: check_positive("alpha", alpha)?,
            beta: check_positive("beta", beta)?,
            successes: vec![],
            failures: vec![],
        })
    }
}

impl Algorithm for DiscountedThompson {
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
                sample_beta(
                    self.alpha + self.successes[a],
                    self.beta + self.failures[a],
                    rng,
                )
            })
            .collect();
        argmax_first(&draws)
    }
    fn learn(&mut self, _: &ArmStats, arm: usize, reward: f64, _: &[f64]) {
        for (s, f) in self.successes.iter_mut().zip(self.failures.iter_mut()) {
            *s *= self.gamma;
            *f *= self.gamma;
        }
        self.successes[arm] += reward;
        self.failures[arm] += 1.0 - reward;
    }
    fn scores(&self, _: &ArmStats, arms: &[usize], _: &[f64]) -> Vec<f64> {
        arms.iter()
            .map(|&a| {
                let (s, f) = (self.alpha + self.successes[a], self.beta + self.failures[a]);
                s / (s + f)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::Policy;
    use super::*;

    #[test]
    fn discounted_posterior_by_hand() {
        let mut p = Policy::new(DiscountedThompson::new(0.5, 1.0, 1.0).unwrap(), 0, 0);
        p.ensure_arms(2);
        p.update(0, 1.0, None).unwrap();
        p.update(0, 1.0, None).unwrap();
        // successes of arm 0: 1 * 0.5 + 1 = 1.5, failures 0: mean (2.5) / (3.5).
        let s = p.scores(&[0, 1], None).unwrap();
        assert!((s[0] - 2.5 / 3.5).abs() < 1e-15 && (s[1] - 0.5).abs() < 1e-15);
    }
}
