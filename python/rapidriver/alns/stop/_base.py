"""The base of the stopping criteria, and their any/all combinations."""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np

from rapidriver import _core
from rapidriver.alns._rust import RustBacked
from rapidriver.alns.state import State

__all__ = ["AllOf", "AnyOf", "RustStop", "StoppingCriterion"]


class StoppingCriterion(Protocol):
    """``criterion(rng, best, current) -> bool``: whether to stop before the next iteration."""

    def __call__(self, rng: np.random.Generator, best: State, current: State) -> bool: ...


class RustStop(RustBacked):
    """A stopping criterion whose state lives in Rust; ``a | b`` stops when either does,
    ``a & b`` when both do."""

    def __call__(self, rng: np.random.Generator, best: State, current: State) -> bool:
        return self._core.check(best.objective())

    def __or__(self, other: RustStop) -> AnyOf:
        return AnyOf(self, other)

    def __and__(self, other: RustStop) -> AllOf:
        return AllOf(self, other)


def _members(criteria: tuple[Any, ...]) -> list[Any]:
    if not criteria:
        raise ValueError("`criteria` must not be empty")
    for c in criteria:
        if not isinstance(c, RustStop):
            raise TypeError(
                "`criteria` must be rapidriver.alns.stop criteria, got " f"{type(c).__name__}"
            )
    return [c._core for c in criteria]


class AnyOf(RustStop):
    """Stops as soon as any of `criteria` says so; every member is consulted at each check, so
    all their counters advance together. The members' states are copied: the originals stay as
    they were.

    Examples
    --------
    >>> from rapidriver.alns.stop import AnyOf, MaxIterations, MaxRuntime
    >>> stop = AnyOf(MaxIterations(100), MaxRuntime(60))
    >>> len(stop.criteria)
    2
    """

    def __init__(self, *criteria: RustStop):
        self._criteria = criteria
        self._core = _core.AlnsStop("any", members=_members(criteria))

    @property
    def criteria(self) -> tuple[RustStop, ...]:
        return self._criteria


class AllOf(RustStop):
    """Stops once all of `criteria` say so at the same check (members' states are copied).

    Examples
    --------
    >>> from rapidriver.alns.stop import AllOf, MaxIterations, NoImprovement
    >>> stop = AllOf(MaxIterations(100), NoImprovement(20))
    >>> len(stop.criteria)
    2
    """

    def __init__(self, *criteria: RustStop):
        self._criteria = criteria
        self._core = _core.AlnsStop("all", members=_members(criteria))

    @property
    def criteria(self) -> tuple[RustStop, ...]:
        return self._criteria
