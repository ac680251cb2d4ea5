//! Proposal families in the standard-normal space: a Gaussian (full or diagonal covariance) and
//! a Gaussian mixture, with the weighted fits of the cross-entropy method (weighted moments for
//! the Gaussian, weighted EM for the mixture).

use super::dist::HALF_LN_2PI;
use crate::linalg::cholesky;
use rand::Rng;
use rand_distr::StandardNormal;
use rand_pcg::Pcg64;
use serde::{Deserialize, Serialize};

/// Added to the diagonal of every fitted covariance so that a proposal never collapses.
pub const COV_JITTER: f64 = 1e-6;

/// A multivariate normal density `N(mean, L L^T)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Gaussian {
    pub mean: Vec<f64>,
    /// Lower Cholesky factor of the covariance, row-major.
    pub chol: Vec<f64>,
    log_norm: f64,
}

impl Gaussian {
    /// The standard normal `N(0, I_d)`.
    pub fn standard(d: usize) -> Self {
        let mut chol = vec![0.0; d * d];
        (0..d).for_each(|i| chol[i * d + i] = 1.0);
        Gaussian {
            mean: vec![0.0; d],
            chol,
            log_norm: -(d as f64) * HALF_LN_2PI,
        }
    }

    /// `N(mean, cov)`; `None` if `cov` is not positive definite.
    pub fn new(mean: Vec<f64>, cov: &[f64]) -> Option<Self> {
        let d = mean.len();
        let chol = cholesky(cov, d)?;
        let log_det_half: f64 = (0..d).map(|i| chol[i * d + i].ln()).sum();
        if !log_det_half.is_finite() {
            return None;
        }
        Some(Gaussian {
            mean,
            chol,
            log_norm: -(d as f64) * HALF_LN_2PI - log_det_half,
        })
    }

    pub fn dim(&self) -> usize {
        self.mean.len()
    }

    /// Covariance matrix `L L^T` (row-major).
    pub fn cov(&self) -> Vec<f64> {
        let d = self.dim();
        let mut c = vec![0.0; d * d];
        for i in 0..d {
            for j in 0..=i {
                let s: f64 = (0..=j)
                    .map(|k| self.chol[i * d + k] * self.chol[j * d + k])
                    .sum();
                c[i * d + j] = s;
                c[j * d + i] = s;
            }
        }
        c
    }

    /// Log-density at `u`; `work` is scratch space of length `d`.
    pub fn log_pdf(&self, u: &[f64], work: &mut [f64]) -> f64 {
        let d = self.dim();
        let mut q = 0.0;
        for i in 0..d {
            let row = &self.chol[i * d..i * d + i];
            let s: f64 = row.iter().zip(&work[..i]).map(|(l, w)| l * w).sum();
            let y = (u[i] - self.mean[i] - s) / self.chol[i * d + i];
            work[i] = y;
            q += y * y;
        }
        self.log_norm - 0.5 * q
    }

    /// Log-densities at every row of `u` (`n x d`, row-major) into `out` (length `n`). The
    /// factor's inverse is taken once, and the rows go through a blocked kernel (no chain of
    /// divisions as in a forward substitution, nothing allocated per row).
    pub fn log_pdf_rows(&self, u: &[f64], out: &mut [f64]) {
        let inv = super::kernels::lower_inverse(&self.chol, self.dim());
        super::kernels::gaussian_quad_rows(&inv, &self.mean, u, out);
        out.iter_mut().for_each(|q| *q = self.log_norm - 0.5 * *q);
    }

    /// Draws one point into `out`.
    pub fn sample_into(&self, rng: &mut Pcg64, out: &mut [f64], work: &mut [f64]) {
        let d = self.dim();
        work.iter_mut()
            .for_each(|v| *v = rng.sample(StandardNormal));
        for (i, (o, m)) in out.iter_mut().zip(&self.mean).enumerate().take(d) {
            let s: f64 = (0..=i).map(|k| self.chol[i * d + k] * work[k]).sum();
            *o = m + s;
        }
    }

