//! Discounted UCB (Garivier & Moulines 2011, "On Upper-Confidence Bound Policies for Switching
//! Bandit Problems"): counts and sums decay by `gamma` each step, and the index is
//! `mean_g + 2 B sqrt(xi ln n_g / N_g(i))` with `n_g` the total discounted count.

use super::{argmax_random_tie, Algorithm, ArmStats};
use crate::error::{check_positive, check_range, param, Result};
use rand_pcg::Pcg64;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DiscountedUcb {
    gamma: f64,
    xi: f64,
    bound: f64,
    counts: Vec<f64>,
    sums: Vec<f64>,
}

impl DiscountedUcb {
    /// `gamma` in (0, 1]: discount; `xi`: exploration weight; `bound`: bound B on the rewards.
    pub fn new(gamma: f64, xi: f64, bound: f64) -> Result<Self> {
        if gamma <= 0.0 {
            return Err(param("gamma", "must be in (0, 1]"));
        }
        Ok(DiscountedUcb {
            gamma: check_range("gamma", gamma, 0.0, 1.0)?,
            xi: check_positive("xi", xi)?,
            bound: check_positive("bound", bound)?,
            counts: vec![],
            sums: vec![],
        })
    }
}

impl Algorithm for DiscountedUcb {
    fn ensure_arms(&mut self, n: usize) {
        self.counts.resize(n, 0.0);
        self.sums.resize(n, 0.0);
    }
    fn choose(&mut self, stats: &ArmStats, arms: &[usize], x: &[f64], rng: &mut Pcg64) -> usize {
        argmax_random_tie(&self.scores(stats, arms, x), rng)
    }
    fn learn(&mut self, _: &ArmStats, arm: usize, reward: f64, _: &[f64]) {
        for (c, s) in self.counts.iter_mut().zip(self.sums.iter_mut()) {
            *c *= self.gamma;
            *s *= self.gamma;
        }
        self.counts[arm] += 1.0;
        self.sums[arm] += reward;
    }
    fn scores(&self, stats: &ArmStats, arms: &[usize], _: &[f64]) -> Vec<f64> {
        let total: f64 = self.counts.iter().sum();
        let log_total = total.max(1.0).ln();
        arms.iter()
            .map(|&a| {
                let n = self.counts[a];
                if stats.count(a) == 0 || n <= 0.0 {
                    f64::INFINITY
                } else {
                    self.sums[a] / n + 2.0 * self.bound * (self.xi * log_total / n).sqrt()
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::Policy;
    use super::*;

    #[test]
    fn discounting_by_hand() {
        let mut p = Policy::new(DiscountedUcb::new(0.5, 1.0, 1.0).unwrap(), 0, 0);
        p.ensure_arms(2);
        p.update(0, 1.0, None).unwrap();
        p.update(1, 0.0, None).unwrap();
        // counts: arm 0 = 0.5, arm 1 = 1; total 1.5. Arm 0 mean 1, bonus 2 sqrt(ln 1.5 / 0.5).
        let s = p.scores(&[0, 1], None).unwrap();
        let l = 1.5f64.ln();
        assert!((s[0] - (1.0 + 2.0 * (l / 0.5).sqrt())).abs() < 1e-15);
        assert!((s[1] - 2.0 * l.sqrt()).abs() < 1e-15);
    }
}
