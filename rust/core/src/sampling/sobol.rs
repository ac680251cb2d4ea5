//! First- and total-order Sobol' indices written as expectations over a pair of independent
//! input points `(x, x')`, estimated by any of the estimators. Each sample point costs `d + 2`
//! model runs: `f(x)`, `f(x')` and `f(y_i)`, where `y_i` is `x'` with its i-th coordinate taken
//! from `x`. With `D = E[(f(x) - f(x'))^2] / 2` (the variance):
//!
//! - Saltelli (2010) form, used by "saltelli" and "iscv": `V_i = E[f(x) (f(y_i) - f(x'))]`,
//!   `S_i = V_i / D`;
//! - classical pick-freeze form: `S_i = (E[f(x) f(y_i)] - m^2) / (E[f^2] - m^2)`, `m = E[f]`;
//! - total order, both forms (Jansen): `T_i = E[(f(x') - f(y_i))^2] / 2 / D` (pick-freeze: over
//!   `E[f^2] - m^2`).
//!
//! Standard errors come from the estimates' covariance by the delta method.

use super::dist::{Distribution, Marginal};
use super::estimator::{Estimator, Method};
use super::problem::{Outcome, Problem};
use crate::error::{param, Result};
use serde::{Deserialize, Serialize};

/// The expectations behind the indices.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum SobolForm {
    Saltelli,
    PickFreeze,
}

/// Indices with their standard errors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SobolOutcome {
    pub first: Vec<f64>,
    pub total: Vec<f64>,
    pub first_se: Vec<f64>,
    pub total_se: Vec<f64>,
    /// Model runs spent (sample points times `d + 2`).
    pub runs: usize,
    /// The underlying expectations' estimates.
    pub expectations: Outcome,
}

/// Bootstrap percentile intervals (`[low, high]` per input) and the replicates' standard
/// deviations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SobolBootstrap {
    pub first_ci: Vec<[f64; 2]>,
    pub total_ci: Vec<[f64; 2]>,
    pub first_sd: Vec<f64>,
    pub total_sd: Vec<f64>,
}

/// The `q`-quantile of sorted values by linear interpolation.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let h = q * (sorted.len() - 1) as f64;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Percentile interval and standard deviation of replicates (NaNs dropped).
fn summarise(mut v: Vec<f64>, level: f64) -> ([f64; 2], f64) {
    v.retain(|x| x.is_finite());
    if v.len() < 2 {
        return ([f64::NAN, f64::NAN], f64::NAN);
    }
    v.sort_by(f64::total_cmp);
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    let sd = (v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0)).sqrt();
    let a = (1.0 - level) / 2.0;
    ([quantile(&v, a), quantile(&v, 1.0 - a)], sd)
}

/// The Sobol' driver: an estimator over `2d` standard normals whose batches are expanded into
/// the `d + 2` model points per sample point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sobol {
    inputs: Distribution,
    form: SobolForm,
    inner: Estimator,
    pending: Option<Vec<f64>>,
    /// First-order indices only: the total-order integrands are left out of the estimation.
    #[serde(default)]
    first_only: bool,
}

/// Number of expectations of each form for `d` inputs.
pub fn n_expectations(form: SobolForm, d: usize) -> usize {
    match form {
        SobolForm::Saltelli => 2 * d + 1,
        SobolForm::PickFreeze => 2 * d + 2,
    }
}

/// The expectations' integrands from the `d + 2` outputs `[f(x), f(x'), f(y_1), ..., f(y_d)]`.
pub fn integrands(form: SobolForm, f: &[f64], out: &mut Vec<f64>) {
    let (fx, fx2, fy) = (f[0], f[1], &f[2..]);
    match form {
        SobolForm::Saltelli => {
            out.extend(fy.iter().map(|v| fx * (v - fx2)));
            out.extend(fy.iter().map(|v| 0.5 * (fx2 - v) * (fx2 - v)));
            out.push(0.5 * (fx - fx2) * (fx - fx2));
        }
        SobolForm::PickFreeze => {
            out.extend(fy.iter().map(|v| fx * v));
            out.extend(fy.iter().map(|v| 0.5 * (fx2 - v) * (fx2 - v)));
            out.push(0.5 * (fx + fx2));
            out.push(0.5 * (fx * fx + fx2 * fx2));
        }
    }
}

