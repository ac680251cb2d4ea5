//! Bindings of `rapidriver_core::sampling`: input distributions, the ask/tell estimators and the
//! Sobol' driver. Conversion, error mapping, pickling and GIL release only.

use crate::convert::{count, seed};
use crate::errors::{type_error, IntoPyResult};
use numpy::{
    IntoPyArray, PyArray2, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2,
    PyUntypedArrayMethods,
};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};
use rapidriver_core::sampling::{
    Distribution, Estimator, Family, Marginal, Method, Outcome, Problem, Sobol, SobolForm,
    SobolOutcome,
};
use rapidriver_core::snapshot;

/// An input law (one-dimensional or joint).
#[pyclass(module = "rapidriver._core", name = "Distribution")]
#[derive(Clone)]
pub struct PyDistribution {
    pub inner: Distribution,
}

fn one(m: rapidriver_core::Result<Marginal>) -> PyResult<PyDistribution> {
    Ok(PyDistribution {
        inner: Distribution::independent(vec![m.py_err()?]).py_err()?,
    })
}

fn points<'py>(name: &str, x: &Bound<'py, PyAny>, d: usize) -> PyResult<(Vec<f64>, usize)> {
    let arr: PyReadonlyArray2<f64> = x
        .extract()
        .map_err(|_| type_error(name, "a 2-d float64 array", x))?;
    let shape = arr.shape();
    if shape[1] != d {
        return Err(PyValueError::new_err(format!(
            "`{name}` must have {d} columns, got {}",
            shape[1]
        )));
    }
    Ok((arr.as_array().iter().copied().collect(), shape[0]))
}

#[pymethods]
impl PyDistribution {
    #[staticmethod]
    fn normal(mu: f64, sigma: f64) -> PyResult<Self> {
        one(Marginal::normal(mu, sigma))
    }

    #[staticmethod]
    fn lognormal(mu: f64, sigma: f64) -> PyResult<Self> {
        one(Marginal::lognormal(mu, sigma))
    }

    #[staticmethod]
    fn lognormal_from_mean_cov(mean: f64, cov: f64) -> PyResult<Self> {
        one(Marginal::lognormal_from_mean_cov(mean, cov))
    }

    #[staticmethod]
    fn uniform(a: f64, b: f64) -> PyResult<Self> {
        one(Marginal::uniform(a, b))
    }

    #[staticmethod]
    fn exponential(rate: f64) -> PyResult<Self> {
        one(Marginal::exponential(rate))
    }

    #[staticmethod]
    fn gumbel(loc: f64, scale: f64) -> PyResult<Self> {
        one(Marginal::gumbel(loc, scale))
    }

    /// The joint law of independent parts.
    #[staticmethod]
    fn independent(parts: Vec<PyRef<'_, PyDistribution>>) -> PyResult<Self> {
        let parts: Vec<Distribution> = parts.iter().map(|p| p.inner.clone()).collect();
        if parts.is_empty() {
            return Err(PyValueError::new_err("`marginals` must not be empty"));
        }
        Ok(PyDistribution {
            inner: Distribution::product(&parts).py_err()?,
        })
    }

    /// One-dimensional marginals coupled by a Gaussian copula.
    #[staticmethod]
    fn gaussian_copula(
        marginals: Vec<PyRef<'_, PyDistribution>>,
        correlation: &Bound<'_, PyAny>,
    ) -> PyResult<Self> {
        let mut ms = Vec::with_capacity(marginals.len());
        for m in &marginals {
            if m.inner.dim() != 1 || m.inner.has_copula() {
                return Err(PyValueError::new_err(
                    "`marginals` must be one-dimensional distributions",
                ));
            }
            ms.push(m.inner.marginals()[0].clone());
        }
        let (corr, rows) = points("correlation", correlation, ms.len())?;
        if rows != ms.len() {
            return Err(PyValueError::new_err(format!(
                "`correlation` must be {0} x {0}, got {rows} rows",
                ms.len()
            )));
        }
        Ok(PyDistribution {
            inner: Distribution::gaussian_copula(ms, corr).py_err()?,
        })
    }

    #[getter]
    fn dim(&self) -> usize {
        self.inner.dim()
    }

