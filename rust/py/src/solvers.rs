//! Bindings of `rapidriver_core::solvers`: SOR on scipy CSR matrices and the heat instances.

use crate::convert::count;
use crate::errors::{type_error, IntoPyResult};
use numpy::{IntoPyArray, PyArray1, PyReadonlyArray1};
use pyo3::prelude::*;
use rapidriver_core::solvers::{heat_step_matrix, shifted_laplacian_matrix, sor, Csr};

fn indices_of(name: &'static str, arr: &Bound<'_, PyAny>) -> PyResult<Vec<usize>> {
    let arr: PyReadonlyArray1<i64> = arr
        .extract()
        .map_err(|_| type_error(name, "a 1-d int64 array", arr))?;
    arr.as_slice()?
        .iter()
        .map(|&v| {
            usize::try_from(v).map_err(|_| {
                pyo3::exceptions::PyValueError::new_err(format!(
                    "`A` has a negative {name} entry: {v}"
                ))
            })
        })
        .collect()
}

/// A square CSR matrix held in Rust (converted once, solved many times).
#[pyclass(module = "rapidriver._core", name = "CsrMatrix")]
pub struct PyCsr {
    inner: Csr,
}

#[pymethods]
impl PyCsr {
    #[new]
    fn new(
        shape: (usize, usize),
        indptr: &Bound<'_, PyAny>,
        indices: &Bound<'_, PyAny>,
        data: &Bound<'_, PyAny>,
    ) -> PyResult<Self> {
        let data: PyReadonlyArray1<f64> = data
            .extract()
            .map_err(|_| type_error("A", "a float64 CSR matrix", data))?;
        Ok(PyCsr {
            inner: Csr::new(
                shape.0,
                shape.1,
                indices_of("indptr", indptr)?,
                indices_of("indices", indices)?,
                data.as_slice()?.to_vec(),
            )
            .py_err()?,
        })
    }

    #[getter]
    fn n(&self) -> usize {
        self.inner.n
    }

    /// SOR (symmetric SOR with `symmetric`) from `x0`, GIL released; returns
    /// `(x, iterations, relative residual, converged)`.
    #[allow(clippy::too_many_arguments)]
    #[allow(clippy::type_complexity)]
    fn solve<'py>(
        &self,
        py: Python<'py>,
        b: &Bound<'py, PyAny>,
        x0: &Bound<'py, PyAny>,
        omega: f64,
        tol: f64,
        max_iter: &Bound<'py, PyAny>,
        symmetric: bool,
    ) -> PyResult<(Bound<'py, PyArray1<f64>>, usize, f64, bool)> {
        let b: PyReadonlyArray1<f64> = b
            .extract()
            .map_err(|_| type_error("b", "a 1-d float64 array", b))?;
        let x0: PyReadonlyArray1<f64> = x0
            .extract()
            .map_err(|_| type_error("x0", "a 1-d float64 array", x0))?;
        let max_iter = count("max_iter", max_iter)? as usize;
        let b = b.as_slice()?.to_vec();
        let mut x = x0.as_slice()?.to_vec();
        let a = &self.inner;
        let report = py
            .detach(|| sor(a, &b, &mut x, omega, tol, max_iter, symmetric))
            .py_err()?;
        Ok((
            x.into_pyarray(py),
            report.iterations,
            report.residual,
            report.converged,
        ))
    }
}

/// `(indptr, indices, data)` of a CSR matrix, as scipy takes them.
type CsrParts<'py> = (
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyArray1<f64>>,
);

/// CSR parts `(indptr, indices, data)` of `I + c L` on an `m x m` grid.
#[pyfunction]
fn heat_step_csr<'py>(py: Python<'py>, m: usize, c: f64) -> PyResult<CsrParts<'py>> {
    csr_parts(py, &heat_step_matrix(m, c).py_err()?)
}

/// CSR parts `(indptr, indices, data)` of `L + s I` on an `m x m` grid.
#[pyfunction]
fn shifted_laplacian_csr<'py>(py: Python<'py>, m: usize, s: f64) -> PyResult<CsrParts<'py>> {
    csr_parts(py, &shifted_laplacian_matrix(m, s).py_err()?)
}

fn csr_parts<'py>(py: Python<'py>, a: &Csr) -> PyResult<CsrParts<'py>> {
    let indptr: Vec<i64> = a.indptr.iter().map(|&v| v as i64).collect();
    let indices: Vec<i64> = a.indices.iter().map(|&v| v as i64).collect();
    Ok((
        indptr.into_pyarray(py),
        indices.into_pyarray(py),
        a.data.clone().into_pyarray(py),
    ))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyCsr>()?;
    m.add_function(wrap_pyfunction!(heat_step_csr, m)?)?;
    m.add_function(wrap_pyfunction!(shifted_laplacian_csr, m)?)?;
    Ok(())
}
