//! What every estimator shares: the targets `I_k = E_{f_k}[phi_k(X)]` (K columns of the model's
//! output, K input laws, or one of them broadcast), their weights, checks on the model's output,
//! and the result record.

use super::dist::Distribution;
use crate::error::{param, value, Error, Result};
use serde::{Deserialize, Serialize};

/// The targets of one estimation: `inputs` (one law or K), `n_outputs` columns of the model's
/// output (one or K), and the weights `w_k > 0` of the criterion `sum_k w_k Var(I_k)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Problem {
    pub inputs: Vec<Distribution>,
    pub n_outputs: usize,
    pub weights: Vec<f64>,
}

impl Problem {
    /// Checks dimensions and weights; `weights = None` gives all ones.
    pub fn new(
        inputs: Vec<Distribution>,
        n_outputs: usize,
        weights: Option<Vec<f64>>,
    ) -> Result<Self> {
        if inputs.is_empty() {
            return Err(Error::Empty { name: "inputs" });
        }
        let d = inputs[0].dim();
        if let Some(bad) = inputs.iter().find(|p| p.dim() != d) {
            return Err(Error::Dimension {
                name: "inputs",
                expected: d,
                got: bad.dim(),
            });
        }
        if n_outputs == 0 {
            return Err(param("funcs", "must return at least one output column"));
        }
        let k_d = inputs.len();
        if k_d > 1 && n_outputs > 1 && k_d != n_outputs {
            return Err(param(
                "funcs",
                format!("returns {n_outputs} columns but {k_d} input distributions were given (need 1 or {k_d})"),
            ));
        }
        let k = k_d.max(n_outputs);
        let weights = match weights {
            None => vec![1.0; k],
            Some(w) => {
                if w.len() != k {
                    return Err(Error::Dimension {
                        name: "weights",
                        expected: k,
                        got: w.len(),
                    });
                }
                if let Some(bad) = w.iter().find(|v| !(v.is_finite() && **v > 0.0)) {
                    return Err(param(
                        "weights",
                        format!("must all be finite and > 0, got {bad}"),
                    ));
                }
                w
            }
        };
        Ok(Problem {
            inputs,
            n_outputs,
            weights,
        })
    }

    pub fn dim(&self) -> usize {
        self.inputs[0].dim()
    }

    /// The same inputs with `n_outputs` model outputs and `weights`, for an estimator that has
    /// spent `runs` runs (the outputs are fixed once any were told).
    pub fn with_outputs(
        &self,
        runs: usize,
        n_outputs: usize,
        weights: Option<Vec<f64>>,
    ) -> Result<Self> {
        if runs > 0 {
            return Err(param(
                "funcs",
                "the number of outputs is fixed once outputs were told",
            ));
        }
        Problem::new(self.inputs.clone(), n_outputs, weights)
    }

    /// Number of targets K.
    pub fn n_targets(&self) -> usize {
        self.weights.len()
    }

    /// Output column of target `k`.
    pub fn col(&self, k: usize) -> usize {
        if self.n_outputs == 1 {
            0
        } else {
            k
        }
    }

    /// Input law of target `k`.
    pub fn dens(&self, k: usize) -> usize {
        if self.inputs.len() == 1 {
            0
        } else {
            k
        }
    }
}

/// Checks the model's output for a batch of `n` points: `n * n_outputs` finite values.
pub fn check_outputs(y: &[f64], n: usize, n_outputs: usize) -> Result<()> {
    if y.len() != n * n_outputs {
        return Err(Error::Dimension {
            name: "funcs output",
            expected: n * n_outputs,
            got: y.len(),
        });
    }
    if let Some(i) = y.iter().position(|v| !v.is_finite()) {
        return Err(value(
            "funcs output",
            format!(
                "row {} column {} is {} (the model must return finite values)",
                i / n_outputs,
                i % n_outputs,
                y[i]
            ),
        ));
    }
    Ok(())
}