    /// Weighted mean and covariance of the rows of `points` (n x d) with non-negative weights:
    /// the cross-entropy update of a Gaussian. `None` if the weights sum to zero.
    pub fn fit_weighted(points: &[f64], weights: &[f64], d: usize, diag: bool) -> Option<Self> {
        Self::fit_weighted_cols(points, None, weights, d, diag)
    }

    /// [`Gaussian::fit_weighted`] with the points' columns (column-major `d x n`) at hand as
    /// well, for the several fits of one adaptation step on the same points (the same result).
    pub fn fit_weighted_cols(
        points: &[f64],
        cols: Option<&[f64]>,
        weights: &[f64],
        d: usize,
        diag: bool,
    ) -> Option<Self> {
        let total: f64 = weights.iter().sum();
        if !(total > 0.0 && total.is_finite()) {
            return None;
        }
        let mut mean = vec![0.0; d];
        for (row, &w) in points.chunks_exact(d).zip(weights) {
            if w > 0.0 {
                mean.iter_mut().zip(row).for_each(|(m, x)| *m += w * x);
            }
        }
        mean.iter_mut().for_each(|m| *m /= total);
        let mut cov = vec![0.0; d * d];
        super::kernels::weighted_scatter(points, cols, weights, &mean, diag, &mut cov);
        for i in 0..d {
            for j in 0..=i {
                let v = cov[i * d + j] / total + if i == j { COV_JITTER } else { 0.0 };
                cov[i * d + j] = v;
                cov[j * d + i] = v;
            }
        }
        Gaussian::new(mean, &cov)
    }
}

/// A finite mixture of Gaussians.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GaussianMixture {
    pub weights: Vec<f64>,
    pub comps: Vec<Gaussian>,
}

fn log_sum_exp(v: &[f64]) -> f64 {
    let m = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if m == f64::NEG_INFINITY {
        return m;
    }
    m + v.iter().map(|x| (x - m).exp()).sum::<f64>().ln()
}

impl GaussianMixture {
    /// Log-density at `u`; `work` has length `d`.
    pub fn log_pdf(&self, u: &[f64], work: &mut [f64]) -> f64 {
        let terms: Vec<f64> = self
            .weights
            .iter()
            .zip(&self.comps)
            .map(|(w, g)| w.ln() + g.log_pdf(u, work))
            .collect();
        log_sum_exp(&terms)
    }

    /// Log-densities at every row of `u` into `out` (length `n`).
    pub fn log_pdf_rows(&self, u: &[f64], out: &mut [f64]) {
        let n = out.len();
        let k = self.comps.len();
        let mut all = vec![0.0; n * k];
        let mut col = vec![0.0; n];
        for (c, g) in self.comps.iter().enumerate() {
            g.log_pdf_rows(u, &mut col);
            let lw = self.weights[c].ln();
            for (i, v) in col.iter().enumerate() {
                all[i * k + c] = lw + v;
            }
        }
        for (o, row) in out.iter_mut().zip(all.chunks_exact(k)) {
            *o = log_sum_exp(row);
        }
    }

