//! Bindings of `rapidriver_core::moe::DriftMoe` over feature dicts and numpy arrays.

use crate::convert::{count, number, Interner};
use crate::errors::{type_error, IntoPyResult};
use crate::tree::{
    check_label, features_of, get, labels_of, load_features, nominal_set, sorted_names,
};
use numpy::{IntoPyArray, PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray2};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyFloat, PyInt, PyList, PySet};
use rapidriver_core::moe::{read_vote, DriftMoe, MoeConfig, MoeMode, Prediction};
use rapidriver_core::snapshot;
use rapidriver_core::tree::{HtConfig, Instance, LeafPrediction, Value};
use std::collections::HashMap;

fn config(p: &Bound<'_, PyDict>) -> PyResult<MoeConfig> {
    let mode = match get(p, "mode")?.extract::<String>().as_deref() {
        Ok("data") => MoeMode::Data,
        Ok("task") => MoeMode::Task,
        _ => return Err(PyValueError::new_err("`mode` must be 'data' or 'task'")),
    };
    let c = |name: &str| -> PyResult<usize> { Ok(count(name, &get(p, name)?)? as usize) };
    let f = |name: &str| -> PyResult<f64> { number(name, &get(p, name)?) };
    let moa_naive_bayes = match get(p, "naive_bayes")?.extract::<String>().as_deref() {
        Ok("moa") => true,
        Ok("river") => false,
        _ => {
            return Err(PyValueError::new_err(
                "`naive_bayes` must be 'moa' or 'river'",
            ))
        }
    };
    let tree = HtConfig {
        moa_naive_bayes,
        grace_period: f("grace_period")?,
        delta: f("delta")?,
        tau: f("tau")?,
        leaf_prediction: LeafPrediction::NaiveBayesAdaptive,
        n_splits: 10,
        merit_preprune: false,
        ..HtConfig::default()
    };
    let cfg = MoeConfig {
        mode,
        n_experts: c("n_experts")?,
        top_k: c("top_k")?,
        batch_size: c("batch_size")?,
        lr: f("lr")? as f32,
        hidden: [c("hidden1")?, c("hidden2")?],
        dropout: f("dropout")? as f32,
        tree,
    };
    cfg.validate().py_err()?;
    Ok(cfg)
}

#[pyclass(module = "rapidriver._core", name = "DriftMoE")]
pub struct PyDriftMoe {
    core: DriftMoe,
    features: Interner,
    values: Interner,
    classes: Interner,
    nominal_names: Py<PySet>,
    /// Class ids in sorted label order.
    sorted: Vec<usize>,
    x: Instance,
    z: Vec<f32>,
    /// Router input position of each feature id (usize::MAX: not read by the router). Fixed
    /// when the router is built, in sorted feature-name order, so that the order of a dict's
    /// keys does not matter.
    slots: Vec<usize>,
}

