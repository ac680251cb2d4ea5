"""What a solution state must offer, as `alns.State` and `alns.ContextualState`."""

from __future__ import annotations

from typing import Protocol

import numpy as np

__all__ = ["ContextualState", "State"]


class State(Protocol):
    """A solution state: anything with an ``objective()`` method (to minimise)."""

    def objective(self) -> float:
        """The state's objective value."""
        ...  # pragma: no cover


class ContextualState(State, Protocol):
    """A state that also describes itself by a context vector, for contextual selectors."""

    def get_context(self) -> np.ndarray:
        """A context vector for the state."""
        ...  # pragma: no cover
