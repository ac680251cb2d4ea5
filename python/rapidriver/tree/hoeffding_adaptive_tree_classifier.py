"""river's HoeffdingAdaptiveTreeClassifier with its state and learning loop in Rust."""

from __future__ import annotations

import random
import typing

from river import base
from river import drift as river_drift

from rapidriver.drift.base import RustDetector
from rapidriver.tree.hoeffding_tree_classifier import HoeffdingTreeClassifier

__all__ = ["HoeffdingAdaptiveTreeClassifier"]


def _detector_settings(detector: typing.Any) -> tuple[str, dict[str, typing.Any]]:
    """The Rust detector kind and parameters equivalent to `detector`."""
    if detector is None:
        detector = river_drift.ADWIN()
    if isinstance(detector, RustDetector):
        return detector._KIND, detector._core_params()
    if type(detector) is river_drift.ADWIN:
        return "adwin", {
            "delta": detector.delta,
            "clock": detector.clock,
            "max_buckets": detector.max_buckets,
            "min_window_length": detector.min_window_length,
            "grace_period": detector.grace_period,
        }
    raise ValueError(
        "`drift_detector` must be None, river's drift.ADWIN or a rapidriver.drift detector, "
        f"got {type(detector).__name__}"
    )


class HoeffdingAdaptiveTreeClassifier(HoeffdingTreeClassifier):
    """Hoeffding Adaptive Tree (river's `tree.HoeffdingAdaptiveTreeClassifier`), in Rust.

    Every node monitors its error with a drift detector (ADWIN by default). When a branch's
    error rises, it grows an alternate subtree; once both have seen `drift_window_threshold`
    samples, the alternate replaces the branch if it is significantly better (at level
    `switch_significance`) or is dropped if significantly worse. Predictions combine the leaf
    reached with the alternates met on the way, each weighted by its monitored error. Leaves
    learn with Poisson(1) bootstrap weights drawn from CPython's generator seeded with `seed`,
    so that a seeded tree makes exactly the draws, and so the splits, of river's.

    Parameters
    ----------
    grace_period, max_depth, split_criterion, delta, tau, leaf_prediction, nb_threshold,
    nominal_attributes, splitter, binary_split, min_branch_fraction, max_share_to_split,
    max_size, memory_estimate_period, stop_mem_management, remove_poor_attrs, merit_preprune
        As for `HoeffdingTreeClassifier`.
    bootstrap_sampling
        Weight each sample at the leaves by a Poisson(1) draw (a zero draw keeps weight 1, as
        in river).
    drift_window_threshold
        Samples both a branch and its alternate must have seen before they are compared.
    drift_detector
        None (river's `ADWIN()`), river's `drift.ADWIN`, or any `rapidriver.drift` detector;
        each node gets a fresh copy.
    switch_significance
        Significance level of the switch test.
    seed
        Seed of the bootstrap draws (None: a random one).

    Examples
    --------
    >>> from river import datasets, evaluate, metrics
    >>> from rapidriver import tree
    >>> dataset = datasets.synth.ConceptDriftStream(
    ...     stream=datasets.synth.SEA(seed=42, variant=0),
    ...     drift_stream=datasets.synth.SEA(seed=42, variant=1),
    ...     seed=1, position=500, width=50,
    ... ).take(1000)
    >>> model = tree.HoeffdingAdaptiveTreeClassifier(grace_period=100, delta=1e-5, seed=0)
    >>> evaluate.progressive_val_score(dataset, model, metrics.Accuracy())
    Accuracy: 91.29%

    river's own tree scores the same on this stream with the same seed.

    References
    ----------
    [^1]: Bifet, A. & Gavaldà, R. (2009). Adaptive learning from evolving data streams.
        Advances in Intelligent Data Analysis VIII, 249-260.
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
        bootstrap_sampling: bool = True,
        drift_window_threshold: int = 300,
        drift_detector: base.DriftDetector | None = None,
        switch_significance: float = 0.05,
        binary_split: bool = False,
        min_branch_fraction: float = 0.01,
        max_share_to_split: float = 0.99,
        max_size: float = 100.0,
        memory_estimate_period: int = 1000000,
        stop_mem_management: bool = False,
        remove_poor_attrs: bool = False,
        merit_preprune: bool = True,
        seed: int | None = None,
    ):
        self.bootstrap_sampling = bootstrap_sampling
        self.drift_window_threshold = drift_window_threshold
        self.drift_detector = drift_detector
        self.switch_significance = switch_significance
        self.seed = seed
        if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool) or seed < 0):
            raise ValueError(f"`seed` must be None or a non-negative int, got {seed!r}")
        # An unseeded tree still draws reproducibly once built: its seed is fixed here.
        self._seed = seed if seed is not None else random.SystemRandom().randrange(2**63)
        super().__init__(
            grace_period=grace_period,
            max_depth=max_depth,
            split_criterion=split_criterion,
            delta=delta,
            tau=tau,
            leaf_prediction=leaf_prediction,
            nb_threshold=nb_threshold,
            nominal_attributes=nominal_attributes,
            splitter=splitter,
            binary_split=binary_split,
            min_branch_fraction=min_branch_fraction,
            max_share_to_split=max_share_to_split,
            max_size=max_size,
            memory_estimate_period=memory_estimate_period,
            stop_mem_management=stop_mem_management,
            remove_poor_attrs=remove_poor_attrs,
            merit_preprune=merit_preprune,
        )

    def _core_params(self) -> dict[str, typing.Any]:
        params = super()._core_params()
        kind, detector_params = _detector_settings(self.drift_detector)
        params.update(
            {
                "kind": "hat",
                "bootstrap_sampling": self.bootstrap_sampling,
                "drift_window_threshold": self.drift_window_threshold,
                "switch_significance": self.switch_significance,
                "detector_kind": kind,
                "detector_params": detector_params,
                "seed": self._seed,
            }
        )
        return params

    @property
    def n_alternate_trees(self) -> int:
        return self._core.alternate_counts[0]

    @property
    def n_pruned_alternate_trees(self) -> int:
        return self._core.alternate_counts[1]

    @property
    def n_switch_alternate_trees(self) -> int:
        return self._core.alternate_counts[2]

    @property
    def summary(self) -> dict[str, typing.Any]:
        """river's summary, with the alternate-tree counts."""
        summ = super().summary
        summ.update(
            {
                "n_alternate_trees": self.n_alternate_trees,
                "n_pruned_alternate_trees": self.n_pruned_alternate_trees,
                "n_switch_alternate_trees": self.n_switch_alternate_trees,
            }
        )
        return summ

    @classmethod
    def _unit_test_params(cls):
        yield {"seed": 1}
