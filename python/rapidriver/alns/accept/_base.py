"""The base of the Rust-backed acceptance criteria."""

from __future__ import annotations

from typing import Any, ClassVar, Protocol

import numpy as np

from rapidriver import _core
from rapidriver.alns._rust import RustBacked
from rapidriver.alns.state import State

__all__ = ["AcceptanceCriterion", "RustCriterion", "Scheduled", "fit"]


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


class Scheduled(RustCriterion):
    """A criterion whose value moves by `step` on the 'linear' or 'exponential' `method`."""

    _step: float
    _method: str

    @property
    def step(self) -> float:
        return self._step

    @property
    def method(self) -> str:
        return self._method


def fit(kind: str, **params: Any) -> dict[str, Any]:
    """The parameters that the Rust `kind` (an autofit rule) derives from `params`."""
    return _core.AlnsAccept(kind, params).info()
