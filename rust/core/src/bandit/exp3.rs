//! Exp3 (Auer, Cesa-Bianchi, Freund & Schapire 2002, "The Nonstochastic Multiarmed Bandit
//! Problem"), as river's `bandit.Exp3`: probabilities `(1 - gamma) w_i / sum w + gamma / k`,
//! and `w_i *= exp(gamma * (r / p_i) / K)` where K counts the arms that have a weight.
//! The weights are kept as logarithms: river's overflow to infinity after about 1.4e5 rounds
//! cannot happen here, and the probabilities are the same up to rounding.

use super::{sample_weighted, softmax, Algorithm, ArmStats, RewardDomain};
use crate::error::{check_range, Result};
use rand_pcg::Pcg64;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exp3 {
    gamma: f64,
    log_weights: Vec<f64>,
    has_weight: Vec<bool>,
    n_weighted: usize,
    /// Probability with which each arm was last offered (NaN: never offered).
    last_probability: Vec<f64>,
}

impl Exp3 {
    pub fn new(gamma: f64) -> Result<Self> {
        Ok(Exp3 {
            gamma: check_range("gamma", gamma, 0.0, 1.0)?,
            log_weights: vec![],
            has_weight: vec![],
            n_weighted: 0,
            last_probability: vec![],
        })
    }

    fn probabilities(&self, arms: &[usize]) -> Vec<f64> {
        let logits: Vec<f64> = arms.iter().map(|&a| self.log_weights[a]).collect();
        let k = arms.len() as f64;
        softmax(&logits)
            .into_iter()
            .map(|p| (1.0 - self.gamma) * p + self.gamma / k)
            .collect()
    }
}

impl Algorithm for Exp3 {
    fn reward_domain(&self) -> RewardDomain {
        RewardDomain::Unit
    }
    fn ensure_arms(&mut self, n: usize) {
        self.log_weights.resize(n, 0.0);
        self.has_weight.resize(n, false);
        self.last_probability.resize(n, f64::NAN);
    }
    fn choose(&mut self, _: &ArmStats, arms: &[usize], _: &[f64], rng: &mut Pcg64) -> usize {
        for &a in arms {
            if !self.has_weight[a] {
                self.has_weight[a] = true;
                self.n_weighted += 1;
            }
        }
        let probs = self.probabilities(arms);
        for (&a, &p) in arms.iter().zip(&probs) {
            self.last_probability[a] = p;
        }
        sample_weighted(&probs, rng)
    }
    fn learn(&mut self, _: &ArmStats, arm: usize, reward: f64, _: &[f64]) {
        if !self.has_weight[arm] {
            self.has_weight[arm] = true;
            self.n_weighted += 1;
        }
        // An arm rewarded without having been offered is treated as offered uniformly.
        let p = match self.last_probability[arm] {
            p if p > 0.0 => p,
            _ => 1.0 / self.n_weighted as f64,
        };
        self.log_weights[arm] += self.gamma * (reward / p) / self.n_weighted as f64;
    }
    fn scores(&self, _: &ArmStats, arms: &[usize], _: &[f64]) -> Vec<f64> {
        self.probabilities(arms)
    }
}

#[cfg(test)]
mod tests {
    use super::super::Policy;
    use super::*;

    #[test]
    fn probabilities_and_update_by_hand() {
        let mut p = Policy::new(Exp3::new(0.5).unwrap(), 0, 0);
        p.ensure_arms(2);
        let pos = p.pull(&[0, 1], None).unwrap();
        let arm = [0, 1][pos];
        // Equal weights: p = 0.5 each. Reward 1: w_arm = exp(0.5 * (1 / 0.5) / 2) = e^0.5.
        p.update(arm, 1.0, None).unwrap();
        let s = p.scores(&[0, 1], None).unwrap();
        let e = 0.5f64.exp();
        let high = 0.5 * e / (e + 1.0) + 0.25;
        assert!((s[arm] - high).abs() < 1e-15);
        assert!((s[1 - arm] - (1.0 - high)).abs() < 1e-15);
    }

    #[test]
    fn no_overflow_after_many_rounds() {
        let mut p = Policy::new(Exp3::new(0.1).unwrap(), 0, 1);
        p.ensure_arms(2);
        for _ in 0..300_000 {
            let pos = p.pull(&[0, 1], None).unwrap();
            p.update(pos, if pos == 0 { 1.0 } else { 0.0 }, None)
                .unwrap();
        }
        let s = p.scores(&[0, 1], None).unwrap();
        assert!(s.iter().all(|v| v.is_finite()));
        assert!((s[0] - 0.95).abs() < 1e-9, "{s:?}");
    }
}
