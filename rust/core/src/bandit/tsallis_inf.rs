//! Tsallis-INF (Zimmert & Seldin 2021, "Tsallis-INF: An Optimal Algorithm for Stochastic and
//! Adversarial Bandits"): online mirror descent with the 1/2-Tsallis entropy on losses `1 - r`.
//! The weights `p_i = 4 / (eta_t (L_i - x))^2` are normalised by Newton's method on `x`, with
//! `eta_t = 2 / sqrt(t)`; losses are estimated by importance weighting with the reduced-variance
//! baseline 1/2 of the paper. "Learning to Relax" (Khodak et al. 2024) tunes solver parameters
//! with it, the loss being a normalised iteration count.
//!
//! With `adaptive_scale`, losses are self-normalised as that paper treats iteration counts: the
//! estimates accumulate `(loss - b_t) / p` with `b_t` the smallest loss seen before round `t`
//! (a predictable baseline, so every arm's estimate shifts by the same amount in expectation
//! and the weights are unbiased), and the weights are computed from the estimates divided by
//! the mean of `loss - b` so far. Costs that are tiny fractions of their cap (an iteration
//! count over `max_iter`) then move the weights as fast as unit-scale losses would.

use super::{sample_weighted, Algorithm, ArmStats, RewardDomain};
use rand_pcg::Pcg64;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TsallisInf {
    loss_estimates: Vec<f64>,
    last_probability: Vec<f64>,
    adaptive_scale: bool,
    /// Smallest loss seen so far (the baseline), +inf before the first.
    min_loss: f64,
    /// Sum of the losses seen so far and their number, for the running mean.
    loss_sum: f64,
    n_losses: u64,
}

impl Default for TsallisInf {
    fn default() -> Self {
        TsallisInf::new(false)
    }
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
    /// Tsallis-INF on losses `1 - reward`, self-normalised when `adaptive_scale`.
    pub fn new(adaptive_scale: bool) -> Self {
        TsallisInf {
            loss_estimates: vec![],
            last_probability: vec![],
            adaptive_scale,
            min_loss: f64::INFINITY,
            loss_sum: 0.0,
            n_losses: 0,
        }
    }

    pub fn adaptive_scale(&self) -> bool {
        self.adaptive_scale
    }

    fn baseline(&self) -> f64 {
        if self.min_loss.is_finite() {
            self.min_loss
        } else {
            0.0
        }
    }

    /// What the estimates are divided by: the mean shifted loss; while every loss seen is the
    /// same (so that mean is 0), the mean loss itself, and 1 before any positive loss.
    fn scale(&self) -> f64 {
        if !self.adaptive_scale || self.n_losses == 0 {
            return 1.0;
        }
        let mean = self.loss_sum / self.n_losses as f64;
        [mean - self.baseline(), mean, 1.0]
            .into_iter()
            .find(|&s| s > 0.0)
            .unwrap_or(1.0)
    }

    fn probabilities(&self, arms: &[usize], t: u64) -> Vec<f64> {
        let eta = 2.0 / (t.max(1) as f64).sqrt();
        let scale = self.scale();
        let losses: Vec<f64> = arms
            .iter()
            .map(|&a| self.loss_estimates[a] / scale)
            .collect();
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
        if self.adaptive_scale {
            self.loss_estimates[arm] += (loss - self.baseline()) / p;
            self.min_loss = self.min_loss.min(loss);
            self.loss_sum += loss;
            self.n_losses += 1;
        } else {
            self.loss_estimates[arm] += (loss - 0.5) / p;
        }
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

    #[test]
    fn adaptive_scale_by_hand() {
        let stats = ArmStats::default();
        let mut t = TsallisInf::new(true);
        t.ensure_arms(2);
        // Round 1: uniform, arm 0 has loss 0.04 (reward 0.96): baseline 0, estimate 0.04 / 0.5.
        t.last_probability = vec![0.5, 0.5];
        t.learn(&stats, 0, 0.96, &[]);
        assert!((t.loss_estimates[0] - 0.08).abs() < 1e-12);
        assert!((t.scale() - 0.04).abs() < 1e-12);
        // Round 2: arm 1 (p = 0.25) has loss 0.10: baseline is now 0.04.
        t.last_probability = vec![0.75, 0.25];
        t.learn(&stats, 1, 0.90, &[]);
        assert!((t.loss_estimates[1] - 0.24).abs() < 1e-12);
        // Mean loss 0.07, minus the baseline 0.04: the weights see (0.08, 0.24) / 0.03.
        assert!((t.scale() - 0.03).abs() < 1e-12);
        let p = t.probabilities(&[0, 1], 3);
        let q = tsallis_weights(&[0.08 / 0.03, 0.24 / 0.03], 2.0 / 3f64.sqrt());
        assert!((p[0] - q[0]).abs() < 1e-12 && p[0] > 0.5);
    }
}
