//! Uniformly random arm: the baseline, as river's `bandit.RandomPolicy`.

use super::{Algorithm, ArmStats};
use rand::Rng;
use rand_pcg::Pcg64;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RandomPolicy;

impl Algorithm for RandomPolicy {
    fn choose(&mut self, _: &ArmStats, arms: &[usize], _: &[f64], rng: &mut Pcg64) -> usize {
        rng.random_range(0..arms.len())
    }
    fn learn(&mut self, _: &ArmStats, _: usize, _: f64, _: &[f64]) {}
    fn scores(&self, _: &ArmStats, arms: &[usize], _: &[f64]) -> Vec<f64> {
        vec![1.0 / arms.len() as f64; arms.len()]
    }
}
