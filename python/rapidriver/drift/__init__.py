"""Concept-drift detectors with river's API (`update`, `drift_detected`), computed in Rust."""

from rapidriver.drift import binary
from rapidriver.drift.adwin import ADWIN
from rapidriver.drift.binary import DDM, EDDM
from rapidriver.drift.kswin import KSWIN
from rapidriver.drift.page_hinkley import PageHinkley

__all__ = ["ADWIN", "DDM", "EDDM", "KSWIN", "PageHinkley", "binary"]
