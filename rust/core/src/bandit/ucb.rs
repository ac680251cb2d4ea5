//! UCB (Lai & Robbins 1985; Auer, Cesa-Bianchi & Fischer 2002), as river's `bandit.UCB`:
//! index `mean + delta * sqrt(2 ln n / n_arm)`, unrewarded arms first, ties broken at random.

use super::{argmax_random_tie, Algorithm, ArmStats};
use crate::error::{check_non_negative, Result};
use rand_pcg::Pcg64;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ucb {
    delta: f64,
}

impl Ucb {
    /// `delta` scales the exploration bonus; `delta = 1` is UCB1.
    pub fn new(delta: f64) -> Result<Self> {
        Ok(Ucb {
            delta: check_non_negative("delta", delta)?,
        })
    }
}

impl Algorithm for Ucb {
    fn choose(&mut self, stats: &ArmStats, arms: &[usize], x: &[f64], rng: &mut Pcg64) -> usize {
        argmax_random_tie(&self.scores(stats, arms, x), rng)
    }
    fn learn(&mut self, _: &ArmStats, _: usize, _: f64, _: &[f64]) {}
    fn scores(&self, stats: &ArmStats, arms: &[usize], _: &[f64]) -> Vec<f64> {
        let log_n = (stats.total() as f64).ln();
        arms.iter()
            .map(|&a| match stats.count(a) {
                0 => f64::INFINITY,
                c => stats.mean(a) + self.delta * (2.0 * log_n / c as f64).sqrt(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::Policy;
    use super::*;

    #[test]
    fn upper_bounds_by_hand() {
        let mut p = Policy::new(Ucb::new(1.0).unwrap(), 0, 0);
        p.ensure_arms(3);
        p.update(0, 1.0, None).unwrap();
        p.update(1, 0.0, None).unwrap();
        p.update(1, 1.0, None).unwrap();
        // n = 3: arm 0 -> 1 + sqrt(2 ln 3), arm 1 -> 0.5 + sqrt(ln 3), arm 2 unrewarded -> inf.
        let s = p.scores(&[0, 1, 2], None).unwrap();
        assert!((s[0] - (1.0 + (2.0 * 3f64.ln()).sqrt())).abs() < 1e-15);
        assert!((s[1] - (0.5 + 3f64.ln().sqrt())).abs() < 1e-15);
        assert!(s[2].is_infinite());
        assert_eq!(p.pull(&[0, 1, 2], None).unwrap(), 2);
        assert_eq!(p.pull(&[0, 1], None).unwrap(), 0);
    }

    #[test]
    fn rejects_negative_delta() {
        assert!(Ucb::new(-0.1).is_err());
        assert!(Ucb::new(f64::NAN).is_err());
    }
}
