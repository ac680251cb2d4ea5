//! Linear Thompson sampling (Agrawal & Goyal 2013, "Thompson Sampling for Contextual Bandits
//! with Linear Payoffs"), disjoint per arm like `LinUCBDisjoint`: each arm draws weights from
//! its posterior N(m, v^2 S) and the arm with the largest sampled reward `x . theta` wins.
//! Only `x . theta` is needed, which is N(m . x, v^2 x^T S x): one normal draw per arm.

use super::bayes_linear::BayesLinear;
use super::{argmax_first, Algorithm, ArmStats};
use crate::error::{check_positive, Result};
use rand_distr::{Distribution, StandardNormal};
use rand_pcg::Pcg64;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinTs {
    alpha: f64,
    beta: f64,
    v: f64,
    models: Vec<BayesLinear>,
}

impl LinTs {
    /// `alpha`, `beta` as in `LinUcbDisjoint`; `v` scales the posterior spread (exploration).
    pub fn new(alpha: f64, beta: f64, v: f64) -> Result<Self> {
        Ok(LinTs {
            alpha: check_positive("alpha", alpha)?,
            beta: check_positive("beta", beta)?,
            v: check_positive("v", v)?,
            models: vec![],
        })
    }
}

impl Algorithm for LinTs {
    fn ensure_arms(&mut self, n: usize) {
        self.models.resize_with(n, BayesLinear::new);
    }
    fn choose(&mut self, _: &ArmStats, arms: &[usize], x: &[f64], rng: &mut Pcg64) -> usize {
        let draws: Vec<f64> = arms
            .iter()
            .map(|&a| {
                let (mean, var) = self.models[a].predict(x, self.alpha);
                let z: f64 = StandardNormal.sample(rng);
                mean + self.v * var.max(0.0).sqrt() * z
            })
            .collect();
        argmax_first(&draws)
    }
    fn learn(&mut self, _: &ArmStats, arm: usize, reward: f64, x: &[f64]) {
        self.models[arm].learn(x, reward, self.alpha, self.beta, None);
    }
    fn scores(&self, _: &ArmStats, arms: &[usize], x: &[f64]) -> Vec<f64> {
        arms.iter()
            .map(|&a| self.models[a].predict(x, self.alpha).0)
            .collect()
    }
}
