//! Adaptive importance sampling with control variates for many expectations at once (the
//! method of Demange-Chryst, Bachoc and Morio, arXiv 2212.00568), as an ask/tell state machine:
//! `ask` returns the next batch of input points, the caller evaluates the model on it and passes
//! the outputs to `tell`. Everything happens in the standard-normal space `u` of the first input
//! law; the target densities there are `f_k(x(u)) |det dx/du|`.
//!
//! Targets whose function changes sign on the pilot batch get two mixture components, fitted to
//! `phi^+ f` and `phi^- f`, and two control variates: with both proposals exact,
//! `f phi = I^+ g^+ - I^- g^-` and the estimator has zero variance, which one proposal fitted
//! to `|phi| f` (or the published code's CE weights `phi f`, negative in places) cannot reach.

use super::dist::std_normal_log_pdf;
use super::kernels::{columns, exp_in_place, recycle, scratch};
use super::problem::{check_outputs, mean_and_cov, sample_var, Outcome, Problem, Step};
use super::proposal::{pick, Component, Gaussian, GaussianMixture};
use super::simplex;
use crate::error::{param, Error, Result};
use rand::{Rng, SeedableRng};
use rand_distr::StandardNormal;
use rand_pcg::Pcg64;
use serde::{Deserialize, Serialize};

/// Floor on every mixture weight, so that no component is ever switched off entirely.
pub const ALPHA_FLOOR: f64 = 1e-10;

/// The proposal family of each mixture component.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Family {
    /// One Gaussian per component; `diag` restricts it to a diagonal covariance.
    Gaussian { diag: bool },
    /// A Gaussian mixture of `n_components` per component, fitted by weighted EM.
    Mixture { n_components: usize, diag: bool },
}

/// A proposal the batches are drawn from, in `u` space.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Proposal {
    /// The equal mixture of the input laws (the standard normal for one law): the pilot.
    Inputs,
    /// `sum_j alpha_j g_j`.
    Mix {
        comps: Vec<Component>,
        alpha: Vec<f64>,
    },
}

