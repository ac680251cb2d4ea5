//! Bindings of `rapidriver_core::tree::HoeffdingTreeRegressor` over feature dicts and arrays.

use crate::convert::{count, number, Interner};
use crate::errors::{type_error, IntoPyResult};
use crate::tree::{branch_test, features_of, flag, get, load_features, nominal_set, sorted_names};
use numpy::{IntoPyArray, PyArray1, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PySet};
use rapidriver_core::snapshot;
use rapidriver_core::tree::hoeffding_tree_classifier::PathStep;
use rapidriver_core::tree::{
    HoeffdingTreeRegressor, HtrConfig, Instance, LeafModelConfig, RegLeafPrediction, Value,
};

fn config(p: &Bound<'_, PyDict>) -> PyResult<HtrConfig> {
    let f = |name: &str| -> PyResult<f64> { number(name, &get(p, name)?) };
    let leaf_prediction = match get(p, "leaf_prediction")?.extract::<String>().as_deref() {
        Ok("mean") => RegLeafPrediction::Mean,
        Ok("model") => RegLeafPrediction::Model,
        Ok("adaptive") => RegLeafPrediction::Adaptive,
        _ => {
            return Err(PyValueError::new_err(
                "`leaf_prediction` must be 'mean', 'model' or 'adaptive'",
            ))
        }
    };
    let max_depth = match p.get_item("max_depth")? {
        Some(d) if !d.is_none() => count("max_depth", &d)? as usize,
        _ => usize::MAX,
    };
    let digits = match p.get_item("digits")? {
        Some(d) if !d.is_none() => Some(count("splitter.digits", &d)? as u32),
        _ => None,
    };
    let model = get(p, "leaf_model")?;
    let model = model
        .cast::<PyDict>()
        .map_err(|_| type_error("leaf_model", "a dict of LinearRegression settings", &model))?;
    let m = |name: &str| -> PyResult<f64> { number(name, &get(model, name)?) };
    let cfg = HtrConfig {
        grace_period: f("grace_period")?,
        max_depth,
        delta: f("delta")?,
        tau: f("tau")?,
        leaf_prediction,
        leaf_model: LeafModelConfig {
            lr: m("lr")?,
            intercept_lr: m("intercept_lr")?,
            intercept_init: m("intercept_init")?,
            l2: m("l2")?,
            clip_gradient: m("clip_gradient")?,
        },
        model_selector_decay: f("model_selector_decay")?,
        digits,
        min_samples_split: f("min_samples_split")?,
        binary_split: flag(p, "binary_split")?,
        max_size_mib: f("max_size")?,
        memory_estimate_period: f("memory_estimate_period")?,
        stop_mem_management: flag(p, "stop_mem_management")?,
        remove_poor_attrs: flag(p, "remove_poor_attrs")?,
        merit_preprune: flag(p, "merit_preprune")?,
    };
    cfg.validate().py_err()?;
    Ok(cfg)
}

fn target(y: &Bound<'_, PyAny>) -> PyResult<f64> {
    let v: f64 = y.extract().map_err(|_| type_error("y", "a number", y))?;
    if !v.is_finite() {
        return Err(PyValueError::new_err(format!(
            "`y` must be a finite number, got {v}"
        )));
    }
    Ok(v)
}

#[pyclass(module = "rapidriver._core", name = "HoeffdingTreeRegressor")]
pub struct PyHoeffdingTreeRegressor {
    core: HoeffdingTreeRegressor,
    features: Interner,
    values: Interner,
    nominal_names: Py<PySet>,
    x: Instance,
}

impl PyHoeffdingTreeRegressor {
    fn load(&mut self, x: &Bound<'_, PyAny>) -> PyResult<()> {
        let core = &mut self.core;
        let new_value = load_features(
            x,
            &mut self.features,
            &mut self.values,
            self.nominal_names.bind(x.py()),
            &mut self.x,
            |i| core.set_nominal(i),
        )?;
        if new_value {
            self.rank_values(x.py())?;
        }
        Ok(())
    }

