"""Whole-stream evaluation run in Rust."""

from __future__ import annotations

import numpy as np

__all__ = ["prequential"]


def prequential(model, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Test-then-train over the rows of `X` in Rust, with the GIL released.

    Each row is first predicted, then learned; the result is the running accuracy after each
    row. The model ends in the state that `learn_one` row by row would give (features named
    0..d-1).

    Examples
    --------
    >>> import numpy as np
    >>> from rapidriver import evaluate, tree
    >>> rng = np.random.default_rng(0)
    >>> X = rng.random((2000, 3))
    >>> y = (X[:, 0] > 0.5).astype(int)
    >>> curve = evaluate.prequential(tree.HoeffdingTreeClassifier(grace_period=50), X, y)
    >>> bool(curve[-1] > 0.9)
    True
    """
    core = getattr(model, "_core", None)
    if core is None or not hasattr(core, "prequential"):
        raise TypeError(f"model must be a rapidriver classifier, got {type(model).__name__}")
    return core.prequential(np.ascontiguousarray(X, dtype=np.float64), np.asarray(y))