/// One component per (target, sign) part.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
struct Part {
    target: usize,
    positive: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Phase {
    Pilot,
    Adapt,
    Final,
    Done,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Batch {
    u: Vec<f64>,
    x: Vec<f64>,
    logf: Vec<f64>,
}

/// The estimator's whole state (serializable).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Iscv {
    problem: Problem,
    family: Family,
    budget: usize,
    batch: usize,
    rng: Pcg64,
    phase: Phase,
    runs: usize,
    // Adaptation samples: u (n x d), log target densities (n x K_d), outputs (n x K_f).
    u: Vec<f64>,
    logf: Vec<f64>,
    y: Vec<f64>,
    /// The proposals used so far (one per batch) and their log-densities at every sample.
    stages: Vec<Proposal>,
    stage_logpdf: Vec<Vec<f64>>,
    parts: Vec<Part>,
    beta: Vec<f64>,
    prev_predicted: f64,
    /// The best proposal so far (lowest predicted final variance) with its control coefficients.
    best: (Proposal, Vec<f64>, f64),
    pending: Option<Batch>,
    final_values: Vec<f64>,
    runs_adaptation: usize,
    history: Vec<Step>,
}

/// Smallest batch: at least 10 points and twice the dimension plus one (covariance fits).
pub fn min_batch(d: usize) -> usize {
    (2 * (d + 1)).max(10)
}

/// OLS slopes of `y` on the columns of `z` (n x p, p = 1 or 2) with an intercept:
/// `beta = Cov(z)^-1 Cov(z, y)`. A singular design gives zero slopes.
pub fn control_coefficients(y: &[f64], z: &[f64], p: usize) -> Vec<f64> {
    let n = y.len();
    if n < 2 || p == 0 {
        return vec![0.0; p];
    }
    let my = y.iter().sum::<f64>() / n as f64;
    let mut mz = vec![0.0; p];
    for row in z.chunks_exact(p) {
        mz.iter_mut().zip(row).for_each(|(m, v)| *m += v);
    }
    mz.iter_mut().for_each(|m| *m /= n as f64);
    let mut szz = vec![0.0; p * p];
    let mut szy = vec![0.0; p];
    for (row, &yi) in z.chunks_exact(p).zip(y) {
        for a in 0..p {
            let ca = row[a] - mz[a];
            szy[a] += ca * (yi - my);
            for b in 0..p {
                szz[a * p + b] += ca * (row[b] - mz[b]);
            }
        }
    }
    match p {
        1 if szz[0] > 1e-300 => vec![szy[0] / szz[0]],
        2 => {
            let det = szz[0] * szz[3] - szz[1] * szz[2];
            if det.abs() > 1e-12 * (szz[0] * szz[3]).abs() && det != 0.0 {
                vec![
                    (szz[3] * szy[0] - szz[1] * szy[1]) / det,
                    (szz[0] * szy[1] - szz[2] * szy[0]) / det,
                ]
            } else if szz[0] > 1e-300 {
                vec![szy[0] / szz[0], 0.0]
            } else {
                vec![0.0; 2]
            }
        }
        _ => vec![0.0; p],
    }
}

/// The stopping rule's quantity: the weighted variance the final estimates would have if the
/// remaining budget were spent on the current proposal.
pub fn predicted_final_variance(weights: &[f64], variances: &[f64], remaining: usize) -> f64 {
    let s: f64 = weights.iter().zip(variances).map(|(w, v)| w * v).sum();
    if remaining == 0 {
        f64::INFINITY
    } else {
        s / remaining as f64
    }
}

fn log_sum_exp(v: impl Iterator<Item = f64> + Clone) -> f64 {
    let m = v.clone().fold(f64::NEG_INFINITY, f64::max);
    if m == f64::NEG_INFINITY {
        return m;
    }
    m + v.map(|x| (x - m).exp()).sum::<f64>().ln()
}

/// Log-densities of every component at every row of `u` (`n x d`): `n x J`, row-major, in a
/// [`scratch`] buffer (hand it back with [`recycle`]).
fn component_log_pdfs(comps: &[Component], u: &[f64], d: usize) -> Vec<f64> {
    let n = u.len() / d;
    let jn = comps.len();
    let mut out = scratch(n * jn);
    let mut col = vec![0.0; n];
    for (j, c) in comps.iter().enumerate() {
        c.log_pdf_rows(u, &mut col);
        for (row, v) in out.chunks_exact_mut(jn).zip(&col) {
            row[j] = *v;
        }
    }
    out
}

/// `ln sum_j alpha_j exp(l_j)` from one sample's component log-densities `l`, with one
/// exponential per component; `z`, when given, receives the ratios `exp(l_j) / sum` (the
/// control variates `g_j / g_alpha`).
fn mix_log(l: &[f64], alpha: &[f64], z: Option<&mut [f64]>) -> f64 {
    let m = l.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if m == f64::NEG_INFINITY || m.is_nan() {
        if let Some(z) = z {
            z.iter_mut().for_each(|v| *v = 0.0);
        }
        return m;
    }
    match z {
        Some(z) => {
            let mut s = 0.0;
            for ((zj, lj), aj) in z.iter_mut().zip(l).zip(alpha) {
                let e = (lj - m).exp();
                *zj = e;
                s += aj * e;
            }
            z.iter_mut().for_each(|v| *v /= s);
            m + s.ln()
        }
        None => {
            let s: f64 = l
                .iter()
                .zip(alpha)
                .map(|(lj, aj)| aj * (lj - m).exp())
                .sum();
            m + s.ln()
        }
    }
}

/// `ln g_alpha` at every sample from the component log-densities `lg` (`n x J`), with all the
/// exponentials in one vectorised pass; on return `lg` holds the ratios `g_j / g_alpha`.
fn mix_log_rows(lg: &mut [f64], alpha: &[f64]) -> Vec<f64> {
    let jn = alpha.len();
    let maxes: Vec<f64> = lg
        .chunks_exact_mut(jn)
        .map(|row| {
            let m = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let shift = if m.is_finite() { m } else { 0.0 };
            row.iter_mut().for_each(|v| *v -= shift);
            m
        })
        .collect();
    exp_in_place(lg);
    lg.chunks_exact_mut(jn)
        .zip(maxes)
        .map(|(row, m)| {
            if !m.is_finite() {
                row.iter_mut().for_each(|v| *v = 0.0);
                return m;
            }
            let s: f64 = row.iter().zip(alpha).map(|(e, a)| a * e).sum();
            row.iter_mut().for_each(|v| *v /= s);
            m + s.ln()
        })
        .collect()
}

impl Iscv {
    pub fn new(problem: Problem, budget: usize, family: Family, seed: u64) -> Result<Self> {
        let d = problem.dim();
        let batch = budget / 10;
        let need = 10 * min_batch(d);
        if batch < min_batch(d) {
            return Err(param(
                "budget",
                format!("must be at least {need} model runs in dimension {d} (10 batches of {}), got {budget}", min_batch(d)),
            ));
        }
        if let Family::Mixture { n_components, .. } = family {
            if n_components == 0 {
                return Err(param("n_components", "must be at least 1"));
            }
        }
        Ok(Iscv {
            problem,
            family,
            budget,
            batch,
            rng: Pcg64::seed_from_u64(seed),
            phase: Phase::Pilot,
            runs: 0,
            u: vec![],
            logf: vec![],
            y: vec![],
            stages: vec![],
            stage_logpdf: vec![],
            parts: vec![],
            beta: vec![],
            prev_predicted: f64::INFINITY,
            best: (Proposal::Inputs, vec![], f64::INFINITY),
            pending: None,
            final_values: vec![],
            runs_adaptation: 0,
            history: vec![],
        })
    }