    /// Nominal splits list values in sorted order, as river's `sorted(values)`; values that
    /// Python cannot compare are ordered by their repr.
    fn rank_values(&mut self, py: Python<'_>) -> PyResult<()> {
        let keys = self.values.keys_list(py)?;
        let builtins = py.import("builtins")?;
        let sorted = builtins.getattr("sorted")?;
        let kwargs = PyDict::new(py);
        kwargs.set_item("key", keys.getattr("__getitem__")?)?;
        let ids = PyList::new(py, 0..keys.len())?;
        let order = match sorted.call((&ids,), Some(&kwargs)) {
            Ok(o) => o,
            Err(_) => {
                let reprs = PyList::new(
                    py,
                    keys.iter()
                        .map(|k| k.repr())
                        .collect::<PyResult<Vec<_>>>()?,
                )?;
                let kwargs = PyDict::new(py);
                kwargs.set_item("key", reprs.getattr("__getitem__")?)?;
                sorted.call((&ids,), Some(&kwargs))?
            }
        };
        let order: Vec<usize> = order.extract()?;
        let mut rank = vec![0u32; order.len()];
        for (r, id) in order.into_iter().enumerate() {
            rank[id] = r as u32;
        }
        self.core.set_value_rank(rank);
        Ok(())
    }

    fn step_to_py<'py>(&self, py: Python<'py>, step: PathStep) -> PyResult<Bound<'py, PyAny>> {
        match step {
            PathStep::Branch {
                feature,
                split,
                child,
            } => {
                let name = self.features.keys[feature].bind(py);
                let test = branch_test(py, split, &self.values)?;
                Ok((name, test, child).into_pyobject(py)?.into_any())
            }
            PathStep::Leaf(stats) => {
                let n = stats.get(0).unwrap_or(0.0);
                let mean = stats.get(1).unwrap_or(0.0);
                Ok((n, mean).into_pyobject(py)?.into_any())
            }
        }
    }

    fn numeric_ids(&mut self, py: Python<'_>, d: usize, register: bool) -> PyResult<Vec<usize>> {
        let nominal = self.nominal_names.bind(py);
        for j in 0..d {
            if nominal.contains(j.into_pyobject(py)?)? {
                return Err(PyValueError::new_err(format!(
                    "the numpy path takes numeric features only: column {j} is nominal"
                )));
            }
        }
        (0..d)
            .map(|j| {
                let name = j.into_pyobject(py)?;
                if register {
                    self.features.intern(name.as_any())
                } else {
                    Ok(self.features.get(name.as_any())?.unwrap_or(usize::MAX))
                }
            })
            .collect()
    }
}

fn fill(x: &mut Instance, ids: &[usize], row: &[f64]) {
    x.clear();
    for (&f, &v) in ids.iter().zip(row) {
        if f != usize::MAX {
            x.push(f, Value::Num(v));
        }
    }
}

#[pymethods]
impl PyHoeffdingTreeRegressor {
    #[new]
    fn new(py: Python<'_>, params: &Bound<'_, PyDict>) -> PyResult<Self> {
        let cfg = config(params)?;
        let nominal = nominal_set(py, params)?;
        Ok(PyHoeffdingTreeRegressor {
            core: HoeffdingTreeRegressor::new(cfg).py_err()?,
            features: Interner::new(py),
            values: Interner::new(py),
            nominal_names: nominal.unbind(),
            x: Instance::new(),
        })
    }

    #[pyo3(signature = (x, y, w=1.0))]
    fn learn_one(&mut self, x: &Bound<'_, PyAny>, y: &Bound<'_, PyAny>, w: f64) -> PyResult<()> {
        if !(w.is_finite() && w > 0.0) {
            return Err(PyValueError::new_err(format!(
                "`w` must be finite and > 0, got {w}"
            )));
        }
        let y = target(y)?;
        self.load(x)?;
        self.core.learn_one(&self.x, y, w).py_err()
    }

    fn predict_one(&mut self, x: &Bound<'_, PyAny>) -> PyResult<f64> {
        self.load(x)?;
        self.core.predict_one(&self.x).py_err()
    }

