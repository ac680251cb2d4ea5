"""DriftMoE: a neural router co-trained online with Hoeffding-tree experts, in Rust."""

from rapidriver.moe.drift_moe import DriftMoEClassifier

__all__ = ["DriftMoEClassifier"]
