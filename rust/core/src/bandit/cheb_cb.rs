//! ChebCB ("Learning to Relax", Khodak, Chow, Balcan & Talwalkar 2024): a contextual bandit for
//! one scalar context `c` in a known interval `[low, high]`. Each arm regresses its loss
//! `1 - reward` on the Chebyshev polynomials `T_0..T_degree` of `c` mapped onto `[-1, 1]`, and
//! the arm is drawn by inverse-gap weighting (SquareCB, Foster & Rakhlin 2020): the arm with
//! the smallest predicted loss keeps most of the mass, every other arm `i` gets
//! `1 / (K + gamma_t (yhat_i - yhat_min))`.
//!
//! Predicted losses are divided by the mean loss seen so far, so `gamma` does not depend on the
//! scale of the costs (an iteration count is a small fraction of its cap). The paper's
//! `gamma_t` grows with `t` and shrinks with the regression's accumulated squared error `R_t`;
//! we use `gamma_t = gamma * t * sqrt(K / (1 + R_t))`. Where the paper fits each arm by least
//! squares with box constraints on the coefficients, we use ridge regression (prior precision
//! `ridge`) kept up to date by rank-one updates, which needs no quadratic program per round.

use super::{sample_weighted, Algorithm, ArmStats};
use crate::error::{check_positive, param, value, Result};
use crate::linalg::{dot, mat_vec, sherman_morrison};
use rand_pcg::Pcg64;
use serde::{Deserialize, Serialize};

/// Per-arm ridge regression of the loss on the Chebyshev features.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct ArmRegression {
    /// `(ridge I + F^T F)^-1`, row-major.
    cov: Vec<f64>,
    /// `F^T y`.
    xty: Vec<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChebCb {
    low: f64,
    high: f64,
    degree: usize,
    gamma: f64,
    ridge: f64,
    arms: Vec<ArmRegression>,
    rounds: u64,
    loss_abs_sum: f64,
    squared_error: f64,
}

/// `T_0(z), ..., T_{n-1}(z)` by the three-term recurrence `T_{j+1} = 2 z T_j - T_{j-1}`.
pub fn chebyshev_features(z: f64, n: usize) -> Vec<f64> {
    let mut t = Vec::with_capacity(n);
    for j in 0..n {
        let v = match j {
            0 => 1.0,
            1 => z,
            _ => 2.0 * z * t[j - 1] - t[j - 2],
        };
        t.push(v);
    }
    t
}

/// Inverse-gap weights over predicted losses `yhat` at rate `gamma` (SquareCB).
pub fn inverse_gap_weights(yhat: &[f64], gamma: f64) -> Vec<f64> {
    let k = yhat.len();
    let best = (0..k)
        .min_by(|&a, &b| yhat[a].total_cmp(&yhat[b]))
        .unwrap_or(0);
    let mut p: Vec<f64> = yhat
        .iter()
        .map(|&y| 1.0 / (k as f64 + gamma * (y - yhat[best])))
        .collect();
    if let Some(b) = p.get_mut(best) {
        *b = 0.0;
    }
    let others: f64 = p.iter().sum();
    if let Some(b) = p.get_mut(best) {
        *b = 1.0 - others;
    }
    p
}

impl ChebCb {
    /// `low < high`: the context interval; `degree`: highest Chebyshev polynomial; `gamma > 0`:
    /// exploitation strength; `ridge > 0`: prior precision of each arm's coefficients.
    pub fn new(low: f64, high: f64, degree: usize, gamma: f64, ridge: f64) -> Result<Self> {
        if !(low.is_finite() && high.is_finite() && low < high) {
            return Err(param(
                "high",
                format!("the context interval needs finite low < high, got [{low}, {high}]"),
            ));
        }
        if degree > 20 {
            return Err(param("degree", format!("must be at most 20, got {degree}")));
        }
        Ok(ChebCb {
            low,
            high,
            degree,
            gamma: check_positive("gamma", gamma)?,
            ridge: check_positive("ridge", ridge)?,
            arms: vec![],
            rounds: 0,
            loss_abs_sum: 0.0,
            squared_error: 0.0,
        })
    }

    fn n_features(&self) -> usize {
        self.degree + 1
    }

    fn features(&self, x: &[f64]) -> Vec<f64> {
        let c = x.first().copied().unwrap_or(self.low);
        let z = (2.0 * (c - self.low) / (self.high - self.low) - 1.0).clamp(-1.0, 1.0);
        chebyshev_features(z, self.n_features())
    }

    fn scale(&self) -> f64 {
        match self.loss_abs_sum / self.rounds.max(1) as f64 {
            s if s > 0.0 => s,
            _ => 1.0,
        }
    }

