//! Gaussian Thompson sampling (Agrawal & Goyal 2013, "Further Optimal Regret Bounds for
//! Thompson Sampling"): a conjugate Normal posterior on each arm's mean, with prior
//! N(mu_0, 1 / tau_0) and known reward noise `sigma`. With mu_0 = 0, tau_0 = 1, sigma = 1 this
//! is the paper's N(sum / (n + 1), 1 / (n + 1)).

use super::{argmax_first, Algorithm, ArmStats};
use crate::error::{check_positive, param, Result};
use rand_distr::{Distribution, StandardNormal};
use rand_pcg::Pcg64;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GaussianThompson {
    mu_0: f64,
    tau_0: f64,
    sigma: f64,
}

impl GaussianThompson {
    pub fn new(mu_0: f64, tau_0: f64, sigma: f64) -> Result<Self> {
        if !mu_0.is_finite() {
            return Err(param("mu_0", "must be finite"));
        }
        Ok(GaussianThompson {
            mu_0,
            tau_0: check_positive("tau_0", tau_0)?,
            sigma: check_positive("sigma", sigma)?,
        })
    }

    /// Posterior mean and standard deviation of `arm`'s mean reward.
    pub fn posterior(&self, stats: &ArmStats, arm: usize) -> (f64, f64) {
        let n = stats.count(arm) as f64;
        let noise_precision = 1.0 / (self.sigma * self.sigma);
        let precision = self.tau_0 + n * noise_precision;
        let sum = stats.mean(arm) * n;
        let mean = (self.tau_0 * self.mu_0 + sum * noise_precision) / precision;
        (mean, precision.sqrt().recip())
    }
}

impl Algorithm for GaussianThompson {
    fn choose(&mut self, stats: &ArmStats, arms: &[usize], _: &[f64], rng: &mut Pcg64) -> usize {
        let draws: Vec<f64> = arms
            .iter()
            .map(|&a| {
                let (m, s) = self.posterior(stats, a);
                let z: f64 = StandardNormal.sample(rng);
                m + s * z
            })
            .collect();
        argmax_first(&draws)
    }
    fn learn(&mut self, _: &ArmStats, _: usize, _: f64, _: &[f64]) {}
    fn scores(&self, stats: &ArmStats, arms: &[usize], _: &[f64]) -> Vec<f64> {
        arms.iter().map(|&a| self.posterior(stats, a).0).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::Policy;
    use super::*;

    #[test]
    fn posterior_by_hand() {
        let mut p = Policy::new(GaussianThompson::new(0.0, 1.0, 1.0).unwrap(), 0, 0);
        p.ensure_arms(1);
        p.update(0, 2.0, None).unwrap();
        p.update(0, 4.0, None).unwrap();
        if let super::super::Algo::GaussianThompson(g) = p.algo() {
            let (m, s) = g.posterior(p.stats(), 0);
            assert!((m - 2.0).abs() < 1e-15 && (s - 1.0 / 3f64.sqrt()).abs() < 1e-15);
        } else {
            unreachable!()
        }
    }
}
