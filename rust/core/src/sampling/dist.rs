//! Input distributions: one-dimensional marginals and their joint law (independent, or coupled
//! by a Gaussian copula), with sampling, log-density and the isoprobabilistic transform
//! `x <-> u` between the physical space and the standard-normal space.

use crate::error::{param, Result};
use crate::linalg::cholesky;
use puruspe::{erfc, inverfc};
use rand::Rng;
use rand_distr::StandardNormal;
use rand_pcg::Pcg64;
use serde::{Deserialize, Serialize};
use std::f64::consts::SQRT_2;

/// `ln(2 pi) / 2`, the log normalising constant of the standard normal density.
pub const HALF_LN_2PI: f64 = 0.918_938_533_204_672_8;

/// Standard normal CDF.
pub fn norm_cdf(z: f64) -> f64 {
    0.5 * erfc(-z / SQRT_2)
}

/// Standard normal quantile; `p` is clamped into `(0, 1)` so that the result stays finite.
pub fn norm_ppf(p: f64) -> f64 {
    let p = p.clamp(1e-300, 1.0 - 1e-16);
    -SQRT_2 * inverfc(2.0 * p)
}

/// Log-density of the standard normal at `z`.
pub fn norm_log_pdf(z: f64) -> f64 {
    -0.5 * z * z - HALF_LN_2PI
}

/// A one-dimensional input law.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Marginal {
    /// Normal with mean `mu` and standard deviation `sigma`.
    Normal { mu: f64, sigma: f64 },
    /// `exp(N(mu, sigma^2))`.
    LogNormal { mu: f64, sigma: f64 },
    /// Uniform on `[a, b]`.
    Uniform { a: f64, b: f64 },
    /// Exponential with rate `rate` (mean `1 / rate`).
    Exponential { rate: f64 },
    /// Gumbel (maximum) with location `loc` and scale `scale`.
    Gumbel { loc: f64, scale: f64 },
}

fn finite(name: &'static str, x: f64) -> Result<f64> {
    if x.is_finite() {
        Ok(x)
    } else {
        Err(param(name, format!("must be finite, got {x}")))
    }
}

fn positive(name: &'static str, x: f64) -> Result<f64> {
    if x.is_finite() && x > 0.0 {
        Ok(x)
    } else {
        Err(param(name, format!("must be a finite number > 0, got {x}")))
    }
}

impl Marginal {
    pub fn normal(mu: f64, sigma: f64) -> Result<Self> {
        Ok(Marginal::Normal {
            mu: finite("mu", mu)?,
            sigma: positive("sigma", sigma)?,
        })
    }

    pub fn lognormal(mu: f64, sigma: f64) -> Result<Self> {
        Ok(Marginal::LogNormal {
            mu: finite("mu", mu)?,
            sigma: positive("sigma", sigma)?,
        })
    }

    /// The lognormal law with the given mean and coefficient of variation (std / mean).
    pub fn lognormal_from_mean_cov(mean: f64, cov: f64) -> Result<Self> {
        let mean = positive("mean", mean)?;
        let cov = positive("cov", cov)?;
        let s2 = cov.mul_add(cov, 1.0).ln();
        Ok(Marginal::LogNormal {
            mu: mean.ln() - 0.5 * s2,
            sigma: s2.sqrt(),
        })
    }

    pub fn uniform(a: f64, b: f64) -> Result<Self> {
        let a = finite("a", a)?;
        let b = finite("b", b)?;
        if b <= a {
            return Err(param("b", format!("must be greater than a = {a}, got {b}")));
        }
        Ok(Marginal::Uniform { a, b })
    }

    pub fn exponential(rate: f64) -> Result<Self> {
        Ok(Marginal::Exponential {
            rate: positive("rate", rate)?,
        })
    }

    pub fn gumbel(loc: f64, scale: f64) -> Result<Self> {
        Ok(Marginal::Gumbel {
            loc: finite("loc", loc)?,
            scale: positive("scale", scale)?,
        })
    }