    /// The arm's predicted loss at features `f`, in units of the mean loss so far.
    fn predict(&self, arm: usize, f: &[f64]) -> f64 {
        let d = self.n_features();
        let r = &self.arms[arm];
        let mut theta = vec![0.0; d];
        mat_vec(&r.cov, &r.xty, d, &mut theta);
        dot(&theta, f) / self.scale()
    }

    fn probabilities(&self, arms: &[usize], x: &[f64]) -> Vec<f64> {
        let f = self.features(x);
        let yhat: Vec<f64> = arms.iter().map(|&a| self.predict(a, &f)).collect();
        let t = (self.rounds + 1) as f64;
        let gamma = self.gamma * t * (arms.len() as f64 / (1.0 + self.squared_error)).sqrt();
        inverse_gap_weights(&yhat, gamma)
    }
}

impl Algorithm for ChebCb {
    fn check_context(&self, x: &[f64]) -> Result<()> {
        if x.is_empty() {
            return Err(value("context", "ChebCB needs one scalar context feature"));
        }
        Ok(())
    }
    fn ensure_arms(&mut self, n: usize) {
        let d = self.n_features();
        let mut prior = vec![0.0; d * d];
        for i in 0..d {
            prior[i * d + i] = 1.0 / self.ridge;
        }
        self.arms.resize_with(n, || ArmRegression {
            cov: prior.clone(),
            xty: vec![0.0; d],
        });
    }
    fn choose(&mut self, _: &ArmStats, arms: &[usize], x: &[f64], rng: &mut Pcg64) -> usize {
        sample_weighted(&self.probabilities(arms, x), rng)
    }
    fn learn(&mut self, _: &ArmStats, arm: usize, reward: f64, x: &[f64]) {
        let loss = 1.0 - reward;
        let f = self.features(x);
        let predicted = self.predict(arm, &f);
        self.squared_error += (predicted - loss / self.scale()).powi(2);
        let d = self.n_features();
        let r = &mut self.arms[arm];
        sherman_morrison(&mut r.cov, &f, &f, d);
        for (v, fi) in r.xty.iter_mut().zip(&f) {
            *v += fi * loss;
        }
        self.rounds += 1;
        self.loss_abs_sum += loss.abs();
    }
    /// The inverse-gap selection probabilities at this context.
    fn scores(&self, _: &ArmStats, arms: &[usize], x: &[f64]) -> Vec<f64> {
        self.probabilities(arms, x)
    }
}

#[cfg(test)]
mod tests {
    use super::super::Policy;
    use super::*;

    #[test]
    fn chebyshev_polynomials_by_hand() {
        // T_2 = 2z^2 - 1, T_3 = 4z^3 - 3z at z = 0.5: -0.5 and -1.
        let t = chebyshev_features(0.5, 4);
        assert_eq!(t, vec![1.0, 0.5, -0.5, -1.0]);
        assert_eq!(chebyshev_features(1.0, 6), vec![1.0; 6]);
    }

    #[test]
    fn inverse_gap_weights_by_hand() {
        // K = 3, gamma = 2, gaps (1, 0, 3): others get 1/(3+2) and 1/(3+6); best keeps the rest.
        let p = inverse_gap_weights(&[2.0, 1.0, 4.0], 2.0);
        assert!((p[0] - 0.2).abs() < 1e-15 && (p[2] - 1.0 / 9.0).abs() < 1e-15);
        assert!((p[1] - (1.0 - 0.2 - 1.0 / 9.0)).abs() < 1e-15);
    }

    #[test]
    fn regression_and_rate_by_hand() {
        // Degree 0: each arm estimates its mean loss with ridge 1, i.e. sum / (n + 1).
        let mut p = Policy::new(ChebCb::new(0.0, 1.0, 0, 1.0, 1.0).unwrap(), 0, 0);
        p.ensure_arms(2);
        // Loss 1 for arm 0, then loss 1/2 for arm 1: the arms predict 1/2 and 1/4.
        p.update(0, 0.0, Some(&[0.3])).unwrap();
        p.update(1, 0.5, Some(&[0.3])).unwrap();
        // Mean |loss| = 3/4, so in its units (2/3, 1/3). Both updates were predicted 0 with
        // scale 1 before learning: R = 1^2 + 0.5^2 = 1.25; t = 3, K = 2.
        let gamma = 3.0 * (2.0f64 / 2.25).sqrt();
        let s = p.scores(&[0, 1], Some(&[0.9])).unwrap();
        assert!((s[0] - 1.0 / (2.0 + gamma / 3.0)).abs() < 1e-12);
        assert!((s[0] + s[1] - 1.0).abs() < 1e-12);
        assert!(p.pull(&[0, 1], None).is_err());
        assert!(ChebCb::new(1.0, 1.0, 3, 1.0, 1.0).is_err());
        assert!(ChebCb::new(0.0, 1.0, 3, 0.0, 1.0).is_err());
    }
}
