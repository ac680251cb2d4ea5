//! rapidriver-core: the algorithms behind rapidriver, in plain Rust.
//!
//! Nothing here knows about Python; the `rapidriver-py` crate binds these types. Each component
//! lives in its own module, and every fallible call returns [`Result`].

pub mod alns;
pub mod bandit;
pub mod datasets;
pub mod drift;
pub mod error;
pub mod linalg;
pub mod mip;
pub mod moe;
pub mod pyrandom;
pub mod sampling;
pub mod snapshot;
pub mod solvers;
pub mod tree;

pub use error::{Error, Result};