    /// Log-density at `x` (`-inf` outside the support).
    pub fn log_pdf(&self, x: f64) -> f64 {
        match *self {
            Marginal::Normal { mu, sigma } => norm_log_pdf((x - mu) / sigma) - sigma.ln(),
            Marginal::LogNormal { mu, sigma } => {
                if x > 0.0 {
                    let l = x.ln();
                    norm_log_pdf((l - mu) / sigma) - sigma.ln() - l
                } else {
                    f64::NEG_INFINITY
                }
            }
            Marginal::Uniform { a, b } => {
                if (a..=b).contains(&x) {
                    -(b - a).ln()
                } else {
                    f64::NEG_INFINITY
                }
            }
            Marginal::Exponential { rate } => {
                if x >= 0.0 {
                    rate.ln() - rate * x
                } else {
                    f64::NEG_INFINITY
                }
            }
            Marginal::Gumbel { loc, scale } => {
                let t = (x - loc) / scale;
                -t - (-t).exp() - scale.ln()
            }
        }
    }

    /// `ln` of the scale the log-density subtracts (`ln sigma` for the normal and lognormal
    /// laws), taken once per batch by [`Distribution::log_pdf_rows`].
    fn ln_scale(&self) -> f64 {
        match *self {
            Marginal::Normal { sigma, .. } | Marginal::LogNormal { sigma, .. } => sigma.ln(),
            _ => 0.0,
        }
    }

    /// The log-density and (when `need_z`) the normal score at `x`, from `lnx`, the logarithm
    /// of `max(x, MIN_POSITIVE)`, and `ln_scale` (see [`Marginal::ln_scale`]): no logarithm
    /// for the normal and lognormal laws.
    fn log_pdf_and_z(&self, x: f64, lnx: f64, ln_scale: f64, need_z: bool) -> (f64, f64) {
        match *self {
            Marginal::Normal { mu, sigma } => {
                let z = (x - mu) / sigma;
                (norm_log_pdf(z) - ln_scale, z)
            }
            Marginal::LogNormal { mu, sigma } => {
                let z = (lnx - mu) / sigma;
                let lp = if x > 0.0 {
                    norm_log_pdf(z) - ln_scale - lnx
                } else {
                    f64::NEG_INFINITY
                };
                (lp, z)
            }
            _ => (self.log_pdf(x), if need_z { self.to_z(x) } else { 0.0 }),
        }
    }

    /// The standard-normal coordinate `z = Phi^-1(F(x))`, computed from the lower or upper tail,
    /// whichever keeps precision (exactly for the normal and lognormal laws).
    pub fn to_z(&self, x: f64) -> f64 {
        match *self {
            Marginal::Normal { mu, sigma } => (x - mu) / sigma,
            Marginal::LogNormal { mu, sigma } => (x.max(f64::MIN_POSITIVE).ln() - mu) / sigma,
            _ => {
                let (cdf, sf) = self.cdf_sf(x);
                if cdf < 0.5 {
                    norm_ppf(cdf)
                } else {
                    -norm_ppf(sf)
                }
            }
        }
    }

    /// The inverse of [`Marginal::to_z`]: `x = F^-1(Phi(z))`.
    pub fn from_z(&self, z: f64) -> f64 {
        match *self {
            Marginal::Normal { mu, sigma } => sigma.mul_add(z, mu),
            Marginal::LogNormal { mu, sigma } => sigma.mul_add(z, mu).exp(),
            Marginal::Uniform { a, b } => a + (b - a) * norm_cdf(z),
            Marginal::Exponential { rate } => {
                // Lower tail: -ln(1 - p) / rate; upper tail: -ln(q) / rate, q = Phi(-z).
                if z < 0.0 {
                    -(-norm_cdf(z)).ln_1p() / rate
                } else {
                    -norm_cdf(-z).ln() / rate
                }
            }
            Marginal::Gumbel { loc, scale } => {
                // F(x) = exp(-exp(-t)): t = -ln(-ln p), with -ln p = -ln(1 - q) in the upper tail.
                let m = if z < 0.0 {
                    -norm_cdf(z).ln()
                } else {
                    -(-norm_cdf(-z)).ln_1p()
                };
                loc - scale * m.ln()
            }
        }
    }

