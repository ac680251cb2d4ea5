//! Bindings of `rapidriver_core::tree`: `HoeffdingTreeClassifier` over feature dicts (names,
//! nominal values and class labels interned to dense ids) and over numpy arrays.

use crate::convert::{count, number, Interner};
use crate::drift::make_detector;
use crate::errors::{type_error, IntoPyResult};
use numpy::{
    IntoPyArray, PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray2, PyUntypedArrayMethods,
};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyFloat, PyInt, PyList, PySet, PyString, PyTuple};
use rapidriver_core::snapshot;
use rapidriver_core::tree::criterion::Criterion;
use rapidriver_core::tree::hoeffding_tree_classifier::PathStep;
use rapidriver_core::tree::splitter::SplitKind;
use rapidriver_core::tree::{
    ClassifierTree, HatConfig, HoeffdingAdaptiveTreeClassifier, HoeffdingTreeClassifier, HtConfig,
    Instance, LeafPrediction, Value,
};

pub(crate) fn get<'py>(p: &Bound<'py, PyDict>, name: &str) -> PyResult<Bound<'py, PyAny>> {
    p.get_item(name)?
        .ok_or_else(|| PyTypeError::new_err(format!("missing parameter `{name}`")))
}

pub(crate) fn flag(p: &Bound<'_, PyDict>, name: &str) -> PyResult<bool> {
    let v = get(p, name)?;
    v.extract::<bool>()
        .map_err(|_| type_error(name, "a bool", &v))
}

fn config(p: &Bound<'_, PyDict>) -> PyResult<HtConfig> {
    let f = |name: &str| -> PyResult<f64> { number(name, &get(p, name)?) };
    let criterion = match get(p, "split_criterion")?.extract::<String>().as_deref() {
        Ok("info_gain") => Criterion::InfoGain,
        Ok("gini") => Criterion::Gini,
        Ok("hellinger") => Criterion::Hellinger {
            neg: None,
            pos: None,
        },
        _ => {
            return Err(PyValueError::new_err(
                "`split_criterion` must be 'info_gain', 'gini' or 'hellinger'",
            ))
        }
    };
    let leaf_prediction = match get(p, "leaf_prediction")?.extract::<String>().as_deref() {
        Ok("mc") => LeafPrediction::MajorityClass,
        Ok("nb") => LeafPrediction::NaiveBayes,
        Ok("nba") => LeafPrediction::NaiveBayesAdaptive,
        _ => {
            return Err(PyValueError::new_err(
                "`leaf_prediction` must be 'mc', 'nb' or 'nba'",
            ))
        }
    };
    let max_depth = match p.get_item("max_depth")? {
        Some(d) if !d.is_none() => count("max_depth", &d)? as usize,
        _ => usize::MAX,
    };
    let cfg = HtConfig {
        grace_period: f("grace_period")?,
        max_depth,
        criterion,
        delta: f("delta")?,
        tau: f("tau")?,
        leaf_prediction,
        nb_threshold: f("nb_threshold")?,
        n_splits: count("n_splits", &get(p, "n_splits")?)? as usize,
        binary_split: flag(p, "binary_split")?,
        min_branch_fraction: f("min_branch_fraction")?,
        max_share_to_split: f("max_share_to_split")?,
        max_size_mib: f("max_size")?,
        memory_estimate_period: f("memory_estimate_period")?,
        stop_mem_management: flag(p, "stop_mem_management")?,
        remove_poor_attrs: flag(p, "remove_poor_attrs")?,
        merit_preprune: flag(p, "merit_preprune")?,
        // The tree classifiers mirror river's naive Bayes; DriftMoE's experts take MOA's.
        moa_naive_bayes: false,
    };
    cfg.validate().py_err()?;
    Ok(cfg)
}

