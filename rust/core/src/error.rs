//! The one error type of the core. Every fallible call on user input returns it, so that the
//! bindings can map it onto a Python exception that names the offending argument.

use thiserror::Error;

/// Errors raised by the core on bad input. The bindings map `InvalidParameter`,
/// `InvalidValue`, `Empty` and `Dimension` to `ValueError`, and `UnknownKey` to `KeyError`.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum Error {
    /// A constructor argument (hyperparameter) is out of its domain.
    #[error("invalid parameter `{name}`: {reason}")]
    InvalidParameter { name: &'static str, reason: String },
    /// A value passed to a method (a reward, a feature) is not acceptable.
    #[error("invalid value for `{name}`: {reason}")]
    InvalidValue { name: &'static str, reason: String },
    /// A collection that must not be empty was empty.
    #[error("`{name}` must not be empty")]
    Empty { name: &'static str },
    /// A vector or matrix has the wrong length or shape.
    #[error("`{name}` has dimension {got}, expected {expected}")]
    Dimension {
        name: &'static str,
        expected: usize,
        got: usize,
    },
    /// An arm, class or key that the model has never seen.
    #[error("unknown {what}: {key}")]
    UnknownKey { what: &'static str, key: String },
    /// A serialized state could not be read back.
    #[error("corrupt state: {0}")]
    State(String),
}

/// Result alias used throughout the core.
pub type Result<T> = std::result::Result<T, Error>;

pub(crate) fn param(name: &'static str, reason: impl Into<String>) -> Error {
    Error::InvalidParameter {
        name,
        reason: reason.into(),
    }
}

pub(crate) fn value(name: &'static str, reason: impl Into<String>) -> Error {
    Error::InvalidValue {
        name,
        reason: reason.into(),
    }
}

/// Checks that a hyperparameter is finite and lies in `[lo, hi]`.
pub(crate) fn check_range(name: &'static str, x: f64, lo: f64, hi: f64) -> Result<f64> {
    if x.is_finite() && x >= lo && x <= hi {
        Ok(x)
    } else {
        // MIN_POSITIVE and MAX stand for "> 0" and "no upper bound"; say so in words.
        let range = match (lo == f64::MIN_POSITIVE, hi == f64::MAX) {
            (true, true) => "> 0".to_string(),
            (true, false) => format!("in (0, {hi}]"),
            (false, true) => format!(">= {lo}"),
            (false, false) => format!("in [{lo}, {hi}]"),
        };
        Err(param(
            name,
            format!("must be a finite number {range}, got {x}"),
        ))
    }
}

/// Checks that a hyperparameter is finite and strictly positive.
pub(crate) fn check_positive(name: &'static str, x: f64) -> Result<f64> {
    if x.is_finite() && x > 0.0 {
        Ok(x)
    } else {
        Err(param(name, format!("must be a finite number > 0, got {x}")))
    }
}

/// Checks that a hyperparameter is finite and non-negative.
pub(crate) fn check_non_negative(name: &'static str, x: f64) -> Result<f64> {
    if x.is_finite() && x >= 0.0 {
        Ok(x)
    } else {
        Err(param(
            name,
            format!("must be a finite number >= 0, got {x}"),
        ))
    }
}