    pub fn runs(&self) -> usize {
        self.runs
    }

    /// Fixes the number of model outputs (and the weights, one per target) once it is known,
    /// before the first `tell`; a rejected call changes nothing.
    pub fn set_outputs(&mut self, n_outputs: usize, weights: Option<Vec<f64>>) -> Result<()> {
        self.problem = self.problem.with_outputs(self.runs, n_outputs, weights)?;
        Ok(())
    }

    pub fn budget(&self) -> usize {
        self.budget
    }

    pub fn done(&self) -> bool {
        self.phase == Phase::Done
    }

    fn n_adapt(&self) -> usize {
        self.y.len() / self.problem.n_outputs
    }

    /// Log target densities in `u` space (`n x K_d`, row-major) at a batch of points: the
    /// standard normal for the first law, and `f_q(x) / f_0(x)` times it for the others.
    fn log_targets(&self, u: &[f64], x: &[f64]) -> Vec<f64> {
        let inputs = &self.problem.inputs;
        let (d, k_d) = (self.problem.dim(), inputs.len());
        let n = u.len() / d;
        let base: Vec<f64> = u.chunks_exact(d).map(std_normal_log_pdf).collect();
        if k_d == 1 {
            return base;
        }
        let lnx: Vec<f64> = x.iter().map(|v| v.max(f64::MIN_POSITIVE).ln()).collect();
        let mut l0 = vec![0.0; n];
        inputs[0].log_pdf_rows(x, &lnx, &mut l0);
        let mut out = vec![0.0; n * k_d];
        let mut lq = vec![0.0; n];
        for (i, b) in base.iter().enumerate() {
            out[i * k_d] = *b;
        }
        for (q, f) in inputs.iter().enumerate().skip(1) {
            f.log_pdf_rows(x, &lnx, &mut lq);
            for i in 0..n {
                out[i * k_d + q] = if l0[i].is_finite() {
                    lq[i] - l0[i] + base[i]
                } else {
                    f64::NEG_INFINITY
                };
            }
        }
        out
    }

    fn draw(&mut self, proposal: &Proposal, n: usize) -> Batch {
        let d = self.problem.dim();
        let k_d = self.problem.inputs.len();
        let mut u = vec![0.0; n * d];
        let mut x = vec![0.0; n * d];
        let mut work = vec![0.0; d];
        let mut z = vec![0.0; d];
        for i in 0..n {
            let (ui, xi) = (&mut u[i * d..(i + 1) * d], &mut x[i * d..(i + 1) * d]);
            match proposal {
                Proposal::Inputs => {
                    let k = if k_d == 1 {
                        0
                    } else {
                        self.rng.random_range(0..k_d)
                    };
                    z.iter_mut()
                        .for_each(|v| *v = self.rng.sample(StandardNormal));
                    if k == 0 {
                        ui.copy_from_slice(&z);
                        self.problem.inputs[0].from_u(ui, xi);
                    } else {
                        self.problem.inputs[k].from_u(&z, xi);
                        self.problem.inputs[0].to_u(xi, ui);
                    }
                }
                Proposal::Mix { comps, alpha } => {
                    let j = pick(alpha, self.rng.random::<f64>());
                    comps[j].sample_into(&mut self.rng, ui, &mut work);
                    self.problem.inputs[0].from_u(ui, xi);
                }
            }
        }
        let logf = self.log_targets(&u, &x);
        Batch { u, x, logf }
    }

    /// The log-density of a proposal at every row of a batch (`u`, with its log target
    /// densities `logf`).
    fn stage_log_density(&self, p: &Proposal, u: &[f64], logf: &[f64]) -> Vec<f64> {
        let k_d = self.problem.inputs.len();
        match p {
            Proposal::Inputs => {
                let ln_k = (k_d as f64).ln();
                logf.chunks_exact(k_d)
                    .map(|li| log_sum_exp(li.iter().copied()) - ln_k)
                    .collect()
            }
            Proposal::Mix { comps, alpha } => {
                let mut lg = component_log_pdfs(comps, u, self.problem.dim());
                let v = mix_log_rows(&mut lg, alpha);
                recycle(lg);
                v
            }
        }
    }

