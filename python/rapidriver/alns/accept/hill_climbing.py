from __future__ import annotations

from rapidriver.alns.accept._base import RustCriterion

__all__ = ["HillClimbing"]


class HillClimbing(RustCriterion):
    """Accepts a candidate no worse than the current solution, as `alns.accept.HillClimbing`.

    Examples
    --------
    >>> import numpy as np
    >>> from rapidriver.alns.accept import HillClimbing
    >>> class S:
    ...     def __init__(self, v):
    ...         self.v = v
    ...     def objective(self):
    ...         return self.v
    >>> hc, rng = HillClimbing(), np.random.default_rng(0)
    >>> hc(rng, S(0), S(2), S(2)), hc(rng, S(0), S(2), S(3))
    (True, False)
    """

    _KIND = "hill_climbing"

    def __init__(self) -> None:
        self._build({})
