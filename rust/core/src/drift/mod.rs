//! Concept-drift detectors, each a small state machine fed one value at a time.
//!
//! As in river, a detector that has signalled a drift resets itself at the next update, and
//! every update validates its input before touching the state.

pub mod adwin;
pub mod ddm;
pub mod eddm;
pub mod kswin;
pub mod page_hinkley;

pub use adwin::Adwin;
pub use ddm::Ddm;
pub use eddm::Eddm;
pub use kswin::Kswin;
pub use page_hinkley::{PageHinkley, PageHinkleyMode};

use crate::error::{value, Result};
use serde::{Deserialize, Serialize};

/// The interface every detector offers (the DriftMoE and HAT components use it too).
pub trait DriftDetector {
    /// Feeds one value; returns whether a drift was detected at this value.
    fn update(&mut self, x: f64) -> Result<bool>;
    fn drift_detected(&self) -> bool;
    fn warning_detected(&self) -> bool {
        false
    }
}

pub(crate) fn check_finite(x: f64) -> Result<f64> {
    if x.is_finite() {
        Ok(x)
    } else {
        Err(value("x", format!("must be finite, got {x}")))
    }
}

/// Binary detectors take 0/1 (error indicators).
pub(crate) fn check_binary(x: f64) -> Result<f64> {
    if x == 0.0 || x == 1.0 {
        Ok(x)
    } else {
        Err(value(
            "x",
            format!("must be 0 or 1 (False or True), got {x}"),
        ))
    }
}

/// Any detector, for bindings and for components that hold one of several kinds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Detector {
    Adwin(Adwin),
    PageHinkley(PageHinkley),
    Kswin(Kswin),
    Ddm(Ddm),
    Eddm(Eddm),
}

impl Detector {
    fn inner(&self) -> &dyn DriftDetector {
        match self {
            Detector::Adwin(d) => d,
            Detector::PageHinkley(d) => d,
            Detector::Kswin(d) => d,
            Detector::Ddm(d) => d,
            Detector::Eddm(d) => d,
        }
    }
    fn inner_mut(&mut self) -> &mut dyn DriftDetector {
        match self {
            Detector::Adwin(d) => d,
            Detector::PageHinkley(d) => d,
            Detector::Kswin(d) => d,
            Detector::Ddm(d) => d,
            Detector::Eddm(d) => d,
        }
    }

    /// Feeds a whole series; returns the indices at which a drift was detected. Stops at the
    /// first invalid value, leaving the detector as it was after the last valid one.
    pub fn update_many(&mut self, xs: &[f64]) -> Result<Vec<usize>> {
        let mut hits = vec![];
        for (i, &x) in xs.iter().enumerate() {
            if self.update(x)? {
                hits.push(i);
            }
        }
        Ok(hits)
    }
}

impl DriftDetector for Detector {
    fn update(&mut self, x: f64) -> Result<bool> {
        self.inner_mut().update(x)
    }
    fn drift_detected(&self) -> bool {
        self.inner().drift_detected()
    }
    fn warning_detected(&self) -> bool {
        self.inner().warning_detected()
    }
}