/// One adaptation step as reported to the user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// Model runs spent once this step's batch was evaluated.
    pub runs: usize,
    /// Mixture weights of the proposal the batch was drawn from (empty for the pilot batch).
    pub alpha: Vec<f64>,
    /// Estimated per-sample variance of each target's estimator on this batch.
    pub variances: Vec<f64>,
    /// Predicted final weighted variance `sum_k w_k v_k / (budget - runs)`.
    pub predicted: f64,
}

/// The result of an estimation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    pub estimates: Vec<f64>,
    pub std_errors: Vec<f64>,
    /// Covariance matrix of the estimates (K x K, row-major).
    pub covariance: Vec<f64>,
    /// Runs spent on adaptation and on the final sample.
    pub runs_adaptation: usize,
    pub runs_final: usize,
    pub history: Vec<Step>,
    /// Per target: whether its function changed sign and was split into positive and negative parts.
    pub split: Vec<bool>,
}

/// Means and the covariance of the means of the rows of `v` (`n x k`).
pub fn mean_and_cov(v: &[f64], n: usize, k: usize) -> (Vec<f64>, Vec<f64>) {
    let mut mean = vec![0.0; k];
    for row in v.chunks_exact(k) {
        mean.iter_mut().zip(row).for_each(|(m, x)| *m += x);
    }
    mean.iter_mut().for_each(|m| *m /= n as f64);
    let mut cov = vec![0.0; k * k];
    if n > 1 {
        let mut c = vec![0.0; k];
        for row in v.chunks_exact(k) {
            c.iter_mut()
                .zip(row.iter().zip(&mean))
                .for_each(|(ci, (x, m))| *ci = x - m);
            for (a, &ca) in c.iter().enumerate() {
                cov[a * k..=a * k + a]
                    .iter_mut()
                    .zip(&c[..=a])
                    .for_each(|(v, cb)| *v += ca * cb);
            }
        }
        let scale = ((n - 1) * n) as f64;
        for a in 0..k {
            for b in 0..=a {
                let v = cov[a * k + b] / scale;
                cov[a * k + b] = v;
                cov[b * k + a] = v;
            }
        }
    }
    (mean, cov)
}

/// Unbiased sample variance (ddof = 1); zero for fewer than two values.
pub fn sample_var(v: &[f64]) -> f64 {
    let n = v.len();
    if n < 2 {
        return 0.0;
    }
    let m = v.iter().sum::<f64>() / n as f64;
    v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sampling::dist::Marginal;

    #[test]
    fn broadcast_and_checks() {
        let n = Distribution::independent(vec![Marginal::normal(0.0, 1.0).unwrap()]).unwrap();
        let p = Problem::new(vec![n.clone(); 3], 1, None).unwrap();
        assert_eq!((p.n_targets(), p.col(2), p.dens(2)), (3, 0, 2));
        assert!(Problem::new(vec![n.clone(); 3], 2, None).is_err());
        assert!(Problem::new(vec![n.clone()], 2, Some(vec![1.0, 0.0])).is_err());
        assert!(Problem::new(vec![n], 2, Some(vec![1.0])).is_err());
        assert!(check_outputs(&[1.0, f64::NAN], 2, 1).is_err());
        assert!(check_outputs(&[1.0], 2, 1).is_err());
    }

    #[test]
    fn mean_and_covariance_by_hand() {
        // Rows (1, 2), (3, 6): means (2, 4), sample covariances 2, 4, 8, divided by n = 2.
        let (m, c) = mean_and_cov(&[1.0, 2.0, 3.0, 6.0], 2, 2);
        assert_eq!(m, vec![2.0, 4.0]);
        assert_eq!(c, vec![1.0, 2.0, 2.0, 4.0]);
        assert_eq!(sample_var(&[1.0, 2.0, 3.0, 6.0]), 14.0 / 3.0);
    }
}
