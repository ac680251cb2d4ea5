"""Size statistics shared by the tree faces."""

from __future__ import annotations

import typing


class TreeSizeMixin:
    """river's size properties and `summary` of a tree whose `_core` reports its sizes."""

    @property
    def n_nodes(self) -> int | None:
        """As river: None while the tree is empty."""
        return self._core.n_nodes if self._core.n_nodes else None

    @property
    def n_branches(self) -> int | None:
        """As river: None while the tree is empty."""
        return self._core.n_branches if self._core.n_nodes else None

    @property
    def n_leaves(self) -> int | None:
        """As river: None while the tree is empty."""
        return self._core.n_leaves if self._core.n_nodes else None

    @property
    def n_active_leaves(self) -> int:
        return self._core.n_active_leaves

    @property
    def n_inactive_leaves(self) -> int:
        return self._core.n_inactive_leaves

    @property
    def height(self) -> int:
        return self._core.height

    @property
    def summary(self) -> dict[str, typing.Any]:
        """Size statistics of the tree, as river's `summary`."""
        return {
            "n_nodes": self.n_nodes,
            "n_branches": self.n_branches,
            "n_leaves": self.n_leaves,
            "n_active_leaves": self.n_active_leaves,
            "n_inactive_leaves": self.n_inactive_leaves,
            "height": self.height,
            "total_observed_weight": self._core.total_weight,
        }