/// The core tree `params["kind"]` names: "ht" (default) or "hat" with its own settings.
fn build_core(p: &Bound<'_, PyDict>, cfg: HtConfig) -> PyResult<ClassifierTree> {
    let kind = match p.get_item("kind")? {
        Some(k) => k.extract::<String>()?,
        None => "ht".to_string(),
    };
    match kind.as_str() {
        "ht" => Ok(ClassifierTree::Ht(Box::new(
            HoeffdingTreeClassifier::new(cfg).py_err()?,
        ))),
        "hat" => {
            let hat = HatConfig {
                tree: cfg,
                bootstrap_sampling: flag(p, "bootstrap_sampling")?,
                drift_window_threshold: number(
                    "drift_window_threshold",
                    &get(p, "drift_window_threshold")?,
                )?,
                switch_significance: number(
                    "switch_significance",
                    &get(p, "switch_significance")?,
                )?,
            };
            let detector_kind: String = get(p, "detector_kind")?.extract()?;
            let detector_params = get(p, "detector_params")?;
            let detector_params = detector_params
                .cast::<PyDict>()
                .map_err(|_| type_error("drift_detector", "a detector", &detector_params))?;
            let detector = make_detector(&detector_kind, detector_params)?;
            let seed = count("seed", &get(p, "seed")?)?;
            Ok(ClassifierTree::Hat(Box::new(
                HoeffdingAdaptiveTreeClassifier::new(hat, detector, seed).py_err()?,
            )))
        }
        other => Err(PyValueError::new_err(format!(
            "`kind` must be 'ht' or 'hat', got {other:?}"
        ))),
    }
}

/// A feature value before interning.
pub(crate) enum Raw<'py> {
    Num(f64),
    Cat(Bound<'py, PyAny>),
    Missing,
}

/// Converts a feature dict into `out`: checks every value first (a bad one changes nothing),
/// then interns new names and nominal values; `declare_nominal` hears of each new feature
/// declared nominal. Returns whether a new nominal value was interned.
pub(crate) fn load_features(
    x: &Bound<'_, PyAny>,
    features: &mut Interner,
    values: &mut Interner,
    nominal: &Bound<'_, PySet>,
    out: &mut Instance,
    mut declare_nominal: impl FnMut(usize),
) -> PyResult<bool> {
    let dict = x
        .cast::<PyDict>()
        .map_err(|_| type_error("x", "a dict of features", x))?;
    let mut raw = Vec::with_capacity(dict.len());
    for (k, v) in dict.iter() {
        let declared = nominal.contains(&k)?;
        let value = if v.is_none() {
            Raw::Missing
        } else if !declared
            && (v.is_instance_of::<PyFloat>() || v.is_instance_of::<PyInt>() || is_number(&v)?)
        {
            let n: f64 = v.extract().map_err(|_| type_error("x", "numbers", &v))?;
            if !n.is_finite() {
                return Err(PyValueError::new_err(format!(
                    "`x` feature {} is {n}: features must be finite",
                    k.repr()?
                )));
            }
            Raw::Num(n)
        } else {
            v.hash()
                .map_err(|_| type_error("x", "hashable nominal values", &v))?;
            Raw::Cat(v)
        };
        k.hash()
            .map_err(|_| type_error("x", "hashable feature names", &k))?;
        raw.push((k, value));
    }
    out.clear();
    let mut new_value = false;
    for (k, value) in raw {
        let fid = match features.get(&k)? {
            Some(i) => i,
            None => {
                let i = features.intern(&k)?;
                if nominal.contains(&k)? {
                    declare_nominal(i);
                }
                i
            }
        };
        let v = match value {
            Raw::Num(n) => Value::Num(n),
            Raw::Missing => Value::Missing,
            Raw::Cat(obj) => {
                let before = values.len();
                let id = values.intern(&obj)?;
                new_value |= values.len() > before;
                Value::Cat(id as u32)
            }
        };
        out.push(fid, v);
    }
    Ok(new_value)
}

