"""The base of the selection schemes, as `alns.select.OperatorSelectionScheme`."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

import numpy as np

from rapidriver import _core
from rapidriver.alns._rust import RustBacked
from rapidriver.alns.outcome import Outcome
from rapidriver.alns.state import State

__all__ = ["OperatorSelectionScheme", "RustScheme"]


def _coupling(num_destroy: int, num_repair: int, op_coupling: Any) -> np.ndarray:
    if op_coupling is None:
        return np.ones((num_destroy, num_repair), dtype=bool)
    coupling = np.atleast_2d(np.asarray(op_coupling, dtype=bool))
    if coupling.shape != (num_destroy, num_repair):
        raise ValueError(
            f"Coupling matrix of shape {coupling.shape}, expected {(num_destroy, num_repair)}."
        )
    return coupling


class OperatorSelectionScheme(ABC):
    """Chooses (destroy, repair) operator pairs and learns from their outcomes.

    Subclass it for a custom scheme, as with alns: implement ``__call__(rng, best, curr) ->
    (d_idx, r_idx)`` and ``update(candidate, d_idx, r_idx, outcome)``. The arguments are
    checked by the same Rust code as the built-in schemes'.

    Parameters
    ----------
    num_destroy
        Number of destroy operators.
    num_repair
        Number of repair operators.
    op_coupling
        Optional boolean matrix: entry (i, j) is True when destroy operator i may be used with
        repair operator j.
    """

    def __init__(self, num_destroy: int, num_repair: int, op_coupling: Any = None):
        coupling = _coupling(num_destroy, num_repair, op_coupling)
        # The Rust coupling check (positive counts, every destroy operator coupled).
        self._check = _core.AlnsSelect(
            "random", {}, num_destroy, num_repair, coupling.ravel().tolist()
        )
        del self._check
        self._num_destroy = num_destroy
        self._num_repair = num_repair
        self._op_coupling = coupling

    @property
    def num_destroy(self) -> int:
        return self._num_destroy

    @property
    def num_repair(self) -> int:
        return self._num_repair

    @property
    def op_coupling(self) -> np.ndarray:
        return self._op_coupling

    @abstractmethod
    def __call__(self, rng: np.random.Generator, best: State, curr: State) -> tuple[int, int]:
        """The (destroy, repair) pair to apply in this iteration."""

    @abstractmethod
    def update(self, candidate: State, d_idx: int, r_idx: int, outcome: Outcome) -> None:
        """Learns from the outcome of the pair `(d_idx, r_idx)`."""


def _check_scores(scores: Any) -> list[float]:
    scores = list(scores)
    if any(score < 0 for score in scores):
        raise ValueError("Negative scores are not understood.")
    if len(scores) < 4:
        raise ValueError(f"Expected four scores, found {len(scores)}")
    return scores


class RustScheme(RustBacked, OperatorSelectionScheme):
    """A scheme whose rule and learned values live in Rust (`_KIND` names it)."""

    _KIND: ClassVar[str]

    def _build(self, params: dict[str, Any]) -> None:
        self._core = _core.AlnsSelect(
            self._KIND,
            params,
            self._num_destroy,
            self._num_repair,
            self._op_coupling.ravel().tolist(),
        )

    def __call__(self, rng: np.random.Generator, best: State, curr: State) -> tuple[int, int]:
        return self._core.select(rng, curr)

    def update(self, candidate: State, d_idx: int, r_idx: int, outcome: Outcome) -> None:
        self._core.update(candidate, int(d_idx), int(r_idx), int(outcome))