    /// Learns every row of a float array (features named 0..d-1) in order, GIL released.
    fn learn_many_np(
        &mut self,
        py: Python<'_>,
        x: &Bound<'_, PyAny>,
        y: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let arr: PyReadonlyArray2<f64> = x
            .extract()
            .map_err(|_| type_error("X", "a 2-d float array", x))?;
        let (n, d, values) = features_of(&arr)?;
        let ys: PyReadonlyArray1<f64> = y
            .extract()
            .map_err(|_| type_error("y", "a 1-d float array", y))?;
        let ys = ys.as_slice()?.to_vec();
        if ys.len() != n {
            return Err(PyValueError::new_err(format!(
                "`y` has length {}, expected {n} (the rows of `X`)",
                ys.len()
            )));
        }
        if let Some(v) = ys.iter().find(|v| !v.is_finite()) {
            return Err(PyValueError::new_err(format!(
                "`y` contains {v}: targets must be finite"
            )));
        }
        let ids = self.numeric_ids(py, d, true)?;
        let mut x = std::mem::take(&mut self.x);
        let core = &mut self.core;
        let result = py.detach(|| -> Result<(), rapidriver_core::Error> {
            for (i, &t) in ys.iter().enumerate() {
                fill(&mut x, &ids, &values[i * d..(i + 1) * d]);
                core.learn_one(&x, t, 1.0)?;
            }
            Ok(())
        });
        self.x = x;
        result.py_err()
    }

    fn predict_many_np<'py>(
        &mut self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let arr: PyReadonlyArray2<f64> = x
            .extract()
            .map_err(|_| type_error("X", "a 2-d float array", x))?;
        let (n, d, values) = features_of(&arr)?;
        let ids = self.numeric_ids(py, d, false)?;
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            fill(&mut self.x, &ids, &values[i * d..(i + 1) * d]);
            out.push(self.core.predict_one(&self.x).py_err()?);
        }
        Ok(out.into_pyarray(py))
    }

    #[getter]
    fn n_nodes(&self) -> usize {
        self.core.n_nodes()
    }
    #[getter]
    fn n_leaves(&self) -> usize {
        self.core.n_leaves()
    }
    #[getter]
    fn n_branches(&self) -> usize {
        self.core.n_branches()
    }
    #[getter]
    fn n_active_leaves(&self) -> i64 {
        self.core.n_active_leaves()
    }
    #[getter]
    fn n_inactive_leaves(&self) -> i64 {
        self.core.n_inactive_leaves()
    }
    #[getter]
    fn height(&self) -> usize {
        self.core.height()
    }
    #[getter]
    fn total_weight(&self) -> f64 {
        self.core.weight_seen()
    }

    /// `(weight, mean, variance)` of the target at the leaf `x` reaches, None while empty.
    fn leaf_stats(&mut self, x: &Bound<'_, PyAny>) -> PyResult<Option<(f64, f64, f64)>> {
        self.load(x)?;
        Ok(self.core.leaf_stats(&self.x))
    }

    /// The branches `x` passes as `(feature, (op, value), child)`, then `(weight, mean)`.
    fn path<'py>(
        &mut self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyList>> {
        self.load(x)?;
        let out = PyList::empty(py);
        for step in self.core.path(&self.x) {
            out.append(self.step_to_py(py, step)?)?;
        }
        Ok(out)
    }

    /// Every node in pre-order as `(parent position or None, child number, step)`.
    fn structure<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let out = PyList::empty(py);
        for node in self.core.structure() {
            out.append((node.parent, node.child, self.step_to_py(py, node.step)?))?;
        }
        Ok(out)
    }

    fn __sizeof__(&self) -> usize {
        self.core.memory_bytes()
    }

    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyAny>)> {
        let restore = py
            .import("rapidriver._core")?
            .getattr("_restore_tree_regressor")?;
        let state = snapshot::to_bytes(&self.core).py_err()?;
        let args = (
            pyo3::types::PyBytes::new(py, &state),
            self.features.keys_list(py)?,
            self.values.keys_list(py)?,
            sorted_names(self.nominal_names.bind(py))?,
        )
            .into_pyobject(py)?
            .into_any();
        Ok((restore, args))
    }
}

#[pyfunction]
fn _restore_tree_regressor(
    py: Python<'_>,
    state: &[u8],
    features: Vec<Py<PyAny>>,
    values: Vec<Py<PyAny>>,
    nominal: Vec<Py<PyAny>>,
) -> PyResult<PyHoeffdingTreeRegressor> {
    let set = PySet::empty(py)?;
    for n in nominal {
        set.add(n)?;
    }
    Ok(PyHoeffdingTreeRegressor {
        core: snapshot::from_bytes(state).py_err()?,
        features: Interner::from_keys(py, features)?,
        values: Interner::from_keys(py, values)?,
        nominal_names: set.unbind(),
        x: Instance::new(),
    })
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyHoeffdingTreeRegressor>()?;
    m.add_function(wrap_pyfunction!(_restore_tree_regressor, m)?)?;
    Ok(())
}
