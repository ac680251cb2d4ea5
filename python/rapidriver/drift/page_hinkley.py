from __future__ import annotations

from river import base

from rapidriver.drift.base import RustDetector

__all__ = ["PageHinkley"]


class PageHinkley(RustDetector, base.DriftDetector):
    """Page-Hinkley drift detector, a drop-in replacement for river's.

    Tracks the cumulative deviation of the values from their running mean (faded by `alpha`)
    and signals a drift when it departs from its running extreme by more than `threshold`.

    Parameters
    ----------
    min_instances
        The minimum number of values before a drift can be signalled.
    delta
        The tolerated magnitude of change.
    threshold
        The detection threshold (> 0).
    alpha
        The forgetting factor, in (0, 1].
    mode
        'up' detects increases, 'down' decreases, 'both' either.

    Examples
    --------
    >>> import random
    >>> from rapidriver import drift
    >>> rng = random.Random(12345)
    >>> ph = drift.PageHinkley()
    >>> stream = rng.choices([0, 1], k=1000) + rng.choices(range(4, 8), k=1000)
    >>> hits = [i for i, x in enumerate(stream) if (ph.update(x), ph.drift_detected)[1]]
    >>> hits[0] > 1000
    True

    References
    ----------
    [^1]: Page, E. S. (1954). Continuous inspection schemes. Biometrika, 41(1/2), 100-115.
    """

    _KIND = "page_hinkley"

    def __init__(
        self,
        min_instances: int = 30,
        delta: float = 0.005,
        threshold: float = 50.0,
        alpha: float = 1 - 0.0001,
        mode: str = "both",
    ):
        self.min_instances = min_instances
        self.delta = delta
        self.threshold = threshold
        self.alpha = alpha
        self.mode = mode
        self._reset()

    def _core_params(self):
        return {
            "min_instances": self.min_instances,
            "delta": self.delta,
            "threshold": self.threshold,
            "alpha": self.alpha,
            "mode": self.mode,
        }
