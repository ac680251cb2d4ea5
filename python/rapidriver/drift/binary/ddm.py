from __future__ import annotations

from river import base

from rapidriver.drift.base import RustWarningDetector

__all__ = ["DDM"]


class DDM(RustWarningDetector, base.BinaryDriftAndWarningDetector):
    """Drift Detection Method, a drop-in replacement for river's `drift.binary.DDM`.

    Watches the error rate p of a classifier (inputs: 1/True for an error, 0/False otherwise)
    and its standard deviation s; warns when p + s exceeds the best p_min + s_min seen by
    `warning_threshold` standard deviations, and signals a drift at `drift_threshold`.

    Parameters
    ----------
    warm_start
        The number of values before detection starts.
    warning_threshold
        Threshold for the warning level (> 0).
    drift_threshold
        Threshold for the drift level (> 0).

    Examples
    --------
    >>> import random
    >>> from rapidriver.drift.binary import DDM
    >>> rng = random.Random(42)
    >>> ddm = DDM()
    >>> stream = rng.choices([0, 1], weights=[0.9, 0.1], k=1000)
    >>> stream += rng.choices([0, 1], weights=[0.3, 0.7], k=1000)
    >>> hits = [i for i, x in enumerate(stream) if (ddm.update(x), ddm.drift_detected)[1]]
    >>> hits  # the same indices as river's DDM; the first is a false alarm
    [114, 1098]

    References
    ----------
    [^1]: Gama, J., Medas, P., Castillo, G. & Rodrigues, P. (2004). Learning with drift
        detection. Brazilian Symposium on Artificial Intelligence, 286-295.
    """

    _KIND = "ddm"

    def __init__(
        self, warm_start: int = 30, warning_threshold: float = 2.0, drift_threshold: float = 3.0
    ):
        self.warm_start = warm_start
        self.warning_threshold = warning_threshold
        self.drift_threshold = drift_threshold
        self._reset()

    def _core_params(self):
        return {
            "warm_start": self.warm_start,
            "warning_threshold": self.warning_threshold,
            "drift_threshold": self.drift_threshold,
        }
