from __future__ import annotations

from rapidriver import _core
from rapidriver.alns.stop._base import RustStop

__all__ = ["NoImprovement"]


class NoImprovement(RustStop):
    """Stops when the best objective has not improved for `max_iterations` iterations, as
    `alns.stop.NoImprovement`.

    Examples
    --------
    >>> from rapidriver.alns.stop import NoImprovement
    >>> class S:
    ...     def __init__(self, v):
    ...         self.v = v
    ...     def objective(self):
    ...         return self.v
    >>> stop = NoImprovement(2)
    >>> [stop(None, S(b), S(b)) for b in [5, 5, 4, 4, 4]]
    [False, False, False, False, True]
    """

    def __init__(self, max_iterations: int):
        if max_iterations < 0:
            raise ValueError("max_iterations < 0 not understood.")
        self._max_iterations = max_iterations
        self._core = _core.AlnsStop("no_improvement", max_iterations)

    @property
    def max_iterations(self) -> int:
        return self._max_iterations