impl PyDriftMoe {
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
        if self.core.input_dim().is_none() {
            self.slots = name_order(x.py(), &self.features)?;
        }
        self.router_input(x.py());
        Ok(())
    }

    /// The router's input: numeric values of the features it reads, nominal values that are
    /// numbers (codes) as those numbers; missing and other nominal values are 0.
    fn router_input(&mut self, py: Python<'_>) {
        let d = self.slots.iter().filter(|&&s| s != usize::MAX).count();
        self.z.clear();
        self.z.resize(d, 0.0);
        for &(f, v) in &self.x.items {
            let number = match v {
                Value::Num(n) => Some(n),
                Value::Cat(id) => self
                    .values
                    .keys
                    .get(id as usize)
                    .map(|k| k.bind(py))
                    .filter(|k| k.is_instance_of::<PyInt>() || k.is_instance_of::<PyFloat>())
                    .and_then(|k| k.extract::<f64>().ok())
                    .filter(|n| n.is_finite()),
                Value::Missing => None,
            };
            if let (Some(&slot), Some(n)) = (self.slots.get(f), number) {
                if let Some(z) = self.z.get_mut(slot) {
                    *z = n as f32;
                }
            }
        }
    }

    fn class_id(&mut self, y: &Bound<'_, PyAny>) -> PyResult<usize> {
        if let Some(i) = self.classes.get(y)? {
            return Ok(i);
        }
        let i = self.classes.intern(y)?;
        let py = y.py();
        let labels = self.classes.keys_list(py)?;
        let sorted = py.import("builtins")?.getattr("sorted")?;
        let kwargs = PyDict::new(py);
        kwargs.set_item("key", labels.getattr("__getitem__")?)?;
        let ids = PyList::new(py, 0..labels.len())?;
        self.sorted = match sorted.call((&ids,), Some(&kwargs)) {
            Ok(order) => order.extract()?,
            // Labels Python cannot compare keep their first-seen order.
            Err(_) => (0..labels.len()).collect(),
        };
        self.core.set_class_ranks(&label_ranks(&self.sorted));
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

    fn argmax(&self, proba: &[f64]) -> Option<usize> {
        let mut best: Option<(usize, f64)> = None;
        for &c in &self.sorted {
            let p = proba.get(c).copied().unwrap_or(0.0);
            if best.is_none_or(|(_, b)| p > b) {
                best = Some((c, p));
            }
        }
        best.map(|(c, _)| c)
    }

    /// Column ids for arrays: the model's own feature ids for 0..d-1 (interned on learning).
    fn columns(&mut self, py: Python<'_>, d: usize, register: bool) -> PyResult<Vec<usize>> {
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

    /// For each column named in `nominal_attributes`: declares its feature nominal and interns
    /// every code in it as a value (an integral code as a Python int, so that it is the same
    /// value as in a dict); other columns get `None`.
    fn nominal_codes(
        &mut self,
        py: Python<'_>,
        ids: &[usize],
        d: usize,
        values: &[f64],
    ) -> PyResult<NominalCodes> {
        let mut codes: NominalCodes = Vec::with_capacity(d);
        for (j, &f) in ids.iter().enumerate() {
            let name = j.into_pyobject(py)?;
            if f == usize::MAX || !self.nominal_names.bind(py).contains(&name)? {
                codes.push(None);
                continue;
            }
            self.core.set_nominal(f);
            codes.push(Some(ColumnCodes::default()));
        }
        // Row by row, as the dict path meets the values: the same value ids.
        if d > 0 && codes.iter().any(Option::is_some) {
            for row in values.chunks_exact(d) {
                for (column, &v) in codes.iter_mut().zip(row) {
                    let Some(column) = column else { continue };
                    if column.get(v).is_none() {
                        let obj = if v.fract() == 0.0 && v.abs() < 9.0e15 {
                            (v as i64).into_pyobject(py)?.into_any()
                        } else {
                            v.into_pyobject(py)?.into_any()
                        };
                        column.insert(v, self.values.intern(&obj)? as u32);
                    }
                }
            }
        }
        Ok(codes)
    }

    fn labels(&mut self, y: &Bound<'_, PyAny>, n: usize) -> PyResult<Vec<usize>> {
        let labels = labels_of(y, n)?;
        labels.iter().map(|l| self.class_id(l)).collect()
    }
}

/// Each class id's position in label order, from the ids in that order.
fn label_ranks(sorted: &[usize]) -> Vec<usize> {
    let mut ranks = vec![0usize; sorted.len()];
    for (r, &c) in sorted.iter().enumerate() {
        ranks[c] = r;
    }
    ranks
}

/// Position of each feature id in the sorted order of the names (repr order where Python
/// cannot compare them).
fn name_order(py: Python<'_>, features: &Interner) -> PyResult<Vec<usize>> {
    let names = features.keys_list(py)?;
    let sorted = py.import("builtins")?.getattr("sorted")?;
    let ids = PyList::new(py, 0..names.len())?;
    let kwargs = PyDict::new(py);
    kwargs.set_item("key", names.getattr("__getitem__")?)?;
    let order: Vec<usize> = match sorted.call((&ids,), Some(&kwargs)) {
        Ok(o) => o.extract()?,
        Err(_) => {
            let reprs: Vec<String> = names
                .iter()
                .map(|n| Ok(n.repr()?.to_string()))
                .collect::<PyResult<_>>()?;
            let mut o: Vec<usize> = (0..names.len()).collect();
            o.sort_by(|&a, &b| reprs[a].cmp(&reprs[b]));
            o
        }
    };
    let mut slots = vec![usize::MAX; names.len()];
    for (pos, id) in order.into_iter().enumerate() {
        slots[id] = pos;
    }
    Ok(slots)
}

/// Per array column: for a column declared nominal, the value id of each code (by its bits).
type NominalCodes = Vec<Option<ColumnCodes>>;

/// The value ids of one nominal column's codes: small non-negative integral codes (MOA's
/// LED attributes are 0/1) by index, any other by its bits.
#[derive(Default)]
struct ColumnCodes {
    small: Vec<u32>,
    other: HashMap<u64, u32>,
}

impl ColumnCodes {
    /// Codes below this are looked up by index.
    const SMALL: f64 = 1024.0;

    fn small_index(v: f64) -> Option<usize> {
        // NaN is in no range; -0.0 passes it but has the sign bit, and goes to `other`.
        (v.fract() == 0.0 && (0.0..Self::SMALL).contains(&v) && v.to_bits() >> 63 == 0)
            .then_some(v as usize)
    }

    fn get(&self, v: f64) -> Option<u32> {
        match Self::small_index(v) {
            Some(i) => self.small.get(i).copied().filter(|&id| id != u32::MAX),
            None => self.other.get(&v.to_bits()).copied(),
        }
    }

    fn insert(&mut self, v: f64, id: u32) {
        match Self::small_index(v) {
            Some(i) => {
                if self.small.len() <= i {
                    self.small.resize(i + 1, u32::MAX);
                }
                self.small[i] = id;
            }
            None => {
                self.other.insert(v.to_bits(), id);
            }
        }
    }
}

/// One array row as the trees' instance and the router's input. A nominal column's code goes
/// to the trees as a nominal value and to the router as the number it is (MOA's LED).
fn fill(
    x: &mut Instance,
    z: &mut Vec<f32>,
    slots: &[usize],
    ids: &[usize],
    codes: &NominalCodes,
    row: &[f64],
) {
    x.clear();
    z.clear();
    z.resize(slots.iter().filter(|&&s| s != usize::MAX).count(), 0.0);
    for (j, (&f, &v)) in ids.iter().zip(row).enumerate() {
        if f != usize::MAX {
            // A nominal code reaches the router as the number it is interned as: -0.0 is the
            // int 0 (adding 0.0 clears the sign of a zero and changes nothing else).
            let (value, number) = match codes.get(j).and_then(|c| c.as_ref()) {
                Some(column) => (column.get(v).map_or(Value::Missing, Value::Cat), v + 0.0),
                None => (Value::Num(v), v),
            };
            x.push(f, value);
            if let Some(&slot) = slots.get(f) {
                if let Some(zs) = z.get_mut(slot) {
                    *zs = number as f32;
                }
            }
        }
    }
}

#[pymethods]
impl PyDriftMoe {
    #[new]
    fn new(py: Python<'_>, params: &Bound<'_, PyDict>) -> PyResult<Self> {
        let cfg = config(params)?;
        let seed = count("seed", &get(params, "seed")?)?;
        Ok(PyDriftMoe {
            core: DriftMoe::new(cfg, seed).py_err()?,
            features: Interner::new(py),
            values: Interner::new(py),
            classes: Interner::new(py),
            nominal_names: nominal_set(py, params)?.unbind(),
            sorted: vec![],
            x: Instance::new(),
            z: vec![],
            slots: vec![],
        })
    }

    fn learn_one(&mut self, x: &Bound<'_, PyAny>, y: &Bound<'_, PyAny>) -> PyResult<()> {
        check_label(y)?;
        self.load(x)?;
        if let Some(v) = self.z.iter().find(|v| !v.is_finite()) {
            return Err(PyValueError::new_err(format!(
                "`x` has a value too large for the router's float32 input: {v}"
            )));
        }
        let c = self.class_id(y)?;
        self.core.learn_one(&self.z, &self.x, c).py_err()
    }

    fn predict_proba_one<'py>(
        &mut self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyDict>> {
        self.load(x)?;
        if self.core.input_dim().is_none() {
            return Ok(PyDict::new(py));
        }
        let p = self.core.predict_proba_one(&self.z, &self.x).py_err()?;
        self.proba_dict(py, &p)
    }

    fn predict_one(&mut self, py: Python<'_>, x: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.load(x)?;
        if self.core.input_dim().is_none() {
            return Ok(py.None());
        }
        let p = self.core.predict_proba_one(&self.z, &self.x).py_err()?;
        Ok(match self.argmax(&p) {
            Some(c) => self.classes.keys[c].clone_ref(py),
            None => py.None(),
        })
    }

    /// Learns every row of a float array (features named 0..d-1), GIL released.
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
        let ys = self.labels(y, n)?;
        let ids = self.columns(py, d, true)?;
        let codes = self.nominal_codes(py, &ids, d, &values)?;
        if self.core.input_dim().is_none() {
            self.slots = name_order(py, &self.features)?;
        }
        let slots = self.slots.clone();
        let (mut inst, mut z) = (std::mem::take(&mut self.x), std::mem::take(&mut self.z));
        let core = &mut self.core;
        let result = py.detach(|| -> Result<(), rapidriver_core::Error> {
            for (i, &c) in ys.iter().enumerate() {
                fill(
                    &mut inst,
                    &mut z,
                    &slots,
                    &ids,
                    &codes,
                    &values[i * d..(i + 1) * d],
                );
                core.learn_one(&z, &inst, c)?;
            }
            Ok(())
        });
        self.x = inst;
        self.z = z;
        result.py_err()
    }

    fn predict_proba_many_np<'py>(
        &mut self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let arr: PyReadonlyArray2<f64> = x
            .extract()
            .map_err(|_| type_error("X", "a 2-d float array", x))?;
        let (n, d, values) = features_of(&arr)?;
        let ids = self.columns(py, d, false)?;
        let codes = self.nominal_codes(py, &ids, d, &values)?;
        let k = self.sorted.len();
        let mut out = vec![0.0; n * k];
        if self.core.input_dim().is_some() {
            for i in 0..n {
                fill(
                    &mut self.x,
                    &mut self.z,
                    &self.slots,
                    &ids,
                    &codes,
                    &values[i * d..(i + 1) * d],
                );
                let p = self.core.predict_proba_one(&self.z, &self.x).py_err()?;
                for (j, &c) in self.sorted.iter().enumerate() {
                    out[i * k + j] = p.get(c).copied().unwrap_or(0.0);
                }
            }
        }
        out.into_pyarray(py).reshape([n, k])
    }

    /// Test-then-train over the rows; returns the running accuracy after each row.
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
        let ys = self.labels(y, n)?;
        let ids = self.columns(py, d, true)?;
        let codes = self.nominal_codes(py, &ids, d, &values)?;
        if self.core.input_dim().is_none() {
            self.slots = name_order(py, &self.features)?;
        }
        let slots = self.slots.clone();
        let rank = label_ranks(&self.sorted);
        let mut z = std::mem::take(&mut self.z);
        let core = &mut self.core;
        // `predict_one`'s rule: the first class in label order with the largest probability.
        let predicted = |p: &[f64]| read_vote(p, &rank);
        let result = py.detach(|| -> Result<Vec<f64>, rapidriver_core::Error> {
            // Rows go to the core a block at a time, so that it can score the router's
            // inputs of a block together.
            const BLOCK: usize = 256;
            let mut curve = Vec::with_capacity(n);
            let mut correct = 0usize;
            let (mut insts, mut zs) = (Vec::<Instance>::new(), Vec::<f32>::new());
            for start in (0..n).step_by(BLOCK) {
                let end = (start + BLOCK).min(n);
                insts.resize_with(end - start, Instance::new);
                zs.clear();
                for (inst, i) in insts.iter_mut().zip(start..end) {
                    fill(
                        inst,
                        &mut z,
                        &slots,
                        &ids,
                        &codes,
                        &values[i * d..(i + 1) * d],
                    );
                    zs.extend_from_slice(&z);
                }
                core.prequential_rows(&zs, &insts, &ys[start..end], |k, prediction| {
                    let best = match prediction {
                        None => None,
                        Some(Prediction::Class(class)) => Some(class),
                        Some(Prediction::Proba(p)) => predicted(&p),
                    };
                    correct += usize::from(best == Some(ys[start + k]));
                    curve.push(correct as f64 / (start + k + 1) as f64);
                })?;
            }
            Ok(curve)
        });
        self.z = z;
        Ok(result.py_err()?.into_pyarray(py))
    }

    /// (chosen expert, experts that learned, router target) of the last `learn_one`.
    fn last_step(&self) -> (Option<usize>, Vec<usize>, Vec<f32>) {
        let s = self.core.last_step();
        (s.chosen, s.trained.clone(), s.mask.clone())
    }

    /// Each expert's predicted label for `x` (None for an expert that knows no class).
    fn expert_predictions<'py>(
        &mut self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyList>> {
        self.load(x)?;
        let preds = self.core.expert_predictions(&self.x).py_err()?;
        PyList::new(
            py,
            preds.into_iter().map(|p| match p {
                Some(c) => self.classes.keys[c].clone_ref(py),
                None => py.None(),
            }),
        )
    }

    /// The expert the router would choose for `x` (None before any learning).
    fn route(&mut self, x: &Bound<'_, PyAny>) -> PyResult<Option<usize>> {
        self.load(x)?;
        Ok(self.core.route(&self.z))
    }

    /// Mean router loss of each optimiser step so far.
    fn losses<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f32>> {
        self.core.losses().to_vec().into_pyarray(py)
    }

    #[getter]
    fn n_experts(&self) -> usize {
        self.core.experts().len()
    }

    /// Nodes of each expert tree.
    fn expert_sizes(&self) -> Vec<usize> {
        self.core.experts().iter().map(|e| e.n_nodes()).collect()
    }

    #[getter]
    fn router_steps(&self) -> u64 {
        self.core.router().map_or(0, |r| r.steps())
    }

    /// The router's weights and biases as float32 arrays: W1, b1, W2, b2, W3, b3.
    fn router_parameters<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let out = PyList::empty(py);
        if let Some(r) = self.core.router() {
            for p in r.parameters() {
                out.append(p.clone().into_pyarray(py))?;
            }
        }
        Ok(out)
    }

    fn classes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(
            py,
            self.sorted.iter().map(|&c| self.classes.keys[c].bind(py)),
        )
    }

    fn __sizeof__(&self) -> usize {
        self.core.memory_bytes()
    }

    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyAny>)> {
        let restore = py.import("rapidriver._core")?.getattr("_restore_moe")?;
        let state = snapshot::to_bytes(&self.core).py_err()?;
        let args = (
            pyo3::types::PyBytes::new(py, &state),
            self.features.keys_list(py)?,
            self.values.keys_list(py)?,
            self.classes.keys_list(py)?,
            sorted_names(self.nominal_names.bind(py))?,
            self.sorted.clone(),
            self.slots.clone(),
        )
            .into_pyobject(py)?
            .into_any();
        Ok((restore, args))
    }
}

#[pyfunction]
// The arguments are exactly the tuple `__reduce__` writes.
#[allow(clippy::too_many_arguments)]
fn _restore_moe(
    py: Python<'_>,
    state: &[u8],
    features: Vec<Py<PyAny>>,
    values: Vec<Py<PyAny>>,
    classes: Vec<Py<PyAny>>,
    nominal: Vec<Py<PyAny>>,
    sorted: Vec<usize>,
    slots: Vec<usize>,
) -> PyResult<PyDriftMoe> {
    let set = PySet::empty(py)?;
    for n in nominal {
        set.add(n)?;
    }
    Ok(PyDriftMoe {
        core: snapshot::from_bytes(state).py_err()?,
        features: Interner::from_keys(py, features)?,
        values: Interner::from_keys(py, values)?,
        classes: Interner::from_keys(py, classes)?,
        nominal_names: set.unbind(),
        sorted,
        x: Instance::new(),
        z: vec![],
        slots,
    })
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyDriftMoe>()?;
    m.add_function(wrap_pyfunction!(_restore_moe, m)?)?;
    Ok(())
}