    fn cdf_sf(&self, x: f64) -> (f64, f64) {
        match *self {
            Marginal::Normal { mu, sigma } => {
                let z = (x - mu) / sigma;
                (norm_cdf(z), norm_cdf(-z))
            }
            Marginal::LogNormal { .. } => {
                let z = self.to_z(x);
                (norm_cdf(z), norm_cdf(-z))
            }
            Marginal::Uniform { a, b } => {
                let p = ((x - a) / (b - a)).clamp(0.0, 1.0);
                (p, 1.0 - p)
            }
            Marginal::Exponential { rate } => {
                let t = rate * x.max(0.0);
                (-(-t).exp_m1(), (-t).exp())
            }
            Marginal::Gumbel { loc, scale } => {
                let e = (-(x - loc) / scale).exp();
                ((-e).exp(), -(-e).exp_m1())
            }
        }
    }

    /// Mean of the law.
    pub fn mean(&self) -> f64 {
        match *self {
            Marginal::Normal { mu, .. } => mu,
            Marginal::LogNormal { mu, sigma } => (mu + 0.5 * sigma * sigma).exp(),
            Marginal::Uniform { a, b } => 0.5 * (a + b),
            Marginal::Exponential { rate } => 1.0 / rate,
            Marginal::Gumbel { loc, scale } => loc + 0.577_215_664_901_532_9 * scale,
        }
    }
}

/// A Gaussian copula: the correlation matrix `R` of the normal scores, its lower Cholesky factor
/// and the pieces of the copula log-density.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Copula {
    corr: Vec<f64>,
    chol: Vec<f64>,
    log_det: f64,
}

/// A joint input law over `R^d`: independent marginals, optionally coupled by a Gaussian copula.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Distribution {
    marginals: Vec<Marginal>,
    copula: Option<Copula>,
}

impl Distribution {
    /// Independent marginals.
    pub fn independent(marginals: Vec<Marginal>) -> Result<Self> {
        if marginals.is_empty() {
            return Err(crate::Error::Empty { name: "marginals" });
        }
        Ok(Distribution {
            marginals,
            copula: None,
        })
    }

    /// Marginals coupled by a Gaussian copula with correlation matrix `corr` (row-major d x d,
    /// symmetric, unit diagonal, positive definite).
    pub fn gaussian_copula(marginals: Vec<Marginal>, corr: Vec<f64>) -> Result<Self> {
        let d = marginals.len();
        if d == 0 {
            return Err(crate::Error::Empty { name: "marginals" });
        }
        if corr.len() != d * d {
            return Err(crate::Error::Dimension {
                name: "correlation",
                expected: d * d,
                got: corr.len(),
            });
        }
        for i in 0..d {
            for j in 0..d {
                let (a, b) = (corr[i * d + j], corr[j * d + i]);
                if !a.is_finite() || (a - b).abs() > 1e-12 || a.abs() > 1.0 {
                    return Err(param(
                        "correlation",
                        "must be a symmetric matrix with entries in [-1, 1]",
                    ));
                }
            }
            if corr[i * d + i] != 1.0 {
                return Err(param("correlation", "must have a unit diagonal"));
            }
        }
        let chol = cholesky(&corr, d)
            .filter(|l| (0..d).all(|i| l[i * d + i] > 1e-8))
            .ok_or_else(|| param("correlation", "must be positive definite"))?;
        let log_det = 2.0 * (0..d).map(|i| chol[i * d + i].ln()).sum::<f64>();
        Ok(Distribution {
            marginals,
            copula: Some(Copula {
                corr,
                chol,
                log_det,
            }),
        })
    }

