//! DDM, the drift detection method (Gama, Medas, Castillo & Rodrigues 2004, "Learning with
//! Drift Detection"), as river's `drift.binary.DDM`: the error rate p and its standard
//! deviation s = sqrt(p (1 - p) / n) are compared with the minimum of p + s seen so far.

use super::{check_binary, DriftDetector};
use crate::error::{check_positive, Result};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ddm {
    warm_start: u64,
    warning_threshold: f64,
    drift_threshold: f64,
    n: u64,
    p: f64,
    p_min: f64,
    s_min: f64,
    ps_min: f64,
    warning: bool,
    drift: bool,
}

impl Ddm {
    pub fn new(warm_start: u64, warning_threshold: f64, drift_threshold: f64) -> Result<Self> {
        Ok(Ddm {
            warm_start,
            warning_threshold: check_positive("warning_threshold", warning_threshold)?,
            drift_threshold: check_positive("drift_threshold", drift_threshold)?,
            n: 0,
            p: 0.0,
            p_min: 0.0,
            s_min: 0.0,
            ps_min: f64::INFINITY,
            warning: false,
            drift: false,
        })
    }

    fn reset(&mut self) {
        *self = Ddm {
            n: 0,
            p: 0.0,
            p_min: 0.0,
            s_min: 0.0,
            ps_min: f64::INFINITY,
            warning: false,
            drift: false,
            ..self.clone()
        };
    }
}

impl DriftDetector for Ddm {
    fn update(&mut self, x: f64) -> Result<bool> {
        check_binary(x)?;
        if self.drift {
            self.reset();
        }
        self.n += 1;
        let n = self.n as f64;
        self.p += (1.0 / n) * (x - self.p);
        let s = (self.p * (1.0 - self.p) / n).sqrt();
        if self.n > self.warm_start {
            if self.p + s <= self.ps_min {
                self.p_min = self.p;
                self.s_min = s;
                self.ps_min = self.p_min + self.s_min;
            }
            self.warning = self.p + s > self.p_min + self.warning_threshold * self.s_min;
            if self.p + s > self.p_min + self.drift_threshold * self.s_min {
                self.drift = true;
                self.warning = false;
            }
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
    fn error_rate_jump_warns_then_drifts() {
        let mut d = Ddm::new(30, 2.0, 3.0).unwrap();
        // 10% errors, then 60% errors.
        let mut warned_before_drift = false;
        let mut drift_at = None;
        for t in 0..2000u64 {
            let rate = if t < 1000 { 10 } else { 60 };
            let x = if (t * 37 % 100) < rate { 1.0 } else { 0.0 };
            let drift = d.update(x).unwrap();
            if t < 1000 {
                assert!(!drift, "false alarm at {t}");
            } else if drift {
                drift_at = Some(t);
                break;
            } else if d.warning_detected() {
                warned_before_drift = true;
            }
        }
        let at = drift_at.expect("the jump must be detected");
        assert!(at < 1100, "{at}");
        assert!(warned_before_drift);
        assert!(d.update(0.5).is_err());
    }
}