    /// `n` points (n x d) from a seeded generator.
    #[pyo3(signature = (n, seed=None))]
    fn sample<'py>(
        &self,
        py: Python<'py>,
        n: &Bound<'py, PyAny>,
        seed: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let n = count("n", n)? as usize;
        let s = crate::convert::seed(seed)?;
        let inner = &self.inner;
        let x = py.detach(|| inner.sample_seeded(n, s));
        x.into_pyarray(py).reshape([n, self.inner.dim()])
    }

    /// Log-density at each row of `x` (n x d).
    fn log_pdf<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, numpy::PyArray1<f64>>> {
        let d = self.inner.dim();
        let (x, _) = points("x", x, d)?;
        let out: Vec<f64> = x.chunks_exact(d).map(|r| self.inner.log_pdf(r)).collect();
        Ok(out.into_pyarray(py))
    }

    /// The standard-normal images of the rows of `x`.
    fn to_standard<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        self.map_rows(py, "x", x, |d, a, b| d.to_u(a, b))
    }

    /// The physical points of standard-normal rows `u`.
    #[pyo3(name = "from_standard")]
    fn standard_to_x<'py>(
        &self,
        py: Python<'py>,
        u: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        self.map_rows(py, "u", u, |d, a, b| d.from_u(a, b))
    }

    fn __repr__(&self) -> String {
        format!("{:?}", self.inner)
    }

    fn __eq__(&self, other: PyRef<'_, PyDistribution>) -> bool {
        self.inner == other.inner
    }

    fn __reduce__<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, PyBytes>,))> {
        let restore = py
            .import("rapidriver._core")?
            .getattr("_restore_distribution")?;
        let state = snapshot::to_bytes(&self.inner).py_err()?;
        Ok((restore, (PyBytes::new(py, &state),)))
    }
}

impl PyDistribution {
    /// Applies a row transform (`x -> u` or back) to every row of a 2-d array.
    fn map_rows<'py>(
        &self,
        py: Python<'py>,
        name: &str,
        arr: &Bound<'py, PyAny>,
        f: impl Fn(&Distribution, &[f64], &mut [f64]),
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let d = self.inner.dim();
        let (src, n) = points(name, arr, d)?;
        let mut out = vec![0.0; src.len()];
        for (a, b) in src.chunks_exact(d).zip(out.chunks_exact_mut(d)) {
            f(&self.inner, a, b);
        }
        out.into_pyarray(py).reshape([n, d])
    }
}

#[pyfunction]
fn _restore_distribution(state: &[u8]) -> PyResult<PyDistribution> {
    Ok(PyDistribution {
        inner: snapshot::from_bytes(state).py_err()?,
    })
}

fn family(name: &str, n_components: usize, diag: bool) -> PyResult<Family> {
    match name {
        "gaussian" => Ok(Family::Gaussian { diag }),
        "mixture" => Ok(Family::Mixture { n_components, diag }),
        other => Err(PyValueError::new_err(format!(
            "`family` must be 'gaussian' or 'mixture', got {other:?}"
        ))),
    }
}

fn outcome_dict<'py>(py: Python<'py>, o: &Outcome) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    let k = o.estimates.len();
    d.set_item("estimates", o.estimates.clone().into_pyarray(py))?;
    d.set_item("std_errors", o.std_errors.clone().into_pyarray(py))?;
    d.set_item(
        "covariance",
        o.covariance.clone().into_pyarray(py).reshape([k, k])?,
    )?;
    d.set_item("runs_adaptation", o.runs_adaptation)?;
    d.set_item("runs_final", o.runs_final)?;
    d.set_item("split", o.split.clone())?;
    let hist = PyList::empty(py);
    for s in &o.history {
        let h = PyDict::new(py);
        h.set_item("runs", s.runs)?;
        h.set_item("alpha", s.alpha.clone().into_pyarray(py))?;
        h.set_item("variances", s.variances.clone().into_pyarray(py))?;
        h.set_item("predicted", s.predicted)?;
        hist.append(h)?;
    }
    d.set_item("history", hist)?;
    Ok(d)
}

/// One estimation as an ask/tell loop: `ask()` gives the next batch of input points (or None),
/// `tell(y)` takes the model's outputs (n x K) on it.
#[pyclass(module = "rapidriver._core", name = "Estimator")]
pub struct PyEstimator {
    state: EstimatorState,
}

