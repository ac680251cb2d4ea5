from __future__ import annotations

from typing import Any

import numpy as np

from rapidriver.alns.select._base import RustScheme, _check_scores

__all__ = ["AlphaUCB"]


class AlphaUCB(RustScheme):
    r"""The $\alpha$-UCB scheme of Hendel (2022), as `alns.select.AlphaUCB`.

    Plays the allowed pair $a$ maximising
    $\bar r_a + \sqrt{\alpha \ln(1 + t) / (T_a + 1)}$, with every mean reward starting at 1;
    the reward of a play is the score of its outcome.

    Parameters
    ----------
    scores
        Four non-negative scores: new global best, better than current, accepted, rejected.
    alpha
        Exploration, in [0, 1] (typically <= 0.1).
    num_destroy
        Number of destroy operators.
    num_repair
        Number of repair operators.
    op_coupling
        Optional boolean destroy x repair matrix of allowed pairs.

    Examples
    --------
    >>> from rapidriver.alns import Outcome
    >>> from rapidriver.alns.select import AlphaUCB
    >>> ucb = AlphaUCB([5, 2, 1, 0.5], 0.5, 1, 2)
    >>> ucb(None, None, None)
    (0, 0)
    >>> ucb.update(None, 0, 0, Outcome.REJECT)
    >>> ucb(None, None, None)
    (0, 1)

    References
    ----------
    [^1]: Hendel (2022). Adaptive large neighborhood search for mixed integer programming.
        Mathematical Programming Computation 14: 185-221.
    """

    _KIND = "alpha_ucb"

    def __init__(
        self,
        scores: list[float],
        alpha: float,
        num_destroy: int,
        num_repair: int,
        op_coupling: Any = None,
    ):
        super().__init__(num_destroy, num_repair, op_coupling)
        if not (0 <= alpha <= 1):
            raise ValueError(f"Alpha {alpha} outside [0, 1] not understood.")
        self._scores = _check_scores(scores)
        self._alpha = alpha
        self._build({"scores": self._scores, "alpha": alpha})

    def __call__(self, rng: Any, best: Any, curr: Any) -> tuple[int, int]:
        # Deterministic: no generator is needed.
        return self._core.select(_NoRandom, curr)

    @property
    def scores(self) -> list[float]:
        return self._scores

    @property
    def alpha(self) -> float:
        return self._alpha

    @property
    def values(self) -> np.ndarray:
        """The index of every pair (destroy x repair), -1 where the coupling forbids it."""
        return np.array(self._info()["values"]).reshape(self._num_destroy, self._num_repair)


class _NoRandomType:
    """Stands in for a generator where the scheme draws nothing."""

    @staticmethod
    def integers(low: int, high: int) -> int:
        return 0


_NoRandom = _NoRandomType()
