from __future__ import annotations

from rapidriver.alns.accept._base import RustCriterion

__all__ = ["GreatDeluge", "NonLinearGreatDeluge"]


class GreatDeluge(RustCriterion):
    """The great deluge, as `alns.accept.GreatDeluge`.

    The level starts at ``alpha * best.objective()`` (the initial solution's); a candidate below
    it is accepted, and the level moves to ``level - beta * (level - candidate.objective())``.

    Parameters
    ----------
    alpha
        Factor of the initial level (> 1).
    beta
        Update factor, in (0, 1).

    Examples
    --------
    >>> from rapidriver.alns.accept import GreatDeluge
    >>> GreatDeluge(2.0, 0.5).threshold is None
    True

    References
    ----------
    [^1]: Dueck (1993). New optimization heuristics: the great deluge algorithm and the
        record-to-record travel.
    """

    _KIND = "great_deluge"

    def __init__(self, alpha: float, beta: float):
        self._alpha = alpha
        self._beta = beta
        self._build({"alpha": alpha, "beta": beta})

    @property
    def alpha(self) -> float:
        return self._alpha

    @property
    def beta(self) -> float:
        return self._beta

    @property
    def threshold(self) -> float | None:
        """The current level (None before the first decision)."""
        return self._info()["threshold"]


class NonLinearGreatDeluge(GreatDeluge):
    """The non-linear great deluge, as `alns.accept.NonLinearGreatDeluge`.

    Also accepts candidates better than the current solution. When the candidate came within
    `beta` (relative) of the level, the level rises by ``gamma * |candidate - level|``;
    otherwise it decays to ``level * exp(-delta * best) + best``.

    Parameters
    ----------
    alpha
        Factor of the initial level (> 1).
    beta
        Relative gap below which the level rises, in (0, 1).
    gamma
        Rise factor (> 0).
    delta
        Decay rate (> 0).

    Examples
    --------
    >>> from rapidriver.alns.accept import NonLinearGreatDeluge
    >>> NonLinearGreatDeluge(2.0, 0.1, 0.5, 1.0).gamma
    0.5

    References
    ----------
    [^1]: Landa-Silva & Obit (2008). Great deluge with non-linear decay rate for solving course
        timetabling problems.
    """

    _KIND = "non_linear_great_deluge"

    def __init__(self, alpha: float, beta: float, gamma: float, delta: float):
        self._alpha = alpha
        self._beta = beta
        self._gamma = gamma
        self._delta = delta
        self._build({"alpha": alpha, "beta": beta, "gamma": gamma, "delta": delta})

    @property
    def gamma(self) -> float:
        return self._gamma

    @property
    def delta(self) -> float:
        return self._delta