    /// The joint law of independent blocks (a block with a copula keeps it, block-diagonally).
    pub fn product(parts: &[Distribution]) -> Result<Self> {
        let marginals: Vec<Marginal> = parts.iter().flat_map(|p| p.marginals.clone()).collect();
        if parts.iter().all(|p| p.copula.is_none()) {
            return Distribution::independent(marginals);
        }
        let d = marginals.len();
        let mut corr = vec![0.0; d * d];
        let mut off = 0;
        for p in parts {
            let k = p.dim();
            for i in 0..k {
                for j in 0..k {
                    let r = match &p.copula {
                        Some(c) => c.corr[i * k + j],
                        None => f64::from(u8::from(i == j)),
                    };
                    corr[(off + i) * d + off + j] = r;
                }
            }
            off += k;
        }
        Distribution::gaussian_copula(marginals, corr)
    }

    pub fn dim(&self) -> usize {
        self.marginals.len()
    }

    pub fn marginals(&self) -> &[Marginal] {
        &self.marginals
    }

    pub fn has_copula(&self) -> bool {
        self.copula.is_some()
    }

    /// Maps a standard-normal point `u` to the physical point `x`.
    pub fn from_u(&self, u: &[f64], x: &mut [f64]) {
        let d = self.dim();
        match &self.copula {
            None => {
                for ((xi, &ui), m) in x.iter_mut().zip(u).zip(&self.marginals) {
                    *xi = m.from_z(ui);
                }
            }
            Some(c) => {
                for (i, (xi, m)) in x.iter_mut().zip(&self.marginals).enumerate() {
                    let z: f64 = (0..=i).map(|k| c.chol[i * d + k] * u[k]).sum();
                    *xi = m.from_z(z);
                }
            }
        }
    }

    /// Maps a physical point `x` to its standard-normal image `u`.
    pub fn to_u(&self, x: &[f64], u: &mut [f64]) {
        let d = self.dim();
        for ((ui, &xi), m) in u.iter_mut().zip(x).zip(&self.marginals) {
            *ui = m.to_z(xi);
        }
        if let Some(c) = &self.copula {
            // Forward substitution L u = z, in place.
            for i in 0..d {
                let s: f64 = (0..i).map(|k| c.chol[i * d + k] * u[k]).sum();
                u[i] = (u[i] - s) / c.chol[i * d + i];
            }
        }
    }

    /// Joint log-density at `x` (`-inf` outside the support).
    pub fn log_pdf(&self, x: &[f64]) -> f64 {
        let mut s: f64 = self
            .marginals
            .iter()
            .zip(x)
            .map(|(m, &xi)| m.log_pdf(xi))
            .sum();
        if let Some(c) = &self.copula {
            if s == f64::NEG_INFINITY {
                return s;
            }
            // Copula density: N_R(z) / prod N(z_i), i.e. -ln|R|/2 - (|L^-1 z|^2 - |z|^2) / 2.
            let d = self.dim();
            let z: Vec<f64> = self
                .marginals
                .iter()
                .zip(x)
                .map(|(m, &xi)| m.to_z(xi))
                .collect();
            let mut u = z.clone();
            for i in 0..d {
                let t: f64 = (0..i).map(|k| c.chol[i * d + k] * u[k]).sum();
                u[i] = (u[i] - t) / c.chol[i * d + i];
            }
            let uu: f64 = u.iter().map(|v| v * v).sum();
            let zz: f64 = z.iter().map(|v| v * v).sum();
            s += -0.5 * c.log_det - 0.5 * (uu - zz);
        }
        s
    }