/// Everything the binding keeps; pickled as a tuple of its fields.
struct EstimatorState {
    inner: Estimator,
    weights: Option<Vec<f64>>,
    outputs_set: bool,
    d: usize,
}

#[pymethods]
impl PyEstimator {
    #[new]
    #[pyo3(signature = (inputs, budget, method, weights=None, family_name="gaussian", n_components=2, diag=false, proposal=None, seed=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        inputs: Vec<PyRef<'_, PyDistribution>>,
        budget: &Bound<'_, PyAny>,
        method: &str,
        weights: Option<PyReadonlyArray1<'_, f64>>,
        family_name: &str,
        n_components: usize,
        diag: bool,
        proposal: Option<PyRef<'_, PyDistribution>>,
        seed: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let budget = count("budget", budget)? as usize;
        let inputs: Vec<Distribution> = inputs.iter().map(|p| p.inner.clone()).collect();
        let weights = match weights {
            Some(w) => {
                let w = w.as_slice()?.to_vec();
                if let Some(bad) = w.iter().find(|v| !(v.is_finite() && **v > 0.0)) {
                    return Err(PyValueError::new_err(format!(
                        "invalid parameter `weights`: must all be finite and > 0, got {bad}"
                    )));
                }
                Some(w)
            }
            None => None,
        };
        let method = match method {
            "iscv" => Method::Iscv(family(family_name, n_components, diag)?),
            "mc" => Method::MonteCarlo,
            "is" => Method::Importance(proposal.map(|p| p.inner.clone())),
            other => return Err(PyValueError::new_err(format!("unknown method {other:?}"))),
        };
        let problem = Problem::new(inputs, 1, None).py_err()?;
        let d = problem.dim();
        Ok(PyEstimator {
            state: EstimatorState {
                inner: Estimator::new(problem, budget, method, seed_value(seed)?).py_err()?,
                weights,
                outputs_set: false,
                d,
            },
        })
    }

    fn ask<'py>(&mut self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyArray2<f64>>>> {
        let inner = &mut self.state.inner;
        let d = self.state.d;
        match py.detach(|| inner.ask().map(|x| x.to_vec())) {
            None => Ok(None),
            Some(x) => {
                let n = x.len() / d;
                Ok(Some(x.into_pyarray(py).reshape([n, d])?))
            }
        }
    }

    /// Outputs on the last batch: a 2-d float64 array with one row per point.
    fn tell(&mut self, py: Python<'_>, y: PyReadonlyArray2<'_, f64>) -> PyResult<()> {
        let k_f = y.shape()[1];
        if !self.state.outputs_set {
            self.state
                .inner
                .set_outputs(k_f, self.state.weights.clone())
                .py_err()?;
            self.state.outputs_set = true;
        }
        // One memcpy when the array is contiguous (the Python face makes it so).
        let y: Vec<f64> = match y.as_slice() {
            Ok(v) => v.to_vec(),
            Err(_) => y.as_array().iter().copied().collect(),
        };
        let inner = &mut self.state.inner;
        py.detach(|| inner.tell(&y)).py_err()
    }

    #[getter]
    fn runs(&self) -> usize {
        self.state.inner.runs()
    }

    #[getter]
    fn budget(&self) -> usize {
        self.state.inner.budget()
    }

    fn outcome<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        outcome_dict(py, &self.state.inner.outcome().py_err()?)
    }

    fn __reduce__<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, PyBytes>,))> {
        let restore = py
            .import("rapidriver._core")?
            .getattr("_restore_estimator")?;
        let st = &self.state;
        let state = snapshot::to_bytes(&(&st.inner, &st.weights, st.outputs_set, st.d)).py_err()?;
        Ok((restore, (PyBytes::new(py, &state),)))
    }
}

#[pyfunction]
fn _restore_estimator(state: &[u8]) -> PyResult<PyEstimator> {
    let (inner, weights, outputs_set, d): (Estimator, Option<Vec<f64>>, bool, usize) =
        snapshot::from_bytes(state).py_err()?;
    Ok(PyEstimator {
        state: EstimatorState {
            inner,
            weights,
            outputs_set,
            d,
        },
    })
}

fn seed_value(s: Option<&Bound<'_, PyAny>>) -> PyResult<u64> {
    seed(s)
}

