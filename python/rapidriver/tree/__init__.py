"""Hoeffding trees with river's API, grown in Rust."""

from rapidriver.tree.hoeffding_tree_classifier import HoeffdingTreeClassifier

__all__ = ["HoeffdingTreeClassifier"]
