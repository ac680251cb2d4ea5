//! KSWIN (Raab, Heusinger & Schleif 2020, "Reactive Soft Prototype Computing for Concept Drift
//! Streams"), as river's `drift.KSWIN`: a two-sample Kolmogorov-Smirnov test between the
//! `stat_size` most recent values and as many values drawn from the rest of a sliding window.

use super::{check_finite, DriftDetector};
use crate::error::{check_range, param, Result};
use rand::SeedableRng;
use rand_pcg::Pcg64;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Kswin {
    alpha: f64,
    window_size: usize,
    stat_size: usize,
    seed: u64,
    window: VecDeque<f64>,
    rng: Pcg64,
    p_value: f64,
    n: u64,
    drift: bool,
}

/// Two-sample Kolmogorov-Smirnov statistic `sup |F1 - F2|` (ties handled as scipy does).
pub fn ks_statistic(a: &[f64], b: &[f64]) -> f64 {
    let mut a = a.to_vec();
    let mut b = b.to_vec();
    a.sort_by(f64::total_cmp);
    b.sort_by(f64::total_cmp);
    let (na, nb) = (a.len() as f64, b.len() as f64);
    let (mut i, mut j, mut d) = (0usize, 0usize, 0.0f64);
    while i < a.len() && j < b.len() {
        let x = a[i].min(b[j]);
        while i < a.len() && a[i] <= x {
            i += 1;
        }
        while j < b.len() && b[j] <= x {
            j += 1;
        }
        d = d.max((i as f64 / na - j as f64 / nb).abs());
    }
    d
}

/// Exact two-sided p-value `P(D >= d)` for two samples of equal size `n`
/// (Gnedenko & Korolyuk 1951): `2 sum_j (-1)^(j+1) C(2n, n - j h) / C(2n, n)`, `h = round(d n)`.
pub fn ks_pvalue_equal_sizes(d: f64, n: usize) -> f64 {
    let h = (d * n as f64).round() as usize;
    if h == 0 {
        return 1.0;
    }
    let mut total = 0.0;
    let mut j = 1;
    while j * h <= n {
        // C(2n, n - jh) / C(2n, n) = prod_{i < jh} (n - i) / (n + 1 + i)
        let ratio: f64 = (0..j * h)
            .map(|i| (n - i) as f64 / (n + 1 + i) as f64)
            .product();
        total += if j % 2 == 1 { ratio } else { -ratio };
        j += 1;
    }
    (2.0 * total).clamp(0.0, 1.0)
}

impl Kswin {
    /// river's parameters: `alpha=0.005, window_size=100, stat_size=30`, a seed, and an optional
    /// initial window.
    pub fn new(
        alpha: f64,
        window_size: usize,
        stat_size: usize,
        seed: u64,
        window: Vec<f64>,
    ) -> Result<Self> {
        check_range("alpha", alpha, 0.0, 1.0)?;
        if stat_size == 0 || stat_size >= window_size {
            return Err(param(
                "stat_size",
                "must be at least 1 and below window_size",
            ));
        }
        if window.iter().any(|v| !v.is_finite()) {
            return Err(param("window", "values must be finite"));
        }
        let skip = window.len().saturating_sub(window_size);
        Ok(Kswin {
            alpha,
            window_size,
            stat_size,
            seed,
            window: window.into_iter().skip(skip).collect(),
            rng: Pcg64::seed_from_u64(seed),
            p_value: 0.0,
            n: 0,
            drift: false,
        })
    }

    pub fn p_value(&self) -> f64 {
        self.p_value
    }

    fn reset(&mut self) {
        self.window.clear();
        self.rng = Pcg64::seed_from_u64(self.seed);
        self.p_value = 0.0;
        self.n = 0;
        self.drift = false;
    }
}

impl DriftDetector for Kswin {
    fn update(&mut self, x: f64) -> Result<bool> {
        check_finite(x)?;
        if self.drift {
            self.reset();
        }
        self.n += 1;
        if self.window.len() == self.window_size {
            self.window.pop_front();
        }
        self.window.push_back(x);
        self.drift = false;
        if self.window.len() >= self.window_size {
            let older = self.window_size - self.stat_size;
            let sample: Vec<f64> = rand::seq::index::sample(&mut self.rng, older, self.stat_size)
                .into_iter()
                .map(|i| self.window[i])
                .collect();
            let recent: Vec<f64> = self.window.iter().skip(older).copied().collect();
            let d = ks_statistic(&sample, &recent);
            self.p_value = ks_pvalue_equal_sizes(d, self.stat_size);
            if self.p_value <= self.alpha && d > 0.1 {
                self.drift = true;
                self.window = recent.into_iter().collect();
            }
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
    fn ks_statistic_by_hand() {
        assert_eq!(ks_statistic(&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0]), 1.0);
        let d = ks_statistic(&[1.0, 2.0, 3.0, 4.0], &[2.5, 3.5, 4.5, 5.5]);
        assert!((d - 0.5).abs() < 1e-15);
        assert_eq!(ks_statistic(&[1.0, 1.0], &[1.0, 1.0]), 0.0);
    }

    #[test]
    fn exact_pvalues_by_hand() {
        // n = 2, D = 1: both samples separated: 2 * C(4, 0) / C(4, 2) = 1/3.
        assert!((ks_pvalue_equal_sizes(1.0, 2) - 1.0 / 3.0).abs() < 1e-15);
        // n = 3, D = 2/3: 2 (C(6,1) / C(6,3)) = 0.6.
        assert!((ks_pvalue_equal_sizes(2.0 / 3.0, 3) - 0.6).abs() < 1e-15);
        assert_eq!(ks_pvalue_equal_sizes(0.0, 30), 1.0);
    }

    #[test]
    fn detects_a_distribution_change() {
        let mut k = Kswin::new(0.005, 100, 30, 1, vec![]).unwrap();
        let mut at = None;
        for t in 0..600u64 {
            let x = ((t * 7919) % 101) as f64 / 101.0 + if t >= 300 { 3.0 } else { 0.0 };
            if k.update(x).unwrap() {
                assert!(t >= 300, "false alarm at {t}");
                at = Some(t);
                break;
            }
        }
        assert!(at.expect("detected") < 340);
        assert!(Kswin::new(0.005, 30, 30, 1, vec![]).is_err());
    }
}
