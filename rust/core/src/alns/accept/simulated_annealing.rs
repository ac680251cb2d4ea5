//! Simulated annealing (Kirkpatrick et al. 1983), as `alns.accept.SimulatedAnnealing`: accept
//! with probability `exp((f(current) - f(candidate)) / T)`, then move `T` one step towards the
//! end temperature on the linear or exponential schedule.

use crate::alns::Schedule;
use crate::error::{param, Result};
use rand::Rng;
use rand_pcg::Pcg64;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimulatedAnnealing {
    start_temperature: f64,
    end_temperature: f64,
    step: f64,
    method: Schedule,
    temperature: f64,
}

impl SimulatedAnnealing {
    pub fn new(start: f64, end: f64, step: f64, method: Schedule) -> Result<Self> {
        if !(start > 0.0 && end > 0.0 && step >= 0.0 && start.is_finite() && step.is_finite()) {
            return Err(param(
                "start_temperature",
                format!(
                    "temperatures must be strictly positive and step >= 0, got \
                     start_temperature={start}, end_temperature={end}, step={step}"
                ),
            ));
        }
        if start < end {
            return Err(param(
                "start_temperature",
                format!("start_temperature < end_temperature not understood ({start} < {end})"),
            ));
        }
        if method == Schedule::Exponential && step > 1.0 {
            return Err(param(
                "step",
                format!("exponential updating cannot have step > 1, got {step}"),
            ));
        }
        Ok(SimulatedAnnealing {
            start_temperature: start,
            end_temperature: end,
            step,
            method,
            temperature: start,
        })
    }

    /// Ropke & Pisinger's (2006) fit: the start temperature accepts a candidate `worse` (a
    /// fraction) worse than `init_obj` with probability `accept_prob`, and the temperature
    /// reaches 1 after `num_iters` steps.
    pub fn autofit(
        init_obj: f64,
        worse: f64,
        accept_prob: f64,
        num_iters: u64,
        method: Schedule,
    ) -> Result<Self> {
        if !(0.0..=1.0).contains(&worse) {
            return Err(param("worse", format!("must be in [0, 1], got {worse}")));
        }
        if !(accept_prob > 0.0 && accept_prob < 1.0) {
            return Err(param(
                "accept_prob",
                format!("must be in (0, 1), got {accept_prob}"),
            ));
        }
        if num_iters == 0 {
            return Err(param("num_iters", "must be positive"));
        }
        let start = -worse * init_obj / accept_prob.ln();
        let n = num_iters as f64;
        let step = match method {
            Schedule::Linear => (start - 1.0) / n,
            Schedule::Exponential => (1.0 / start).powf(1.0 / n),
        };
        Self::new(start, 1.0, step, method)
    }

    pub fn temperature(&self) -> f64 {
        self.temperature
    }
    pub fn params(&self) -> (f64, f64, f64, Schedule) {
        (
            self.start_temperature,
            self.end_temperature,
            self.step,
            self.method,
        )
    }

    pub(super) fn decide(&mut self, rng: &mut Pcg64, current: f64, candidate: f64) -> bool {
        let probability = ((current - candidate) / self.temperature).exp();
        self.temperature = self
            .end_temperature
            .max(self.method.apply(self.temperature, self.step));
        probability >= rng.random::<f64>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_pcg::Pcg64;

    #[test]
    fn temperatures_by_hand() {
        let mut rng = Pcg64::seed_from_u64(1);
        let mut sa = SimulatedAnnealing::new(10.0, 2.0, 0.5, Schedule::Exponential).unwrap();
        let temps: Vec<f64> = (0..4)
            .map(|_| {
                sa.decide(&mut rng, 1.0, 1.0);
                sa.temperature()
            })
            .collect();
        assert_eq!(temps, vec![5.0, 2.5, 2.0, 2.0]);
        let mut lin = SimulatedAnnealing::new(5.0, 1.0, 1.5, Schedule::Linear).unwrap();
        for want in [3.5, 2.0, 1.0, 1.0] {
            lin.decide(&mut rng, 0.0, 0.0);
            assert_eq!(lin.temperature(), want);
        }
    }

    #[test]
    fn improving_always_accepted_and_worse_at_the_right_rate() {
        let mut rng = Pcg64::seed_from_u64(2);
        let mut sa = SimulatedAnnealing::new(1.0, 1.0, 1.0, Schedule::Exponential).unwrap();
        assert!((0..100).all(|_| sa.decide(&mut rng, 1.0, 0.5)));
        // exp(-1) = 0.368 acceptance of a candidate worse by 1 at T = 1.
        let n = 20_000;
        let acc = (0..n).filter(|_| sa.decide(&mut rng, 0.0, 1.0)).count() as f64 / n as f64;
        assert!((acc - (-1f64).exp()).abs() < 0.015, "{acc}");
    }

    #[test]
    fn autofit_by_hand() {
        // start = -0.05 * 1000 / ln(0.5) = 72.13...; exponential step = (1/start)^(1/100).
        let sa =
            SimulatedAnnealing::autofit(1000.0, 0.05, 0.5, 100, Schedule::Exponential).unwrap();
        let start = 50.0 / 2f64.ln();
        let (s, e, step, _) = sa.params();
        assert!((s - start).abs() < 1e-12 && e == 1.0);
        assert!((step - (1.0 / start).powf(0.01)).abs() < 1e-15);
        let lin = SimulatedAnnealing::autofit(1000.0, 0.05, 0.5, 100, Schedule::Linear).unwrap();
        assert!((lin.params().2 - (start - 1.0) / 100.0).abs() < 1e-12);
    }

    #[test]
    fn rejects_bad_parameters() {
        assert!(SimulatedAnnealing::new(0.0, 1.0, 0.5, Schedule::Linear).is_err());
        assert!(SimulatedAnnealing::new(1.0, 2.0, 0.5, Schedule::Linear).is_err());
        assert!(SimulatedAnnealing::new(2.0, 1.0, 1.5, Schedule::Exponential).is_err());
        assert!(SimulatedAnnealing::new(2.0, 1.0, -1.0, Schedule::Linear).is_err());
        assert!(SimulatedAnnealing::autofit(1.0, 1.5, 0.5, 10, Schedule::Linear).is_err());
        assert!(SimulatedAnnealing::autofit(1.0, 0.5, 1.0, 10, Schedule::Linear).is_err());
        assert!(SimulatedAnnealing::autofit(1.0, 0.5, 0.5, 0, Schedule::Linear).is_err());
    }
}
