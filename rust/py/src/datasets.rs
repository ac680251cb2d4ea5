//! Bindings of `rapidriver_core::datasets`: seeded synthetic streams drawn into numpy arrays.

use crate::convert::count;
use crate::errors::{type_error, IntoPyResult};
use numpy::{IntoPyArray, PyArray1, PyArray2, PyArrayMethods};
use pyo3::prelude::*;
use rapidriver_core::datasets::{ConceptDrift, Generator, Led, RandomRbf, Sea};
use rapidriver_core::snapshot;

#[pyclass(module = "rapidriver._core", name = "Stream")]
pub struct PyStream {
    core: Generator,
}

#[pymethods]
impl PyStream {
    #[staticmethod]
    fn sea(variant: u32, noise: f64, seed: u64) -> PyResult<Self> {
        Ok(PyStream {
            core: Generator::Sea(Sea::new(variant, noise, seed).py_err()?),
        })
    }

    #[staticmethod]
    fn led(
        noise: f64,
        irrelevant: bool,
        n_drift_features: usize,
        random_swap: bool,
        seed: u64,
    ) -> PyResult<Self> {
        Ok(PyStream {
            core: Generator::Led(
                Led::new(noise, irrelevant, n_drift_features, random_swap, seed).py_err()?,
            ),
        })
    }

    #[staticmethod]
    #[allow(clippy::too_many_arguments)]
    fn rbf(
        seed_model: u64,
        seed_sample: u64,
        n_classes: usize,
        n_features: usize,
        n_centroids: usize,
        change_speed: f64,
        n_drift_centroids: usize,
    ) -> PyResult<Self> {
        Ok(PyStream {
            core: Generator::RandomRbf(
                RandomRbf::new(
                    seed_model,
                    seed_sample,
                    n_classes,
                    n_features,
                    n_centroids,
                    change_speed,
                    n_drift_centroids,
                )
                .py_err()?,
            ),
        })
    }

    /// A drift from `old` to `new` (copies of both, from their current state).
    #[staticmethod]
    fn drift(
        old: &Bound<'_, PyAny>,
        new: &Bound<'_, PyAny>,
        position: f64,
        width: f64,
        seed: u64,
    ) -> PyResult<Self> {
        let old = old
            .cast::<PyStream>()
            .map_err(|_| type_error("stream", "a rapidriver.datasets stream", old))?
            .borrow()
            .core
            .clone();
        let new = new
            .cast::<PyStream>()
            .map_err(|_| type_error("drift_stream", "a rapidriver.datasets stream", new))?
            .borrow()
            .core
            .clone();
        Ok(PyStream {
            core: Generator::Drift(Box::new(
                ConceptDrift::new(old, new, position, width, seed).py_err()?,
            )),
        })
    }

    #[getter]
    fn n_features(&self) -> usize {
        self.core.n_features()
    }

    /// The next `n` samples as (X float64 n×d, y int64), drawn with the GIL released.
    #[allow(clippy::type_complexity)]
    fn take<'py>(
        &mut self,
        py: Python<'py>,
        n: &Bound<'py, PyAny>,
    ) -> PyResult<(Bound<'py, PyArray2<f64>>, Bound<'py, PyArray1<i64>>)> {
        let n = count("n", n)? as usize;
        let d = self.core.n_features();
        let core = &mut self.core;
        let (xs, ys) = py.detach(|| core.take(n));
        let x = xs.into_pyarray(py).reshape([n, d])?;
        let y: Vec<i64> = ys.into_iter().map(|c| c as i64).collect();
        Ok((x, y.into_pyarray(py)))
    }

    fn __reduce__<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, pyo3::types::PyBytes>,))> {
        let restore = py.import("rapidriver._core")?.getattr("_restore_stream")?;
        let state = snapshot::to_bytes(&self.core).py_err()?;
        Ok((restore, (pyo3::types::PyBytes::new(py, &state),)))
    }
}

#[pyfunction]
fn _restore_stream(state: &[u8]) -> PyResult<PyStream> {
    Ok(PyStream {
        core: snapshot::from_bytes(state).py_err()?,
    })
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyStream>()?;
    m.add_function(wrap_pyfunction!(_restore_stream, m)?)?;
    Ok(())
}