/// Indices and delta-method standard errors from the expectations and their covariance.
pub fn indices(
    form: SobolForm,
    d: usize,
    e: &[f64],
    cov: &[f64],
) -> (Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>) {
    let k = e.len();
    let quad = |g: &[f64]| -> f64 {
        let mut s = 0.0;
        for a in 0..k {
            for b in 0..k {
                s += g[a] * cov[a * k + b] * g[b];
            }
        }
        s.max(0.0).sqrt()
    };
    let mut first = vec![0.0; d];
    let mut total = vec![0.0; d];
    let mut first_se = vec![0.0; d];
    let mut total_se = vec![0.0; d];
    match form {
        SobolForm::Saltelli => {
            let den = e[2 * d];
            for i in 0..d {
                for (slot, se, idx) in [
                    (&mut first, &mut first_se, i),
                    (&mut total, &mut total_se, d + i),
                ] {
                    slot[i] = e[idx] / den;
                    let mut g = vec![0.0; k];
                    g[idx] = 1.0 / den;
                    g[2 * d] = -e[idx] / (den * den);
                    se[i] = quad(&g);
                }
            }
        }
        SobolForm::PickFreeze => {
            let (m, m2) = (e[2 * d], e[2 * d + 1]);
            let den = m2 - m * m;
            for i in 0..d {
                let num = e[i] - m * m;
                first[i] = num / den;
                let mut g = vec![0.0; k];
                g[i] = 1.0 / den;
                g[2 * d] = 2.0 * m * (num - den) / (den * den);
                g[2 * d + 1] = -num / (den * den);
                first_se[i] = quad(&g);
                let t = e[d + i];
                total[i] = t / den;
                let mut g = vec![0.0; k];
                g[d + i] = 1.0 / den;
                g[2 * d] = 2.0 * m * t / (den * den);
                g[2 * d + 1] = -t / (den * den);
                total_se[i] = quad(&g);
            }
        }
    }
    (first, total, first_se, total_se)
}

impl Sobol {
    /// `budget` counts model runs; `method` runs over the `2d` standard normals.
    pub fn new(
        inputs: Distribution,
        budget: usize,
        form: SobolForm,
        method: Method,
        seed: u64,
    ) -> Result<Self> {
        Self::with_order(inputs, budget, form, method, seed, false)
    }

    /// As `new`; with `first_only` the `d` total-order integrands are dropped, so an adaptive
    /// proposal serves the first-order expectations and the variance alone (the paper's
    /// setting) and the total-order indices come back NaN.
    pub fn with_order(
        inputs: Distribution,
        budget: usize,
        form: SobolForm,
        method: Method,
        seed: u64,
        first_only: bool,
    ) -> Result<Self> {
        if inputs.has_copula() {
            return Err(param(
                "inputs",
                "Sobol' indices need independent inputs (no copula)",
            ));
        }
        let d = inputs.dim();
        let points = budget / (d + 2);
        let std = Distribution::independent(vec![
            Marginal::Normal {
                mu: 0.0,
                sigma: 1.0
            };
            2 * d
        ])?;
        let k = n_expectations(form, d) - if first_only { d } else { 0 };
        let problem = Problem::new(vec![std], k, None)?;
        let inner = Estimator::new(problem, points, method, seed).map_err(|e| match e {
            crate::Error::InvalidParameter {
                name: "budget",
                reason,
            } => param(
                "budget",
                format!(
                    "{reason} (sample points; each costs d + 2 = {} model runs)",
                    d + 2
                ),
            ),
            other => other,
        })?;
        Ok(Sobol {
            inputs,
            form,
            inner,
            pending: None,
            first_only,
        })
    }

    pub fn runs(&self) -> usize {
        self.inner.runs() * (self.inputs.dim() + 2)
    }

    pub fn budget(&self) -> usize {
        self.inner.budget() * (self.inputs.dim() + 2)
    }

    /// The next model points (row-major `n (d + 2) x d`), or `None` when done.
    pub fn ask(&mut self) -> Option<&[f64]> {
        if self.pending.is_none() {
            let d = self.inputs.dim();
            let z = self.inner.ask()?.to_vec();
            let mut pts = Vec::with_capacity(z.len() / 2 * (d + 2));
            let mut x1 = vec![0.0; d];
            let mut x2 = vec![0.0; d];
            for zi in z.chunks_exact(2 * d) {
                self.inputs.from_u(&zi[..d], &mut x1);
                self.inputs.from_u(&zi[d..], &mut x2);
                pts.extend_from_slice(&x1);
                pts.extend_from_slice(&x2);
                for i in 0..d {
                    let start = pts.len();
                    pts.extend_from_slice(&x2);
                    pts[start + i] = x1[i];
                }
            }
            self.pending = Some(pts);
        }
        self.pending.as_deref()
    }

