from __future__ import annotations

from river import base

from rapidriver.drift.base import RustWarningDetector

__all__ = ["EDDM"]


class EDDM(RustWarningDetector, base.BinaryDriftAndWarningDetector):
    """Early Drift Detection Method, a drop-in replacement for river's `drift.binary.EDDM`.

    Watches the distance between consecutive errors (inputs: 1/True for an error): its mean
    plus two standard deviations, relative to its maximum, falls below `alpha` for a warning
    and below `beta` for a drift.

    Parameters
    ----------
    warm_start
        The number of values (and of errors) before detection starts.
    alpha
        Threshold for the warning level, in [beta, 1].
    beta
        Threshold for the drift level, in (0, 1].

    Examples
    --------
    >>> import random
    >>> from rapidriver.drift.binary import EDDM
    >>> rng = random.Random(42)
    >>> eddm = EDDM(alpha=0.8, beta=0.75)
    >>> stream = rng.choices([0, 1], weights=[0.9, 0.1], k=1000)
    >>> stream += rng.choices([0, 1], weights=[0.3, 0.7], k=1000)
    >>> hits = [i for i, x in enumerate(stream) if (eddm.update(x), eddm.drift_detected)[1]]
    >>> hits  # the same indices as river's EDDM
    [267, 998, 1108]

    References
    ----------
    [^1]: Baena-García, M. et al. (2006). Early drift detection method. Fourth International
        Workshop on Knowledge Discovery from Data Streams.
    """

    _KIND = "eddm"

    def __init__(self, warm_start: int = 30, alpha: float = 0.95, beta: float = 0.9):
        self.warm_start = warm_start
        self.alpha = alpha
        self.beta = beta
        self._reset()

    def _core_params(self):
        return {"warm_start": self.warm_start, "alpha": self.alpha, "beta": self.beta}
