"""The four outcomes of evaluating a candidate, as `alns.Outcome`."""

from __future__ import annotations

from enum import IntEnum

__all__ = ["Outcome"]


class Outcome(IntEnum):
    """How a candidate compared; the value indexes the four scores of a selection scheme."""

    BEST = 0  #: The candidate is a new global best.
    BETTER = 1  #: The candidate is better than the current solution.
    ACCEPT = 2  #: The candidate is accepted.
    REJECT = 3  #: The candidate is rejected.
