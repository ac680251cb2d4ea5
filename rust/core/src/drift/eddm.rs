//! EDDM, the early drift detection method (Baena-García et al. 2006, "Early Drift Detection
//! Method"), as river's `drift.binary.EDDM`: it watches the distance between consecutive errors,
//! whose mean plus two standard deviations shrinks when errors become frequent.

use super::{check_binary, DriftDetector};
use crate::error::{param, Result};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Eddm {
    warm_start: u64,
    alpha: f64,
    beta: f64,
    n: u64,
    last_error: u64,
    n_errors: u64,
    /// Running mean and sum of squared deviations of the distances between errors.
    dist_mean: f64,
    dist_m2: f64,
    p2s_prime_max: f64,
    warning: bool,
    drift: bool,
}

impl Eddm {
    /// `alpha`: warning level; `beta`: drift level (`0 < beta <= alpha <= 1`).
    pub fn new(warm_start: u64, alpha: f64, beta: f64) -> Result<Self> {
        if !(beta > 0.0 && beta <= 1.0) {
            return Err(param("beta", format!("must be in (0, 1], got {beta}")));
        }
        if !(alpha >= beta && alpha <= 1.0) {
            return Err(param("alpha", format!("must be in [beta, 1], got {alpha}")));
        }
        Ok(Eddm {
            warm_start,
            alpha,
            beta,
            n: 0,
            last_error: 0,
            n_errors: 0,
            dist_mean: 0.0,
            dist_m2: 0.0,
            p2s_prime_max: -1.0,
            warning: false,
            drift: false,
        })
    }

    fn reset(&mut self) {
        *self = Eddm {
            n: 0,
            last_error: 0,
            n_errors: 0,
            dist_mean: 0.0,
            dist_m2: 0.0,
            p2s_prime_max: -1.0,
            warning: false,
            drift: false,
            ..self.clone()
        };
    }
}

impl DriftDetector for Eddm {
    fn update(&mut self, x: f64) -> Result<bool> {
        check_binary(x)?;
        if self.drift {
            self.reset();
        }
        self.n += 1;
        if x == 1.0 {
            self.n_errors += 1;
            // Welford's update, in river's stats.Var order.
            let distance = (self.n - self.last_error) as f64;
            let old_mean = self.dist_mean;
            self.dist_mean += (1.0 / self.n_errors as f64) * (distance - self.dist_mean);
            self.dist_m2 += (distance - old_mean) * (distance - self.dist_mean);
            if self.n > self.warm_start {
                let var = if self.n_errors > 1 {
                    self.dist_m2 / (self.n_errors - 1) as f64
                } else {
                    0.0
                };
                let p2s = self.dist_mean + 2.0 * var.sqrt();
                if p2s > self.p2s_prime_max {
                    self.p2s_prime_max = p2s;
                } else if self.n_errors > self.warm_start {
                    let level = p2s / self.p2s_prime_max;
                    if level < self.beta {
                        self.drift = true;
                    } else {
                        self.warning = level < self.alpha;
                    }
                }
            }
            self.last_error = self.n;
        }
        Ok(self.drift)
    }
    fn drift_detected(&self) -> bool {
        self.drift
    }
    fn warning_detected(&self) -> bool {
        self.warning
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frequent_errors_are_detected() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_pcg::Pcg64::seed_from_u64(3);
        let mut d = Eddm::new(30, 0.95, 0.9).unwrap();
        let mut hits = vec![];
        for t in 0..6000u64 {
            // 5% errors, then 50%. With its default levels EDDM also fires now and then on a
            // stationary stream (river's does too); the change must be caught soon.
            let rate = if t < 4000 { 0.05 } else { 0.5 };
            if d.update(f64::from(u8::from(rng.random::<f64>() < rate)))
                .unwrap()
            {
                hits.push(t);
            }
        }
        assert!(hits.iter().any(|t| (4000..4300).contains(t)), "{hits:?}");
        assert!(Eddm::new(30, 0.8, 0.9).is_err());
    }
}