/// A branch test as `(op, value)`: `("<=", threshold)`, `("==", value)` or `("in", values)`.
pub(crate) fn branch_test<'py>(
    py: Python<'py>,
    split: SplitKind,
    values: &Interner,
) -> PyResult<Bound<'py, PyTuple>> {
    match split {
        SplitKind::NumericBinary(t) => PyTuple::new(
            py,
            [
                "<=".into_pyobject(py)?.into_any(),
                t.into_pyobject(py)?.into_any(),
            ],
        ),
        SplitKind::NominalBinary(v) => PyTuple::new(
            py,
            [
                "==".into_pyobject(py)?.into_any(),
                values.keys[v as usize].bind(py).clone(),
            ],
        ),
        SplitKind::NominalMultiway(vs) => PyTuple::new(
            py,
            [
                "in".into_pyobject(py)?.into_any(),
                PyList::new(py, vs.iter().map(|&v| values.keys[v as usize].bind(py)))?.into_any(),
            ],
        ),
    }
}

/// The names of a set as a list sorted by repr, so that equal models pickle equally.
pub(crate) fn sorted_names<'py>(set: &Bound<'py, PySet>) -> PyResult<Bound<'py, PyList>> {
    let mut keyed: Vec<(String, Bound<'py, PyAny>)> = set
        .iter()
        .map(|n| Ok((n.repr()?.to_string(), n)))
        .collect::<PyResult<_>>()?;
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    PyList::new(set.py(), keyed.into_iter().map(|(_, n)| n))
}

/// The set of feature names in `params["nominal_attributes"]` (None: empty).
pub(crate) fn nominal_set<'py>(
    py: Python<'py>,
    params: &Bound<'py, PyDict>,
) -> PyResult<Bound<'py, PySet>> {
    let nominal = PySet::empty(py)?;
    if let Some(names) = params.get_item("nominal_attributes")? {
        if !names.is_none() {
            for n in names
                .try_iter()
                .map_err(|_| type_error("nominal_attributes", "a list of names", &names))?
            {
                nominal.add(n?)?;
            }
        }
    }
    Ok(nominal)
}

#[pyclass(module = "rapidriver._core", name = "HoeffdingTreeClassifier")]
pub struct PyHoeffdingTreeClassifier {
    core: ClassifierTree,
    features: Interner,
    values: Interner,
    classes: Interner,
    nominal_names: Py<PySet>,
    /// Class ids in the order of their sorted labels.
    sorted: Vec<usize>,
    x: Instance,
}

impl PyHoeffdingTreeClassifier {
    /// Converts a feature dict into `self.x`.
    fn load(&mut self, x: &Bound<'_, PyAny>) -> PyResult<()> {
        let core = &mut self.core;
        load_features(
            x,
            &mut self.features,
            &mut self.values,
            self.nominal_names.bind(x.py()),
            &mut self.x,
            |i| core.set_nominal(i),
        )?;
        Ok(())
    }

    fn class_id(&mut self, y: &Bound<'_, PyAny>) -> PyResult<usize> {
        if let Some(i) = self.classes.get(y)? {
            return Ok(i);
        }
        let i = self.classes.intern(y)?;
        let py = y.py();
        // Hellinger compares the classes labelled 0 and 1 (False and True), as river's does.
        let labels = self.classes.keys_list(py)?;
        let zero = 0i64.into_pyobject(py)?;
        let one = 1i64.into_pyobject(py)?;
        let (mut neg, mut pos) = (None, None);
        for (j, l) in labels.iter().enumerate() {
            if l.eq(&zero)? {
                neg = Some(j);
            } else if l.eq(&one)? {
                pos = Some(j);
            }
        }
        self.core.set_binary_classes(neg, pos);
        let sorted = py.import("builtins")?.getattr("sorted")?;
        let order = sorted.call1((PyList::new(py, 0..labels.len())?,))?;
        // Sort ids by their labels: sorted(range(n), key=labels.__getitem__).
        let key = labels.getattr("__getitem__")?;
        let kwargs = PyDict::new(py);
        kwargs.set_item("key", key)?;
        let order = sorted.call((order,), Some(&kwargs))?;
        self.sorted = order.extract()?;
        Ok(i)
    }

