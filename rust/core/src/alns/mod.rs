//! Adaptive large neighbourhood search (Pisinger & Ropke 2010), with the semantics of the `alns`
//! Python package (7.x).
//!
//! A [`Problem`] supplies the destroy and repair operators, the objective and (for contextual
//! bandit selectors) a context vector; operators written in Rust implement it directly, the
//! bindings implement it over Python callables. The engine ([`iterate`]) asks a [`Select`] for a
//! (destroy, repair) pair, applies it, classifies the candidate into an [`Outcome`], asks an
//! [`Accept`] whether to move, and consults a [`Stop`] before every iteration. The built-in
//! rules are [`Selection`], [`Acceptance`] and [`Stopping`]; each works on objective values
//! only, so Rust and Python problems share them.

pub mod accept;
mod engine;
pub mod problems;
pub mod select;
mod stats;
pub mod stop;

pub use accept::Acceptance;
pub use engine::{iterate, Accept, Problem, Run, Scored, Select, Stop};
pub use select::Selection;
pub use stats::Statistics;
pub use stop::Stopping;

use serde::{Deserialize, Serialize};

/// How a candidate compares, in the order of `alns.Outcome` (whose integer values index the
/// four scores of the selection schemes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    /// A new global best.
    Best = 0,
    /// Accepted and better than the current solution.
    Better = 1,
    /// Accepted, not better.
    Accept = 2,
    /// Rejected (and not a new best).
    Reject = 3,
}

impl Outcome {
    pub fn index(self) -> usize {
        self as usize
    }
}

/// The linear or exponential update of a temperature, threshold or probability.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Schedule {
    /// `x - step`.
    Linear,
    /// `x * step`.
    Exponential,
}

impl Schedule {
    pub fn parse(method: &str) -> crate::Result<Self> {
        match method.to_ascii_lowercase().as_str() {
            "linear" => Ok(Schedule::Linear),
            "exponential" => Ok(Schedule::Exponential),
            _ => Err(crate::error::param(
                "method",
                format!("must be one of ['linear', 'exponential'], got '{method}'"),
            )),
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Schedule::Linear => "linear",
            Schedule::Exponential => "exponential",
        }
    }
    pub fn apply(self, x: f64, step: f64) -> f64 {
        match self {
            Schedule::Linear => x - step,
            Schedule::Exponential => x * step,
        }
    }
}
