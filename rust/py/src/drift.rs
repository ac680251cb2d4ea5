//! Bindings of `rapidriver_core::drift`: one Python class, `DriftDetector`, wrapping any core
//! detector.

use crate::convert::{count, number, param_f64, seed};
use crate::errors::{type_error, IntoPyResult};
use numpy::{IntoPyArray, PyArray1, PyReadonlyArray1};
use pyo3::exceptions::{PyAttributeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use rapidriver_core::drift::{
    Adwin, Ddm, Detector, DriftDetector, Eddm, Kswin, PageHinkley, PageHinkleyMode,
};
use rapidriver_core::snapshot;

fn int_param(p: &Bound<'_, PyDict>, name: &str) -> PyResult<u64> {
    match p.get_item(name)? {
        Some(v) => count(name, &v),
        None => Err(PyTypeError::new_err(format!("missing parameter `{name}`"))),
    }
}

pub(crate) fn make_detector(kind: &str, p: &Bound<'_, PyDict>) -> PyResult<Detector> {
    let f = |name| param_f64(p, name);
    let i = |name| int_param(p, name);
    Ok(match kind {
        "adwin" => Detector::Adwin(
            Adwin::new(
                f("delta")?,
                i("clock")?,
                i("max_buckets")? as usize,
                i("min_window_length")?,
                i("grace_period")?,
            )
            .py_err()?,
        ),
        "page_hinkley" => {
            let mode = match p.get_item("mode")? {
                Some(m) => match m.extract::<String>().as_deref() {
                    Ok("up") => PageHinkleyMode::Up,
                    Ok("down") => PageHinkleyMode::Down,
                    Ok("both") => PageHinkleyMode::Both,
                    _ => {
                        return Err(PyValueError::new_err(format!(
                            "`mode` must be 'up', 'down' or 'both', got {}",
                            m.repr()?
                        )))
                    }
                },
                None => PageHinkleyMode::Both,
            };
            Detector::PageHinkley(
                PageHinkley::new(
                    i("min_instances")?,
                    f("delta")?,
                    f("threshold")?,
                    f("alpha")?,
                    mode,
                )
                .py_err()?,
            )
        }
        "kswin" => {
            let window: Vec<f64> = match p.get_item("window")? {
                Some(w) if !w.is_none() => w
                    .try_iter()
                    .map_err(|_| type_error("window", "an iterable of numbers", &w))?
                    .map(|v| number("window", &v?))
                    .collect::<PyResult<_>>()?,
                _ => vec![],
            };
            let seed = seed(p.get_item("seed")?.as_ref())?;
            Detector::Kswin(
                Kswin::new(
                    f("alpha")?,
                    i("window_size")? as usize,
                    i("stat_size")? as usize,
                    seed,
                    window,
                )
                .py_err()?,
            )
        }
        "ddm" => Detector::Ddm(
            Ddm::new(
                i("warm_start")?,
                f("warning_threshold")?,
                f("drift_threshold")?,
            )
            .py_err()?,
        ),
        "eddm" => Detector::Eddm(Eddm::new(i("warm_start")?, f("alpha")?, f("beta")?).py_err()?),
        other => {
            return Err(PyValueError::new_err(format!(
                "unknown detector kind `{other}`"
            )))
        }
    })
}

#[pyclass(module = "rapidriver._core", name = "DriftDetector")]
pub struct PyDriftDetector {
    core: Detector,
}

impl PyDriftDetector {
    fn adwin(&self, what: &str) -> PyResult<&Adwin> {
        match &self.core {
            Detector::Adwin(a) => Ok(a),
            _ => Err(PyAttributeError::new_err(format!(
                "`{what}` is ADWIN's only"
            ))),
        }
    }
}

#[pymethods]
impl PyDriftDetector {
    #[new]
    fn new(kind: &str, params: &Bound<'_, PyDict>) -> PyResult<Self> {
        Ok(PyDriftDetector {
            core: make_detector(kind, params)?,
        })
    }

    /// Feeds one value (a number, or a bool for binary detectors).
    fn update(&mut self, x: &Bound<'_, PyAny>) -> PyResult<()> {
        let x = number("x", x)?;
        self.core.update(x).py_err()?;
        Ok(())
    }

    /// Feeds a whole 1-d array; returns the indices at which drifts were detected.
    fn update_many<'py>(
        &mut self,
        py: Python<'py>,
        xs: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray1<i64>>> {
        let xs: PyReadonlyArray1<f64> = xs
            .extract()
            .map_err(|_| type_error("xs", "a 1-d float array", xs))?;
        let values: Vec<f64> = xs.as_array().iter().copied().collect();
        if let Some(v) = values.iter().find(|v| !v.is_finite()) {
            return Err(PyValueError::new_err(format!(
                "invalid value for `xs`: values must be finite, got {v}"
            )));
        }
        // Validate everything first (binary detectors need 0/1) on a copy, so that a rejected
        // array changes nothing.
        let mut trial = self.core.clone();
        let core = &mut trial;
        let hits = py.detach(|| core.update_many(&values)).py_err()?;
        self.core = trial;
        Ok(hits
            .into_iter()
            .map(|i| i as i64)
            .collect::<Vec<_>>()
            .into_pyarray(py))
    }

    #[getter]
    fn drift_detected(&self) -> bool {
        self.core.drift_detected()
    }
    #[getter]
    fn warning_detected(&self) -> bool {
        self.core.warning_detected()
    }
    #[getter]
    fn width(&self) -> PyResult<f64> {
        Ok(self.adwin("width")?.width())
    }
    #[getter]
    fn total(&self) -> PyResult<f64> {
        Ok(self.adwin("total")?.total())
    }
    #[getter]
    fn variance(&self) -> PyResult<f64> {
        Ok(self.adwin("variance")?.variance())
    }
    #[getter]
    fn estimation(&self) -> PyResult<f64> {
        Ok(self.adwin("estimation")?.estimation())
    }
    #[getter]
    fn n_detections(&self) -> PyResult<u64> {
        Ok(self.adwin("n_detections")?.n_detections())
    }
    #[getter]
    fn p_value(&self) -> PyResult<f64> {
        match &self.core {
            Detector::Kswin(k) => Ok(k.p_value()),
            _ => Err(PyAttributeError::new_err("`p_value` is KSWIN's only")),
        }
    }

    fn __reduce__<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let restore = py
            .import("rapidriver._core")?
            .getattr("_restore_detector")?;
        let state = pyo3::types::PyBytes::new(py, &snapshot::to_bytes(&self.core).py_err()?);
        Ok((restore, PyTuple::new(py, [state])?))
    }
}

#[pyfunction]
fn _restore_detector(state: &[u8]) -> PyResult<PyDriftDetector> {
    Ok(PyDriftDetector {
        core: snapshot::from_bytes(state).py_err()?,
    })
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyDriftDetector>()?;
    m.add_function(wrap_pyfunction!(_restore_detector, m)?)?;
    Ok(())
}
