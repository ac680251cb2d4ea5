//! KL-UCB for Bernoulli rewards (Garivier & Cappé 2011, "The KL-UCB Algorithm for Bounded
//! Stochastic Bandits and Beyond"): the index of arm j is the largest q in [mean_j, 1] with
//! `n_j * kl(mean_j, q) <= ln t + c ln ln t`, found by bisection.

use super::{argmax_random_tie, Algorithm, ArmStats, RewardDomain};
use crate::error::{check_non_negative, Result};
use rand_pcg::Pcg64;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KlUcb {
    c: f64,
}

impl KlUcb {
    /// `c` weighs the `ln ln t` term (the paper's experiments use `c = 0`).
    pub fn new(c: f64) -> Result<Self> {
        Ok(KlUcb {
            c: check_non_negative("c", c)?,
        })
    }
}

/// Bernoulli Kullback-Leibler divergence `kl(p, q)`, with `0 ln 0 = 0`.
pub fn bernoulli_kl(p: f64, q: f64) -> f64 {
    const EPS: f64 = 1e-15;
    let q = q.clamp(EPS, 1.0 - EPS);
    let term = |a: f64, b: f64| if a <= 0.0 { 0.0 } else { a * (a / b).ln() };
    term(p, q) + term(1.0 - p, 1.0 - q)
}

/// Largest `q` in `[p, 1]` with `kl(p, q) <= bound`. `kl(p, .)` is convex and increasing on
/// `[p, 1]`, so Newton's method started right of the root converges monotonically; Pinsker's
/// inequality `kl(p, q) >= 2 (q - p)^2` gives such a start, `p + sqrt(bound / 2)`.
pub fn kl_upper(p: f64, bound: f64) -> f64 {
    const TOP: f64 = 1.0 - 1e-15;
    if bound <= 0.0 {
        return p;
    }
    if bernoulli_kl(p, TOP) <= bound {
        return 1.0;
    }
    let mut q = (p + (bound / 2.0).sqrt()).min(TOP);
    for _ in 0..100 {
        let g = bernoulli_kl(p, q) - bound;
        if g <= 1e-14 {
            break;
        }
        let slope = (q - p) / (q * (1.0 - q));
        let next = q - g / slope;
        if !(next.is_finite() && next < q) {
            break;
        }
        q = next.max(p);
    }
    q
}

impl Algorithm for KlUcb {
    fn reward_domain(&self) -> RewardDomain {
        RewardDomain::Unit
    }
    fn choose(&mut self, stats: &ArmStats, arms: &[usize], x: &[f64], rng: &mut Pcg64) -> usize {
        argmax_random_tie(&self.scores(stats, arms, x), rng)
    }
    fn learn(&mut self, _: &ArmStats, _: usize, _: f64, _: &[f64]) {}
    fn scores(&self, stats: &ArmStats, arms: &[usize], _: &[f64]) -> Vec<f64> {
        let t = stats.total() as f64;
        let log_t = t.ln().max(0.0);
        let budget = log_t + self.c * log_t.ln().max(0.0);
        arms.iter()
            .map(|&a| match stats.count(a) {
                0 => f64::INFINITY,
                n => kl_upper(stats.mean(a), budget / n as f64),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kl_by_hand() {
        // kl(0.5, 0.25) = 0.5 ln 2 + 0.5 ln(2/3)
        let expected = 0.5 * 2f64.ln() + 0.5 * (0.5f64 / 0.75).ln();
        assert!((bernoulli_kl(0.5, 0.25) - expected).abs() < 1e-15);
        assert_eq!(bernoulli_kl(0.3, 0.3), 0.0);
    }

    #[test]
    fn upper_bound_solves_the_equation() {
        let q = kl_upper(0.4, 0.1);
        assert!(q > 0.4 && q < 1.0);
        assert!((bernoulli_kl(0.4, q) - 0.1).abs() < 1e-12);
        let q0 = kl_upper(0.0, 0.5);
        assert!((bernoulli_kl(0.0, q0) - 0.5).abs() < 1e-12, "{q0}");
        assert_eq!(kl_upper(0.9, 10.0), 1.0);
    }
}
