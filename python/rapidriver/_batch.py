"""Batch methods shared by the Rust-backed classifiers (trees, DriftMoE)."""

from __future__ import annotations

import typing

import numpy as np

if typing.TYPE_CHECKING:
    import pandas as pd


class ClassifierBatchMixin:
    """river's pandas `*_many` methods and label prediction over arrays, for a classifier whose
    `_core` has `classes()` (labels in sorted order) and `predict_proba_many_np`."""

    def predict_many_np(self, X: np.ndarray) -> np.ndarray:
        """Predicted labels per row (the first most probable class in sorted order)."""
        proba = self.predict_proba_many_np(X)
        classes = np.array(self._core.classes(), dtype=object)
        if len(classes) == 0:
            return np.full(len(proba), None, dtype=object)
        labels = classes[np.argmax(proba, axis=1)]
        try:
            return labels.astype(np.asarray(self._core.classes()).dtype)
        except (TypeError, ValueError):
            return labels

    def learn_many(self, X: pd.DataFrame, y: pd.Series) -> None:
        """Learn the rows of a DataFrame in order (river's mini-batch API)."""
        for x, yi in zip(X.to_dict(orient="records"), y.tolist(), strict=True):
            self.learn_one(x, yi)

    def predict_proba_many(self, X: pd.DataFrame) -> pd.DataFrame:
        """Class probabilities of the rows of a DataFrame."""
        import pandas as pd

        rows = [self.predict_proba_one(x) for x in X.to_dict(orient="records")]
        return pd.DataFrame(rows, index=X.index, columns=self._core.classes()).fillna(0.0)

    def predict_many(self, X: pd.DataFrame) -> pd.Series:
        """Predicted labels of the rows of a DataFrame."""
        import pandas as pd

        return pd.Series([self.predict_one(x) for x in X.to_dict(orient="records")], index=X.index)