    /// The model's outputs on the last asked points (one value per point).
    pub fn tell(&mut self, y: &[f64]) -> Result<()> {
        let d = self.inputs.dim();
        let n_pts = match &self.pending {
            Some(p) => p.len() / d,
            None => return Err(param("tell", "no batch is pending: call ask first")),
        };
        super::problem::check_outputs(y, n_pts, 1)?;
        let mut vals = Vec::with_capacity(n_pts / (d + 2) * n_expectations(self.form, d));
        let mut full = Vec::with_capacity(n_expectations(self.form, d));
        for f in y.chunks_exact(d + 2) {
            full.clear();
            integrands(self.form, f, &mut full);
            if self.first_only {
                vals.extend_from_slice(&full[..d]);
                vals.extend_from_slice(&full[2 * d..]);
            } else {
                vals.extend_from_slice(&full);
            }
        }
        self.inner.tell(&vals)?;
        self.pending = None;
        Ok(())
    }

    /// The indices once done; the expectations' run counts are in model runs, like `runs`.
    pub fn outcome(&self) -> Result<SobolOutcome> {
        let mut out = self.inner.outcome()?;
        let d = self.inputs.dim();
        out.runs_adaptation *= d + 2;
        out.runs_final *= d + 2;
        out.history.iter_mut().for_each(|s| s.runs *= d + 2);
        let (e, cov) = self.full_expectations(&out.estimates, Some(&out.covariance));
        let (first, mut total, first_se, mut total_se) = indices(self.form, d, &e, &cov);
        if self.first_only {
            total.fill(f64::NAN);
            total_se.fill(f64::NAN);
        }
        Ok(SobolOutcome {
            first,
            total,
            first_se,
            total_se,
            runs: self.runs(),
            expectations: out,
        })
    }

    /// The estimates (and covariance) on every expectation of the form, zeros in the left-out
    /// total-order slots when `first_only`.
    fn full_expectations(&self, e: &[f64], cov: Option<&[f64]>) -> (Vec<f64>, Vec<f64>) {
        let d = self.inputs.dim();
        let k = n_expectations(self.form, d);
        if !self.first_only {
            return (
                e.to_vec(),
                cov.map_or_else(|| vec![0.0; k * k], <[f64]>::to_vec),
            );
        }
        let kept: Vec<usize> = (0..k).filter(|j| !(d..2 * d).contains(j)).collect();
        let (mut fe, mut fc) = (vec![0.0; k], vec![0.0; k * k]);
        for (a, &ja) in kept.iter().enumerate() {
            fe[ja] = e[a];
            if let Some(c) = cov {
                for (b, &jb) in kept.iter().enumerate() {
                    fc[ja * k + jb] = c[a * kept.len() + b];
                }
            }
        }
        (fe, fc)
    }

    /// Bootstrap intervals at `level` from `reps` resamples of the final sample, seeded.
    pub fn bootstrap(&self, reps: usize, level: f64, seed: u64) -> Result<SobolBootstrap> {
        if reps < 2 {
            return Err(param(
                "bootstrap",
                format!("must be at least 2 resamples, got {reps}"),
            ));
        }
        if !(level > 0.0 && level < 1.0) {
            return Err(param(
                "confidence",
                format!("must be in (0, 1), got {level}"),
            ));
        }
        let d = self.inputs.dim();
        let mut firsts = vec![Vec::with_capacity(reps); d];
        let mut totals = vec![Vec::with_capacity(reps); d];
        for e in self.inner.bootstrap(reps, seed)? {
            let (e, cov) = self.full_expectations(&e, None);
            let (f, mut t, _, _) = indices(self.form, d, &e, &cov);
            if self.first_only {
                t.fill(f64::NAN);
            }
            for i in 0..d {
                firsts[i].push(f[i]);
                totals[i].push(t[i]);
            }
        }
        let (first_ci, first_sd) = firsts.into_iter().map(|v| summarise(v, level)).unzip();
        let (total_ci, total_sd) = totals.into_iter().map(|v| summarise(v, level)).unzip();
        Ok(SobolBootstrap {
            first_ci,
            total_ci,
            first_sd,
            total_sd,
        })
    }

