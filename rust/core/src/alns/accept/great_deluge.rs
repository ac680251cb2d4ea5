//! The great deluge (Dueck 1993) and its non-linear variant (Landa-Silva & Obit 2008), as
//! `alns.accept.GreatDeluge` and `NonLinearGreatDeluge`: accept below a water level that
//! starts at `alpha` times the initial objective and follows the candidates down.

use crate::error::{param, value, Result};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GreatDeluge {
    alpha: f64,
    beta: f64,
    threshold: Option<f64>,
}

fn check_alpha_beta(alpha: f64, beta: f64) -> Result<()> {
    if !(alpha > 1.0 && alpha.is_finite() && beta > 0.0 && beta < 1.0) {
        return Err(param(
            "alpha",
            format!("alpha must be > 1 and beta must be in (0, 1), got alpha={alpha}, beta={beta}"),
        ));
    }
    Ok(())
}

impl GreatDeluge {
    pub fn new(alpha: f64, beta: f64) -> Result<Self> {
        check_alpha_beta(alpha, beta)?;
        Ok(GreatDeluge {
            alpha,
            beta,
            threshold: None,
        })
    }
    pub fn threshold(&self) -> Option<f64> {
        self.threshold
    }
    pub fn params(&self) -> (f64, f64) {
        (self.alpha, self.beta)
    }

    /// Accept when the candidate is below the level; the level then moves `beta` of the way
    /// to the candidate.
    pub(super) fn decide(&mut self, best: f64, candidate: f64) -> bool {
        let level = *self.threshold.get_or_insert(self.alpha * best);
        let diff = level - candidate;
        self.threshold = Some(level - self.beta * diff);
        diff > 0.0
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NonLinearGreatDeluge {
    alpha: f64,
    beta: f64,
    gamma: f64,
    delta: f64,
    threshold: Option<f64>,
}

impl NonLinearGreatDeluge {
    pub fn new(alpha: f64, beta: f64, gamma: f64, delta: f64) -> Result<Self> {
        check_alpha_beta(alpha, beta)?;
        if !(gamma > 0.0 && delta > 0.0 && gamma.is_finite() && delta.is_finite()) {
            return Err(param(
                "gamma",
                format!("gamma and delta must be positive, got gamma={gamma}, delta={delta}"),
            ));
        }
        Ok(NonLinearGreatDeluge {
            alpha,
            beta,
            gamma,
            delta,
            threshold: None,
        })
    }
    pub fn threshold(&self) -> Option<f64> {
        self.threshold
    }
    pub fn params(&self) -> (f64, f64, f64, f64) {
        (self.alpha, self.beta, self.gamma, self.delta)
    }

    /// Accept below the level or when improving on the current solution. The level then rises
    /// linearly when the candidate came within `beta` (relative) of it, and otherwise decays
    /// exponentially towards the best objective.
    pub(super) fn decide(&mut self, best: f64, current: f64, candidate: f64) -> Result<bool> {
        let level = match self.threshold {
            Some(t) => t,
            None if best == 0.0 => {
                return Err(value(
                    "initial_solution",
                    "NonLinearGreatDeluge needs an initial solution with a non-zero objective",
                ))
            }
            None => self.alpha * best,
        };
        let accepted = candidate < level || candidate < current;
        let rel_gap = (level - candidate) / level;
        self.threshold = Some(if rel_gap < self.beta {
            self.gamma * (candidate - level).abs() + level
        } else {
            level * (-self.delta * best).exp() + best
        });
        Ok(accepted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn water_levels_by_hand() {
        let mut gd = GreatDeluge::new(2.0, 0.5).unwrap();
        // Level 2 * 10 = 20; candidate 12: accepted, level 20 - 0.5 * 8 = 16.
        assert!(gd.decide(10.0, 12.0));
        assert_eq!(gd.threshold(), Some(16.0));
        // Candidate 18 > 16: rejected, level 16 - 0.5 * (-2) = 17.
        assert!(!gd.decide(10.0, 18.0));
        assert_eq!(gd.threshold(), Some(17.0));
        assert!(GreatDeluge::new(1.0, 0.5).is_err());
        assert!(GreatDeluge::new(2.0, 1.0).is_err());
    }

    #[test]
    fn non_linear_levels_by_hand() {
        let mut nl = NonLinearGreatDeluge::new(2.0, 0.1, 0.5, 1.0).unwrap();
        // Level 20, candidate 19: accepted; gap 1/20 < 0.1, so the level rises to 20 + 0.5.
        assert!(nl.decide(10.0, 30.0, 19.0).unwrap());
        assert_eq!(nl.threshold(), Some(20.5));
        // Candidate 5: gap 15.5/20.5 >= 0.1, level 20.5 * exp(-1 * 1) + 1 with best 1.
        assert!(nl.decide(1.0, 30.0, 5.0).unwrap());
        let want = 20.5 * (-1f64).exp() + 1.0;
        assert!((nl.threshold().unwrap() - want).abs() < 1e-12);
        // Above the level but improving on the current solution: accepted.
        assert!(nl.decide(1.0, 30.0, 29.0).unwrap());
        let mut zero = NonLinearGreatDeluge::new(2.0, 0.1, 0.5, 1.0).unwrap();
        assert!(zero.decide(0.0, 1.0, 1.0).is_err());
        assert_eq!(zero.threshold(), None);
    }
}
