from __future__ import annotations

import math
import typing

import numpy as np
from river import base
from river.tree.splitter import GaussianSplitter

from rapidriver import _core
from rapidriver._batch import ClassifierBatchMixin
from rapidriver.tree._size import TreeSizeMixin

if typing.TYPE_CHECKING:
    pass

__all__ = ["HoeffdingTreeClassifier"]


class HoeffdingTreeClassifier(TreeSizeMixin, ClassifierBatchMixin, base.Classifier):
    """Hoeffding tree classifier, a drop-in replacement for river's, grown in Rust.

    The tree follows river's `tree.HoeffdingTreeClassifier` step by step (same split attempts,
    Hoeffding-bound test, leaves and size management), so that both grow the same tree on the
    same stream. Differences: invalid `split_criterion`/`leaf_prediction` raise `ValueError`
    (river prints a warning and falls back); the memory estimate behind `max_size` measures the
    Rust state; the only splitter is river's Gaussian one (`splitter=GaussianSplitter(n)`).

    Parameters
    ----------
    grace_period
        Number of instances a leaf should observe between split attempts.
    max_depth
        The maximum depth a tree can reach. If `None`, the tree grows without limit.
    split_criterion
        'gini', 'info_gain' or 'hellinger' (binary problems with labels 0/1 or False/True).
    delta
        Significance level to calculate the Hoeffding bound.
    tau
        Threshold below which a split is forced to break ties.
    leaf_prediction
        'mc' (majority class), 'nb' (naive Bayes) or 'nba' (naive Bayes adaptive).
    nb_threshold
        Number of instances a leaf should observe before allowing naive Bayes.
    nominal_attributes
        Names of the features to treat as nominal (non-numbers are nominal anyway).
    splitter
        `None` or a `river.tree.splitter.GaussianSplitter` (its `n_splits` is used).
    binary_split
        If True, only allow binary splits.
    min_branch_fraction
        The minimum fraction of data in a branch for a split to count.
    max_share_to_split
        Only split leaves whose majority class holds less than this fraction of the weight.
    max_size
        The max size of the tree, in mebibytes.
    memory_estimate_period
        Number of instances between memory consumption checks.
    stop_mem_management
        If True, stop growing as soon as memory limit is hit.
    remove_poor_attrs
        If True, disable poor attributes to reduce memory usage.
    merit_preprune
        If True, enable merit-based tree pre-pruning.

    Examples
    --------
    >>> from river import datasets, evaluate, metrics
    >>> from rapidriver import tree
    >>> dataset = datasets.synth.SEA(seed=42).take(5000)
    >>> model = tree.HoeffdingTreeClassifier(grace_period=100, delta=1e-5)
    >>> evaluate.progressive_val_score(dataset, model, metrics.Accuracy())
    Accuracy: 95.32%

    References
    ----------
    [^1]: Domingos, P. & Hulten, G. (2000). Mining high-speed data streams. KDD.
    """

    def __init__(
        self,
        grace_period: int = 200,
        max_depth: int | None = None,
        split_criterion: str = "info_gain",
        delta: float = 1e-7,
        tau: float = 0.05,
        leaf_prediction: str = "nba",
        nb_threshold: int = 0,
        nominal_attributes: list | None = None,
        splitter=None,
        binary_split: bool = False,
        min_branch_fraction: float = 0.01,
        max_share_to_split: float = 0.99,
        max_size: float = 100.0,
        memory_estimate_period: int = 1000000,
        stop_mem_management: bool = False,
        remove_poor_attrs: bool = False,
        merit_preprune: bool = True,
    ):
        self.grace_period = grace_period
        self.max_depth = max_depth
        self.split_criterion = split_criterion
        self.delta = delta
        self.tau = tau
        self.leaf_prediction = leaf_prediction
        self.nb_threshold = nb_threshold
        self.nominal_attributes = nominal_attributes
        self.splitter = splitter
        self.binary_split = binary_split
        self.min_branch_fraction = min_branch_fraction
        self.max_share_to_split = max_share_to_split
        self.max_size = max_size
        self.memory_estimate_period = memory_estimate_period
        self.stop_mem_management = stop_mem_management
        self.remove_poor_attrs = remove_poor_attrs
        self.merit_preprune = merit_preprune
        if splitter is not None and not isinstance(splitter, GaussianSplitter):
            raise ValueError(
                f"splitter={splitter!r} is not supported: use None or "
                "river.tree.splitter.GaussianSplitter(n_splits)"
            )
        self._core = _core.HoeffdingTreeClassifier(self._core_params())
        self._bind()

    @classmethod
    def moa(cls, **overrides: typing.Any) -> HoeffdingTreeClassifier:
        """MOA's HoeffdingTree configuration, for results comparable with MOA.

        Grace period 50, delta 1e-7, tau 0.05, naive-Bayes-adaptive leaves, Gaussian splitter
        with 10 split points, no merit pre-pruning; any parameter can be overridden.

        >>> HoeffdingTreeClassifier.moa().grace_period
        50
        """
        params = {
            "grace_period": 50,
            "delta": 1e-7,
            "tau": 0.05,
            "leaf_prediction": "nba",
            "splitter": GaussianSplitter(n_splits=10),
            "merit_preprune": False,
        }
        params.update(overrides)
        return cls(**params)

    def _core_params(self) -> dict[str, typing.Any]:
        n_splits = 10 if self.splitter is None else self.splitter.n_splits
        return {
            "grace_period": self.grace_period,
            "max_depth": self.max_depth,
            "split_criterion": self.split_criterion,
            "delta": self.delta,
            "tau": self.tau,
            "leaf_prediction": self.leaf_prediction,
            "nb_threshold": self.nb_threshold,
            "n_splits": n_splits,
            "binary_split": self.binary_split,
            "min_branch_fraction": self.min_branch_fraction,
            "max_share_to_split": self.max_share_to_split,
            "max_size": self.max_size,
            "memory_estimate_period": self.memory_estimate_period,
            "stop_mem_management": self.stop_mem_management,
            "remove_poor_attrs": self.remove_poor_attrs,
            "merit_preprune": self.merit_preprune,
            "nominal_attributes": self.nominal_attributes,
        }

    def _bind(self) -> None:
        self.learn_one = self._core.learn_one  # type: ignore[method-assign]
        self.predict_proba_one = self._core.predict_proba_one  # type: ignore[method-assign]
        self.predict_one = self._core.predict_one  # type: ignore[method-assign]

    # Class-level forms for river's abstract base; instances call the Rust methods directly.
    def learn_one(self, x: dict, y: base.typing.ClfTarget, w: float = 1.0) -> None:
        self._core.learn_one(x, y, w)

    def predict_proba_one(self, x: dict) -> dict[base.typing.ClfTarget, float]:
        return self._core.predict_proba_one(x)

    def predict_one(self, x: dict) -> base.typing.ClfTarget | None:
        return self._core.predict_one(x)

    def __getstate__(self) -> dict[str, typing.Any]:
        state = self.__dict__.copy()
        for name in ("learn_one", "predict_proba_one", "predict_one"):
            state.pop(name, None)
        return state

    def __setstate__(self, state: dict[str, typing.Any]) -> None:
        self.__dict__.update(state)
        self._bind()

    @property
    def _multiclass(self) -> bool:
        return True

    @property
    def classes(self) -> set:
        """The class labels seen so far."""
        return set(self._core.classes())

    # Pandas and numpy batch paths -------------------------------------------------------

    def learn_many_np(self, X: np.ndarray, y: np.ndarray) -> None:
        """Learn every row of a float array (features named 0..d-1), in order, in Rust.

        Gives exactly the model that `learn_one({0: x0, 1: x1, ...}, y)` row by row gives.
        """
        self._core.learn_many_np(np.ascontiguousarray(X, dtype=np.float64), np.asarray(y))

    def predict_proba_many_np(self, X: np.ndarray) -> np.ndarray:
        """Class probabilities per row; columns follow `sorted(self.classes)`."""
        return self._core.predict_proba_many_np(np.ascontiguousarray(X, dtype=np.float64))

    # Inspection ---------------------------------------------------------------------

    def leaf_votes(self, x: dict) -> dict:
        """Raw class weights of the leaf that `x` reaches (the votes DriftMoE reads)."""
        return self._core.leaf_votes(x)

    def debug_one(self, x: dict) -> str | None:
        """The path `x` takes through the tree, one line per branch, then the leaf.

        The text is river's: branch tests, then the leaf's majority class and its class
        probabilities (two significant figures). None while the tree is empty.
        """
        path = self._core.path(x)
        if not path:
            return None
        lines = _path_lines(path[:-1])
        leaf = path[-1]
        if leaf:
            text = f"Class {max(leaf, key=leaf.get)}:"
            total = sum(leaf.values())
            for label, weight in sorted(leaf.items()):
                text += f"\n\tP({label}) = {_round_sig_fig(weight / total)}"
            lines.append(text)
        else:
            lines.append("")
        return "\n".join(lines) + "\n"

    def draw(self, max_depth: int | None = None):
        """A graphviz drawing of the tree (needs the optional `graphviz` package).

        Branches show their feature, edges the outcome, leaves their class probabilities.
        `max_depth` cuts the drawing (not the tree) below that depth.
        """

        def leaf_label(votes: dict) -> str:
            total = sum(votes.values())
            if not total:
                return "empty leaf"
            return "\\n".join(
                f"P({c}) = {w / total:.3f}" for c, w in sorted(votes.items(), key=str)
            )

        return _draw(self._core.structure(), leaf_label, max_depth)

    def __sizeof__(self) -> int:
        return object.__sizeof__(self) + self._core.__sizeof__()

    @classmethod
    def _unit_test_params(cls):
        yield {}
        yield {"leaf_prediction": "mc", "split_criterion": "gini"}


