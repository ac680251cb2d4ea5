from __future__ import annotations

from rapidriver import _core
from rapidriver.alns.stop._base import RustStop

__all__ = ["MaxIterations"]


class MaxIterations(RustStop):
    """Stops after `max_iterations` iterations, as `alns.stop.MaxIterations` (it counts its
    calls, so an object used up by one run stops the next at once, as alns' does).

    Examples
    --------
    >>> from rapidriver.alns.stop import MaxIterations
    >>> stop = MaxIterations(2)
    >>> class S:
    ...     def objective(self):
    ...         return 0.0
    >>> [stop(None, S(), S()) for _ in range(3)]
    [False, False, True]
    """

    def __init__(self, max_iterations: int):
        if max_iterations < 0:
            raise ValueError("max_iterations < 0 not understood.")
        self._max_iterations = max_iterations
        self._core = _core.AlnsStop("max_iterations", max_iterations)

    @property
    def max_iterations(self) -> int:
        return self._max_iterations
