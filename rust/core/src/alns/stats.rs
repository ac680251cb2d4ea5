//! What a run records: the current objective after every iteration, the time every iteration
//! took, and per operator how often each of the four outcomes followed its use.

use super::Outcome;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Statistics {
    /// The initial objective, then the current objective after each iteration.
    pub objectives: Vec<f64>,
    /// Seconds taken by each iteration (stopping check included).
    pub runtimes: Vec<f64>,
    /// `destroy_counts[d][outcome]`.
    pub destroy_counts: Vec<[u64; 4]>,
    pub repair_counts: Vec<[u64; 4]>,
    /// Operators in the order of their first use (alns' dictionaries are ordered that way).
    pub destroy_order: Vec<usize>,
    pub repair_order: Vec<usize>,
}

impl Statistics {
    pub fn new(num_destroy: usize, num_repair: usize, initial_objective: f64) -> Self {
        Statistics {
            objectives: vec![initial_objective],
            destroy_counts: vec![[0; 4]; num_destroy],
            repair_counts: vec![[0; 4]; num_repair],
            ..Default::default()
        }
    }

    /// Number of completed iterations.
    pub fn iterations(&self) -> usize {
        self.objectives.len().saturating_sub(1)
    }

    pub(crate) fn record(&mut self, objective: f64, d: usize, r: usize, outcome: Outcome) {
        self.objectives.push(objective);
        let k = outcome.index();
        if self.destroy_counts[d].iter().all(|&c| c == 0) {
            self.destroy_order.push(d);
        }
        if self.repair_counts[r].iter().all(|&c| c == 0) {
            self.repair_order.push(r);
        }
        self.destroy_counts[d][k] += 1;
        self.repair_counts[r][k] += 1;
    }

    pub(crate) fn push_runtime(&mut self, seconds: f64) {
        self.runtimes.push(seconds);
    }

    /// Total seconds over all iterations.
    pub fn total_runtime(&self) -> f64 {
        self.runtimes.iter().sum()
    }
}