    /// Joint log-densities at every row of `x` (`n x d`) into `out` (length `n`), with `lnx`
    /// the elementwise `ln(max(x, MIN_POSITIVE))` (shared by the callers that evaluate many
    /// laws at the same points). Per-law constants are taken once and nothing is allocated per
    /// row; the values equal [`Distribution::log_pdf`]'s up to rounding.
    pub fn log_pdf_rows(&self, x: &[f64], lnx: &[f64], out: &mut [f64]) {
        let d = self.dim();
        let scales: Vec<f64> = self.marginals.iter().map(Marginal::ln_scale).collect();
        let need_z = self.copula.is_some();
        let inv = self.copula.as_ref().map(|c| {
            // L^-1, so that u = L^-1 z is d independent dot products.
            let inv = super::kernels::lower_inverse(&c.chol, d);
            (inv, -0.5 * c.log_det)
        });
        let mut z = vec![0.0; d];
        for ((xr, lr), o) in x
            .chunks_exact(d)
            .zip(lnx.chunks_exact(d))
            .zip(out.iter_mut())
        {
            let mut s = 0.0;
            for (((m, &xi), &li), (zi, &ls)) in self
                .marginals
                .iter()
                .zip(xr)
                .zip(lr)
                .zip(z.iter_mut().zip(&scales))
            {
                let (lp, zv) = m.log_pdf_and_z(xi, li, ls, need_z);
                s += lp;
                *zi = zv;
            }
            if let Some((inv, half_log_det)) = &inv {
                if s != f64::NEG_INFINITY {
                    let mut uu = 0.0;
                    for (i, row) in inv.chunks_exact(d).enumerate() {
                        let u: f64 = row[..=i].iter().zip(&z[..=i]).map(|(a, b)| a * b).sum();
                        uu += u * u;
                    }
                    let zz: f64 = z.iter().map(|v| v * v).sum();
                    s += half_log_det - 0.5 * (uu - zz);
                }
            }
            *o = s;
        }
    }

    /// Draws `n` points from a generator seeded with `seed`.
    pub fn sample_seeded(&self, n: usize, seed: u64) -> Vec<f64> {
        use rand::SeedableRng;
        self.sample(n, &mut Pcg64::seed_from_u64(seed))
    }

    /// Draws `n` points (row-major `n x d`).
    pub fn sample(&self, n: usize, rng: &mut Pcg64) -> Vec<f64> {
        let d = self.dim();
        let mut out = vec![0.0; n * d];
        let mut u = vec![0.0; d];
        for row in out.chunks_exact_mut(d) {
            u.iter_mut().for_each(|v| *v = rng.sample(StandardNormal));
            self.from_u(&u, row);
        }
        out
    }
}

