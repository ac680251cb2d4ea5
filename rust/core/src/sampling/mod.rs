//! Estimating many expectations of one costly model from one sample: input distributions, the
//! adaptive importance-sampling estimator with control variates, plain Monte Carlo and
//! importance sampling with the same ask/tell interface, and Sobol' indices on top.

pub mod dist;
pub mod iscv;
mod kernels;
pub mod problem;
pub mod proposal;
pub mod simplex;

pub use dist::{Distribution, Marginal};
pub use iscv::{Family, Iscv};
pub use problem::{Outcome, Problem, Step};
pub mod estimator;
pub mod plain;
pub mod sobol;

pub use estimator::{Estimator, Method};
pub use plain::{Plain, PlainKind};
pub use sobol::{Sobol, SobolForm, SobolOutcome};