    /// The next batch of input points (row-major `n x d`), or `None` when the estimation is
    /// complete. Asking again before `tell` returns the same batch.
    pub fn ask(&mut self) -> Option<&[f64]> {
        if self.phase == Phase::Done {
            return None;
        }
        if self.pending.is_none() {
            let (proposal, n) = match self.phase {
                Phase::Pilot => (Proposal::Inputs, self.batch),
                Phase::Adapt => (
                    self.stages.last().cloned().unwrap_or(Proposal::Inputs),
                    self.batch,
                ),
                _ => (self.best.0.clone(), self.batch.min(self.budget - self.runs)),
            };
            let b = self.draw(&proposal, n);
            self.pending = Some(b);
        }
        self.pending.as_ref().map(|b| b.x.as_slice())
    }

    /// Passes the model's outputs (`n x K_f`, row-major) on the last asked batch. A rejected
    /// output leaves the state unchanged, so the batch can be evaluated again.
    pub fn tell(&mut self, y: &[f64]) -> Result<()> {
        let d = self.problem.dim();
        let k_f = self.problem.n_outputs;
        let n = match &self.pending {
            Some(b) => b.u.len() / d,
            None => return Err(param("tell", "no batch is pending: call ask first")),
        };
        check_outputs(y, n, k_f)?;
        let batch = self.pending.take().ok_or(Error::Empty { name: "batch" })?;
        self.runs += n;
        match self.phase {
            Phase::Pilot => {
                self.push_batch(batch, y, Proposal::Inputs);
                self.after_pilot();
            }
            Phase::Adapt => {
                let stage = self.stages.last().cloned().unwrap_or(Proposal::Inputs);
                self.after_adaptive(batch, y, stage);
            }
            Phase::Final => self.after_final(&batch, y),
            Phase::Done => {}
        }
        Ok(())
    }

    /// Stores an adaptation batch and extends every stage's log-density over it.
    fn push_batch(&mut self, batch: Batch, y: &[f64], stage: Proposal) {
        let d = self.problem.dim();
        let k_d = self.problem.inputs.len();
        let n_old = self.n_adapt();
        // The new stage's density at the old samples.
        let mut new_stage = self.stage_log_density(&stage, &self.u, &self.logf);
        debug_assert_eq!(new_stage.len(), n_old);
        // Room for every adaptation sample at once (at most half the budget): no reallocation
        // and copy of the stored arrays as batches arrive.
        let cap = self.budget / 2 + self.batch;
        new_stage.reserve(cap.saturating_sub(n_old));
        if n_old == 0 {
            self.u.reserve(cap * d);
            self.logf.reserve(cap * k_d);
            self.y.reserve(cap * self.problem.n_outputs);
        }
        self.stages.push(stage);
        self.stage_logpdf.push(new_stage);
        // Every stage's density at the new samples.
        for s in 0..self.stages.len() {
            let v = self.stage_log_density(&self.stages[s], &batch.u, &batch.logf);
            self.stage_logpdf[s].extend(v);
        }
        debug_assert_eq!(batch.u.len() / d, batch.logf.len() / k_d);
        self.u.extend_from_slice(&batch.u);
        self.logf.extend_from_slice(&batch.logf);
        self.y.extend_from_slice(y);
    }

    /// Log-density of the recycling mixture `h` (equal weights: equal batches) at every sample.
    fn log_h(&self) -> Vec<f64> {
        let n = self.n_adapt();
        let ln_s = (self.stages.len() as f64).ln();
        (0..n)
            .map(|i| log_sum_exp(self.stage_logpdf.iter().map(|s| s[i])) - ln_s)
            .collect()
    }

    fn phi(&self, i: usize, k: usize) -> f64 {
        self.y[i * self.problem.n_outputs + self.problem.col(k)]
    }

    fn lf(&self, i: usize, k: usize) -> f64 {
        self.logf[i * self.problem.inputs.len() + self.problem.dens(k)]
    }

    fn after_pilot(&mut self) {
        let n = self.n_adapt();
        let k = self.problem.n_targets();
        let logh = self.log_h();
        // Parts: a positive part unless the function is <= 0 everywhere, a negative part if it
        // takes negative values anywhere on the pilot batch.
        let mut parts = vec![];
        let mut variances = vec![0.0; k];
        for (t, var) in variances.iter_mut().enumerate() {
            let vals: Vec<f64> = (0..n)
                .map(|i| (self.lf(i, t) - logh[i]).exp() * self.phi(i, t))
                .collect();
            *var = sample_var(&vals);
            let pos = vals.iter().any(|&v| v > 0.0);
            let neg = vals.iter().any(|&v| v < 0.0);
            if pos || !neg {
                parts.push(Part {
                    target: t,
                    positive: true,
                });
            }
            if neg {
                parts.push(Part {
                    target: t,
                    positive: false,
                });
            }
        }
        // Initial coefficients: the part integrals (optimal for exact proposals), and mixture
        // weights proportional to sqrt(w_k) times them.
        let mut beta = Vec::with_capacity(parts.len());
        let mut alpha = Vec::with_capacity(parts.len());
        for p in &parts {
            let s = if p.positive { 1.0 } else { -1.0 };
            let integral = (0..n)
                .map(|i| {
                    (self.lf(i, p.target) - logh[i]).exp() * (s * self.phi(i, p.target)).max(0.0)
                })
                .sum::<f64>()
                / n as f64;
            beta.push(s * integral);
            alpha.push(self.problem.weights[p.target].sqrt() * integral);
        }
        let total: f64 = alpha.iter().sum();
        if total > 0.0 && total.is_finite() {
            alpha.iter_mut().for_each(|a| *a /= total);
        } else {
            alpha = vec![1.0 / parts.len() as f64; parts.len()];
        }
        self.parts = parts;
        self.beta = beta;
        let predicted =
            predicted_final_variance(&self.problem.weights, &variances, self.budget - self.runs);
        self.history.push(Step {
            runs: self.runs,
            alpha: vec![],
            variances,
            predicted,
        });
        self.prev_predicted = predicted;
        self.best = (Proposal::Inputs, vec![], predicted);
        self.adapt(alpha);
    }

