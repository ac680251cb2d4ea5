//! Late acceptance hill climbing (Burke & Bykov 2017), as
//! `alns.accept.LateAcceptanceHillClimbing`: accept a candidate better than the current
//! objective of `lookback_period` iterations ago.

use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LateAcceptanceHillClimbing {
    lookback_period: usize,
    greedy: bool,
    better_history: bool,
    history: VecDeque<f64>,
}

impl LateAcceptanceHillClimbing {
    /// `greedy`: also accept anything better than the current solution. `better_history`:
    /// store `min(current, oldest)` instead of the current objective.
    pub fn new(lookback_period: usize, greedy: bool, better_history: bool) -> Self {
        LateAcceptanceHillClimbing {
            lookback_period,
            greedy,
            better_history,
            history: VecDeque::with_capacity(lookback_period),
        }
    }
    pub fn history(&self) -> Vec<f64> {
        self.history.iter().copied().collect()
    }
    pub fn params(&self) -> (usize, bool, bool) {
        (self.lookback_period, self.greedy, self.better_history)
    }

    /// Appends to the bounded history, dropping the oldest entry when full (a zero-length
    /// history stays empty: plain hill climbing).
    fn push(&mut self, x: f64) {
        if self.lookback_period == 0 {
            return;
        }
        if self.history.len() == self.lookback_period {
            self.history.pop_front();
        }
        self.history.push_back(x);
    }

    pub(super) fn decide(&mut self, current: f64, candidate: f64) -> bool {
        let Some(&oldest) = self.history.front() else {
            self.push(current);
            return candidate < current;
        };
        let accepted = candidate < oldest || (self.greedy && candidate < current);
        let stored = if self.better_history {
            current.min(oldest)
        } else {
            current
        };
        self.push(stored);
        accepted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_by_hand() {
        let mut la = LateAcceptanceHillClimbing::new(2, false, false);
        assert!(!la.decide(10.0, 11.0)); // empty: compares with current, stores 10
        assert_eq!(la.history(), vec![10.0]);
        // Oldest is 10: 11 rejected although better than the current 12.
        assert!(!la.decide(12.0, 11.0));
        assert_eq!(la.history(), vec![10.0, 12.0]);
        // Oldest is 10: 9 accepted, history drops 10 and stores the current 11.
        assert!(la.decide(11.0, 9.0));
        assert_eq!(la.history(), vec![12.0, 11.0]);
        // Oldest 12: 11.5 accepted even though worse than the current 9.
        assert!(la.decide(9.0, 11.5));
        assert_eq!(la.history(), vec![11.0, 9.0]);
    }

    #[test]
    fn greedy_better_history_and_zero_lookback() {
        let mut g = LateAcceptanceHillClimbing::new(1, true, true);
        g.decide(5.0, 6.0);
        // Oldest 5: candidate 7 is not below 5 but is below the current 8 (greedy).
        assert!(g.decide(8.0, 7.0));
        assert_eq!(g.history(), vec![5.0]); // min(8, 5)
        let mut z = LateAcceptanceHillClimbing::new(0, false, false);
        assert!(z.decide(3.0, 2.0));
        assert!(!z.decide(3.0, 3.0));
        assert!(z.history().is_empty());
    }
}
