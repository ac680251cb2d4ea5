"""Hoeffding trees with river's API, grown in Rust."""

from rapidriver.tree.hoeffding_tree_classifier import HoeffdingTreeClassifier
from rapidriver.tree.hoeffding_tree_regressor import HoeffdingTreeRegressor

__all__ = ["HoeffdingTreeClassifier", "HoeffdingTreeRegressor"]