    /// Cross-entropy update of every component, then the mixture weights; or the final phase when
    /// the adaptation budget (half the total) is spent.
    fn adapt(&mut self, alpha_start: Vec<f64>) {
        if self.runs + self.batch > self.budget / 2 {
            self.start_final();
            return;
        }
        let d = self.problem.dim();
        let n = self.n_adapt();
        let logh = self.log_h();
        let previous: Vec<Component> = match self.stages.last() {
            Some(Proposal::Mix { comps, .. }) => comps.clone(),
            _ => vec![Component::Gaussian(Gaussian::standard(d)); self.parts.len()],
        };
        let k_d = self.problem.inputs.len();
        // exp(ln f - ln h) once per sample and input law, shared by the targets and parts.
        let mut rl: Vec<f64> = self
            .logf
            .chunks_exact(k_d)
            .zip(&logh)
            .flat_map(|(li, lh)| li.iter().map(move |l| l - lh))
            .collect();
        exp_in_place(&mut rl);
        let mut comps = Vec::with_capacity(self.parts.len());
        let mut w = vec![0.0; n];
        // The samples' columns once for all the Gaussian fits of this step.
        let ut = match self.family {
            Family::Gaussian { .. } => columns(&self.u, d),
            Family::Mixture { .. } => vec![],
        };
        for (j, p) in self.parts.iter().enumerate() {
            let s = if p.positive { 1.0 } else { -1.0 };
            let q = self.problem.dens(p.target);
            for (i, wi) in w.iter_mut().enumerate() {
                let v = (s * self.phi(i, p.target)).max(0.0);
                *wi = if v > 0.0 { rl[i * k_d + q] * v } else { 0.0 };
            }
            let fitted = match self.family {
                Family::Gaussian { diag } => {
                    Gaussian::fit_weighted_cols(&self.u, Some(&ut), &w, d, diag)
                        .map(Component::Gaussian)
                }
                Family::Mixture { n_components, diag } => {
                    GaussianMixture::fit_weighted(&self.u, &w, d, n_components, diag, 100)
                        .map(Component::Mixture)
                }
            };
            comps.push(fitted.unwrap_or_else(|| previous[j].clone()));
        }
        recycle(ut);
        // The alpha criterion at every sample, scaled per sample by exp(-m_i) (the ratio is
        // scale-free): a_i = sum_k w_k psi_k(i)^2 / h(i), G_ij = g_j(u_i).
        let jn = comps.len();
        let k = self.problem.n_targets();
        // Log-densities of the new components at every sample, kept for the stage's density.
        let lg_all = component_log_pdfs(&comps, &self.u, d);
        // Shifts m_i, then every exponential in one vectorised pass each: G, the target
        // densities and h, all scaled by exp(-m_i).
        let mut mi = vec![0.0; n];
        let mut g = scratch(lg_all.len());
        g.copy_from_slice(&lg_all);
        let mut ef = self.logf.clone();
        let mut hs = logh.clone();
        for i in 0..n {
            let (gi, fi) = (
                &mut g[i * jn..(i + 1) * jn],
                &mut ef[i * k_d..(i + 1) * k_d],
            );
            let m = gi.iter().chain(fi.iter()).copied().fold(logh[i], f64::max);
            mi[i] = m;
            gi.iter_mut().for_each(|v| *v -= m);
            fi.iter_mut().for_each(|v| *v -= m);
            hs[i] -= m;
        }
        exp_in_place(&mut g);
        exp_in_place(&mut ef);
        exp_in_place(&mut hs);
        let mut a = vec![0.0; n];
        let mut psi = vec![0.0; k];
        for i in 0..n {
            let gi = &g[i * jn..(i + 1) * jn];
            for (t, v) in psi.iter_mut().enumerate() {
                *v = ef[i * k_d + self.problem.dens(t)] * self.phi(i, t);
            }
            for ((p, b), gj) in self.parts.iter().zip(&self.beta).zip(gi) {
                psi[p.target] -= b * gj;
            }
            let num: f64 = psi
                .iter()
                .zip(&self.problem.weights)
                .map(|(v, wt)| wt * v * v)
                .sum();
            let h = hs[i];
            a[i] = if h > 0.0 { num / h } else { 0.0 };
        }
        let scale = a.iter().sum::<f64>();
        if scale > 0.0 && scale.is_finite() {
            a.iter_mut().for_each(|v| *v /= scale);
        }
        let alpha = simplex::minimize(&g, &a, &alpha_start, ALPHA_FLOOR);
        // Register the stage now (its batch is asked next): densities at the old samples,
        // from the scaled densities G (ln g_alpha = m + ln sum_j alpha_j G_ij) unless that sum
        // underflows.
        let mut col = Vec::with_capacity(self.budget / 2 + self.batch);
        col.extend((0..n).map(|i| {
            let s: f64 = g[i * jn..(i + 1) * jn]
                .iter()
                .zip(&alpha)
                .map(|(x, w)| x * w)
                .sum();
            if s > 1e-200 {
                mi[i] + s.ln()
            } else {
                mix_log(&lg_all[i * jn..(i + 1) * jn], &alpha, None)
            }
        }));
        recycle(lg_all);
        recycle(g);
        let stage = Proposal::Mix { comps, alpha };
        self.stages.push(stage);
        self.stage_logpdf.push(col);
        self.phase = Phase::Adapt;
    }

