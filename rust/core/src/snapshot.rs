//! Serialization of model state for pickling. postcard is compact and deterministic: the same
//! state always gives the same bytes, because no hash map is serialized anywhere in the core.

use crate::error::{Error, Result};
use serde::{de::DeserializeOwned, Serialize};

/// Serializes a model's state to bytes.
pub fn to_bytes<T: Serialize>(value: &T) -> Result<Vec<u8>> {
    postcard::to_stdvec(value).map_err(|e| Error::State(e.to_string()))
}

/// Restores a model's state from bytes produced by [`to_bytes`].
pub fn from_bytes<T: DeserializeOwned>(bytes: &[u8]) -> Result<T> {
    postcard::from_bytes(bytes).map_err(|e| Error::State(e.to_string()))
}
