from __future__ import annotations

from rapidriver.alns.accept._base import Scheduled, fit

__all__ = ["SimulatedAnnealing"]


class SimulatedAnnealing(Scheduled):
    r"""Simulated annealing with a temperature schedule, as `alns.accept.SimulatedAnnealing`.

    Accepts with probability $\exp((f(s) - f(s^c)) / T)$, then updates
    $T \gets \max(T_\text{end}, T - \gamma)$ (linear) or $\max(T_\text{end}, \gamma T)$
    (exponential), starting from $T_\text{start}$.

    Parameters
    ----------
    start_temperature
        The initial temperature (> 0).
    end_temperature
        The final temperature (> 0, <= start_temperature).
    step
        The update step (>= 0; <= 1 for the exponential method).
    method
        'linear' or 'exponential' (the default).

    Examples
    --------
    >>> from rapidriver.alns.accept import SimulatedAnnealing
    >>> sa = SimulatedAnnealing.autofit(1000, worse=0.05, accept_prob=0.5, num_iters=100)
    >>> round(sa.start_temperature, 3), sa.end_temperature
    (72.135, 1)

    References
    ----------
    [^1]: Kirkpatrick, Gelatt & Vecchi (1983). Optimization by simulated annealing.
    [^2]: Ropke & Pisinger (2006). An adaptive large neighborhood search heuristic for the
        pickup and delivery problem with time windows.
    """

    _KIND = "simulated_annealing"

    def __init__(
        self,
        start_temperature: float,
        end_temperature: float,
        step: float,
        method: str = "exponential",
    ):
        self._start_temperature = start_temperature
        self._end_temperature = end_temperature
        self._step = step
        self._method = method
        self._build(
            {
                "start_temperature": start_temperature,
                "end_temperature": end_temperature,
                "step": step,
                "method": method,
            }
        )

    @property
    def start_temperature(self) -> float:
        return self._start_temperature

    @property
    def end_temperature(self) -> float:
        return self._end_temperature

    @property
    def temperature(self) -> float:
        """The current temperature."""
        return self._info()["temperature"]

    @classmethod
    def autofit(
        cls,
        init_obj: float,
        worse: float,
        accept_prob: float,
        num_iters: int,
        method: str = "exponential",
    ) -> SimulatedAnnealing:
        """The criterion that accepts a candidate `worse` (a fraction) worse than `init_obj`
        with probability `accept_prob` at the start, and reaches temperature 1 after
        `num_iters` iterations (Ropke & Pisinger 2006)."""
        fitted = fit(
            "simulated_annealing_autofit",
            init_obj=init_obj, worse=worse, accept_prob=accept_prob, num_iters=num_iters,
            method=method,
        )
        return cls(fitted["start_temperature"], 1, fitted["step"], method=method)
