//! Per-arm Bayesian linear regression (Bishop, Pattern Recognition and Machine Learning, eq.
//! 3.50-3.59), the model behind LinUCB and LinTS, with the conventions of river's
//! `linear_model.BayesianLinearRegression`: prior precision `alpha I`, noise precision `beta`,
//! features missing from a context count as zeros, features the arm never saw keep their prior.

use crate::linalg::{dot, grow_square, mat_vec, quad_form, sherman_morrison, spd_inverse};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct BayesLinear {
    dim: usize,
    /// Posterior covariance (inverse precision), row-major `dim x dim`.
    cov: Vec<f64>,
    /// Posterior precision; kept only for the smoothed update, which needs a full inverse.
    precision: Vec<f64>,
    /// Natural mean `beta * sum y x`.
    eta: Vec<f64>,
}

impl BayesLinear {
    pub(crate) fn new() -> Self {
        BayesLinear {
            dim: 0,
            cov: vec![],
            precision: vec![],
            eta: vec![],
        }
    }

    fn grow(&mut self, d: usize, alpha: f64) {
        if d > self.dim {
            self.cov = grow_square(&self.cov, self.dim, d, 1.0 / alpha);
            self.precision = grow_square(&self.precision, self.dim, d, alpha);
            self.eta.resize(d, 0.0);
            self.dim = d;
        }
    }

    pub(crate) fn learn(
        &mut self,
        x: &[f64],
        y: f64,
        alpha: f64,
        beta: f64,
        smoothing: Option<f64>,
    ) {
        self.grow(x.len(), alpha);
        let d = self.dim;
        let mut xs = vec![0.0; d];
        xs[..x.len()].copy_from_slice(x);
        let bx: Vec<f64> = xs.iter().map(|v| beta * v).collect();
        match smoothing {
            None => {
                for (row, &bi) in self.precision.chunks_mut(d).zip(&bx) {
                    for (p, &xj) in row.iter_mut().zip(&xs) {
                        *p += bi * xj;
                    }
                }
                sherman_morrison(&mut self.cov, &bx, &xs, d);
                for (e, b) in self.eta.iter_mut().zip(&bx) {
                    *e += b * y;
                }
            }
            Some(s) => {
                for (row, &bi) in self.precision.chunks_mut(d).zip(&bx) {
                    for (p, &xj) in row.iter_mut().zip(&xs) {
                        *p = s * *p + (1.0 - s) * bi * xj;
                    }
                }
                if let Some(inv) = spd_inverse(&self.precision, d) {
                    self.cov = inv;
                }
                for (e, b) in self.eta.iter_mut().zip(&bx) {
                    *e = s * *e + (1.0 - s) * b * y;
                }
            }
        }
    }

    /// Predictive mean `m . x` and parameter variance `x^T S x` (without the noise `1 / beta`).
    pub(crate) fn predict(&self, x: &[f64], alpha: f64) -> (f64, f64) {
        let d = self.dim;
        let known = x.len().min(d);
        let mut xs = vec![0.0; d];
        xs[..known].copy_from_slice(&x[..known]);
        let mut m = vec![0.0; d];
        mat_vec(&self.cov, &self.eta, d, &mut m);
        let mean = dot(&m, &xs);
        let unknown: f64 = x[known..].iter().map(|v| v * v).sum();
        (mean, quad_form(&self.cov, &xs, d) + unknown / alpha)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_dimensional_posterior_by_hand() {
        // Prior precision 1, beta 2; observe (x=1, y=3): precision 3, cov 1/3, eta 6, mean 2.
        let mut m = BayesLinear::new();
        m.learn(&[1.0], 3.0, 1.0, 2.0, None);
        let (mu, var) = m.predict(&[1.0], 1.0);
        assert!((mu - 2.0).abs() < 1e-15 && (var - 1.0 / 3.0).abs() < 1e-15);
        // A second, unseen feature keeps its prior variance 1 / alpha.
        let (mu2, var2) = m.predict(&[1.0, 2.0], 1.0);
        assert!((mu2 - 2.0).abs() < 1e-15 && (var2 - (1.0 / 3.0 + 4.0)).abs() < 1e-15);
    }

    #[test]
    fn smoothed_update_matches_sherman_morrison_when_s_is_zero_weighted() {
        let mut a = BayesLinear::new();
        a.learn(&[1.0, 2.0], 1.0, 1.0, 1.0, Some(0.5));
        // precision = 0.5 I + 0.5 x x^T = [[1, 1], [1, 2.5]], det 1.5.
        let (_, var) = a.predict(&[1.0, 0.0], 1.0);
        assert!((var - 2.5 / 1.5).abs() < 1e-12);
    }
}
