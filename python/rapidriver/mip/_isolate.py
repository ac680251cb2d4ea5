"""Sub-MIPs solved in a forked worker process, so that one that stalls can be cut off.

A HiGHS sub-MIP can run far past its own time limit (measured here: a local-branching sub-MIP
on a vertex cover ran 8 s past a 1.25 s limit, stalled at the root after its first LP) without
any callback firing in between, so it cannot be interrupted in-process. :class:`IsolatedHighs`
therefore runs :meth:`HighsModel.solve_sub` in a worker forked from the search (the
``multiprocessing`` 'fork' context). The worker holds its own copy of the model, built once from
the parent's, receives each sub-MIP's changes (bounds, extra row, objective, cutoff, time limit),
streams every improving point back as the solver finds it, and returns the solver's result. The
parent waits until the slice plus 25% plus 0.25 s, or until 0.1 s before the global deadline,
whichever comes first; then it kills the worker (a new one is forked for the next sub-MIP) and
keeps the best point already streamed. The parent's model is never changed by a sub-MIP.

Without a kill the worker solves the same sequence of sub-MIPs as the in-process path, so a
seed gives the same run either way (up to timing, as in-process).
"""

from __future__ import annotations

import math
import multiprocessing
import time
import typing

import numpy as np

from rapidriver.mip._highs import HighsModel, SubResult

__all__ = ["IsolatedHighs", "fork_available", "require_fork"]

#: A sub-MIP is killed after ``GRACE_SHARE * slice + GRACE_SECONDS`` past its start...
GRACE_SHARE = 1.25
GRACE_SECONDS = 0.25
#: ...or this many seconds before the global deadline, whichever comes first.
DEADLINE_MARGIN = 0.1

KILLED = "killed (over time)"


def fork_available() -> bool:
    """Whether the 'fork' start method exists here (Linux, macOS; not Windows)."""
    return "fork" in multiprocessing.get_all_start_methods()


def require_fork() -> None:
    """Raises ValueError unless the 'fork' start method exists here (``isolate=True`` needs
    it)."""
    if not fork_available():
        raise ValueError("`isolate=True` needs the 'fork' start method (Linux or macOS)")


def _worker(conn: typing.Any, lp: typing.Any, seed: int) -> None:
    """The worker's loop: builds its own model from ``lp``, then solves one sub-MIP per
    message (a dict of :meth:`HighsModel.solve_sub` arguments) until it receives ``None``."""
    from rapidriver.mip._highs_io import new_highs

    h = new_highs()
    h.passModel(lp)
    model = HighsModel(h, seed=seed)
    n = model.n_cols

    def improving(e: typing.Any) -> None:
        x = np.array(e.data_out.mip_solution[:n], dtype=np.float64)
        conn.send(("point", x, model.objective(x)))

    h.cbMipImprovingSolution.subscribe(improving)
    while True:
        try:
            msg = conn.recv()
        except EOFError:
            return
        if msg is None:
            return
        try:
            out = model.solve_sub(**msg)
        except Exception as exc:  # sent back and raised in the parent
            conn.send(("error", f"{type(exc).__name__}: {exc}"))
            continue
        conn.send(("done", tuple(out)))


class IsolatedHighs:
    """A :class:`HighsModel` whose sub-MIPs run in a forked worker (everything else, the first
    solution and the LP relaxation, runs on the wrapped model in-process).

    Parameters
    ----------
    model
        The model; its attributes (names, bounds, cost, sense, ...) are read through.
    seed
        The solver seed of the worker's model.
    deadline
        ``time.perf_counter()`` of the global deadline (settable later as ``.deadline``).
    """

    def __init__(self, model: HighsModel, seed: int = 0, deadline: float = math.inf):
        require_fork()
        self._model = model
        self._seed = int(seed)
        self.deadline = float(deadline)
        self._ctx = multiprocessing.get_context("fork")
        self._proc: typing.Any = None
        self._conn: typing.Any = None
        self._lp: typing.Any = None
        #: How many workers were killed over time (for the tests and the history).
        self.kills = 0

    def __getattr__(self, name: str) -> typing.Any:
        return getattr(self._model, name)

    # -- the worker ---------------------------------------------------------------------
    def start(self) -> None:
        """Forks the worker now (it is forked on the first sub-MIP otherwise)."""
        if self._proc is not None and self._proc.is_alive():
            return
        if self._lp is None:
            self._lp = self._model.h.getLp()
        parent, child = self._ctx.Pipe(duplex=True)
        proc = self._ctx.Process(target=_worker, args=(child, self._lp, self._seed),
                                 daemon=True)
        proc.start()
        child.close()
        self._proc, self._conn = proc, parent

    def _kill(self) -> None:
        proc, conn = self._proc, self._conn
        self._proc = self._conn = None
        if proc is not None:
            proc.kill()
            proc.join(1.0)
        if conn is not None:
            conn.close()

    def close(self) -> None:
        """Stops the worker (asks it to exit, kills it if it does not within 0.5 s)."""
        proc, conn = self._proc, self._conn
        if proc is None:
            return
        try:
            conn.send(None)
            proc.join(0.5)
        except (OSError, ValueError):
            pass
        if proc.is_alive():
            self._kill()
            return
        self._proc = self._conn = None
        conn.close()

    def __del__(self) -> None:
        try:
            self._kill()
        except Exception:
            pass

    # -- the sub-MIP ----------------------------------------------------------------------
    def solve_sub(self, time_limit: float, start: np.ndarray, cutoff: float = math.inf,
                  **changes: typing.Any) -> SubResult:
        """:meth:`HighsModel.solve_sub` in the worker, cut off at the slice plus 25% plus
        0.25 s or 0.1 s before the deadline. A cut-off solve returns the best point the
        worker streamed (if better than ``cutoff``) with the status ``"killed (over
        time)"``."""
        began = time.perf_counter()
        self.start()
        conn = self._conn
        kill_at = min(began + GRACE_SHARE * float(time_limit) + GRACE_SECONDS,
                      self.deadline - DEADLINE_MARGIN)
        conn.send(dict(time_limit=time_limit, start=start, cutoff=cutoff, **changes))
        best_x, best_obj = None, math.inf
        while True:
            wait = kill_at - time.perf_counter()
            if wait <= 0 or not conn.poll(wait):
                # Not back in time (or the worker died): cut off, keep what was streamed.
                died = self._proc is not None and not self._proc.is_alive()
                self._kill()
                self.kills += 0 if died else 1
                status = "worker died" if died else KILLED
                return SubResult(best_x, best_obj, status, -math.inf)
            try:
                msg = conn.recv()
            except (EOFError, OSError):
                self._kill()
                return SubResult(best_x, best_obj, "worker died", -math.inf)
            if msg[0] == "point":
                if msg[2] < best_obj:
                    best_x, best_obj = msg[1], msg[2]
            elif msg[0] == "done":
                return SubResult(*msg[1])
            else:
                raise RuntimeError(f"the sub-MIP worker failed: {msg[1]}")
