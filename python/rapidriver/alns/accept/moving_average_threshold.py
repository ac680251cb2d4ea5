from __future__ import annotations

from rapidriver.alns.accept._base import RustCriterion

__all__ = ["MovingAverageThreshold"]


class MovingAverageThreshold(RustCriterion):
    r"""Moving average threshold, as `alns.accept.MovingAverageThreshold`.

    Accepts a candidate no worse than $f^* + \eta (\bar f - f^*)$ over the last `gamma`
    candidate objectives (the candidate's included), $f^*$ their minimum and $\bar f$ their
    mean.

    Parameters
    ----------
    eta
        Threshold factor, in [0, 1].
    gamma
        History size (> 0).

    Examples
    --------
    >>> from rapidriver.alns.accept import MovingAverageThreshold
    >>> MovingAverageThreshold(0.5, 3).history
    []

    References
    ----------
    [^1]: Maximo & Nascimento (2021). A hybrid adaptive iterated local search with
        diversification control to the capacitated vehicle routing problem.
    """

    _KIND = "moving_average_threshold"

    def __init__(self, eta: float, gamma: int):
        if isinstance(gamma, int) and gamma <= 0:
            raise ValueError(f"gamma must be positive, got {gamma}")
        self._eta = eta
        self._gamma = gamma
        self._build({"eta": eta, "gamma": gamma})

    @property
    def eta(self) -> float:
        return self._eta

    @property
    def gamma(self) -> int:
        return self._gamma

    @property
    def history(self) -> list[float]:
        """The recent candidate objectives, oldest first."""
        return self._info()["history"]
