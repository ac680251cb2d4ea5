//! Record-to-record travel (Dueck 1993), as `alns.accept.RecordToRecordTravel`: accept when the
//! candidate is at most `T` worse than the best solution (or than the current one, which is
//! threshold accepting, Dueck & Scheuer 1990), then move `T` one step towards its end value.

use crate::alns::Schedule;
use crate::error::{param, Result};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordToRecordTravel {
    start_threshold: f64,
    end_threshold: f64,
    step: f64,
    method: Schedule,
    cmp_best: bool,
    threshold: f64,
}

impl RecordToRecordTravel {
    pub fn new(start: f64, end: f64, step: f64, method: Schedule, cmp_best: bool) -> Result<Self> {
        let all_finite = start.is_finite() && end.is_finite() && step.is_finite();
        if !all_finite || start < 0.0 || end < 0.0 || step < 0.0 {
            return Err(param(
                "start_threshold",
                format!(
                    "thresholds and step must be finite and non-negative, got \
                     start_threshold={start}, end_threshold={end}, step={step}"
                ),
            ));
        }
        if start < end {
            return Err(param(
                "start_threshold",
                format!("start_threshold < end_threshold not understood ({start} < {end})"),
            ));
        }
        if method == Schedule::Exponential && step > 1.0 {
            return Err(param(
                "step",
                format!("exponential updating cannot have step > 1, got {step}"),
            ));
        }
        Ok(RecordToRecordTravel {
            start_threshold: start,
            end_threshold: end,
            step,
            method,
            cmp_best,
            threshold: start,
        })
    }

    /// Start and end thresholds at `start_gap` and `end_gap` times `init_obj`, with the step
    /// that reaches the end threshold in `num_iters` updates.
    pub fn autofit(
        init_obj: f64,
        start_gap: f64,
        end_gap: f64,
        num_iters: u64,
        method: Schedule,
    ) -> Result<Self> {
        if !(0.0 <= end_gap && end_gap <= start_gap) {
            return Err(param(
                "end_gap",
                format!("must have 0 <= end_gap <= start_gap, got {end_gap} and {start_gap}"),
            ));
        }
        if num_iters == 0 {
            return Err(param("num_iters", "must be positive"));
        }
        let (start, end) = (start_gap * init_obj, end_gap * init_obj);
        let n = num_iters as f64;
        let step = match method {
            Schedule::Linear => (start - end) / n,
            Schedule::Exponential => (end / start).powf(1.0 / n),
        };
        Self::new(start, end, step, method, true)
    }

    pub fn threshold(&self) -> f64 {
        self.threshold
    }
    pub fn params(&self) -> (f64, f64, f64, Schedule, bool) {
        (
            self.start_threshold,
            self.end_threshold,
            self.step,
            self.method,
            self.cmp_best,
        )
    }

    pub(super) fn decide(&mut self, best: f64, current: f64, candidate: f64) -> bool {
        let baseline = if self.cmp_best { best } else { current };
        let accepted = candidate - baseline <= self.threshold;
        self.threshold = self
            .end_threshold
            .max(self.method.apply(self.threshold, self.step));
        accepted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_and_decisions_by_hand() {
        let mut rrt = RecordToRecordTravel::new(4.0, 1.0, 1.5, Schedule::Linear, true).unwrap();
        // Threshold 4: 13 - 10 = 3 <= 4 accepted; then 2.5: 13 - 10 = 3 rejected; then 1.
        assert!(rrt.decide(10.0, 20.0, 13.0));
        assert_eq!(rrt.threshold(), 2.5);
        assert!(!rrt.decide(10.0, 20.0, 13.0));
        assert_eq!(rrt.threshold(), 1.0);
        assert!(rrt.decide(10.0, 20.0, 11.0));
        assert_eq!(rrt.threshold(), 1.0);
        // Threshold accepting compares with the current solution.
        let mut ta =
            RecordToRecordTravel::new(1.0, 0.25, 0.5, Schedule::Exponential, false).unwrap();
        assert!(ta.decide(0.0, 10.0, 11.0));
        assert_eq!(ta.threshold(), 0.5);
        assert!(!ta.decide(0.0, 10.0, 10.75));
        assert_eq!(ta.threshold(), 0.25);
    }

    #[test]
    fn autofit_by_hand() {
        let rrt = RecordToRecordTravel::autofit(100.0, 0.2, 0.05, 10, Schedule::Linear).unwrap();
        let (s, e, step, _, cmp_best) = rrt.params();
        assert_eq!((s, e, cmp_best), (20.0, 5.0, true));
        assert!((step - 1.5).abs() < 1e-12);
        let exp =
            RecordToRecordTravel::autofit(100.0, 0.2, 0.05, 2, Schedule::Exponential).unwrap();
        assert!((exp.params().2 - 0.5).abs() < 1e-12);
        assert!(RecordToRecordTravel::autofit(100.0, 0.1, 0.2, 2, Schedule::Linear).is_err());
        assert!(RecordToRecordTravel::new(1.0, 2.0, 0.1, Schedule::Linear, true).is_err());
        assert!(RecordToRecordTravel::new(1.0, 0.5, 2.0, Schedule::Exponential, true).is_err());
    }
}
