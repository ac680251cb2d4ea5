from __future__ import annotations

from rapidriver.alns.accept._base import RustCriterion

__all__ = ["LateAcceptanceHillClimbing"]


class LateAcceptanceHillClimbing(RustCriterion):
    """Late acceptance hill climbing, as `alns.accept.LateAcceptanceHillClimbing`.

    Accepts a candidate better than the current objective of `lookback_period` iterations ago.

    Parameters
    ----------
    lookback_period
        How many iterations back to compare (0: plain hill climbing with strict improvement).
    greedy
        Also accept any candidate better than the current solution.
    better_history
        Store ``min(current, oldest)`` in the history instead of the current objective.

    Examples
    --------
    >>> from rapidriver.alns.accept import LateAcceptanceHillClimbing
    >>> LateAcceptanceHillClimbing(3).history
    []

    References
    ----------
    [^1]: Burke & Bykov (2017). The late acceptance hill-climbing heuristic.
    """

    _KIND = "late_acceptance_hill_climbing"

    def __init__(self, lookback_period: int, greedy: bool = False, better_history: bool = False):
        if isinstance(lookback_period, int) and lookback_period < 0:
            raise ValueError(
                f"lookback_period must be a non-negative integer, got {lookback_period}"
            )
        self._lookback_period = lookback_period
        self._greedy = greedy
        self._better_history = better_history
        self._build(
            {
                "lookback_period": lookback_period,
                "greedy": greedy,
                "better_history": better_history,
            }
        )

    @property
    def lookback_period(self) -> int:
        return self._lookback_period

    @property
    def greedy(self) -> bool:
        return self._greedy

    @property
    def better_history(self) -> bool:
        return self._better_history

    @property
    def history(self) -> list[float]:
        """The stored objectives, oldest first."""
        return self._info()["history"]
