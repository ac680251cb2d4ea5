//! The baselines, with the same ask/tell interface as the adaptive estimator: plain Monte Carlo
//! (one law: the whole budget from it; K laws: the budget split evenly, each target estimated
//! from its own law's sample) and plain importance sampling from a fixed proposal (by default the
//! equal mixture of the input laws).

use super::dist::Distribution;
use super::problem::{check_outputs, mean_and_cov, Outcome, Problem};
use crate::error::{param, Result};
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64;
use serde::{Deserialize, Serialize};

/// Where the points of a batch come from.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
enum Source {
    Input(usize),
    Proposal,
}

/// Monte Carlo or importance sampling from a fixed proposal (`None`: the inputs' equal mixture).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum PlainKind {
    MonteCarlo,
    Importance(Option<Distribution>),
}

/// A plain (non-adaptive) estimator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plain {
    problem: Problem,
    kind: PlainKind,
    budget: usize,
    rng: Pcg64,
    runs: usize,
    blocks: Vec<(Source, usize)>,
    next: usize,
    pending: Option<Vec<f64>>,
    /// Per target, the values `f_k phi_k / q` of the samples it uses.
    values: Vec<Vec<f64>>,
}

impl Plain {
    pub fn new(problem: Problem, budget: usize, kind: PlainKind, seed: u64) -> Result<Self> {
        let k_d = problem.inputs.len();
        let chunk = (budget / 10).max(1);
        let chunks = |src: Source, total: usize| {
            (0..total.div_ceil(chunk)).map(move |c| (src, chunk.min(total - c * chunk)))
        };
        let blocks: Vec<(Source, usize)> = match &kind {
            PlainKind::MonteCarlo => {
                if budget < 2 * k_d {
                    return Err(param(
                        "budget",
                        format!(
                            "must be at least {} (two runs per input distribution), got {budget}",
                            2 * k_d
                        ),
                    ));
                }
                if k_d == 1 {
                    chunks(Source::Input(0), budget).collect()
                } else {
                    (0..k_d)
                        .map(|k| {
                            (
                                Source::Input(k),
                                budget / k_d + usize::from(k < budget % k_d),
                            )
                        })
                        .collect()
                }
            }
            PlainKind::Importance(q) => {
                if budget < 2 {
                    return Err(param("budget", format!("must be at least 2, got {budget}")));
                }
                if let Some(q) = q {
                    if q.dim() != problem.dim() {
                        return Err(crate::Error::Dimension {
                            name: "proposal",
                            expected: problem.dim(),
                            got: q.dim(),
                        });
                    }
                }
                chunks(Source::Proposal, budget).collect()
            }
        };
        let k = problem.n_targets();
        Ok(Plain {
            problem,
            kind,
            budget,
            rng: Pcg64::seed_from_u64(seed),
            runs: 0,
            blocks,
            next: 0,
            pending: None,
            values: vec![vec![]; k],
        })
    }

    pub fn runs(&self) -> usize {
        self.runs
    }

    /// Fixes the number of model outputs (and the weights) before the first `tell`.
    pub fn set_outputs(&mut self, n_outputs: usize, weights: Option<Vec<f64>>) -> Result<()> {
        self.problem = self.problem.with_outputs(self.runs, n_outputs, weights)?;
        self.values = vec![vec![]; self.problem.n_targets()];
        Ok(())
    }

    pub fn budget(&self) -> usize {
        self.budget
    }

    /// The proposal's log-density at `x`, whose input laws' log-densities are `l`.
    fn log_q(&self, x: &[f64], l: &[f64]) -> f64 {
        match &self.kind {
            PlainKind::Importance(Some(q)) => q.log_pdf(x),
            _ => {
                let m = l.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                m + (l.iter().map(|v| (v - m).exp()).sum::<f64>() / l.len() as f64).ln()
            }
        }
    }

