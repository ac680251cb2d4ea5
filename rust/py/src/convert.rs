//! Argument conversion shared by the bindings: interning of hashable keys (arm ids, feature
//! names) to dense indices, numbers, seeds and feature dicts.

use crate::errors::type_error;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};

/// Interns hashable Python keys to dense indices `0..len`, remembering the key objects.
pub struct Interner {
    pub keys: Vec<Py<PyAny>>,
    pub index: Py<PyDict>,
}

impl Interner {
    pub fn new(py: Python<'_>) -> Self {
        Interner {
            keys: vec![],
            index: PyDict::new(py).unbind(),
        }
    }

    pub fn from_keys(py: Python<'_>, keys: Vec<Py<PyAny>>) -> PyResult<Self> {
        let index = PyDict::new(py);
        for (i, k) in keys.iter().enumerate() {
            index.set_item(k.bind(py), i)?;
        }
        Ok(Interner {
            keys,
            index: index.unbind(),
        })
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Index of `key` if it is known; a TypeError if it is unhashable.
    pub fn get(&self, key: &Bound<'_, PyAny>) -> PyResult<Option<usize>> {
        match self.index.bind(key.py()).get_item(key)? {
            Some(v) => Ok(Some(v.extract::<usize>()?)),
            None => Ok(None),
        }
    }

    /// Index of `key`, adding it if new.
    pub fn intern(&mut self, key: &Bound<'_, PyAny>) -> PyResult<usize> {
        if let Some(i) = self.get(key)? {
            return Ok(i);
        }
        let i = self.keys.len();
        self.index.bind(key.py()).set_item(key, i)?;
        self.keys.push(key.clone().unbind());
        Ok(i)
    }

    pub fn keys_list<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.keys.iter().map(|k| k.bind(py)))
    }
}

/// The items of a list, tuple or any other iterable (a `range`, a numpy array).
pub fn items<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Vec<Bound<'py, PyAny>>> {
    if let Ok(list) = obj.cast::<PyList>() {
        return Ok(list.iter().collect());
    }
    if let Ok(tuple) = obj.cast::<PyTuple>() {
        return Ok(tuple.iter().collect());
    }
    if obj.is_instance_of::<pyo3::types::PyString>() || obj.is_instance_of::<PyDict>() {
        return Err(type_error("arm_ids", "a list of arm ids", obj));
    }
    match obj.try_iter() {
        Ok(it) => it.collect(),
        Err(_) => Err(type_error("arm_ids", "a list of arm ids", obj)),
    }
}

/// A real number, with a TypeError naming `name` otherwise (bools and numpy scalars count).
pub fn number(name: &str, obj: &Bound<'_, PyAny>) -> PyResult<f64> {
    if obj.is_instance_of::<pyo3::types::PyString>() {
        return Err(type_error(name, "a number", obj));
    }
    obj.extract::<f64>()
        .map_err(|_| type_error(name, "a number", obj))
}

/// A seed: `None` draws one from the OS, an int is reduced modulo 2^64 (negative seeds too).
pub fn seed(obj: Option<&Bound<'_, PyAny>>) -> PyResult<u64> {
    match obj {
        None => Ok(rand::random::<u64>()),
        Some(o) if o.is_none() => Ok(rand::random::<u64>()),
        Some(o) => {
            if o.is_instance_of::<pyo3::types::PyBool>() {
                return Err(type_error("seed", "an int or None", o));
            }
            let v: i128 = o
                .extract()
                .map_err(|_| type_error("seed", "an int or None", o))?;
            Ok(v as u64)
        }
    }
}

/// A non-negative integer argument.
pub fn count(name: &str, obj: &Bound<'_, PyAny>) -> PyResult<u64> {
    if obj.is_instance_of::<pyo3::types::PyBool>() || obj.is_instance_of::<pyo3::types::PyFloat>() {
        return Err(type_error(name, "an int", obj));
    }
    let v: i128 = obj.extract().map_err(|_| type_error(name, "an int", obj))?;
    u64::try_from(v).map_err(|_| PyValueError::new_err(format!("`{name}` must be >= 0, got {v}")))
}

/// Reads a required float entry of a parameter dict.
pub fn param_f64(params: &Bound<'_, PyDict>, name: &str) -> PyResult<f64> {
    match params.get_item(name)? {
        Some(v) => number(name, &v),
        None => Err(PyTypeError::new_err(format!("missing parameter `{name}`"))),
    }
}

/// Reads an optional float entry of a parameter dict (absent or None gives None).
pub fn param_opt_f64(params: &Bound<'_, PyDict>, name: &str) -> PyResult<Option<f64>> {
    match params.get_item(name)? {
        Some(v) if !v.is_none() => number(name, &v).map(Some),
        _ => Ok(None),
    }
}