    /// Per-sample estimator values `(f_k phi_k - sum_j beta_j g_j) / g_alpha` on a batch drawn
    /// from `stage`, and the control variates `g_j / g_alpha`.
    fn batch_values(
        &self,
        stage: &Proposal,
        beta: &[f64],
        u: &[f64],
        logf: &[f64],
        y: &[f64],
    ) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        let d = self.problem.dim();
        let k_d = self.problem.inputs.len();
        let k_f = self.problem.n_outputs;
        let k = self.problem.n_targets();
        let n = u.len() / d;
        let jn = beta.len();
        let mut z = vec![];
        // Each component's density once: for the mixture and for the control variates.
        let lgas = match stage {
            Proposal::Mix { comps, alpha } => {
                let mut lg = component_log_pdfs(comps, u, d);
                let lgas = mix_log_rows(&mut lg, alpha);
                let cj = comps.len();
                if cj == jn {
                    // The ratios g_j / g_alpha are the control variates as they stand.
                    z = lg;
                } else {
                    z = vec![0.0; n * jn];
                    let m = jn.min(cj);
                    for (zi, l) in z.chunks_exact_mut(jn.max(1)).zip(lg.chunks_exact(cj)) {
                        zi[..m].copy_from_slice(&l[..m]);
                    }
                    recycle(lg);
                }
                lgas
            }
            Proposal::Inputs => {
                z.resize(n * jn, 0.0);
                self.stage_log_density(stage, u, logf)
            }
        };
        // The density ratios f / g_alpha once per input law, shared by its targets.
        let mut r: Vec<f64> = logf
            .chunks_exact(k_d)
            .zip(&lgas)
            .flat_map(|(li, lga)| li.iter().map(move |l| l - lga))
            .collect();
        exp_in_place(&mut r);
        let mut ratio = vec![0.0; n * k];
        for i in 0..n {
            for t in 0..k {
                ratio[i * k + t] =
                    r[i * k_d + self.problem.dens(t)] * y[i * k_f + self.problem.col(t)];
            }
        }
        (ratio, z, lgas)
    }

