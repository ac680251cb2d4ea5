//! Maps core errors onto Python exceptions: bad values become `ValueError`, unknown keys
//! `KeyError`. Type problems are raised as `TypeError` where arguments are converted.

use pyo3::exceptions::{PyKeyError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::PyErr;
use rapidriver_core::Error;

pub fn to_py(err: Error) -> PyErr {
    match err {
        Error::UnknownKey { .. } => PyKeyError::new_err(err.to_string()),
        _ => PyValueError::new_err(err.to_string()),
    }
}

pub fn type_error(name: &str, expected: &str, got: &pyo3::Bound<'_, pyo3::PyAny>) -> PyErr {
    let got = got
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into());
    PyTypeError::new_err(format!("`{name}` must be {expected}, got {got}"))
}

pub trait IntoPyResult<T> {
    fn py_err(self) -> pyo3::PyResult<T>;
}

impl<T> IntoPyResult<T> for Result<T, Error> {
    fn py_err(self) -> pyo3::PyResult<T> {
        self.map_err(to_py)
    }
}
