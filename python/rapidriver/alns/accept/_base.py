"""The base of the Rust-backed acceptance criteria."""

from __future__ import annotations

from typing import Any, ClassVar, Protocol

import numpy as np

from rapidriver import _core
from rapidriver.alns._rust import RustBacked
from rapidriver.alns.state import State

__all__ = ["AcceptanceCriterion", "RustCriterion"]


class AcceptanceCriterion(Protocol):
    """``criterion(rng, best, current, candidate) -> bool``: whether to accept the candidate."""

    def __call__(
        self, rng: np.random.Generator, best: State, current: State, candidate: State
    ) -> bool: ...  # pragma: no cover


class RustCriterion(RustBacked):
    """A criterion whose rule and schedule live in Rust (`_KIND` names it).

    Inside `ALNS.iterate` the engine calls the Rust rule directly; calling the object itself,
    as alns' protocol allows, evaluates the three objectives and asks the same rule.
    """

    _KIND: ClassVar[str]

    def _build(self, params: dict[str, Any]) -> None:
        self._core = _core.AlnsAccept(self._KIND, params)

    def __call__(
        self, rng: np.random.Generator, best: State, current: State, candidate: State
    ) -> bool:
        return self._core.decide(rng, best.objective(), current.objective(), candidate.objective())

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"
