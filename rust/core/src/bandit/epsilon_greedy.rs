//! Epsilon-greedy, as river's `bandit.EpsilonGreedy`: explore uniformly with probability
//! `epsilon * exp(-decay * n)`, otherwise the first arm with the highest mean reward.

use super::{argmax_first, Algorithm, ArmStats};
use crate::error::{check_non_negative, check_range, Result};
use rand::Rng;
use rand_pcg::Pcg64;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpsilonGreedy {
    epsilon: f64,
    decay: f64,
}

impl EpsilonGreedy {
    pub fn new(epsilon: f64, decay: f64) -> Result<Self> {
        Ok(EpsilonGreedy {
            epsilon: check_range("epsilon", epsilon, 0.0, 1.0)?,
            decay: check_non_negative("decay", decay)?,
        })
    }

    /// Exploration probability after `n` rewards.
    pub fn current_epsilon(&self, n: u64) -> f64 {
        if self.decay > 0.0 {
            self.epsilon * (-(n as f64) * self.decay).exp()
        } else {
            self.epsilon
        }
    }
}

impl Algorithm for EpsilonGreedy {
    fn choose(&mut self, stats: &ArmStats, arms: &[usize], x: &[f64], rng: &mut Pcg64) -> usize {
        if rng.random::<f64>() < self.current_epsilon(stats.total()) {
            rng.random_range(0..arms.len())
        } else {
            argmax_first(&self.scores(stats, arms, x))
        }
    }
    fn learn(&mut self, _: &ArmStats, _: usize, _: f64, _: &[f64]) {}
    fn scores(&self, stats: &ArmStats, arms: &[usize], _: &[f64]) -> Vec<f64> {
        arms.iter().map(|&a| stats.mean(a)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::Policy;
    use super::*;

    #[test]
    fn greedy_takes_first_best_mean() {
        let mut p = Policy::new(EpsilonGreedy::new(0.0, 0.0).unwrap(), 0, 0);
        p.ensure_arms(3);
        assert_eq!(p.pull(&[0, 1, 2], None).unwrap(), 0);
        p.update(1, 0.4, None).unwrap();
        p.update(2, 0.4, None).unwrap();
        assert_eq!(p.pull(&[0, 1, 2], None).unwrap(), 1);
        assert_eq!(p.pull(&[2, 1], None).unwrap(), 0);
    }

    #[test]
    fn decay_by_hand() {
        let e = EpsilonGreedy::new(0.5, 0.1).unwrap();
        assert!((e.current_epsilon(10) - 0.5 * (-1.0f64).exp()).abs() < 1e-15);
        assert!(EpsilonGreedy::new(1.5, 0.0).is_err());
        assert!(EpsilonGreedy::new(0.1, -1.0).is_err());
    }

    #[test]
    fn full_exploration_is_uniform() {
        let mut p = Policy::new(EpsilonGreedy::new(1.0, 0.0).unwrap(), 0, 5);
        p.ensure_arms(4);
        let mut counts = [0usize; 4];
        for _ in 0..4000 {
            counts[p.pull(&[0, 1, 2, 3], None).unwrap()] += 1;
        }
        assert!(
            counts.iter().all(|&c| (850..1150).contains(&c)),
            "{counts:?}"
        );
    }
}
