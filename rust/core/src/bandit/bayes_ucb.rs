//! Bayes-UCB (Kaufmann, Cappé & Garivier 2012, "On Bayesian Upper Confidence Bounds for Bandit
//! Problems"), as river's `bandit.BayesUCB`: the index of an arm is the `1 - 1/(n + 1)` quantile
//! of its Beta(1 + successes, 1 + failures) posterior; ties are broken at random.

use super::{argmax_random_tie, Algorithm, ArmStats, RewardDomain};
use rand_pcg::Pcg64;
use serde::{Deserialize, Serialize};

/// The `p`-quantile of Beta(a, b) for `a, b > 0`: Halley steps on the regularised incomplete
/// beta function, falling back to bisection whenever a step leaves the bracket. Every point
/// evaluated lies in (0, 1), where `puruspe::betai` is defined (its own inverse can panic).
pub fn beta_quantile(p: f64, a: f64, b: f64) -> f64 {
    beta_quantile_from(p, a, b, None)
}

/// As [`beta_quantile`], starting from `start` when it lies in (0, 1): Bayes-UCB asks for
/// nearly the same quantile of nearly the same posterior at every step, so the last answer is
/// a start from which one or two steps suffice.
pub fn beta_quantile_from(p: f64, a: f64, b: f64, start: Option<f64>) -> f64 {
    if p <= 0.0 {
        return 0.0;
    }
    if p >= 1.0 {
        return 1.0;
    }
    let ln_beta = puruspe::ln_gamma(a) + puruspe::ln_gamma(b) - puruspe::ln_gamma(a + b);
    let (mut lo, mut hi) = (0.0_f64, 1.0_f64);
    let mut x = match start {
        Some(s) if s > 0.0 && s < 1.0 => s,
        _ => {
            // The normal approximation: few steps remain even far in the tail.
            let mean = a / (a + b);
            let sd = (a * b / ((a + b) * (a + b) * (a + b + 1.0))).sqrt();
            let z = std::f64::consts::SQRT_2
                * puruspe::inverf((2.0 * p - 1.0).clamp(-1.0 + 1e-16, 1.0 - 1e-16));
            (mean + z * sd).clamp(1e-300, 1.0 - 1e-16)
        }
    };
    for _ in 0..200 {
        let f = puruspe::betai(a, b, x) - p;
        if f == 0.0 {
            return x;
        }
        if f < 0.0 {
            lo = x;
        } else {
            hi = x;
        }
        let log_pdf = (a - 1.0) * x.ln() + (b - 1.0) * (1.0 - x).ln() - ln_beta;
        let newton = f / log_pdf.exp();
        // Halley: f''/f' of the cdf is (a - 1)/x - (b - 1)/(1 - x).
        let curvature = (a - 1.0) / x - (b - 1.0) / (1.0 - x);
        let halley = newton / (1.0 - 0.5 * newton * curvature);
        let step = if halley.is_finite() && halley * newton > 0.0 {
            halley
        } else {
            newton
        };
        let mut next = x - step;
        let bracketed = next.is_finite() && next > lo && next < hi;
        if !bracketed {
            next = 0.5 * (lo + hi);
        }
        // Halley converges cubically: after a step of relative size 1e-9 the error left is
        // far below the accuracy of betai itself, so no confirming evaluation is needed.
        if bracketed && step.abs() <= 1e-9 * x {
            return next;
        }
        if (next - x).abs() <= 1e-15 * x.max(1e-300) || hi - lo <= f64::EPSILON * hi {
            return next;
        }
        x = next;
    }
    x
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BayesUcb {
    successes: Vec<f64>,
    failures: Vec<f64>,
    /// Each arm's last upper bound, the start of the next quantile search (NaN: none yet).
    last_bound: Vec<f64>,
}

impl Algorithm for BayesUcb {
    fn reward_domain(&self) -> RewardDomain {
        RewardDomain::Unit
    }
    fn ensure_arms(&mut self, n: usize) {
        self.successes.resize(n, 0.0);
        self.failures.resize(n, 0.0);
        self.last_bound.resize(n, f64::NAN);
    }
    fn choose(&mut self, stats: &ArmStats, arms: &[usize], x: &[f64], rng: &mut Pcg64) -> usize {
        let bounds = self.scores(stats, arms, x);
        for (&a, &q) in arms.iter().zip(&bounds) {
            if let Some(slot) = self.last_bound.get_mut(a) {
                *slot = q;
            }
        }
        argmax_random_tie(&bounds, rng)
    }
    fn learn(&mut self, _: &ArmStats, arm: usize, reward: f64, _: &[f64]) {
        self.successes[arm] += reward;
        self.failures[arm] += 1.0 - reward;
    }
    fn scores(&self, stats: &ArmStats, arms: &[usize], _: &[f64]) -> Vec<f64> {
        let p = 1.0 - 1.0 / (stats.total() as f64 + 1.0);
        arms.iter()
            .map(|&a| {
                if p <= 0.0 {
                    return 0.0;
                }
                let start = self.last_bound.get(a).copied();
                beta_quantile_from(p, 1.0 + self.successes[a], 1.0 + self.failures[a], start)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::Policy;
    use super::*;

    #[test]
    fn quantile_is_total_and_accurate() {
        // Beta(1, 1) is uniform; Beta(2, 1) has cdf x^2; Beta(1, 3) has cdf 1 - (1 - x)^3.
        // puruspe's betai is accurate to a few 1e-13, which bounds the quantile's accuracy.
        assert!((beta_quantile(0.3, 1.0, 1.0) - 0.3).abs() < 1e-11);
        assert!((beta_quantile(0.81, 2.0, 1.0) - 0.9).abs() < 1e-11);
        assert!((beta_quantile(0.875, 1.0, 3.0) - 0.5).abs() < 1e-11);
        // Extreme cases that made puruspe::invbetai panic: p near 1, lopsided posteriors.
        for &(p, a, b) in &[
            (1.0 - 1e-6, 1.0, 5e5),
            (1.0 - 1e-7, 9e6, 1.0),
            (0.999_999, 3.0, 1e7),
            (1e-12, 0.5, 0.5),
        ] {
            let q = beta_quantile(p, a, b);
            assert!((0.0..=1.0).contains(&q), "{q}");
            // Near 1 the cdf's slope is ~a, so one ulp of q moves it by ~1e-9: compare loosely.
            assert!(
                (puruspe::betai(a, b, q) - p).abs() < 1e-6,
                "{p} {a} {b} {q}"
            );
        }
    }

    #[test]
    fn quantile_by_hand() {
        let mut p = Policy::new(BayesUcb::default(), 0, 0);
        p.ensure_arms(2);
        p.update(0, 1.0, None).unwrap();
        // n = 1, p = 1/2. Arm 0: Beta(2, 1), cdf x^2, median 1/sqrt(2). Arm 1: Beta(1, 1), 1/2.
        let s = p.scores(&[0, 1], None).unwrap();
        assert!((s[0] - 0.5f64.sqrt()).abs() < 1e-10, "{s:?}");
        assert!((s[1] - 0.5).abs() < 1e-10);
    }
}