    fn proba_dict<'py>(&self, py: Python<'py>, proba: &[f64]) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for &c in &self.sorted {
            d.set_item(
                self.classes.keys[c].bind(py),
                proba.get(c).copied().unwrap_or(0.0),
            )?;
        }
        Ok(d)
    }

    /// First class, in sorted label order, with the largest probability.
    fn argmax(&self, proba: &[f64]) -> Option<usize> {
        let mut best: Option<(usize, f64)> = None;
        for &c in &self.sorted {
            if c >= self.core.n_classes() {
                continue;
            }
            let p = proba.get(c).copied().unwrap_or(0.0);
            if best.is_none_or(|(_, b)| p > b) {
                best = Some((c, p));
            }
        }
        best.map(|(c, _)| c)
    }

    /// Feature ids of columns `0..d`, interned for learning; every column is checked first.
    fn check_numeric_columns(&mut self, py: Python<'_>, d: usize) -> PyResult<Vec<usize>> {
        let nominal = self.nominal_names.bind(py);
        for j in 0..d {
            if nominal.contains(j.into_pyobject(py)?)? {
                return Err(PyValueError::new_err(format!(
                    "the numpy path takes numeric features only: column {j} is nominal"
                )));
            }
        }
        (0..d)
            .map(|j| self.features.intern(j.into_pyobject(py)?.as_any()))
            .collect()
    }

    /// Feature ids of columns `0..d` for prediction, which must not change the model: a
    /// column the model has never seen gets `usize::MAX` and is left out of each row.
    fn known_numeric_columns(&self, py: Python<'_>, d: usize) -> PyResult<Vec<usize>> {
        let nominal = self.nominal_names.bind(py);
        let mut ids = Vec::with_capacity(d);
        for j in 0..d {
            let name = j.into_pyobject(py)?;
            if nominal.contains(&name)? {
                return Err(PyValueError::new_err(format!(
                    "the numpy path takes numeric features only: column {j} is nominal"
                )));
            }
            ids.push(self.features.get(name.as_any())?.unwrap_or(usize::MAX));
        }
        Ok(ids)
    }

    fn row(&mut self, ids: &[usize], row: &[f64]) {
        self.x.clear();
        for (&f, &v) in ids.iter().zip(row) {
            if f != usize::MAX {
                self.x.push(f, Value::Num(v));
            }
        }
    }
}

fn is_number(v: &Bound<'_, PyAny>) -> PyResult<bool> {
    if v.is_instance_of::<PyString>() {
        return Ok(false);
    }
    let numbers = v.py().import("numbers")?.getattr("Number")?;
    v.is_instance(&numbers)
}

/// A class label must be hashable, not None and not a float NaN (NaN is never equal to itself,
/// so it could not be predicted back).
pub(crate) fn check_label(y: &Bound<'_, PyAny>) -> PyResult<()> {
    if y.is_none() {
        return Err(PyValueError::new_err("`y` must be a class label, got None"));
    }
    if let Ok(f) = y.cast::<PyFloat>() {
        if f.value().is_nan() {
            return Err(PyValueError::new_err("`y` must be a class label, got NaN"));
        }
    }
    y.hash()
        .map_err(|_| type_error("y", "a hashable class label", y))?;
    Ok(())
}

/// The labels of `y`, all checked before any is used, so that a bad one changes nothing.
pub(crate) fn labels_of<'py>(y: &Bound<'py, PyAny>, n: usize) -> PyResult<Vec<Bound<'py, PyAny>>> {
    let labels: Vec<Bound<'py, PyAny>> = y
        .call_method0("tolist")
        .map_err(|_| type_error("y", "a 1-d array of class labels", y))?
        .try_iter()?
        .collect::<PyResult<_>>()?;
    if labels.len() != n {
        return Err(PyValueError::new_err(format!(
            "`y` has length {}, expected {n} (the rows of `X`)",
            labels.len()
        )));
    }
    for l in &labels {
        check_label(l)?;
    }
    Ok(labels)
}

