//! Bayes-UCB (Kaufmann, Cappé & Garivier 2012, "On Bayesian Upper Confidence Bounds for Bandit
//! Problems"), as river's `bandit.BayesUCB`: the index of an arm is the `1 - 1/(n + 1)` quantile
//! of its Beta(1 + successes, 1 + failures) posterior; ties are broken at random.

use super::{argmax_random_tie, Algorithm, ArmStats, RewardDomain};
use rand_pcg::Pcg64;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BayesUcb {
    successes: Vec<f64>,
    failures: Vec<f64>,
}

impl Algorithm for BayesUcb {
    fn reward_domain(&self) -> RewardDomain {
        RewardDomain::Unit
    }
    fn ensure_arms(&mut self, n: usize) {
        self.successes.resize(n, 0.0);
        self.failures.resize(n, 0.0);
    }
    fn choose(&mut self, stats: &ArmStats, arms: &[usize], x: &[f64], rng: &mut Pcg64) -> usize {
        argmax_random_tie(&self.scores(stats, arms, x), rng)
    }
    fn learn(&mut self, _: &ArmStats, arm: usize, reward: f64, _: &[f64]) {
        self.successes[arm] += reward;
        self.failures[arm] += 1.0 - reward;
    }
    fn scores(&self, stats: &ArmStats, arms: &[usize], _: &[f64]) -> Vec<f64> {
        let p = 1.0 - 1.0 / (stats.total() as f64 + 1.0);
        arms.iter()
            .map(|&a| {
                if p <= 0.0 {
                    return 0.0;
                }
                puruspe::invbetai(p, 1.0 + self.successes[a], 1.0 + self.failures[a])
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::Policy;
    use super::*;

    #[test]
    fn quantile_by_hand() {
        let mut p = Policy::new(BayesUcb::default(), 0, 0);
        p.ensure_arms(2);
        p.update(0, 1.0, None).unwrap();
        // n = 1, p = 1/2. Arm 0: Beta(2, 1), cdf x^2, median 1/sqrt(2). Arm 1: Beta(1, 1), 1/2.
        let s = p.scores(&[0, 1], None).unwrap();
        assert!((s[0] - 0.5f64.sqrt()).abs() < 1e-10, "{s:?}");
        assert!((s[1] - 0.5).abs() < 1e-10);
    }
}
