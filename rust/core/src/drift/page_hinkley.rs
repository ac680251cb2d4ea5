//! Page-Hinkley test (Page 1954), as river's `drift.PageHinkley`: cumulative deviations from
//! the running mean, faded by `alpha`, compared with their running extremes.

use super::{check_finite, DriftDetector};
use crate::error::{check_non_negative, check_positive, param, Result};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PageHinkleyMode {
    Up,
    Down,
    Both,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageHinkley {
    min_instances: u64,
    delta: f64,
    threshold: f64,
    alpha: f64,
    mode: PageHinkleyMode,
    n: u64,
    mean: f64,
    sum_increase: f64,
    sum_decrease: f64,
    min_increase: f64,
    max_decrease: f64,
    drift: bool,
}

impl PageHinkley {
    pub fn new(
        min_instances: u64,
        delta: f64,
        threshold: f64,
        alpha: f64,
        mode: PageHinkleyMode,
    ) -> Result<Self> {
        if !(alpha > 0.0 && alpha <= 1.0) {
            return Err(param("alpha", format!("must be in (0, 1], got {alpha}")));
        }
        let mut ph = PageHinkley {
            min_instances,
            delta: check_non_negative("delta", delta)?,
            threshold: check_positive("threshold", threshold)?,
            alpha,
            mode,
            n: 0,
            mean: 0.0,
            sum_increase: 0.0,
            sum_decrease: 0.0,
            min_increase: f64::INFINITY,
            max_decrease: -1.0,
            drift: false,
        };
        ph.reset();
        Ok(ph)
    }

    fn reset(&mut self) {
        self.n = 0;
        self.mean = 0.0;
        self.sum_increase = 0.0;
        self.sum_decrease = 0.0;
        self.min_increase = f64::INFINITY;
        // river starts the running maximum at -1, not at minus infinity.
        self.max_decrease = -1.0;
        self.drift = false;
    }
}

impl DriftDetector for PageHinkley {
    fn update(&mut self, x: f64) -> Result<bool> {
        check_finite(x)?;
        if self.drift {
            self.reset();
        }
        self.n += 1;
        self.mean += (1.0 / self.n as f64) * (x - self.mean);
        let dev = x - self.mean;
        self.sum_increase = self.alpha * self.sum_increase + dev - self.delta;
        self.sum_decrease = self.alpha * self.sum_decrease + dev + self.delta;
        self.min_increase = self.min_increase.min(self.sum_increase);
        self.max_decrease = self.max_decrease.max(self.sum_decrease);
        if self.n >= self.min_instances {
            let up = self.sum_increase - self.min_increase > self.threshold;
            let down = self.max_decrease - self.sum_decrease > self.threshold;
            self.drift = match self.mode {
                PageHinkleyMode::Up => up,
                PageHinkleyMode::Down => down,
                PageHinkleyMode::Both => up || down,
            };
        }
        Ok(self.drift)
    }
    fn drift_detected(&self) -> bool {
        self.drift
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_an_increase_only_in_up_mode() {
        for (mode, expect_up, expect_down) in [
            (PageHinkleyMode::Up, true, false),
            (PageHinkleyMode::Down, false, true),
            (PageHinkleyMode::Both, true, true),
        ] {
            let run = |jump: f64| {
                let mut ph = PageHinkley::new(30, 0.005, 20.0, 1.0 - 1e-4, mode).unwrap();
                (0..500).any(|t| ph.update(if t < 250 { 0.0 } else { jump }).unwrap())
            };
            assert_eq!(run(1.0), expect_up, "{mode:?} up");
            assert_eq!(run(-1.0), expect_down, "{mode:?} down");
        }
    }

    #[test]
    fn first_statistics_by_hand() {
        let mut ph = PageHinkley::new(1, 0.5, 100.0, 1.0, PageHinkleyMode::Both).unwrap();
        ph.update(2.0).unwrap();
        ph.update(4.0).unwrap();
        // Means 2 then 3; deviations 0 then 1: increase sums -0.5, 0; decrease sums 0.5, 2.
        assert_eq!((ph.sum_increase, ph.sum_decrease), (0.0, 2.0));
        assert_eq!((ph.min_increase, ph.max_decrease), (-0.5, 2.0));
    }
}
