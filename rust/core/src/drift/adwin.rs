//! ADWIN, adaptive windowing (Bifet & Gavaldà 2007, "Learning from Time-Changing Data with
//! Adaptive Windowing"). The window is kept as exponential histograms: row `i` holds up to
//! `max_buckets` buckets, each summarising `2^i` values by their total and their sum of squared
//! deviations. Every `clock` updates, every split of the window into an older part W0 and a
//! newer part W1 is tested, and the oldest bucket is dropped while some split has
//! `|mean(W0) - mean(W1)| > eps_cut`.
//!
//! The arithmetic (order of operations included) is that of river's ADWIN, so that both
//! detect drifts at the same indices of the same stream.

use super::{check_finite, DriftDetector};
use crate::error::{check_range, param, Result};
use serde::{Deserialize, Serialize};

/// One row of the histogram: buckets of equal size, oldest first, as (total, variance).
type Row = Vec<(f64, f64)>;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Adwin {
    delta: f64,
    clock: u64,
    max_buckets: usize,
    min_window_length: f64,
    grace_period: f64,
    rows: Vec<Row>,
    total: f64,
    variance: f64,
    width: f64,
    tick: u64,
    n_detections: u64,
    drift: bool,
}

impl Adwin {
    /// river's parameters and defaults: `delta=0.002, clock=32, max_buckets=5,
    /// min_window_length=5, grace_period=10`.
    pub fn new(
        delta: f64,
        clock: u64,
        max_buckets: usize,
        min_window_length: u64,
        grace_period: u64,
    ) -> Result<Self> {
        if delta <= 0.0 {
            return Err(param("delta", "must be in (0, 1)"));
        }
        check_range("delta", delta, 0.0, 1.0)?;
        if clock == 0 {
            return Err(param("clock", "must be at least 1"));
        }
        if max_buckets == 0 {
            return Err(param("max_buckets", "must be at least 1"));
        }
        if min_window_length == 0 {
            return Err(param("min_window_length", "must be at least 1"));
        }
        Ok(Adwin {
            delta,
            clock,
            max_buckets,
            min_window_length: min_window_length as f64,
            grace_period: grace_period as f64,
            rows: vec![Vec::with_capacity(max_buckets + 1)],
            total: 0.0,
            variance: 0.0,
            width: 0.0,
            tick: 0,
            n_detections: 0,
            drift: false,
        })
    }

    fn reset(&mut self) {
        self.rows = vec![Vec::with_capacity(self.max_buckets + 1)];
        self.total = 0.0;
        self.variance = 0.0;
        self.width = 0.0;
        self.tick = 0;
        self.n_detections = 0;
        self.drift = false;
    }

    /// Number of values in the window.
    pub fn width(&self) -> f64 {
        self.width
    }
    /// Sum of the values in the window.
    pub fn total(&self) -> f64 {
        self.total
    }
    /// Sum of squared deviations from the mean over the window (river's `variance`).
    pub fn variance(&self) -> f64 {
        self.variance
    }
    /// Mean of the window (0 when empty).
    pub fn estimation(&self) -> f64 {
        if self.width == 0.0 {
            0.0
        } else {
            self.total / self.width
        }
    }
    /// Drifts detected since the last reset (river resets the count with the window).
    pub fn n_detections(&self) -> u64 {
        self.n_detections
    }

    fn insert(&mut self, x: f64) {
        self.rows[0].push((x, 0.0));
        self.width += 1.0;
        let mut increment = 0.0;
        if self.width > 1.0 {
            let d = x - self.total / (self.width - 1.0);
            increment = (self.width - 1.0) * d * d / self.width;
        }
        self.variance += increment;
        self.total += x;
        self.compress();
    }

    /// Merges the two oldest buckets of every full row into one bucket of the next row.
    fn compress(&mut self) {
        let mut i = 0;
        while self.rows[i].len() == self.max_buckets + 1 {
            let size = (1u64 << i) as f64;
            let ((t0, v0), (t1, v1)) = (self.rows[i][0], self.rows[i][1]);
            let (mu0, mu1) = (t0 / size, t1 / size);
            let merged = (t0 + t1, v0 + v1 + size * 0.5 * (mu0 - mu1) * (mu0 - mu1));
            if i + 1 == self.rows.len() {
                self.rows.push(Vec::with_capacity(self.max_buckets + 1));
            }
            self.rows[i + 1].push(merged);
            self.rows[i].drain(..2);
            if self.rows[i + 1].len() <= self.max_buckets {
                break;
            }
            i += 1;
        }
    }