    fn after_adaptive(&mut self, batch: Batch, y: &[f64], stage: Proposal) {
        let k = self.problem.n_targets();
        let jn = self.parts.len();
        let (ratio, z, lga) = self.batch_values(&stage, &self.beta, &batch.u, &batch.logf, y);
        let n = batch.u.len() / self.problem.dim();
        self.push_batch_existing_stage(batch, y, lga);
        // beta by regression on this batch, per target on its own parts.
        let mut beta = vec![0.0; jn];
        let mut variances = vec![0.0; k];
        for t in 0..k {
            let idx: Vec<usize> = (0..jn).filter(|&j| self.parts[j].target == t).collect();
            let p = idx.len();
            let yt: Vec<f64> = (0..n).map(|i| ratio[i * k + t]).collect();
            let zt: Vec<f64> = (0..n)
                .flat_map(|i| idx.iter().map(move |&j| (i, j)))
                .map(|(i, j)| z[i * jn + j])
                .collect();
            let b = control_coefficients(&yt, &zt, p);
            for (&j, &bj) in idx.iter().zip(&b) {
                beta[j] = bj;
            }
            let resid: Vec<f64> = (0..n)
                .map(|i| {
                    yt[i]
                        - idx
                            .iter()
                            .zip(&b)
                            .map(|(&j, bj)| bj * z[i * jn + j])
                            .sum::<f64>()
                })
                .collect();
            variances[t] = sample_var(&resid);
        }
        recycle(z);
        let predicted =
            predicted_final_variance(&self.problem.weights, &variances, self.budget - self.runs);
        let alpha = match &stage {
            Proposal::Mix { alpha, .. } => alpha.clone(),
            Proposal::Inputs => vec![],
        };
        self.history.push(Step {
            runs: self.runs,
            alpha: alpha.clone(),
            variances,
            predicted,
        });
        if predicted < self.best.2 {
            self.best = (stage, beta.clone(), predicted);
        }
        let improving = predicted < self.prev_predicted;
        self.prev_predicted = predicted;
        self.beta = beta;
        if improving {
            self.adapt(alpha);
        } else {
            self.start_final();
        }
    }

    /// Stores a batch drawn from the last registered stage (whose densities at the older
    /// samples are already known): only the older stages' densities at the new samples are
    /// computed, each sample's density under a past proposal never changes.
    fn push_batch_existing_stage(&mut self, batch: Batch, y: &[f64], current: Vec<f64>) {
        let last = self.stages.len() - 1;
        for s in 0..last {
            let v = self.stage_log_density(&self.stages[s], &batch.u, &batch.logf);
            self.stage_logpdf[s].extend(v);
        }
        // The batch's own proposal: its densities came with the estimator values.
        self.stage_logpdf[last].extend(current);
        self.u.extend_from_slice(&batch.u);
        self.logf.extend_from_slice(&batch.logf);
        self.y.extend_from_slice(y);
    }

    fn start_final(&mut self) {
        self.runs_adaptation = self.runs;
        // The adaptation data are no longer needed.
        self.u = vec![];
        self.logf = vec![];
        self.stage_logpdf = vec![];
        self.phase = if self.runs < self.budget {
            Phase::Final
        } else {
            Phase::Done
        };
    }

    fn after_final(&mut self, batch: &Batch, y: &[f64]) {
        let k = self.problem.n_targets();
        let (stage, beta) = (self.best.0.clone(), self.best.1.clone());
        let (ratio, z, _) = self.batch_values(&stage, &beta, &batch.u, &batch.logf, y);
        let jn = beta.len();
        // Each row's values, then every part's control variate subtracted from its own target
        // (parts in order, so each target's subtractions keep their order: the same bits as a
        // loop over targets and their parts, with one pass over the parts instead of K).
        if jn == 0 {
            self.final_values.extend_from_slice(&ratio);
        } else {
            self.final_values.reserve(ratio.len());
            for (ri, zi) in ratio.chunks_exact(k).zip(z.chunks_exact(jn)) {
                let start = self.final_values.len();
                self.final_values.extend_from_slice(ri);
                let row = &mut self.final_values[start..];
                for ((p, b), zj) in self.parts.iter().zip(&beta).zip(zi) {
                    row[p.target] -= b * zj;
                }
            }
        }
        recycle(z);
        if self.runs >= self.budget {
            self.phase = Phase::Done;
        }
    }

    /// The final sample's per-point values (`n x k`, row-major) and the constants added to their
    /// means (the control variates' known expectations): the estimates are `mean + offset`.
    pub fn final_rows(&self) -> Result<(Vec<f64>, Vec<f64>)> {
        if self.phase != Phase::Done {
            return Err(param(
                "outcome",
                "the estimation is not finished: keep calling ask and tell",
            ));
        }
        let mut offset = vec![0.0; self.problem.n_targets()];
        for (j, p) in self.parts.iter().enumerate().take(self.best.1.len()) {
            offset[p.target] += self.best.1[j];
        }
        Ok((self.final_values.clone(), offset))
    }

    /// The estimates, once `ask` has returned `None`.
    pub fn outcome(&self) -> Result<Outcome> {
        if self.phase != Phase::Done {
            return Err(param(
                "outcome",
                "the estimation is not finished: keep calling ask and tell",
            ));
        }
        let k = self.problem.n_targets();
        let n = self.final_values.len() / k;
        let (mut mean, covariance) = mean_and_cov(&self.final_values, n, k);
        for (j, p) in self.parts.iter().enumerate().take(self.best.1.len()) {
            mean[p.target] += self.best.1[j];
        }
        let std_errors = (0..k).map(|t| covariance[t * k + t].sqrt()).collect();
        let mut split = vec![false; k];
        for p in &self.parts {
            if !p.positive {
                split[p.target] = true;
            }
        }
        Ok(Outcome {
            estimates: mean,
            std_errors,
            covariance,
            runs_adaptation: self.runs_adaptation,
            runs_final: self.runs - self.runs_adaptation,
            history: self.history.clone(),
            split,
        })
    }