    /// The next batch (row-major `n x d`), or `None` when the budget is spent.
    pub fn ask(&mut self) -> Option<&[f64]> {
        if self.pending.is_none() {
            let &(src, n) = self.blocks.get(self.next)?;
            let d = self.problem.dim();
            let x = match (src, &self.kind) {
                (Source::Input(k), _) => self.problem.inputs[k].sample(n, &mut self.rng),
                (Source::Proposal, PlainKind::Importance(Some(q))) => q.sample(n, &mut self.rng),
                (Source::Proposal, _) => {
                    let k_d = self.problem.inputs.len();
                    let mut x = Vec::with_capacity(n * d);
                    for _ in 0..n {
                        let k = self.rng.random_range(0..k_d);
                        x.extend(self.problem.inputs[k].sample(1, &mut self.rng));
                    }
                    x
                }
            };
            self.pending = Some(x);
        }
        self.pending.as_deref()
    }

    /// The model's outputs on the last asked batch; a rejected output changes nothing.
    pub fn tell(&mut self, y: &[f64]) -> Result<()> {
        let d = self.problem.dim();
        let k_f = self.problem.n_outputs;
        let n = match &self.pending {
            Some(x) => x.len() / d,
            None => return Err(param("tell", "no batch is pending: call ask first")),
        };
        check_outputs(y, n, k_f)?;
        let x = self.pending.take().unwrap_or_default();
        let (src, _) = self.blocks[self.next];
        let k = self.problem.n_targets();
        // Importance weights: every input law's log-density over the batch at once.
        let k_d = self.problem.inputs.len();
        let mut lf = vec![];
        if src == Source::Proposal {
            let lnx: Vec<f64> = x.iter().map(|v| v.max(f64::MIN_POSITIVE).ln()).collect();
            lf = vec![0.0; n * k_d];
            let mut col = vec![0.0; n];
            for (q, f) in self.problem.inputs.iter().enumerate() {
                f.log_pdf_rows(&x, &lnx, &mut col);
                for (row, v) in lf.chunks_exact_mut(k_d).zip(&col) {
                    row[q] = *v;
                }
            }
        }
        for (i, xi) in x.chunks_exact(d).enumerate() {
            match src {
                Source::Input(s) => {
                    for t in 0..k {
                        if self.problem.inputs.len() == 1 || self.problem.dens(t) == s {
                            self.values[t].push(y[i * k_f + self.problem.col(t)]);
                        }
                    }
                }
                Source::Proposal => {
                    let li = &lf[i * k_d..(i + 1) * k_d];
                    let lq = self.log_q(xi, li);
                    for t in 0..k {
                        let lf = li[self.problem.dens(t)];
                        let r = if lq.is_finite() { (lf - lq).exp() } else { 0.0 };
                        self.values[t].push(r * y[i * k_f + self.problem.col(t)]);
                    }
                }
            }
        }
        self.runs += n;
        self.next += 1;
        Ok(())
    }

    pub fn done(&self) -> bool {
        self.next >= self.blocks.len()
    }

    /// The per-sample values (`n x k`, row-major) when every target uses one shared sample, with
    /// zero offsets (same contract as the adaptive estimator's `final_rows`).
    pub fn final_rows(&self) -> Result<(Vec<f64>, Vec<f64>)> {
        if !self.done() {
            return Err(param(
                "outcome",
                "the estimation is not finished: keep calling ask and tell",
            ));
        }
        let k = self.problem.n_targets();
        let shared = !(matches!(self.kind, PlainKind::MonteCarlo)
            && (0..k).any(|t| self.problem.dens(t) != self.problem.dens(0)));
        if !shared {
            return Err(param(
                "bootstrap",
                "needs one sample shared by every target (Monte Carlo over several input laws draws one each)",
            ));
        }
        let n = self.values.first().map_or(0, Vec::len);
        let mut rows = Vec::with_capacity(n * k);
        for i in 0..n {
            rows.extend(self.values.iter().map(|v| v[i]));
        }
        Ok((rows, vec![0.0; k]))
    }

