"""Hoeffding trees with river's API, grown in Rust."""

from rapidriver.tree.hoeffding_adaptive_tree_classifier import HoeffdingAdaptiveTreeClassifier
from rapidriver.tree.hoeffding_tree_classifier import HoeffdingTreeClassifier
from rapidriver.tree.hoeffding_tree_regressor import HoeffdingTreeRegressor

__all__ = ["HoeffdingAdaptiveTreeClassifier", "HoeffdingTreeClassifier", "HoeffdingTreeRegressor"]
