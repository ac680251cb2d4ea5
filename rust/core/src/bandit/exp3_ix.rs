//! Exp3-IX (Neu 2015, "Explore no more: Improved high-probability regret bounds for
//! non-stochastic bandits"; Lattimore & Szepesvári, Bandit Algorithms, ch. 12): exponential
//! weights on losses `1 - r`, estimated with implicit exploration `loss / (p_i + gamma)`.
//! Without a fixed `eta`, the anytime rate `eta_t = sqrt(2 ln k / (k t))` and `gamma_t = eta_t/2`
//! are used.

use super::{sample_weighted, softmax, Algorithm, ArmStats, RewardDomain};
use crate::error::{check_non_negative, check_positive, Result};
use rand_pcg::Pcg64;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exp3Ix {
    eta: Option<f64>,
    gamma: Option<f64>,
    loss_estimates: Vec<f64>,
    last_probability: Vec<f64>,
    last_k: usize,
}

impl Exp3Ix {
    pub fn new(eta: Option<f64>, gamma: Option<f64>) -> Result<Self> {
        if let Some(e) = eta {
            check_positive("eta", e)?;
        }
        if let Some(g) = gamma {
            check_non_negative("gamma", g)?;
        }
        Ok(Exp3Ix {
            eta,
            gamma,
            loss_estimates: vec![],
            last_probability: vec![],
            last_k: 0,
        })
    }

    fn rates(&self, k: usize, t: u64) -> (f64, f64) {
        let k = k.max(2) as f64;
        let eta = self
            .eta
            .unwrap_or_else(|| (2.0 * k.ln() / (k * (t.max(1) as f64))).sqrt());
        (eta, self.gamma.unwrap_or(eta / 2.0))
    }

    fn probabilities(&self, arms: &[usize], t: u64) -> Vec<f64> {
        let (eta, _) = self.rates(arms.len(), t);
        let logits: Vec<f64> = arms
            .iter()
            .map(|&a| -eta * self.loss_estimates[a])
            .collect();
        softmax(&logits)
    }
}

impl Algorithm for Exp3Ix {
    fn reward_domain(&self) -> RewardDomain {
        RewardDomain::Unit
    }
    fn ensure_arms(&mut self, n: usize) {
        self.loss_estimates.resize(n, 0.0);
        self.last_probability.resize(n, f64::NAN);
    }
    fn choose(&mut self, stats: &ArmStats, arms: &[usize], _: &[f64], rng: &mut Pcg64) -> usize {
        let probs = self.probabilities(arms, stats.total() + 1);
        for (&a, &p) in arms.iter().zip(&probs) {
            self.last_probability[a] = p;
        }
        self.last_k = arms.len();
        sample_weighted(&probs, rng)
    }
    fn learn(&mut self, stats: &ArmStats, arm: usize, reward: f64, _: &[f64]) {
        let k = self.last_k.max(1);
        let (_, gamma) = self.rates(k, stats.total() + 1);
        let p = match self.last_probability[arm] {
            p if p > 0.0 => p,
            _ => 1.0 / k as f64,
        };
        self.loss_estimates[arm] += (1.0 - reward) / (p + gamma);
    }
    fn scores(&self, stats: &ArmStats, arms: &[usize], _: &[f64]) -> Vec<f64> {
        self.probabilities(arms, stats.total() + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::super::Policy;
    use super::*;

    #[test]
    fn loss_estimate_by_hand() {
        let mut p = Policy::new(Exp3Ix::new(Some(1.0), Some(0.5)).unwrap(), 0, 0);
        p.ensure_arms(2);
        let pos = p.pull(&[0, 1], None).unwrap();
        p.update(pos, 0.0, None).unwrap();
        // Loss 1 estimated as 1 / (0.5 + 0.5) = 1: the probabilities become softmax(-1, 0).
        let s = p.scores(&[0, 1], None).unwrap();
        let low = (-1f64).exp() / ((-1f64).exp() + 1.0);
        assert!((s[pos] - low).abs() < 1e-15);
    }
}
