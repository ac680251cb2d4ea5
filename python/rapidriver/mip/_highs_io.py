"""Small helpers around highspy shared by the solver wrapper and the instance generators."""

from __future__ import annotations

import contextlib
import os
import sys
import typing

import numpy as np

if typing.TYPE_CHECKING:
    import highspy

__all__ = ["new_highs", "add_rows_csr", "INF"]

INF = float("inf")


def new_highs() -> highspy.Highs:
    """A silent, single-threaded ``highspy.Highs`` (its constructor prints a banner on file
    descriptor 1, hidden here)."""
    import highspy

    sys.stdout.flush()
    with contextlib.ExitStack() as stack:
        try:
            saved = os.dup(1)
        except OSError:  # no descriptor 1 (embedded interpreters): nothing to hide
            saved = -1
        if saved >= 0:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.close(devnull)

            def restore() -> None:
                os.dup2(saved, 1)
                os.close(saved)

            stack.callback(restore)
        h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    # One thread everywhere: HiGHS refuses to run when two objects disagree on `threads`.
    h.setOptionValue("threads", 1)
    return h


def add_rows_csr(
    h: highspy.Highs,
    lower: np.ndarray,
    upper: np.ndarray,
    rows: list[np.ndarray],
    coefs: list[np.ndarray],
) -> None:
    """Adds one row per entry of ``rows`` (column indices) with the matching ``coefs``."""
    starts = np.zeros(len(rows), dtype=np.int32)
    if rows:
        starts[1:] = np.cumsum([len(r) for r in rows])[:-1]
    index = np.concatenate(rows).astype(np.int32) if rows else np.zeros(0, np.int32)
    value = np.concatenate(coefs).astype(np.float64) if rows else np.zeros(0)
    h.addRows(len(rows), lower.astype(np.float64), upper.astype(np.float64), len(index), starts,
              index, value)