    pub fn run(mut self, mut model: impl FnMut(&[f64]) -> Vec<f64>) -> Result<SobolOutcome> {
        while let Some(x) = self.ask() {
            let y = model(x);
            self.tell(&y)?;
        }
        self.outcome()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sampling::iscv::Family;

    fn uniform_pi(d: usize) -> Distribution {
        let pi = std::f64::consts::PI;
        Distribution::independent(vec![Marginal::uniform(-pi, pi).unwrap(); d]).unwrap()
    }

    fn ishigami(x: &[f64]) -> Vec<f64> {
        x.chunks(3)
            .map(|p| p[0].sin() + 7.0 * p[1].sin().powi(2) + 0.1 * p[2].powi(4) * p[0].sin())
            .collect()
    }

    #[test]
    fn integrands_and_indices_by_hand() {
        // f(x) = 1, f(x') = 3, f(y_1) = 2 (d = 1): V = 1 * (2 - 3) = -1, T = 1/2, D = 2.
        let mut out = vec![];
        integrands(SobolForm::Saltelli, &[1.0, 3.0, 2.0], &mut out);
        assert_eq!(out, vec![-1.0, 0.5, 2.0]);
        let (s, t, se, _) = indices(
            SobolForm::Saltelli,
            1,
            &[1.0, 0.5, 2.0],
            &[0.04, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        );
        assert_eq!((s[0], t[0], se[0]), (0.5, 0.25, 0.1));
        // Pick-freeze: m = 2, E[f^2] = 5, E[f y] = 4.5: S = 0.5 / 1.
        let (s, _, _, _) = indices(SobolForm::PickFreeze, 1, &[4.5, 0.5, 2.0, 5.0], &[0.0; 16]);
        assert_eq!(s[0], 0.5);
    }

    #[test]
    fn ishigami_indices_by_saltelli_monte_carlo() {
        // Analytic: S = (0.3139, 0.4424, 0), T = (0.5576, 0.4424, 0.2437) for a = 7, b = 0.1.
        let sob = Sobol::new(
            uniform_pi(3),
            100_000,
            SobolForm::Saltelli,
            Method::MonteCarlo,
            3,
        )
        .unwrap();
        let out = sob.run(ishigami).unwrap();
        let s = [0.3139, 0.4424, 0.0];
        let t = [0.5576, 0.4424, 0.2437];
        for i in 0..3 {
            assert!(
                (out.first[i] - s[i]).abs() < 4.0 * out.first_se[i],
                "{out:?}"
            );
            assert!(
                (out.total[i] - t[i]).abs() < 4.0 * out.total_se[i],
                "{out:?}"
            );
        }
        assert_eq!(out.runs, 100_000 / 5 * 5);
    }

    #[test]
    fn bootstrap_matches_delta_method_and_is_seeded() {
        let run = |seed| {
            let mut s = Sobol::new(
                uniform_pi(3),
                8 * 5000,
                SobolForm::Saltelli,
                Method::MonteCarlo,
                seed,
            )
            .unwrap();
            while let Some(x) = s.ask() {
                let y = ishigami(x);
                s.tell(&y).unwrap();
            }
            s
        };
        let s = run(3);
        let out = s.outcome().unwrap();
        let b = s.bootstrap(200, 0.95, 11).unwrap();
        assert_eq!(b, s.bootstrap(200, 0.95, 11).unwrap());
        for i in 0..3 {
            for (sd, se) in [
                (b.first_sd[i], out.first_se[i]),
                (b.total_sd[i], out.total_se[i]),
            ] {
                assert!(
                    sd / se > 0.7 && sd / se < 1.4,
                    "bootstrap sd {sd} vs delta se {se}"
                );
            }
            assert!(b.first_ci[i][0] < out.first[i] && out.first[i] < b.first_ci[i][1]);
        }
        assert!(s.bootstrap(1, 0.95, 0).is_err());
        assert!(s.bootstrap(10, 1.0, 0).is_err());
    }

    #[test]
    fn first_order_only_matches_the_full_run_on_monte_carlo() {
        // Monte Carlo draws the same points either way, so the first-order indices and their
        // errors agree exactly; the total order is left out.
        let run = |first_only| {
            Sobol::with_order(
                uniform_pi(3),
                5 * 2000,
                SobolForm::Saltelli,
                Method::MonteCarlo,
                7,
                first_only,
            )
            .unwrap()
            .run(ishigami)
            .unwrap()
        };
        let (full, first) = (run(false), run(true));
        assert_eq!(first.expectations.estimates.len(), 4);
        for i in 0..3 {
            assert!((full.first[i] - first.first[i]).abs() < 1e-12);
            assert!((full.first_se[i] - first.first_se[i]).abs() < 1e-12);
            assert!(first.total[i].is_nan() && first.total_se[i].is_nan());
        }
    }

    #[test]
    fn ishigami_indices_by_iscv() {
        let sob = Sobol::new(
            uniform_pi(3),
            50_000,
            SobolForm::Saltelli,
            Method::Iscv(Family::Gaussian { diag: false }),
            4,
        )
        .unwrap();
        let out = sob.run(ishigami).unwrap();
        let s = [0.3139, 0.4424, 0.0];
        let t = [0.5576, 0.4424, 0.2437];
        for i in 0..3 {
            assert!(
                (out.first[i] - s[i]).abs() < 4.0 * out.first_se[i] + 0.01,
                "{out:?}"
            );
            assert!(
                (out.total[i] - t[i]).abs() < 4.0 * out.total_se[i] + 0.01,
                "{out:?}"
            );
        }
    }
}
