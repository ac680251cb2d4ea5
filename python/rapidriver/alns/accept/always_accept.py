from __future__ import annotations

from rapidriver.alns.accept._base import RustCriterion

__all__ = ["AlwaysAccept"]


class AlwaysAccept(RustCriterion):
    """Accepts every candidate, as `alns.accept.AlwaysAccept`.

    Examples
    --------
    >>> from rapidriver.alns.accept import AlwaysAccept
    >>> AlwaysAccept()._core.decide(__import__("numpy").random.default_rng(0), 0.0, 1.0, 9.0)
    True
    """

    _KIND = "always_accept"

    def __init__(self) -> None:
        self._build({})