    /// Weighted EM with `k` components, started by splitting the weighted Gaussian fit along its
    /// principal axis (deterministic); components that lose their weight are dropped.
    pub fn fit_weighted(
        points: &[f64],
        weights: &[f64],
        d: usize,
        k: usize,
        diag: bool,
        iterations: usize,
    ) -> Option<Self> {
        let base = Gaussian::fit_weighted(points, weights, d, diag)?;
        let cov = base.cov();
        let (lambda, axis) = principal_axis(&cov, d);
        let spread = lambda.max(0.0).sqrt();
        let mut comps: Vec<Gaussian> = (0..k)
            .map(|c| {
                let t = if k == 1 {
                    0.0
                } else {
                    -1.0 + 2.0 * c as f64 / (k - 1) as f64
                };
                let mean = base
                    .mean
                    .iter()
                    .zip(&axis)
                    .map(|(m, a)| m + t * spread * a)
                    .collect();
                Gaussian {
                    mean,
                    chol: base.chol.clone(),
                    log_norm: base.log_norm,
                }
            })
            .collect();
        let mut mix = vec![1.0 / k as f64; k];
        let n = weights.len();
        let mut resp = vec![0.0; n * k];
        let mut work = vec![0.0; d];
        let mut logs = vec![0.0; k];
        let mut last = f64::NEG_INFINITY;
        for _ in 0..iterations {
            // E step: responsibilities, and the weighted log-likelihood for the stopping test.
            let mut ll = 0.0;
            for (i, row) in points.chunks_exact(d).enumerate() {
                for c in 0..comps.len() {
                    logs[c] = mix[c].ln() + comps[c].log_pdf(row, &mut work);
                }
                let l = log_sum_exp(&logs[..comps.len()]);
                for c in 0..comps.len() {
                    resp[i * k + c] = if l.is_finite() {
                        (logs[c] - l).exp()
                    } else {
                        0.0
                    };
                }
                if weights[i] > 0.0 && l.is_finite() {
                    ll += weights[i] * l;
                }
            }
            // M step: each component from the weights times its responsibilities.
            let total: f64 = weights.iter().sum();
            let mut next = Vec::with_capacity(comps.len());
            let mut next_mix = Vec::with_capacity(comps.len());
            let mut wc = vec![0.0; n];
            for c in 0..comps.len() {
                for i in 0..n {
                    wc[i] = weights[i] * resp[i * k + c];
                }
                let s: f64 = wc.iter().sum();
                if s / total < 1e-3 {
                    continue;
                }
                if let Some(g) = Gaussian::fit_weighted(points, &wc, d, diag) {
                    next.push(g);
                    next_mix.push(s / total);
                }
            }
            if next.is_empty() {
                break;
            }
            let z: f64 = next_mix.iter().sum();
            next_mix.iter_mut().for_each(|m| *m /= z);
            comps = next;
            mix = next_mix;
            if (ll - last).abs() <= 1e-8 * ll.abs().max(1e-300) {
                break;
            }
            last = ll;
        }
        Some(GaussianMixture {
            weights: mix,
            comps,
        })
    }

    pub fn sample_into(&self, rng: &mut Pcg64, out: &mut [f64], work: &mut [f64]) {
        let c = pick(&self.weights, rng.random::<f64>());
        self.comps[c].sample_into(rng, out, work);
    }
}

/// Index `i` with `sum(w[..i]) <= r * sum(w) < sum(w[..=i])`, for a uniform `r` in `[0, 1)`.
pub fn pick(w: &[f64], r: f64) -> usize {
    let total: f64 = w.iter().sum();
    let mut acc = 0.0;
    let target = r * total;
    for (i, &x) in w.iter().enumerate() {
        acc += x;
        if target < acc {
            return i;
        }
    }
    w.len().saturating_sub(1)
}

/// Largest eigenvalue and its unit eigenvector of a symmetric matrix, by power iteration.
fn principal_axis(a: &[f64], d: usize) -> (f64, Vec<f64>) {
    let mut v: Vec<f64> = (0..d).map(|i| 1.0 + 0.1 * i as f64).collect();
    let mut lambda = 0.0;
    for _ in 0..100 {
        let mut w = vec![0.0; d];
        crate::linalg::mat_vec(a, &v, d, &mut w);
        let norm = w.iter().map(|x| x * x).sum::<f64>().sqrt();
        if norm == 0.0 {
            break;
        }
        lambda = norm;
        v = w.into_iter().map(|x| x / norm).collect();
    }
    (lambda, v)
}

/// One component of the mixture proposal: a Gaussian or a Gaussian mixture.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Component {
    Gaussian(Gaussian),
    Mixture(GaussianMixture),
}