/// Log-density of the d-dimensional standard normal.
pub fn std_normal_log_pdf(u: &[f64]) -> f64 {
    -0.5 * u.iter().map(|v| v * v).sum::<f64>() - u.len() as f64 * HALF_LN_2PI
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use std::f64::consts::{LN_2, PI};

    #[test]
    fn constants_and_normal_functions() {
        assert!((0.5 * (LN_2 + PI.ln()) - HALF_LN_2PI).abs() < 1e-15);
        assert!((norm_cdf(1.959_963_984_540_054) - 0.975).abs() < 1e-12);
        assert!((norm_ppf(0.975) - 1.959_963_984_540_054).abs() < 1e-9);
    }

    #[test]
    fn lognormal_from_mean_and_cov() {
        let m = Marginal::lognormal_from_mean_cov(200.0, 0.06).unwrap();
        if let Marginal::LogNormal { mu, sigma } = m {
            let mean = (mu + 0.5 * sigma * sigma).exp();
            let var = (sigma * sigma).exp_m1() * mean * mean;
            assert!((mean - 200.0).abs() < 1e-9);
            assert!((var.sqrt() / mean - 0.06).abs() < 1e-12);
        } else {
            panic!("not a lognormal");
        }
    }

    #[test]
    fn transforms_round_trip_and_match_cdfs() {
        let ms = [
            Marginal::normal(1.0, 2.0).unwrap(),
            Marginal::lognormal(0.5, 0.3).unwrap(),
            Marginal::uniform(-1.0, 3.0).unwrap(),
            Marginal::exponential(2.0).unwrap(),
            Marginal::gumbel(1.0, 0.5).unwrap(),
        ];
        for m in &ms {
            for &z in &[-5.0, -1.3, 0.0, 0.7, 4.0] {
                let x = m.from_z(z);
                assert!((m.to_z(x) - z).abs() < 1e-6, "{m:?} z={z}");
                let (cdf, _) = m.cdf_sf(x);
                assert!((cdf - norm_cdf(z)).abs() < 1e-12);
            }
        }
        // Exponential(2) at x = 0.5: F = 1 - e^-1; Gumbel(1, 0.5) at x = 1: F = e^-1.
        let (c, _) = ms[3].cdf_sf(0.5);
        assert!((c - (1.0 - (-1.0f64).exp())).abs() < 1e-15);
        assert!((ms[4].log_pdf(1.0) - (-1.0 - 0.5f64.ln())).abs() < 1e-15);
        assert_eq!(ms[2].log_pdf(5.0), f64::NEG_INFINITY);
    }

    #[test]
    fn bad_parameters_are_rejected() {
        assert!(Marginal::normal(0.0, 0.0).is_err());
        assert!(Marginal::uniform(1.0, 1.0).is_err());
        assert!(Marginal::exponential(-1.0).is_err());
        assert!(Marginal::lognormal_from_mean_cov(-1.0, 0.1).is_err());
        let n = Marginal::normal(0.0, 1.0).unwrap();
        assert!(Distribution::gaussian_copula(
            vec![n.clone(), n.clone()],
            vec![1.0, 1.5, 1.5, 1.0]
        )
        .is_err());
        assert!(
            Distribution::gaussian_copula(vec![n.clone(), n], vec![1.0, 0.5, 0.4, 1.0]).is_err()
        );
    }

    #[test]
    fn batch_log_density_matches_the_pointwise_one() {
        let marg = vec![
            Marginal::lognormal(0.5, 0.3).unwrap(),
            Marginal::normal(1.0, 2.0).unwrap(),
            Marginal::uniform(0.0, 2.0).unwrap(),
            Marginal::gumbel(0.0, 1.5).unwrap(),
        ];
        let mut corr = vec![0.0; 16];
        (0..4).for_each(|i| corr[i * 4 + i] = 1.0);
        for (a, b, r) in [(0, 1, 0.4), (1, 2, -0.3), (0, 3, 0.2)] {
            corr[a * 4 + b] = r;
            corr[b * 4 + a] = r;
        }
        // Points inside the support, and ones outside (x_0 <= 0, x_2 > 2).
        let x = [
            1.2, 0.5, 0.3, 0.7, 0.4, -2.0, 1.9, -1.0, -1.0, 1.0, 1.0, 0.0, 2.0, 3.0, 2.5, 4.0,
        ];
        let lnx: Vec<f64> = x
            .iter()
            .map(|v: &f64| v.max(f64::MIN_POSITIVE).ln())
            .collect();
        for law in [
            Distribution::independent(marg.clone()).unwrap(),
            Distribution::gaussian_copula(marg, corr).unwrap(),
        ] {
            let mut out = [0.0; 4];
            law.log_pdf_rows(&x, &lnx, &mut out);
            for (row, o) in x.chunks(4).zip(out) {
                let e = law.log_pdf(row);
                assert!(
                    (e == f64::NEG_INFINITY && o == e) || (e - o).abs() < 1e-12,
                    "{e} vs {o}"
                );
            }
            assert!(out[0].is_finite() && out[2] == f64::NEG_INFINITY);
        }
    }

    #[test]
    fn copula_density_of_normal_marginals_is_the_bivariate_normal() {
        let n = Marginal::normal(0.0, 1.0).unwrap();
        let r = 0.6;
        let dist = Distribution::gaussian_copula(vec![n.clone(), n], vec![1.0, r, r, 1.0]).unwrap();
        let (x, y) = (0.3, -1.1);
        let det = 1.0 - r * r;
        let expected =
            -(2.0 * PI).ln() - 0.5 * det.ln() - (x * x - 2.0 * r * x * y + y * y) / (2.0 * det);
        assert!((dist.log_pdf(&[x, y]) - expected).abs() < 1e-12);
        let mut u = [0.0; 2];
        let mut back = [0.0; 2];
        dist.to_u(&[x, y], &mut u);
        dist.from_u(&u, &mut back);
        assert!((back[0] - x).abs() < 1e-12 && (back[1] - y).abs() < 1e-12);
        // Sample correlation close to r.
        let mut rng = Pcg64::seed_from_u64(3);
        let s = dist.sample(20_000, &mut rng);
        let c: f64 = s.chunks(2).map(|p| p[0] * p[1]).sum::<f64>() / 20_000.0;
        assert!((c - r).abs() < 0.03);
    }
}