pub(crate) fn features_of(arr: &PyReadonlyArray2<'_, f64>) -> PyResult<(usize, usize, Vec<f64>)> {
    let shape = arr.shape();
    let values: Vec<f64> = arr.as_array().iter().copied().collect();
    if let Some(v) = values.iter().find(|v| !v.is_finite()) {
        return Err(PyValueError::new_err(format!(
            "`X` contains {v}: features must be finite"
        )));
    }
    Ok((shape[0], shape[1], values))
}

#[pymethods]
impl PyHoeffdingTreeClassifier {
    #[new]
    fn new(py: Python<'_>, params: &Bound<'_, PyDict>) -> PyResult<Self> {
        let cfg = config(params)?;
        let nominal = nominal_set(py, params)?;
        Ok(PyHoeffdingTreeClassifier {
            core: build_core(params, cfg)?,
            features: Interner::new(py),
            values: Interner::new(py),
            classes: Interner::new(py),
            nominal_names: nominal.unbind(),
            sorted: vec![],
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
        check_label(y)?;
        self.load(x)?;
        let c = self.class_id(y)?;
        self.core.learn_one(&self.x, c, w).py_err()
    }

    fn predict_proba_one<'py>(
        &mut self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyDict>> {
        self.load(x)?;
        let proba = self.core.predict_proba_one(&self.x).py_err()?;
        self.proba_dict(py, &proba)
    }

    fn predict_one(&mut self, py: Python<'_>, x: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.load(x)?;
        let proba = self.core.predict_proba_one(&self.x).py_err()?;
        Ok(match self.argmax(&proba) {
            Some(c) => self.classes.keys[c].clone_ref(py),
            None => py.None(),
        })
    }

    /// Raw class weights of the leaf that `x` reaches.
    fn leaf_votes<'py>(
        &mut self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyDict>> {
        self.load(x)?;
        let votes = self.core.leaf_votes(&self.x);
        self.proba_dict(py, &votes)
    }

    /// Learns every row of `X` (features named 0..d-1) with labels `y`, in order.
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
        let labels = labels_of(y, n)?;
        let ids = self.check_numeric_columns(py, d)?;
        let mut ys = Vec::with_capacity(n);
        for l in &labels {
            ys.push(self.class_id(l)?);
        }
        let mut x = std::mem::take(&mut self.x);
        let core = &mut self.core;
        let result = py.detach(|| -> Result<(), rapidriver_core::Error> {
            for (i, &c) in ys.iter().enumerate() {
                x.clear();
                for (j, &f) in ids.iter().enumerate() {
                    x.push(f, Value::Num(values[i * d + j]));
                }
                core.learn_one(&x, c, 1.0)?;
            }
            Ok(())
        });
        self.x = x;
        result.py_err()
    }

    /// Class probabilities of every row, columns in sorted label order.
    fn predict_proba_many_np<'py>(
        &mut self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let arr: PyReadonlyArray2<f64> = x
            .extract()
            .map_err(|_| type_error("X", "a 2-d float array", x))?;
        let (n, d, values) = features_of(&arr)?;
        let ids = self.known_numeric_columns(py, d)?;
        let k = self.sorted.len();
        let mut out = vec![0.0; n * k];
        for i in 0..n {
            self.row(&ids, &values[i * d..(i + 1) * d]);
            let p = self.core.predict_proba_one(&self.x).py_err()?;
            for (j, &c) in self.sorted.iter().enumerate() {
                out[i * k + j] = p.get(c).copied().unwrap_or(0.0);
            }
        }
        let flat = out.into_pyarray(py);
        flat.reshape([n, k])
    }

