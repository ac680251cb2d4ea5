//! Random acceptance, as `alns.accept.RandomAccept`: accept an improving candidate, or any
//! candidate with probability `P`, then move `P` one step towards its end value.

use crate::alns::Schedule;
use crate::error::{param, Result};
use rand::Rng;
use rand_pcg::Pcg64;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RandomAccept {
    start_prob: f64,
    end_prob: f64,
    step: f64,
    method: Schedule,
    prob: f64,
}

impl RandomAccept {
    pub fn new(start_prob: f64, end_prob: f64, step: f64, method: Schedule) -> Result<Self> {
        if !(0.0 <= end_prob && end_prob <= start_prob && start_prob <= 1.0) {
            return Err(param(
                "start_prob",
                format!(
                    "must have 0 <= end_prob <= start_prob <= 1, got start_prob={start_prob}, \
                     end_prob={end_prob}"
                ),
            ));
        }
        if !(step >= 0.0 && step.is_finite()) {
            return Err(param("step", format!("must be >= 0, got {step}")));
        }
        if method == Schedule::Exponential && step > 1.0 {
            return Err(param(
                "step",
                format!("exponential updating cannot have step > 1, got {step}"),
            ));
        }
        Ok(RandomAccept {
            start_prob,
            end_prob,
            step,
            method,
            prob: start_prob,
        })
    }

    pub fn prob(&self) -> f64 {
        self.prob
    }
    pub fn params(&self) -> (f64, f64, f64, Schedule) {
        (self.start_prob, self.end_prob, self.step, self.method)
    }

    pub(super) fn decide(&mut self, rng: &mut Pcg64, current: f64, candidate: f64) -> bool {
        let accepted = candidate < current || rng.random::<f64>() < self.prob;
        self.prob = self.end_prob.max(self.method.apply(self.prob, self.step));
        accepted
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_pcg::Pcg64;

    #[test]
    fn probabilities_by_hand() {
        let mut rng = Pcg64::seed_from_u64(0);
        let mut ra = RandomAccept::new(1.0, 0.0, 0.25, Schedule::Linear).unwrap();
        // P = 1 accepts anything; then 0.75, 0.5, 0.25, 0, 0.
        assert!(ra.decide(&mut rng, 0.0, 5.0));
        let probs: Vec<f64> = (0..5)
            .map(|_| {
                ra.decide(&mut rng, 0.0, 5.0);
                ra.prob()
            })
            .collect();
        assert_eq!(probs, vec![0.5, 0.25, 0.0, 0.0, 0.0]);
        // P = 0 still accepts improvements only.
        assert!(!ra.decide(&mut rng, 0.0, 5.0));
        assert!(ra.decide(&mut rng, 5.0, 0.0));
        assert!(RandomAccept::new(0.2, 0.5, 0.1, Schedule::Linear).is_err());
        assert!(RandomAccept::new(0.5, 0.2, 1.1, Schedule::Exponential).is_err());
    }
}