    /// Drops the oldest bucket.
    fn drop_oldest(&mut self) {
        let last = self.rows.len() - 1;
        let size = (1u64 << last) as f64;
        let (u, v) = self.rows[last][0];
        let mu = u / size;
        self.width -= size;
        self.total -= u;
        let mu_window = self.total / self.width;
        self.variance -=
            v + size * self.width * (mu - mu_window) * (mu - mu_window) / (size + self.width);
        self.rows[last].remove(0);
        if self.rows[last].is_empty() && last > 0 {
            self.rows.pop();
        }
    }

    fn cut(&self, n0: f64, n1: f64, mean_gap: f64) -> bool {
        let delta_prime = (2.0 * self.width.ln() / self.delta).ln();
        let m_recip =
            1.0 / (n0 - self.min_window_length + 1.0) + 1.0 / (n1 - self.min_window_length + 1.0);
        let epsilon = (2.0 * m_recip * (self.variance / self.width) * delta_prime).sqrt()
            + 2.0 / 3.0 * delta_prime * m_recip;
        mean_gap.abs() > epsilon
    }

    /// Scans the splits from the oldest bucket on; drops the oldest bucket at the first split
    /// that shows a change. Returns whether it dropped one.
    fn shrink_once(&mut self) -> bool {
        let (mut n0, mut n1, mut u0, mut u1) = (0.0, self.width, 0.0, self.total);
        for i in (0..self.rows.len()).rev() {
            let size = (1u64 << i) as f64;
            let len = self.rows[i].len();
            for k in 0..len {
                let t = self.rows[i][k].0;
                n0 += size;
                n1 -= size;
                u0 += t;
                u1 -= t;
                if i == 0 && k + 1 == len {
                    return false;
                }
                if n1 >= self.min_window_length
                    && n0 >= self.min_window_length
                    && self.cut(n0, n1, u0 / n0 - u1 / n1)
                    && self.width > 0.0
                {
                    self.drop_oldest();
                    return true;
                }
            }
        }
        false
    }
}

impl DriftDetector for Adwin {
    fn update(&mut self, x: f64) -> Result<bool> {
        check_finite(x)?;
        if self.drift {
            self.reset();
        }
        self.insert(x);
        self.tick += 1;
        let mut detected = false;
        if self.tick % self.clock == 0 && self.width > self.grace_period {
            while self.shrink_once() {
                detected = true;
            }
        }
        if detected {
            self.n_detections += 1;
        }
        self.drift = detected;
        Ok(detected)
    }
    fn drift_detected(&self) -> bool {
        self.drift
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn default() -> Adwin {
        Adwin::new(0.002, 32, 5, 5, 10).unwrap()
    }

    #[test]
    fn window_statistics_by_hand() {
        let mut a = default();
        for x in [1.0, 2.0, 3.0, 4.0, 5.0] {
            assert!(!a.update(x).unwrap());
        }
        assert_eq!((a.width(), a.total(), a.estimation()), (5.0, 15.0, 3.0));
        assert!((a.variance() - 10.0).abs() < 1e-12);
    }

    #[test]
    fn buckets_merge_into_powers_of_two() {
        let mut a = Adwin::new(0.002, 1_000_000, 2, 5, 10).unwrap();
        for _ in 0..7 {
            a.update(1.0).unwrap();
        }
        // 7 values with at most 2 buckets per row: rows [1], [2, 2], [... 4? no: 2 buckets of 2]
        let sizes: Vec<usize> = a.rows.iter().map(Vec::len).collect();
        let counted: f64 = a
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| r.len() as f64 * (1u64 << i) as f64)
            .sum();
        assert_eq!(counted, 7.0);
        assert!(sizes.iter().all(|&s| s <= 2), "{sizes:?}");
    }

    #[test]
    fn detects_a_shift_and_not_a_constant() {
        let mut a = default();
        for _ in 0..3000 {
            assert!(!a.update(0.5).unwrap());
        }
        let mut at = None;
        for t in 0..1000 {
            if a.update(5.0).unwrap() {
                at = Some(t);
                break;
            }
        }
        let at = at.expect("a jump from 0.5 to 5 must be detected");
        assert!(at <= 64, "{at}");
        assert!(a.width() < 3000.0);
        assert!(a.update(f64::NAN).is_err());
    }

    #[test]
    fn invalid_parameters() {
        assert!(Adwin::new(0.0, 32, 5, 5, 10).is_err());
        assert!(Adwin::new(0.002, 0, 5, 5, 10).is_err());
        assert!(Adwin::new(0.002, 32, 0, 5, 10).is_err());
    }
}