def _round_sig_fig(x: float, digits: int = 2) -> float:
    """Round to `digits` significant figures, the way river's tree reprs do."""
    return round(x, digits - int(math.floor(math.log10(abs(x) + 1))) - 1)


def _path_lines(branches: list) -> list[str]:
    """river's text for each branch a sample passes: `feature ≤ t`, `feature = v`, ..."""
    lines = []
    for feature, (op, value), child in branches:
        if op == "<=":
            lines.append(f"{feature} {'≤' if child == 0 else '>'} {value}")
        elif op == "==":
            lines.append(f"{feature} {'=' if child == 0 else '≠'} {value}")
        else:
            lines.append(f"{feature} = {value[child]}")
    return lines


def _draw(structure: list, leaf_label: typing.Callable[[typing.Any], str], max_depth: int | None):
    """A graphviz Digraph of a tree's pre-order `structure` (see `_core` stubs)."""
    try:
        import graphviz
    except ImportError as e:
        raise ValueError("You have to install graphviz to use the draw method.") from e
    dot = graphviz.Digraph(
        graph_attr={"splines": "ortho"},
        node_attr={"shape": "box", "style": "rounded", "fontname": "Helvetica"},
    )
    depths: list[int] = []
    tests: list[tuple] = []
    for i, (parent, child, step) in enumerate(structure):
        depth = 0 if parent is None else depths[parent] + 1
        depths.append(depth)
        is_branch = isinstance(step, tuple) and len(step) == 3
        tests.append(step[1] if is_branch else ())
        if max_depth is not None and depth > max_depth:
            continue
        dot.node(str(i), str(step[0]) if is_branch else leaf_label(step))
        if parent is not None:
            op, value = tests[parent]
            if op == "<=":
                edge = ("≤ " if child == 0 else "> ") + f"{value:.4g}"
            elif op == "==":
                edge = ("= " if child == 0 else "≠ ") + str(value)
            else:
                edge = str(value[child])
            dot.edge(str(parent), str(i), label=edge)
    return dot
