//! Tsallis-INF (Zimmert & Seldin 2021, "Tsallis-INF: An Optimal Algorithm for Stochastic and
//! Adversarial Bandits"): online mirror descent with the 1/2-Tsallis entropy on losses `1 - r`.
//! The weights `p_i = 4 / (eta_t (L_i - x))^2` are normalised by Newton's method on `x`, with
//! `eta_t = 2 / sqrt(t)`; losses are estimated by importance weighting with the reduced-variance
//! baseline 1/2 of the paper. "Learning to Relax" (Khodak et al. 2024) tunes solver parameters
//! with it, the loss being a normalised iteration count.

use super::{sample_weighted, Algorithm, ArmStats, RewardDomain};
use rand_pcg::Pcg64;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TsallisInf {
    loss_estimates: Vec<f64>,
    last_probability: Vec<f64>,
}

/// The 1/2-Tsallis weights of `losses` at rate `eta`: `p_i = 4 / (eta (L_i - x))^2` with `x`
/// below every `L_i` such that the weights sum to 1.
pub fn tsallis_weights(losses: &[f64], eta: f64) -> Vec<f64> {
    let k = losses.len();
    if k == 0 {
        return vec![];
    }
    let min = losses.iter().copied().fold(f64::INFINITY, f64::min);
    // At x = min - 2/eta the smallest weight alone is 1, so the sum is >= 1; the sum decreases
    // as x decreases, and Newton's method from here moves monotonically to the root.
    let mut x = min - 2.0 / eta;
    for _ in 0..100 {
        let mut sum = 0.0;
        let mut slope = 0.0;
        for &l in losses {
            let w = 4.0 / (eta * (l - x)).powi(2);
            sum += w;
            slope += eta * w.powf(1.5);
        }
        let step = (sum - 1.0) / slope;
        x -= step;
        if step.abs() <= 1e-12 * (1.0 + x.abs()) {
            break;
        }
    }
    let mut p: Vec<f64> = losses
        .iter()
        .map(|&l| 4.0 / (eta * (l - x)).powi(2))
        .collect();
    let total: f64 = p.iter().sum();
    p.iter_mut().for_each(|v| *v /= total);
    p
}

impl TsallisInf {
    fn probabilities(&self, arms: &[usize], t: u64) -> Vec<f64> {
        let eta = 2.0 / (t.max(1) as f64).sqrt();
        let losses: Vec<f64> = arms.iter().map(|&a| self.loss_estimates[a]).collect();
        tsallis_weights(&losses, eta)
    }
}

impl Algorithm for TsallisInf {
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
        sample_weighted(&probs, rng)
    }
    fn learn(&mut self, _: &ArmStats, arm: usize, reward: f64, _: &[f64]) {
        let p = match self.last_probability[arm] {
            p if p > 0.0 => p,
            _ => 1.0,
        };
        // The reduced-variance estimate adds (loss - 1/2)/p + 1/2 to the chosen arm and 1/2 to
        // every other; the weights do not change when all estimates move together, so only
        // (loss - 1/2)/p is kept.
        let loss = 1.0 - reward;
        self.loss_estimates[arm] += (loss - 0.5) / p;
    }
    fn scores(&self, stats: &ArmStats, arms: &[usize], _: &[f64]) -> Vec<f64> {
        self.probabilities(arms, stats.total() + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_sum_to_one_and_favour_small_losses() {
        let p = tsallis_weights(&[0.0, 1.0, 5.0], 0.5);
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!(p[0] > p[1] && p[1] > p[2]);
        // Equal losses: uniform.
        let q = tsallis_weights(&[2.0, 2.0, 2.0, 2.0], 1.0);
        assert!(q.iter().all(|v| (v - 0.25).abs() < 1e-12));
        // Two arms by hand: L = (0, d), eta = 2: p_i = 1 / (L_i - x)^2 with sum 1.
        let p = tsallis_weights(&[0.0, 1.0], 2.0);
        let x = -1.0 / p[0].sqrt();
        assert!((p[1] - 1.0 / (1.0 - x).powi(2)).abs() < 1e-9);
    }
}
