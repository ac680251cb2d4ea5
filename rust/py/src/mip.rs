//! Bindings of `rapidriver_core::mip`: the neighbourhood rules over one model, with their
//! seeded generator; bound changes come back as `(index, lb, ub)` numpy arrays.

use crate::errors::IntoPyResult;
use numpy::{IntoPyArray, PyArray1};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyTuple};
use rapidriver_core::mip::{reward, size, BoundChanges, Columns, Neighbourhoods};
use rapidriver_core::snapshot;

type Changes<'py> = (
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyArray1<f64>>,
    Bound<'py, PyArray1<f64>>,
);

fn changes(py: Python<'_>, bc: BoundChanges) -> Changes<'_> {
    let index: Vec<i64> = bc.index.iter().map(|&j| j as i64).collect();
    (
        index.into_pyarray(py),
        bc.lb.into_pyarray(py),
        bc.ub.into_pyarray(py),
    )
}

/// The neighbourhood rules over one model's columns, with one seeded generator.
#[pyclass(module = "rapidriver._core", name = "MipNeighbourhoods")]
pub struct PyNeighbourhoods {
    core: Neighbourhoods,
}

#[pymethods]
impl PyNeighbourhoods {
    #[new]
    #[pyo3(signature = (is_integer, lb, ub, seed=None))]
    fn new(
        is_integer: Vec<bool>,
        lb: Vec<f64>,
        ub: Vec<f64>,
        seed: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let columns = Columns::new(is_integer, lb, ub).py_err()?;
        Ok(PyNeighbourhoods {
            core: Neighbourhoods::new(columns, crate::convert::seed(seed)?),
        })
    }

    #[getter]
    fn n_cols(&self) -> usize {
        self.core.columns.n_cols()
    }

    #[getter]
    fn integers<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<i64>> {
        let v: Vec<i64> = self
            .core
            .columns
            .integers()
            .iter()
            .map(|&j| j as i64)
            .collect();
        v.into_pyarray(py)
    }

    #[getter]
    fn binaries<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<i64>> {
        let v: Vec<i64> = self
            .core
            .columns
            .binaries()
            .iter()
            .map(|&j| j as i64)
            .collect();
        v.into_pyarray(py)
    }

    fn mutation<'py>(
        &mut self,
        py: Python<'py>,
        incumbent: Vec<f64>,
        delta: f64,
    ) -> PyResult<Changes<'py>> {
        Ok(changes(py, self.core.mutation(&incumbent, delta).py_err()?))
    }

    fn rins<'py>(
        &mut self,
        py: Python<'py>,
        incumbent: Vec<f64>,
        lp: Vec<f64>,
        delta: f64,
    ) -> PyResult<Changes<'py>> {
        Ok(changes(
            py,
            self.core.rins(&incumbent, &lp, delta).py_err()?,
        ))
    }

    fn rens<'py>(
        &mut self,
        py: Python<'py>,
        incumbent: Vec<f64>,
        lp: Vec<f64>,
        delta: f64,
    ) -> PyResult<Changes<'py>> {
        Ok(changes(
            py,
            self.core.rens(&incumbent, &lp, delta).py_err()?,
        ))
    }

    fn dins<'py>(
        &self,
        py: Python<'py>,
        incumbent: Vec<f64>,
        lp: Vec<f64>,
    ) -> PyResult<Changes<'py>> {
        Ok(changes(py, self.core.dins(&incumbent, &lp).py_err()?))
    }

    fn crossover<'py>(
        &self,
        py: Python<'py>,
        incumbent: Vec<f64>,
        other: Vec<f64>,
    ) -> PyResult<Changes<'py>> {
        Ok(changes(
            py,
            self.core.crossover(&incumbent, &other).py_err()?,
        ))
    }

    fn random_objective<'py>(&mut self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.core.random_objective().into_pyarray(py)
    }

    /// `(index, coef, rhs)` of the row `sum coef * x[index] <= rhs`.
    #[allow(clippy::type_complexity)]
    fn local_branching<'py>(
        &mut self,
        py: Python<'py>,
        incumbent: Vec<f64>,
        delta: f64,
    ) -> PyResult<(Bound<'py, PyArray1<i64>>, Bound<'py, PyArray1<f64>>, f64)> {
        let row = self.core.local_branching(&incumbent, delta).py_err()?;
        let index: Vec<i64> = row.index.iter().map(|&j| j as i64).collect();
        Ok((index.into_pyarray(py), row.coef.into_pyarray(py), row.rhs))
    }

    /// `(objective, offset, cutoff)` of proximity search.
    fn proximity<'py>(
        &self,
        py: Python<'py>,
        incumbent: Vec<f64>,
        incumbent_objective: f64,
        delta: f64,
    ) -> PyResult<(Bound<'py, PyArray1<f64>>, f64, f64)> {
        let p = self
            .core
            .proximity(&incumbent, incumbent_objective, delta)
            .py_err()?;
        Ok((p.objective.into_pyarray(py), p.offset, p.cutoff))
    }

    fn __reduce__<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let restore = py
            .import("rapidriver._core")?
            .getattr("_restore_mip_neighbourhoods")?;
        let state = PyBytes::new(py, &snapshot::to_bytes(&self.core).py_err()?);
        Ok((restore, PyTuple::new(py, [state])?))
    }
}

#[pyfunction]
fn _restore_mip_neighbourhoods(state: &[u8]) -> PyResult<PyNeighbourhoods> {
    Ok(PyNeighbourhoods {
        core: snapshot::from_bytes(state).py_err()?,
    })
}

/// The outcome's score discounted by the share of the time slice its sub-MIP used
/// (`rapidriver_core::mip::reward::time_aware`).
#[pyfunction]
#[pyo3(signature = (score, used, slice, weight=reward::DEFAULT_TIME_WEIGHT))]
fn mip_time_aware_reward(score: f64, used: f64, slice: f64, weight: f64) -> PyResult<f64> {
    reward::time_aware(score, used, slice, weight).py_err()
}

/// The next neighbourhood-size multiplier after a sub-MIP whose `outcome` was `"improved"`,
/// `"exhausted"` or `"timed_out"` (`rapidriver_core::mip::size::adapt`).
#[pyfunction]
#[pyo3(signature = (scale, outcome, factor=size::DEFAULT_FACTOR, low=size::DEFAULT_LOW,
                    high=size::DEFAULT_HIGH))]
fn mip_adapt_size(scale: f64, outcome: &str, factor: f64, low: f64, high: f64) -> PyResult<f64> {
    let outcome = match outcome {
        "improved" => size::SubOutcome::Improved,
        "exhausted" => size::SubOutcome::Exhausted,
        "timed_out" => size::SubOutcome::TimedOut,
        other => {
            return Err(pyo3::exceptions::PyValueError::new_err(format!(
                "`outcome` must be 'improved', 'exhausted' or 'timed_out', got {other:?}"
            )))
        }
    };
    size::adapt(scale, outcome, factor, low, high).py_err()
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyNeighbourhoods>()?;
    m.add_function(wrap_pyfunction!(mip_time_aware_reward, m)?)?;
    m.add_function(wrap_pyfunction!(mip_adapt_size, m)?)?;
    m.add_function(wrap_pyfunction!(_restore_mip_neighbourhoods, m)?)?;
    Ok(())
}
