//! alpha-UCB (Hendel 2022), as `alns.select.AlphaUCB`: play the allowed pair maximising
//! `mean reward + sqrt(alpha ln(1 + t) / (T_a + 1))`, mean rewards starting at 1.

use super::{check_scores, Coupling};
use crate::alns::Outcome;
use crate::bandit::argmax_first;
use crate::error::{param, Result};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlphaUcb {
    scores: [f64; 4],
    alpha: f64,
    coupling: Coupling,
    avg_rewards: Vec<f64>,
    times: Vec<u64>,
    iteration: u64,
}

impl AlphaUcb {
    pub fn new(scores: &[f64], alpha: f64, coupling: Coupling) -> Result<Self> {
        let scores = check_scores(scores)?;
        if !(0.0..=1.0).contains(&alpha) {
            return Err(param("alpha", format!("must be in [0, 1], got {alpha}")));
        }
        let (nd, nr) = coupling.shape();
        Ok(AlphaUcb {
            scores,
            alpha,
            coupling,
            avg_rewards: vec![1.0; nd * nr],
            times: vec![0; nd * nr],
            iteration: 0,
        })
    }
    pub fn coupling(&self) -> &Coupling {
        &self.coupling
    }
    pub fn scores(&self) -> [f64; 4] {
        self.scores
    }
    pub fn alpha(&self) -> f64 {
        self.alpha
    }
    /// The index of every pair (row-major), -1 for pairs the coupling forbids.
    pub fn values(&self) -> Vec<f64> {
        let log_t = (1.0 + self.iteration as f64).ln();
        let nr = self.coupling.shape().1;
        (0..self.avg_rewards.len())
            .map(|a| {
                if self.coupling.allowed(a / nr, a % nr) {
                    self.avg_rewards[a] + (self.alpha * log_t / (self.times[a] + 1) as f64).sqrt()
                } else {
                    -1.0
                }
            })
            .collect()
    }
    pub fn avg_rewards(&self) -> &[f64] {
        &self.avg_rewards
    }

    pub(super) fn choose(&self) -> (usize, usize) {
        let a = argmax_first(&self.values());
        let nr = self.coupling.shape().1;
        (a / nr, a % nr)
    }

    pub(super) fn learn(&mut self, d: usize, r: usize, outcome: Outcome) {
        let a = d * self.coupling.shape().1 + r;
        let t = self.times[a] as f64;
        self.avg_rewards[a] = (t * self.avg_rewards[a] + self.scores[outcome.index()]) / (t + 1.0);
        self.times[a] += 1;
        self.iteration += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_choices_by_hand() {
        let c = Coupling::new(1, 2, None).unwrap();
        let mut ucb = AlphaUcb::new(&[5.0, 2.0, 1.0, 0.5], 0.5, c).unwrap();
        // t = 0: both indices are 1 + 0, the first wins.
        assert_eq!(ucb.choose(), (0, 0));
        ucb.learn(0, 0, Outcome::Reject); // mean (0 * 1 + 0.5) / 1 = 0.5
        let v = ucb.values();
        let bonus = |times: f64| (0.5 * 2f64.ln() / (times + 1.0)).sqrt();
        assert!((v[0] - (0.5 + bonus(1.0))).abs() < 1e-15);
        assert!((v[1] - (1.0 + bonus(0.0))).abs() < 1e-15);
        assert_eq!(ucb.choose(), (0, 1));
        ucb.learn(0, 1, Outcome::Best); // mean 5
        assert_eq!(ucb.avg_rewards(), &[0.5, 5.0]);
        assert!(AlphaUcb::new(&[1.0; 4], 1.5, Coupling::new(1, 1, None).unwrap()).is_err());
        let forbid = Coupling::new(2, 2, Some(vec![true, false, true, true])).unwrap();
        assert_eq!(
            AlphaUcb::new(&[1.0; 4], 0.1, forbid).unwrap().values()[1],
            -1.0
        );
    }
}
