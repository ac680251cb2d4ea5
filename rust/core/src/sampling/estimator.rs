//! One type over the three estimators, for the Sobol' driver and the bindings.

use super::dist::Distribution;
use super::iscv::{Family, Iscv};
use super::plain::{Plain, PlainKind};
use super::problem::{Outcome, Problem};
use crate::error::{param, Result};
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64;
use serde::{Deserialize, Serialize};

/// Which estimator to run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Method {
    /// Adaptive importance sampling with control variates.
    Iscv(Family),
    MonteCarlo,
    /// Importance sampling from a fixed proposal (`None`: the inputs' equal mixture).
    Importance(Option<Distribution>),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Estimator {
    Iscv(Box<Iscv>),
    Plain(Box<Plain>),
}

impl Estimator {
    pub fn new(problem: Problem, budget: usize, method: Method, seed: u64) -> Result<Self> {
        Ok(match method {
            Method::Iscv(f) => Estimator::Iscv(Box::new(Iscv::new(problem, budget, f, seed)?)),
            Method::MonteCarlo => Estimator::Plain(Box::new(Plain::new(
                problem,
                budget,
                PlainKind::MonteCarlo,
                seed,
            )?)),
            Method::Importance(q) => Estimator::Plain(Box::new(Plain::new(
                problem,
                budget,
                PlainKind::Importance(q),
                seed,
            )?)),
        })
    }

    pub fn ask(&mut self) -> Option<&[f64]> {
        match self {
            Estimator::Iscv(e) => e.ask(),
            Estimator::Plain(e) => e.ask(),
        }
    }

    pub fn tell(&mut self, y: &[f64]) -> Result<()> {
        match self {
            Estimator::Iscv(e) => e.tell(y),
            Estimator::Plain(e) => e.tell(y),
        }
    }

    pub fn outcome(&self) -> Result<Outcome> {
        match self {
            Estimator::Iscv(e) => e.outcome(),
            Estimator::Plain(e) => e.outcome(),
        }
    }

    /// The estimates recomputed on `reps` bootstrap resamples of the final sample (its points
    /// drawn with replacement, the proposal and control coefficients kept), seeded (a stream
    /// apart from the estimator's own, which the same seed started).
    pub fn bootstrap(&self, reps: usize, seed: u64) -> Result<Vec<Vec<f64>>> {
        let (rows, offset) = match self {
            Estimator::Iscv(e) => e.final_rows()?,
            Estimator::Plain(e) => e.final_rows()?,
        };
        let k = offset.len();
        let n = rows.len() / k.max(1);
        if n < 2 {
            return Err(param(
                "bootstrap",
                format!("needs at least 2 final sample points, got {n}"),
            ));
        }
        let mut rng = Pcg64::seed_from_u64(seed ^ 0x9E37_79B9_7F4A_7C15);
        let mut out = Vec::with_capacity(reps);
        for _ in 0..reps {
            let mut m = vec![0.0; k];
            for _ in 0..n {
                let i = rng.random_range(0..n);
                m.iter_mut()
                    .zip(&rows[i * k..(i + 1) * k])
                    .for_each(|(a, v)| *a += v);
            }
            m.iter_mut()
                .zip(&offset)
                .for_each(|(a, o)| *a = *a / n as f64 + o);
            out.push(m);
        }
        Ok(out)
    }

    /// Fixes the number of model outputs and the weights before the first `tell`.
    pub fn set_outputs(&mut self, n_outputs: usize, weights: Option<Vec<f64>>) -> Result<()> {
        match self {
            Estimator::Iscv(e) => e.set_outputs(n_outputs, weights),
            Estimator::Plain(e) => e.set_outputs(n_outputs, weights),
        }
    }

    pub fn runs(&self) -> usize {
        match self {
            Estimator::Iscv(e) => e.runs(),
            Estimator::Plain(e) => e.runs(),
        }
    }

    pub fn budget(&self) -> usize {
        match self {
            Estimator::Iscv(e) => e.budget(),
            Estimator::Plain(e) => e.budget(),
        }
    }
}
