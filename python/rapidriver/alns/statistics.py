"""What a run records, as `alns.Statistics`."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from rapidriver.alns.outcome import Outcome

__all__ = ["Statistics"]


def _counts() -> list[float]:
    return [0, 0, 0, 0]


class Statistics:
    """Objectives, iteration runtimes and per-operator outcome counts of one run.

    Filled by `ALNS.iterate` from the Rust engine's record in one conversion at the end of the
    run; the ``collect_*`` methods are there for code that fills one by hand, as alns allows.

    Examples
    --------
    >>> from rapidriver.alns import Outcome, Statistics
    >>> stats = Statistics()
    >>> stats.collect_objective(3.0)
    >>> stats.collect_destroy_operator("random", Outcome.BEST)
    >>> stats.objectives, stats.destroy_operator_counts["random"]
    (array([3.]), [1, 0, 0, 0])
    """

    def __init__(self) -> None:
        self._objectives: list[float] | np.ndarray = []
        self._runtimes: list[float] = []
        self._destroy_operator_counts: defaultdict[str, list[float]] = defaultdict(_counts)
        self._repair_operator_counts: defaultdict[str, list[float]] = defaultdict(_counts)

    @classmethod
    def _from_core(
        cls, start: float, record: tuple, destroy_names: list[str], repair_names: list[str]
    ) -> Statistics:
        objectives, runtimes, d_counts, r_counts, d_order, r_order = record
        stats = cls()
        stats._objectives = objectives
        times = np.empty(len(runtimes) + 1)
        times[0] = start
        np.cumsum(runtimes, out=times[1:])
        times[1:] += start
        stats._runtimes = times  # type: ignore[assignment]
        for d in d_order:
            stats._destroy_operator_counts[destroy_names[d]] = d_counts[d]
        for r in r_order:
            stats._repair_operator_counts[repair_names[r]] = r_counts[r]
        return stats

    @property
    def objectives(self) -> np.ndarray:
        """The initial objective, then the current objective after each iteration."""
        return np.asarray(self._objectives, dtype=float)

    @property
    def start_time(self) -> float:
        """The reference start time (``time.perf_counter``) of the runtimes."""
        return float(self._runtimes[0])

    @property
    def total_runtime(self) -> float:
        """Total runtime in seconds."""
        return float(self._runtimes[-1] - self._runtimes[0])

    @property
    def runtimes(self) -> np.ndarray:
        """Seconds taken by each iteration."""
        return np.diff(np.asarray(self._runtimes, dtype=float))

    @property
    def destroy_operator_counts(self) -> defaultdict[str, list[float]]:
        """Destroy operator name -> [best, better, accepted, rejected] counts."""
        return self._destroy_operator_counts

    @property
    def repair_operator_counts(self) -> defaultdict[str, list[float]]:
        """Repair operator name -> [best, better, accepted, rejected] counts."""
        return self._repair_operator_counts

    def collect_objective(self, objective: float) -> None:
        """Appends an objective value."""
        self._objectives = [*self._objectives, objective]

    def collect_runtime(self, time: float) -> None:
        """Appends a time stamp (seconds)."""
        self._runtimes = [*self._runtimes, time]

    def collect_destroy_operator(self, operator_name: str, outcome: Outcome) -> None:
        """Counts one use of a destroy operator with the given outcome."""
        self._destroy_operator_counts[operator_name][outcome] += 1

    def collect_repair_operator(self, operator_name: str, outcome: Outcome) -> None:
        """Counts one use of a repair operator with the given outcome."""
        self._repair_operator_counts[operator_name][outcome] += 1
