from __future__ import annotations

from typing import Any

import numpy as np

from rapidriver.alns.select._base import RustScheme, _check_scores

__all__ = ["RouletteWheel", "SegmentedRouletteWheel"]


class RouletteWheel(RustScheme):
    r"""Roulette-wheel selection, as `alns.select.RouletteWheel`.

    Destroy and repair operators are drawn in proportion to their weights (all 1 at first;
    the repair operator among those coupled with the drawn destroy operator). After outcome
    $j$ the weights of the two operators used become $\theta \omega + (1 - \theta) s_j$.

    Parameters
    ----------
    scores
        Four non-negative scores: new global best, better than current, accepted, rejected.
    decay
        The operator decay $\theta \in [0, 1]$.
    num_destroy
        Number of destroy operators.
    num_repair
        Number of repair operators.
    op_coupling
        Optional boolean destroy x repair matrix of allowed pairs.

    Examples
    --------
    >>> from rapidriver.alns import Outcome
    >>> from rapidriver.alns.select import RouletteWheel
    >>> wheel = RouletteWheel([4, 3, 2, 1], 0.5, 2, 2)
    >>> wheel.update(None, 0, 1, Outcome.BEST)
    >>> wheel.destroy_weights, wheel.repair_weights
    (array([2.5, 1. ]), array([1. , 2.5]))
    """

    _KIND = "roulette_wheel"

    def __init__(
        self,
        scores: list[float],
        decay: float,
        num_destroy: int,
        num_repair: int,
        op_coupling: Any = None,
    ):
        super().__init__(num_destroy, num_repair, op_coupling)
        self._scores = _check_scores(scores)
        if not (0 <= decay <= 1):
            raise ValueError("decay outside [0, 1] not understood.")
        self._decay = decay
        self._build(self._params())

    def _params(self) -> dict[str, Any]:
        return {"scores": self._scores, "decay": self._decay}

    @property
    def scores(self) -> list[float]:
        return self._scores

    @property
    def decay(self) -> float:
        return self._decay

    @property
    def destroy_weights(self) -> np.ndarray:
        """The current destroy operator weights."""
        return np.array(self._info()["destroy_weights"])

    @property
    def repair_weights(self) -> np.ndarray:
        """The current repair operator weights."""
        return np.array(self._info()["repair_weights"])


class SegmentedRouletteWheel(RouletteWheel):
    r"""A roulette wheel whose weights change once per segment, as alns'
    `SegmentedRouletteWheel`.

    Scores are summed per operator during a segment of `seg_length` iterations; when it ends,
    each weight becomes $\theta \omega + (1 - \theta) \cdot$ (its summed scores), and the sums
    restart from zero.

    Parameters
    ----------
    scores
        Four non-negative scores: new global best, better than current, accepted, rejected.
    decay
        The segment decay $\theta \in [0, 1]$.
    seg_length
        Iterations per segment (>= 1).
    num_destroy
        Number of destroy operators.
    num_repair
        Number of repair operators.
    op_coupling
        Optional boolean destroy x repair matrix of allowed pairs.

    Examples
    --------
    >>> from rapidriver.alns.select import SegmentedRouletteWheel
    >>> SegmentedRouletteWheel([4, 3, 2, 1], 0.5, 10, 2, 1).seg_length
    10
    """

    _KIND = "segmented_roulette_wheel"

    def __init__(
        self,
        scores: list[float],
        decay: float,
        seg_length: int,
        num_destroy: int,
        num_repair: int,
        op_coupling: Any = None,
    ):
        if seg_length < 1:
            raise ValueError("seg_length < 1 not understood.")
        self._seg_length = seg_length
        super().__init__(scores, decay, num_destroy, num_repair, op_coupling)

    def _params(self) -> dict[str, Any]:
        return {"scores": self._scores, "decay": self._decay, "seg_length": self._seg_length}

    @property
    def seg_length(self) -> int:
        return self._seg_length
