from __future__ import annotations

from rapidriver import _core
from rapidriver.alns.stop._base import RustStop

__all__ = ["MaxRuntime"]


class MaxRuntime(RustStop):
    """Stops within `max_runtime` seconds, as `alns.stop.MaxRuntime`, but never starts an
    iteration it cannot afford.

    The clock starts at the first check. Before each iteration the criterion predicts its
    duration as the longest of the last 16 and stops when that would cross the budget; after
    the run, `overrun` says how far past the budget it stopped (negative: the time left that
    no further iteration was predicted to fit in).

    Examples
    --------
    >>> from rapidriver.alns.stop import MaxRuntime
    >>> stop = MaxRuntime(0.5)
    >>> stop.max_runtime, stop.overrun
    (0.5, None)
    """

    def __init__(self, max_runtime: float):
        if max_runtime < 0:
            raise ValueError("max_runtime < 0 not understood.")
        self._max_runtime = max_runtime
        self._core = _core.AlnsStop("max_runtime", max_runtime)

    @property
    def max_runtime(self) -> float:
        return self._max_runtime

    @property
    def overrun(self) -> float | None:
        """Seconds past the budget when this criterion stopped the run (None before)."""
        return self._info()["overrun"]
