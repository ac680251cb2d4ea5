from __future__ import annotations

from rapidriver.alns.accept._base import Scheduled, fit

__all__ = ["RecordToRecordTravel", "ThresholdAccepting"]


class RecordToRecordTravel(Scheduled):
    r"""Record-to-record travel, as `alns.accept.RecordToRecordTravel`.

    Accepts when the candidate is at most $T$ worse than the best solution (``cmp_best``) or
    the current one (threshold accepting), then updates $T \gets \max(T_\text{end}, T - \gamma)$
    (linear) or $\max(T_\text{end}, \gamma T)$ (exponential).

    Parameters
    ----------
    start_threshold
        The initial threshold (>= 0).
    end_threshold
        The final threshold (>= 0, <= start_threshold).
    step
        The update step (>= 0; <= 1 for the exponential method).
    method
        'linear' (the default) or 'exponential'.
    cmp_best
        Compare with the best solution (True, RRT) or with the current one (threshold
        accepting).

    Examples
    --------
    >>> from rapidriver.alns.accept import RecordToRecordTravel
    >>> rrt = RecordToRecordTravel.autofit(100, start_gap=0.2, end_gap=0.05, num_iters=10)
    >>> rrt.start_threshold, rrt.end_threshold, round(rrt.step, 6)
    (20.0, 5.0, 1.5)

    References
    ----------
    [^1]: Dueck (1993). New optimization heuristics: the great deluge algorithm and the
        record-to-record travel.
    [^2]: Dueck & Scheuer (1990). Threshold accepting.
    """

    _KIND = "record_to_record_travel"

    def __init__(
        self,
        start_threshold: float,
        end_threshold: float,
        step: float,
        method: str = "linear",
        cmp_best: bool = True,
    ):
        self._start_threshold = start_threshold
        self._end_threshold = end_threshold
        self._step = step
        self._method = method
        self._cmp_best = cmp_best
        self._build(
            {
                "start_threshold": start_threshold,
                "end_threshold": end_threshold,
                "step": step,
                "method": method,
                "cmp_best": cmp_best,
            }
        )

    @property
    def start_threshold(self) -> float:
        return self._start_threshold

    @property
    def end_threshold(self) -> float:
        return self._end_threshold

    @property
    def cmp_best(self) -> bool:
        return self._cmp_best

    @property
    def threshold(self) -> float:
        """The current threshold."""
        return self._info()["threshold"]

    @classmethod
    def autofit(
        cls,
        init_obj: float,
        start_gap: float,
        end_gap: float,
        num_iters: int,
        method: str = "linear",
    ) -> RecordToRecordTravel:
        """Thresholds at `start_gap` and `end_gap` times `init_obj`, with the step that
        reaches the end threshold in `num_iters` iterations."""
        fitted = fit(
            "record_to_record_travel_autofit",
            init_obj=init_obj, start_gap=start_gap, end_gap=end_gap, num_iters=num_iters,
            method=method,
        )
        return cls(
            fitted["start_threshold"], fitted["end_threshold"], fitted["step"], method=method
        )


class ThresholdAccepting(RecordToRecordTravel):
    """Threshold accepting (Dueck & Scheuer 1990): `RecordToRecordTravel` comparing with the
    current solution (``cmp_best=False``), under its own name.

    Examples
    --------
    >>> from rapidriver.alns.accept import ThresholdAccepting
    >>> ThresholdAccepting(2.0, 0.5, 0.5).cmp_best
    False
    """

    def __init__(
        self, start_threshold: float, end_threshold: float, step: float, method: str = "linear"
    ):
        super().__init__(start_threshold, end_threshold, step, method=method, cmp_best=False)