    /// Test-then-train over the rows: returns the running accuracy after each row.
    fn prequential<'py>(
        &mut self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
        y: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let arr: PyReadonlyArray2<f64> = x
            .extract()
            .map_err(|_| type_error("X", "a 2-d float array", x))?;
        let (n, d, values) = features_of(&arr)?;
        let labels = labels_of(y, n)?;
        let ids = self.check_numeric_columns(py, d)?;
        let mut ys = Vec::with_capacity(n);
        for l in &labels {
            ys.push(self.class_id(l)?);
        }
        // Rank of each class id in sorted label order, for tie-breaking as predict_one does.
        let mut rank = vec![0usize; self.sorted.len()];
        for (r, &c) in self.sorted.iter().enumerate() {
            rank[c] = r;
        }
        let mut x = std::mem::take(&mut self.x);
        let core = &mut self.core;
        let result = py.detach(|| -> Result<Vec<f64>, rapidriver_core::Error> {
            let mut curve = Vec::with_capacity(n);
            let mut correct = 0usize;
            for (i, &c) in ys.iter().enumerate() {
                x.clear();
                for (j, &f) in ids.iter().enumerate() {
                    x.push(f, Value::Num(values[i * d + j]));
                }
                let p = core.predict_proba_one(&x)?;
                let mut best: Option<(usize, f64)> = None;
                let mut known: Vec<usize> = (0..core.n_classes()).collect();
                known.sort_by_key(|&k| rank[k]);
                for k in known {
                    let pk = p.get(k).copied().unwrap_or(0.0);
                    if best.is_none_or(|(_, b)| pk > b) {
                        best = Some((k, pk));
                    }
                }
                correct += usize::from(best.map(|(k, _)| k) == Some(c));
                curve.push(correct as f64 / (i + 1) as f64);
                core.learn_one(&x, c, 1.0)?;
            }
            Ok(curve)
        });
        self.x = x;
        Ok(result.py_err()?.into_pyarray(py))
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
    /// (alternate trees grown, pruned, switched in); zeros for a plain Hoeffding tree.
    #[getter]
    fn alternate_counts(&self) -> (u64, u64, u64) {
        self.core.alternate_counts()
    }
    #[getter]
    fn total_weight(&self) -> f64 {
        self.core.weight_seen()
    }
    /// Class labels seen so far, sorted.
    fn classes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(
            py,
            self.sorted.iter().map(|&c| self.classes.keys[c].bind(py)),
        )
    }

    /// The path of `x`: a list of `(feature, test, child)` for branches, then the leaf's
    /// `{label: weight}`.
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

    /// Every node in pre-order as `(parent position or None, child number, step)`, where a
    /// step is what `path` gives for a node.
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

    fn __reduce__<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let restore = py.import("rapidriver._core")?.getattr("_restore_tree")?;
        let state = pyo3::types::PyBytes::new(py, &snapshot::to_bytes(&self.core).py_err()?);
        let nominal = sorted_names(self.nominal_names.bind(py))?;
        let args = PyTuple::new(
            py,
            [
                state.into_any(),
                self.features.keys_list(py)?.into_any(),
                self.values.keys_list(py)?.into_any(),
                self.classes.keys_list(py)?.into_any(),
                nominal.into_any(),
                PyList::new(py, &self.sorted)?.into_any(),
            ],
        )?;
        Ok((restore, args))
    }
}

impl PyHoeffdingTreeClassifier {
    /// A branch as `(feature, (op, value), child)`, a leaf as its class-weight dict.
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
                let d = PyDict::new(py);
                for (c, w) in stats.0 {
                    d.set_item(self.classes.keys[c].bind(py), w)?;
                }
                Ok(d.into_any())
            }
        }
    }
}

#[pyfunction]
fn _restore_tree(
    py: Python<'_>,
    state: &[u8],
    features: Vec<Py<PyAny>>,
    values: Vec<Py<PyAny>>,
    classes: Vec<Py<PyAny>>,
    nominal: Vec<Py<PyAny>>,
    sorted: Vec<usize>,
) -> PyResult<PyHoeffdingTreeClassifier> {
    let set = PySet::empty(py)?;
    for n in nominal {
        set.add(n)?;
    }
    Ok(PyHoeffdingTreeClassifier {
        core: snapshot::from_bytes(state).py_err()?,
        features: Interner::from_keys(py, features)?,
        values: Interner::from_keys(py, values)?,
        classes: Interner::from_keys(py, classes)?,
        nominal_names: set.unbind(),
        sorted,
        x: Instance::new(),
    })
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyHoeffdingTreeClassifier>()?;
    m.add_function(wrap_pyfunction!(_restore_tree, m)?)?;
    Ok(())
}
