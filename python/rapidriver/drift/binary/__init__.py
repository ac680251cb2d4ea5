"""Drift detectors for binary inputs (1/True marks an error), as `river.drift.binary`."""

from rapidriver.drift.binary.ddm import DDM
from rapidriver.drift.binary.eddm import EDDM

__all__ = ["DDM", "EDDM"]
