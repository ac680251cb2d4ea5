from __future__ import annotations

from river import base

from rapidriver.drift.base import RustDetector

__all__ = ["ADWIN"]


class ADWIN(RustDetector, base.DriftDetector):
    """ADaptive WINdowing drift detector, a drop-in replacement for river's.

    ADWIN keeps a window of recent values as an exponential histogram and drops its oldest part
    whenever two sub-windows have means that differ by more than a Hoeffding-style bound. The
    arithmetic is river's, so both detect drifts at the same indices of the same stream.

    Parameters
    ----------
    delta
        Significance value, in (0, 1).
    clock
        How often (in updates) the window is checked for a change.
    max_buckets
        The maximum number of buckets of each size kept in the histogram.
    min_window_length
        The minimum length of each sub-window compared.
    grace_period
        The number of values seen before the first check.

    Examples
    --------
    >>> import random
    >>> from rapidriver import drift
    >>> rng = random.Random(12345)
    >>> adwin = drift.ADWIN()
    >>> stream = rng.choices([0, 1], k=1000) + rng.choices(range(4, 8), k=1000)
    >>> for i, x in enumerate(stream):
    ...     adwin.update(x)
    ...     if adwin.drift_detected:
    ...         print(f"Change detected at index {i}, input value: {x}")
    Change detected at index 1023, input value: 4

    References
    ----------
    [^1]: Bifet, A. & Gavaldà, R. (2007). Learning from time-changing data with adaptive
        windowing. SIAM International Conference on Data Mining, 443-448.
    """

    _KIND = "adwin"

    def __init__(
        self,
        delta: float = 0.002,
        clock: int = 32,
        max_buckets: int = 5,
        min_window_length: int = 5,
        grace_period: int = 10,
    ):
        self.delta = delta
        self.clock = clock
        self.max_buckets = max_buckets
        self.min_window_length = min_window_length
        self.grace_period = grace_period
        self._reset()

    def _core_params(self):
        return {
            "delta": self.delta,
            "clock": self.clock,
            "max_buckets": self.max_buckets,
            "min_window_length": self.min_window_length,
            "grace_period": self.grace_period,
        }

    @property
    def width(self) -> float:
        """Window size."""
        return self._core.width

    @property
    def n_detections(self) -> int:
        """The number of changes detected since the window was last reset."""
        return self._core.n_detections

    @property
    def variance(self) -> float:
        """Sum of squared deviations from the mean within the window (as river's)."""
        return self._core.variance

    @property
    def total(self) -> float:
        """The sum of the values in the window."""
        return self._core.total

    @property
    def estimation(self) -> float:
        """Mean of the values in the window."""
        return self._core.estimation
