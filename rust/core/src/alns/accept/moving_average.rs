//! Moving average threshold (Maximo & Nascimento 2021), as
//! `alns.accept.MovingAverageThreshold`: accept a candidate no worse than
//! `best + eta (mean - best)` over the last `gamma` candidate objectives (itself included).

use crate::error::{param, Result};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MovingAverageThreshold {
    eta: f64,
    gamma: usize,
    history: VecDeque<f64>,
}

impl MovingAverageThreshold {
    pub fn new(eta: f64, gamma: usize) -> Result<Self> {
        if !(0.0..=1.0).contains(&eta) {
            return Err(param("eta", format!("must be in [0, 1], got {eta}")));
        }
        if gamma == 0 {
            return Err(param("gamma", "must be positive"));
        }
        Ok(MovingAverageThreshold {
            eta,
            gamma,
            history: VecDeque::with_capacity(gamma),
        })
    }
    pub fn history(&self) -> Vec<f64> {
        self.history.iter().copied().collect()
    }
    pub fn params(&self) -> (f64, usize) {
        (self.eta, self.gamma)
    }

    pub(super) fn decide(&mut self, candidate: f64) -> bool {
        if self.history.len() == self.gamma {
            self.history.pop_front();
        }
        self.history.push_back(candidate);
        let recent_best = self.history.iter().copied().fold(f64::INFINITY, f64::min);
        let mean = self.history.iter().sum::<f64>() / self.history.len() as f64;
        candidate <= recent_best + self.eta * (mean - recent_best)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_by_hand() {
        let mut mat = MovingAverageThreshold::new(0.5, 3).unwrap();
        assert!(mat.decide(10.0)); // alone: threshold 10
                                   // History [10, 20]: best 10, mean 15, threshold 12.5.
        assert!(!mat.decide(20.0));
        // History [10, 20, 12]: mean 14, threshold 12.
        assert!(mat.decide(12.0));
        // History [20, 12, 16]: best 12, mean 16, threshold 14.
        assert!(!mat.decide(16.0));
        assert_eq!(mat.history(), vec![20.0, 12.0, 16.0]);
        assert!(MovingAverageThreshold::new(1.5, 3).is_err());
        assert!(MovingAverageThreshold::new(0.5, 0).is_err());
    }
}