    /// Runs the whole estimation with a Rust model (used by the tests and the Sobol' driver).
    pub fn run(mut self, mut model: impl FnMut(&[f64]) -> Vec<f64>) -> Result<Outcome> {
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
    use crate::sampling::dist::{Distribution, Marginal};

    fn normal_problem(k: usize, weights: Option<Vec<f64>>) -> Problem {
        let n = Distribution::independent(vec![Marginal::normal(0.0, 1.0).unwrap()]).unwrap();
        Problem::new(vec![n], k, weights).unwrap()
    }

    #[test]
    fn control_coefficient_by_hand() {
        // y = 2 + 3 z exactly: slope 3. Two regressors y = 1 + 2 z1 - z2.
        assert_eq!(
            control_coefficients(&[2.0, 5.0, 8.0], &[0.0, 1.0, 2.0], 1),
            vec![3.0]
        );
        let z = [0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 1.0, 1.0];
        let y: Vec<f64> = z.chunks(2).map(|r| 1.0 + 2.0 * r[0] - r[1]).collect();
        let b = control_coefficients(&y, &z, 2);
        assert!((b[0] - 2.0).abs() < 1e-12 && (b[1] + 1.0).abs() < 1e-12);
        // A constant control variate carries no information.
        assert_eq!(control_coefficients(&[1.0, 2.0], &[1.0, 1.0], 1), vec![0.0]);
    }

    #[test]
    fn pilot_variance_and_stopping_quantity_by_hand() {
        // Budget 100: pilot batch of 10; with one input law the weights f/h are exactly 1, so
        // the pilot variance is the sample variance of the outputs.
        let mut est = Iscv::new(
            normal_problem(1, Some(vec![2.0])),
            100,
            Family::Gaussian { diag: false },
            0,
        )
        .unwrap();
        let x = est.ask().unwrap().to_vec();
        assert_eq!(x.len(), 10);
        let y: Vec<f64> = (1..=10).map(f64::from).collect();
        est.tell(&y).unwrap();
        let step = &est.history[0];
        assert!((step.variances[0] - 55.0 / 6.0).abs() < 1e-12);
        assert!((step.predicted - 2.0 * (55.0 / 6.0) / 90.0).abs() < 1e-12);
        assert_eq!(predicted_final_variance(&[1.0, 2.0], &[3.0, 4.0], 11), 1.0);
    }

    #[test]
    fn bad_input_is_rejected_and_leaves_state() {
        assert!(Iscv::new(
            normal_problem(1, None),
            50,
            Family::Gaussian { diag: false },
            0
        )
        .is_err());
        let mut est = Iscv::new(
            normal_problem(1, None),
            200,
            Family::Gaussian { diag: false },
            0,
        )
        .unwrap();
        let x = est.ask().unwrap().to_vec();
        assert!(est.tell(&vec![f64::NAN; x.len()]).is_err());
        assert!(est.tell(&[1.0]).is_err());
        assert_eq!(est.ask().unwrap(), x.as_slice());
        assert!(est.tell(&vec![1.0; x.len()]).is_ok());
    }

    #[test]
    fn second_moment_of_normal_is_estimated_tightly() {
        let est = Iscv::new(
            normal_problem(1, None),
            2000,
            Family::Gaussian { diag: false },
            5,
        )
        .unwrap();
        let out = est.run(|x| x.iter().map(|v| v * v).collect()).unwrap();
        assert_eq!(out.runs_adaptation + out.runs_final, 2000);
        // Plain Monte Carlo has standard error sqrt(Var X^2 / 2000) = sqrt(2 / 2000) = 0.0316.
        assert!((out.estimates[0] - 1.0).abs() < 4.0 * out.std_errors[0]);
        assert!(out.std_errors[0] < 0.025, "{out:?}");
    }

    #[test]
    fn sign_changing_function_is_split() {
        // E[X + X^3 / 3] = 0 and E[X^2 - 1] = 0, both change sign.
        let est = Iscv::new(
            normal_problem(2, None),
            4000,
            Family::Gaussian { diag: false },
            1,
        )
        .unwrap();
        let out = est
            .run(|x| {
                x.iter()
                    .flat_map(|&v| [v + v * v * v / 3.0, v * v - 1.0])
                    .collect()
            })
            .unwrap();
        assert_eq!(out.split, vec![true, true]);
        for t in 0..2 {
            assert!(out.estimates[t].abs() < 4.0 * out.std_errors[t], "{out:?}");
        }
        assert!(out.std_errors[1] < 0.01);
    }
}