/// Sobol' indices as an ask/tell loop over model points (one output per point).
#[pyclass(module = "rapidriver._core", name = "SobolRun")]
pub struct PySobol {
    inner: Sobol,
    d: usize,
}

#[pymethods]
impl PySobol {
    #[new]
    #[pyo3(signature = (inputs, budget, method, family_name="gaussian", n_components=2, diag=false, seed=None, first_only=false))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        inputs: PyRef<'_, PyDistribution>,
        budget: &Bound<'_, PyAny>,
        method: &str,
        family_name: &str,
        n_components: usize,
        diag: bool,
        seed: Option<&Bound<'_, PyAny>>,
        first_only: bool,
    ) -> PyResult<Self> {
        let budget = count("budget", budget)? as usize;
        let (form, m) = match method {
            "iscv" => (
                SobolForm::Saltelli,
                Method::Iscv(family(family_name, n_components, diag)?),
            ),
            "saltelli" => (SobolForm::Saltelli, Method::MonteCarlo),
            "pick-freeze" => (SobolForm::PickFreeze, Method::MonteCarlo),
            other => {
                return Err(PyValueError::new_err(format!(
                    "`method` must be 'iscv', 'pick-freeze' or 'saltelli', got {other:?}"
                )))
            }
        };
        Ok(PySobol {
            inner: Sobol::with_order(
                inputs.inner.clone(),
                budget,
                form,
                m,
                seed_value(seed)?,
                first_only,
            )
            .py_err()?,
            d: inputs.inner.dim(),
        })
    }

    fn ask<'py>(&mut self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyArray2<f64>>>> {
        let inner = &mut self.inner;
        match py.detach(|| inner.ask().map(|x| x.to_vec())) {
            None => Ok(None),
            Some(x) => {
                let n = x.len() / self.d;
                Ok(Some(x.into_pyarray(py).reshape([n, self.d])?))
            }
        }
    }

    fn tell(&mut self, py: Python<'_>, y: PyReadonlyArray1<'_, f64>) -> PyResult<()> {
        let y = y.as_slice()?.to_vec();
        let inner = &mut self.inner;
        py.detach(|| inner.tell(&y)).py_err()
    }

    #[getter]
    fn runs(&self) -> usize {
        self.inner.runs()
    }

    #[getter]
    fn budget(&self) -> usize {
        self.inner.budget()
    }

    fn outcome<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let o: SobolOutcome = self.inner.outcome().py_err()?;
        let d = PyDict::new(py);
        d.set_item("first", o.first.into_pyarray(py))?;
        d.set_item("total", o.total.into_pyarray(py))?;
        d.set_item("first_se", o.first_se.into_pyarray(py))?;
        d.set_item("total_se", o.total_se.into_pyarray(py))?;
        d.set_item("runs", o.runs)?;
        d.set_item("expectations", outcome_dict(py, &o.expectations)?)?;
        Ok(d)
    }

    /// Bootstrap percentile intervals from `reps` resamples of the final sample.
    #[pyo3(signature = (reps, level=0.95, seed=None))]
    fn bootstrap<'py>(
        &self,
        py: Python<'py>,
        reps: &Bound<'py, PyAny>,
        level: f64,
        seed: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let reps = count("bootstrap", reps)? as usize;
        let s = seed_value(seed)?;
        let inner = &self.inner;
        let b = py.detach(|| inner.bootstrap(reps, level, s)).py_err()?;
        let ci = |v: Vec<[f64; 2]>| -> PyResult<Bound<'py, PyArray2<f64>>> {
            let n = v.len();
            v.into_iter()
                .flatten()
                .collect::<Vec<f64>>()
                .into_pyarray(py)
                .reshape([n, 2])
        };
        let d = PyDict::new(py);
        d.set_item("first_ci", ci(b.first_ci)?)?;
        d.set_item("total_ci", ci(b.total_ci)?)?;
        d.set_item("first_sd", b.first_sd.into_pyarray(py))?;
        d.set_item("total_sd", b.total_sd.into_pyarray(py))?;
        Ok(d)
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyDistribution>()?;
    m.add_class::<PyEstimator>()?;
    m.add_class::<PySobol>()?;
    m.add_function(wrap_pyfunction!(_restore_distribution, m)?)?;
    m.add_function(wrap_pyfunction!(_restore_estimator, m)?)?;
    Ok(())
}
