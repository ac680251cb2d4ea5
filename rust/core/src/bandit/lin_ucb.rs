//! LinUCB, disjoint variant (Li, Chu, Langford & Schapire 2010, "A Contextual-Bandit Approach
//! to Personalized News Article Recommendation"), as river's `bandit.LinUCBDisjoint`: each arm
//! has a Bayesian linear regression of the reward on the context, and the arm with the largest
//! `mean + std` of its predictive distribution is pulled (ties broken at random).

use super::bayes_linear::BayesLinear;
use super::{argmax_random_tie, Algorithm, ArmStats};
use crate::error::{check_positive, check_range, Result};
use rand_pcg::Pcg64;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinUcbDisjoint {
    alpha: f64,
    beta: f64,
    smoothing: Option<f64>,
    models: Vec<BayesLinear>,
}

impl LinUcbDisjoint {
    /// `alpha`: prior precision of the weights; `beta`: noise precision; `smoothing` in (0, 1):
    /// exponential forgetting of past observations (river's parameter of the same name).
    pub fn new(alpha: f64, beta: f64, smoothing: Option<f64>) -> Result<Self> {
        if let Some(s) = smoothing {
            check_range("smoothing", s, 0.0, 1.0)?;
        }
        Ok(LinUcbDisjoint {
            alpha: check_positive("alpha", alpha)?,
            beta: check_positive("beta", beta)?,
            smoothing,
            models: vec![],
        })
    }
}

impl Algorithm for LinUcbDisjoint {
    fn ensure_arms(&mut self, n: usize) {
        self.models.resize_with(n, BayesLinear::new);
    }
    fn choose(&mut self, stats: &ArmStats, arms: &[usize], x: &[f64], rng: &mut Pcg64) -> usize {
        argmax_random_tie(&self.scores(stats, arms, x), rng)
    }
    fn learn(&mut self, _: &ArmStats, arm: usize, reward: f64, x: &[f64]) {
        self.models[arm].learn(x, reward, self.alpha, self.beta, self.smoothing);
    }
    fn scores(&self, _: &ArmStats, arms: &[usize], x: &[f64]) -> Vec<f64> {
        arms.iter()
            .map(|&a| {
                let (mean, var) = self.models[a].predict(x, self.alpha);
                mean + (1.0 / self.beta + var).sqrt()
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::Policy;
    use super::*;

    #[test]
    fn upper_bound_by_hand() {
        let mut p = Policy::new(LinUcbDisjoint::new(1.0, 1.0, None).unwrap(), 0, 0);
        p.ensure_arms(2);
        p.update(0, 1.0, Some(&[1.0])).unwrap();
        // Arm 0: precision 2, mean 1/2, var 1 + 1/2. Arm 1: mean 0, var 1 + 1.
        let s = p.scores(&[0, 1], Some(&[1.0])).unwrap();
        assert!((s[0] - (0.5 + 1.5f64.sqrt())).abs() < 1e-15);
        assert!((s[1] - 2f64.sqrt()).abs() < 1e-15);
        assert!(p.update(0, 1.0, Some(&[f64::NAN])).is_err());
    }
}
