"""The mixin that turns a Rust drift detector into a river drift detector."""

from __future__ import annotations

import typing

import numpy as np

from rapidriver import _core

__all__ = ["RustDetector"]


class RustDetector:
    """State and updates in Rust; `update` is the Rust method itself, bound on the instance.

    As in river, a detector that has just signalled a drift starts afresh at its next update.
    Invalid values (NaN, infinity, or anything but 0/1 for binary detectors) raise
    `ValueError` and leave the detector unchanged.
    """

    _KIND: typing.ClassVar[str]
    _core: _core.DriftDetector

    def _core_params(self) -> dict[str, typing.Any]:
        raise NotImplementedError

    def _reset(self) -> None:
        self._core = _core.DriftDetector(self._KIND, self._core_params())
        self.update = self._core.update  # type: ignore[method-assign]

    def __getstate__(self) -> dict[str, typing.Any]:
        state = self.__dict__.copy()
        state.pop("update", None)
        return state

    def __setstate__(self, state: dict[str, typing.Any]) -> None:
        self.__dict__.update(state)
        self.update = self._core.update  # type: ignore[method-assign]

    def _unit_test_skips(self) -> set[str]:
        """No river check is skipped: `river.checks.check_estimator` runs them all.

        river's own detectors lack this hook, so the checks cannot run on them at all.
        """
        return set()

    @property
    def _tags(self) -> set[str]:
        """Estimator tags, for river's checks (a detector has none)."""
        return set()

    @property
    def drift_detected(self) -> bool:
        """Whether the last update signalled a drift."""
        return self._core.drift_detected

    def update_many(self, xs: typing.Sequence[float] | np.ndarray) -> np.ndarray:
        """Feed a whole series in one call to Rust; return the indices of the detected drifts.

        The result is the same as calling `update` on each value in turn. A series with an
        invalid value is rejected whole, and the detector is left as it was.
        """
        return self._core.update_many(np.ascontiguousarray(xs, dtype=np.float64))


class RustWarningDetector(RustDetector):
    @property
    def warning_detected(self) -> bool:
        """Whether the last update signalled a warning."""
        return self._core.warning_detected
