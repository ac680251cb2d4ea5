"""Pickling shared by the faces of Rust-backed selection, acceptance and stopping objects."""

from __future__ import annotations

from typing import Any

__all__ = ["RustBacked"]


class RustBacked:
    """Pickles the Rust object in ``_core`` as bytes and rebuilds it on unpickling."""

    _core: Any

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_core"] = (type(self._core), self._core.state_bytes())
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state = dict(state)
        cls, data = state["_core"]
        state["_core"] = cls.from_bytes(data)
        self.__dict__.update(state)

    def _info(self) -> dict[str, Any]:
        return self._core.info()
