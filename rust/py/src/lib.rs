//! rapidriver._core: PyO3 bindings over rapidriver-core. Conversion, error mapping, pickling
//! and GIL release only; every algorithm lives in the core crate.

use pyo3::prelude::*;

mod alns;
mod bandit;
mod convert;
mod datasets;
mod drift;
mod errors;
mod mip;
mod moe;
mod sampling;
mod solvers;
mod tree;
mod tree_regressor;

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    bandit::register(m)?;
    alns::register(m)?;
    datasets::register(m)?;
    drift::register(m)?;
    tree::register(m)?;
    tree_regressor::register(m)?;
    moe::register(m)?;
    solvers::register(m)?;
    sampling::register(m)?;
    mip::register(m)?;
    Ok(())
}