    /// The estimates once the budget is spent.
    pub fn outcome(&self) -> Result<Outcome> {
        if !self.done() {
            return Err(param(
                "outcome",
                "the estimation is not finished: keep calling ask and tell",
            ));
        }
        let k = self.problem.n_targets();
        let mut estimates = vec![0.0; k];
        let mut covariance = vec![0.0; k * k];
        // Targets share a sample unless Monte Carlo draws them from different laws.
        let same = |a: usize, b: usize| {
            !(matches!(self.kind, PlainKind::MonteCarlo)
                && self.problem.dens(a) != self.problem.dens(b))
        };
        for a in 0..k {
            for b in 0..=a {
                if !same(a, b) {
                    continue;
                }
                let n = self.values[a].len();
                let v: Vec<f64> = self.values[a]
                    .iter()
                    .zip(&self.values[b])
                    .flat_map(|(x, y)| [*x, *y])
                    .collect();
                let (m, c) = mean_and_cov(&v, n, 2);
                estimates[a] = m[0];
                covariance[a * k + b] = c[1];
                covariance[b * k + a] = c[1];
            }
        }
        Ok(Outcome {
            std_errors: (0..k).map(|t| covariance[t * k + t].sqrt()).collect(),
            estimates,
            covariance,
            runs_adaptation: 0,
            runs_final: self.runs,
            history: vec![],
            split: vec![false; k],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sampling::dist::Marginal;

    #[test]
    fn monte_carlo_by_hand_and_separate_laws() {
        let n0 = Distribution::independent(vec![Marginal::normal(0.0, 1.0).unwrap()]).unwrap();
        let n5 = Distribution::independent(vec![Marginal::normal(5.0, 1.0).unwrap()]).unwrap();
        // One law, constant outputs 1..=20 in order: mean 10.5, variance of the mean 35/20.
        let mut mc = Plain::new(
            Problem::new(vec![n0.clone()], 1, None).unwrap(),
            20,
            PlainKind::MonteCarlo,
            0,
        )
        .unwrap();
        let mut next = 1.0;
        while let Some(x) = mc.ask() {
            let y: Vec<f64> = x
                .iter()
                .map(|_| {
                    next += 1.0;
                    next - 1.0
                })
                .collect();
            mc.tell(&y).unwrap();
        }
        let out = mc.outcome().unwrap();
        assert_eq!(out.estimates, vec![10.5]);
        assert!((out.covariance[0] - 35.0 / 20.0).abs() < 1e-12);
        // Two laws, phi(x) = x: each target from its own law's half of the budget.
        let mut mc = Plain::new(
            Problem::new(vec![n0, n5], 1, None).unwrap(),
            4000,
            PlainKind::MonteCarlo,
            1,
        )
        .unwrap();
        while let Some(x) = mc.ask() {
            let y = x.to_vec();
            mc.tell(&y).unwrap();
        }
        let out = mc.outcome().unwrap();
        assert!(out.estimates[0].abs() < 0.1 && (out.estimates[1] - 5.0).abs() < 0.1);
        assert_eq!(out.covariance[1], 0.0);
        assert_eq!(out.runs_final, 4000);
    }

    #[test]
    fn importance_sampling_from_the_inputs_mixture() {
        let n0 = Distribution::independent(vec![Marginal::normal(0.0, 1.0).unwrap()]).unwrap();
        let n1 = Distribution::independent(vec![Marginal::normal(1.0, 1.0).unwrap()]).unwrap();
        let mut is = Plain::new(
            Problem::new(vec![n0, n1], 1, None).unwrap(),
            4000,
            PlainKind::Importance(None),
            2,
        )
        .unwrap();
        while let Some(x) = is.ask() {
            let y: Vec<f64> = x.iter().map(|v| v * v).collect();
            is.tell(&y).unwrap();
        }
        let out = is.outcome().unwrap();
        for (e, truth) in out.estimates.iter().zip([1.0, 2.0]) {
            assert!((e - truth).abs() < 4.0 * out.std_errors[0].max(out.std_errors[1]));
        }
        assert!(out.covariance[1] > 0.0);
    }
}
