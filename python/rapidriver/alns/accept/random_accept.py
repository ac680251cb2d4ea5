from __future__ import annotations

from rapidriver.alns.accept._base import Scheduled

__all__ = ["RandomAccept"]


class RandomAccept(Scheduled):
    r"""Accepts an improving candidate, or any with probability $P$, as alns' `RandomAccept`.

    After each decision $P \gets \max(P_\text{end}, P - \gamma)$ (linear) or
    $\max(P_\text{end}, \gamma P)$ (exponential), starting from $P_\text{start}$.

    Parameters
    ----------
    start_prob
        The initial probability, in [0, 1].
    end_prob
        The final probability, in [0, start_prob].
    step
        The update step (>= 0; <= 1 for the exponential method).
    method
        'linear' or 'exponential'.

    Examples
    --------
    >>> from rapidriver.alns.accept import RandomAccept
    >>> ra = RandomAccept(0.5, 0.1, 0.2)
    >>> ra.prob
    0.5
    """

    _KIND = "random_accept"

    def __init__(self, start_prob: float, end_prob: float, step: float, method: str = "linear"):
        self._start_prob = start_prob
        self._end_prob = end_prob
        self._step = step
        self._method = method
        self._build(
            {"start_prob": start_prob, "end_prob": end_prob, "step": step, "method": method}
        )

    @property
    def start_prob(self) -> float:
        return self._start_prob

    @property
    def end_prob(self) -> float:
        return self._end_prob

    @property
    def prob(self) -> float:
        """The current acceptance probability."""
        return self._info()["prob"]