impl Component {
    pub fn log_pdf(&self, u: &[f64], work: &mut [f64]) -> f64 {
        match self {
            Component::Gaussian(g) => g.log_pdf(u, work),
            Component::Mixture(m) => m.log_pdf(u, work),
        }
    }

    /// Log-densities at every row of `u` (`n x d`) into `out` (length `n`).
    pub fn log_pdf_rows(&self, u: &[f64], out: &mut [f64]) {
        match self {
            Component::Gaussian(g) => g.log_pdf_rows(u, out),
            Component::Mixture(m) => m.log_pdf_rows(u, out),
        }
    }

    pub fn sample_into(&self, rng: &mut Pcg64, out: &mut [f64], work: &mut [f64]) {
        match self {
            Component::Gaussian(g) => g.sample_into(rng, out, work),
            Component::Mixture(m) => m.sample_into(rng, out, work),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn weighted_fit_by_hand() {
        // Points 0, 1, 3 with weights 1, 2, 1: mean 5/4, variance (25/16 + 2/16 + 49/16) / 4 = 19/16.
        let g = Gaussian::fit_weighted(&[0.0, 1.0, 3.0], &[1.0, 2.0, 1.0], 1, false).unwrap();
        assert!((g.mean[0] - 1.25).abs() < 1e-15);
        assert!((g.cov()[0] - (19.0 / 16.0 + COV_JITTER)).abs() < 1e-15);
        assert!(Gaussian::fit_weighted(&[0.0, 1.0], &[0.0, 0.0], 1, false).is_none());
    }

    #[test]
    fn gaussian_log_pdf_matches_formula() {
        let g = Gaussian::new(vec![1.0, -1.0], &[2.0, 0.5, 0.5, 1.0]).unwrap();
        let (x, y) = (0.2, 0.4);
        let det: f64 = 2.0 - 0.25;
        let (a, b) = (x - 1.0, y + 1.0);
        // inverse [[1, -0.5], [-0.5, 2]] / det
        let q = (a * a - a * b + 2.0 * b * b) / det;
        let expected = -(2.0f64 * std::f64::consts::PI).ln() - 0.5 * det.ln() - 0.5 * q;
        let mut w = [0.0; 2];
        assert!((g.log_pdf(&[x, y], &mut w) - expected).abs() < 1e-13);
        // The batch form agrees row by row, for the Gaussian and for a mixture.
        let rows = [x, y, -1.0, 2.0, 3.0, 0.5];
        let mut out = [0.0; 3];
        g.log_pdf_rows(&rows, &mut out);
        for (r, o) in rows.chunks(2).zip(out) {
            assert!((g.log_pdf(r, &mut w) - o).abs() < 1e-13);
        }
        let m = GaussianMixture {
            weights: vec![0.3, 0.7],
            comps: vec![g.clone(), Gaussian::standard(2)],
        };
        Component::Mixture(m.clone()).log_pdf_rows(&rows, &mut out);
        for (r, o) in rows.chunks(2).zip(out) {
            assert!((m.log_pdf(r, &mut w) - o).abs() < 1e-13);
        }
    }

    #[test]
    fn weighted_em_separates_two_clusters() {
        let mut rng = Pcg64::seed_from_u64(1);
        let mut pts = vec![];
        for i in 0..2000 {
            let c = if i % 4 == 0 { 4.0 } else { -2.0 };
            pts.push(c + 0.5 * rng.sample::<f64, _>(StandardNormal));
        }
        let w = vec![1.0; 2000];
        let m = GaussianMixture::fit_weighted(&pts, &w, 1, 2, false, 200).unwrap();
        let mut means: Vec<(f64, f64)> = m
            .comps
            .iter()
            .map(|g| g.mean[0])
            .zip(m.weights.clone())
            .collect();
        means.sort_by(|a, b| a.0.total_cmp(&b.0));
        assert!((means[0].0 + 2.0).abs() < 0.05 && (means[1].0 - 4.0).abs() < 0.1);
        assert!((means[1].1 - 0.25).abs() < 0.02);
    }
}
