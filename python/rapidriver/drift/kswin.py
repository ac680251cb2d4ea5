from __future__ import annotations

import typing

from river import base

from rapidriver.drift.base import RustDetector

__all__ = ["KSWIN"]


class KSWIN(RustDetector, base.DriftDetector):
    """Kolmogorov-Smirnov windowing drift detector, a drop-in replacement for river's.

    Each update compares the `stat_size` most recent values of a sliding window with as many
    values drawn at random from the rest of it, by an exact two-sample Kolmogorov-Smirnov test;
    a drift is signalled when the p-value is at most `alpha` and the statistic exceeds 0.1.
    Random draws come from the seeded generator in Rust, so detections follow the same rule as
    river's but not river's random numbers.

    Parameters
    ----------
    alpha
        Probability of the test statistic, in [0, 1].
    window_size
        Size of the sliding window.
    stat_size
        Size of the statistic window (below `window_size`).
    seed
        Random seed for reproducibility.
    window
        Values to start the window with.

    Examples
    --------
    >>> import random
    >>> from rapidriver import drift
    >>> rng = random.Random(12345)
    >>> kswin = drift.KSWIN(alpha=0.0001, seed=42)
    >>> stream = rng.choices([0, 1], k=1000) + rng.choices(range(4, 8), k=1000)
    >>> hits = [i for i, x in enumerate(stream) if (kswin.update(x), kswin.drift_detected)[1]]
    >>> 1000 <= hits[0] < 1030
    True

    References
    ----------
    [^1]: Raab, C., Heusinger, M. & Schleif, F.-M. (2020). Reactive soft prototype computing
        for concept drift streams. Neurocomputing, 416, 340-351.
    """

    _KIND = "kswin"

    def __init__(
        self,
        alpha: float = 0.005,
        window_size: int = 100,
        stat_size: int = 30,
        seed: int | None = None,
        window: typing.Iterable | None = None,
    ):
        self.alpha = alpha
        self.window_size = window_size
        self.stat_size = stat_size
        self.seed = seed
        self.window = window
        self._reset()

    def _core_params(self):
        return {
            "alpha": self.alpha,
            "window_size": self.window_size,
            "stat_size": self.stat_size,
            "seed": self.seed,
            "window": None if self.window is None else list(self.window),
        }

    @property
    def p_value(self) -> float:
        """The p-value of the last test."""
        return self._core.p_value

    @classmethod
    def _unit_test_params(cls):
        yield {"seed": 1}
