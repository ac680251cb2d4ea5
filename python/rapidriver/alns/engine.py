"""The ALNS engine face, as `alns.ALNS`: operators are registered here, the loop runs in Rust."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Protocol

import numpy as np

from rapidriver import _core
from rapidriver.alns.outcome import Outcome
from rapidriver.alns.result import Result
from rapidriver.alns.state import State
from rapidriver.alns.statistics import Statistics

__all__ = ["ALNS"]

_OUTCOMES = list(Outcome)


class _ProgressBar:
    """A tqdm bar fed by the engine with (iterations, best objective) every 0.1 s."""

    def __init__(self, total: int | None):
        from tqdm.auto import tqdm

        self._bar = tqdm(total=total, unit="it", desc="ALNS")
        self._done = 0

    def report(self, iterations: int, best: float) -> None:
        self._bar.update(iterations - self._done)
        self._done = iterations
        self._bar.set_postfix(best=f"{best:.6g}", refresh=False)

    def close(self) -> None:
        self._bar.close()


def _progress_bar(stop: Any) -> _ProgressBar:
    return _ProgressBar(getattr(stop, "max_iterations", None))


class _OperatorType(Protocol):
    __name__: str

    def __call__(self, state: State, rng: np.random.Generator, **kwargs: Any) -> State: ...


def _native(obj: Any) -> Any:
    """The Rust object behind one of our selection/acceptance/stopping faces, else `obj`."""
    core = getattr(obj, "_core", None)
    if isinstance(core, (_core.AlnsSelect, _core.AlnsAccept, _core.AlnsStop)):
        return core
    return obj


class ALNS:
    """Adaptive large neighbourhood search (Pisinger & Ropke 2010), a drop-in for `alns.ALNS`.

    The loop (selection, acceptance, stopping, statistics) runs in Rust; the destroy and repair
    operators, ``objective()`` and callbacks are called exactly as alns calls them:
    ``op(state, rng, **kwargs) -> state`` and ``callback(candidate, rng, **kwargs)``. Selection,
    acceptance and stopping objects from `rapidriver.alns` run entirely in Rust; any other
    object with alns' protocol (a custom criterion, or one of alns' own) is called from Rust.

    What differs from alns: ``objective()`` is called once per candidate (and again only after
    a callback that may have changed it), not at every comparison; when an operator raises, the
    exception reaches the caller with its traceback and carries the run so far as its
    ``result`` attribute (a `Result` whose ``best_state`` is the best state found).

    Parameters
    ----------
    rng
        A numpy ``Generator``, an int seed, or None (a fresh, unseeded generator). Operators
        and callbacks receive this generator; the engine's own draws (operator selection,
        random acceptance) come from a Rust generator seeded from it, so the same seed gives
        the same run.
    progress
        Show a tqdm progress bar (iterations and best objective, refreshed every 0.1 s)
        during `iterate`. Not in alns; keyword only.

    Examples
    --------
    >>> import copy
    >>> from rapidriver.alns import ALNS
    >>> from rapidriver.alns.accept import HillClimbing
    >>> from rapidriver.alns.select import RouletteWheel
    >>> from rapidriver.alns.stop import MaxIterations
    >>> class Number:
    ...     def __init__(self, x):
    ...         self.x = x
    ...     def objective(self):
    ...         return abs(self.x - 42)
    >>> def perturb(state, rng):
    ...     return Number(state.x + int(rng.integers(-5, 6)))
    >>> def keep(state, rng):
    ...     return state
    >>> alns = ALNS(7)
    >>> alns.add_destroy_operator(perturb)
    >>> alns.add_repair_operator(keep)
    >>> select = RouletteWheel([3, 2, 1, 0.5], 0.8, 1, 1)
    >>> result = alns.iterate(Number(0), select, HillClimbing(), MaxIterations(200))
    >>> result.best_state.x
    42
    """

    def __init__(self, rng: np.random.Generator | int | None = None, *, progress: bool = False):
        if isinstance(rng, np.random.Generator):
            self._rng = rng
        elif rng is None or (isinstance(rng, (int, np.integer)) and not isinstance(rng, bool)):
            self._rng = np.random.default_rng(rng)
        else:
            raise TypeError(
                f"`rng` must be a numpy Generator, an int seed or None, got {type(rng).__name__}"
            )
        self._engine = _core.AlnsEngine(int(self._rng.integers(0, 2**63)))
        self._d_ops: dict[str, _OperatorType] = {}
        self._r_ops: dict[str, _OperatorType] = {}
        self._on_outcome: dict[Outcome, Callable] = {}
        self.progress = progress

    @property
    def destroy_operators(self) -> list[tuple[str, _OperatorType]]:
        """The (name, operator) pairs of the destroy operators, in the order added."""
        return list(self._d_ops.items())

    @property
    def repair_operators(self) -> list[tuple[str, _OperatorType]]:
        """The (name, operator) pairs of the repair operators, in the order added."""
        return list(self._r_ops.items())

    @staticmethod
    def _check_op(op: Any, kind: str) -> None:
        if not callable(op):
            raise TypeError(f"a {kind} operator must be callable, got {type(op).__name__}")

    def add_destroy_operator(self, op: _OperatorType, name: str | None = None) -> None:
        """Adds a destroy operator, named `name` or else by its ``__name__``.

        The operator receives the current state itself, not a copy: it must not modify it.
        """
        self._check_op(op, "destroy")
        self._d_ops[op.__name__ if name is None else name] = op

    def add_repair_operator(self, op: _OperatorType, name: str | None = None) -> None:
        """Adds a repair operator, named `name` or else by its ``__name__``."""
        self._check_op(op, "repair")
        self._r_ops[name if name else op.__name__] = op

    def iterate(
        self,
        initial_solution: State,
        op_select: Any,
        accept: Any,
        stop: Any,
        **kwargs: Any,
    ) -> Result:
        """Runs ALNS from `initial_solution` until `stop` says so.

        Parameters
        ----------
        initial_solution
            The initial state.
        op_select
            An operator selection scheme (see `rapidriver.alns.select`).
        accept
            An acceptance criterion (see `rapidriver.alns.accept`).
        stop
            A stopping criterion (see `rapidriver.alns.stop`).
        **kwargs
            Passed on to the operators and callbacks.

        Returns
        -------
        Result
            The best state and the statistics of the run.

        Raises
        ------
        ValueError
            Without destroy or repair operators, with a selection scheme built for other
            operator counts, or when ``objective()`` returns NaN.
        """
        if not self._d_ops or not self._r_ops:
            raise ValueError("Missing destroy or repair operators.")
        d_names = list(self._d_ops)
        r_names = list(self._r_ops)
        callbacks = [self._on_outcome.get(o) for o in _OUTCOMES]
        bar = _progress_bar(stop) if self.progress else None
        start = time.perf_counter()
        try:
            best, _current, record, error = self._engine.iterate(
                initial_solution,
                list(self._d_ops.values()),
                list(self._r_ops.values()),
                d_names,
                r_names,
                _native(op_select),
                _native(accept),
                _native(stop),
                self._rng,
                kwargs,
                callbacks,
                _OUTCOMES,
                None if bar is None else bar.report,
            )
            if bar is not None:
                bar.report(len(record[0]) - 1, min(record[0]))
        finally:
            if bar is not None:
                bar.close()
        result = Result(best, Statistics._from_core(start, record, d_names, r_names))
        if error is not None:
            try:
                error.result = result
            except AttributeError:  # pragma: no cover - exceptions with __slots__
                pass
            raise error
        return result

    def on_best(self, func: Callable) -> None:
        """Calls ``func(candidate, rng, **kwargs)`` when a candidate is a new global best."""
        self._on_outcome[Outcome.BEST] = func

    def on_better(self, func: Callable) -> None:
        """Calls `func` when an accepted candidate is better than the current solution."""
        self._on_outcome[Outcome.BETTER] = func

    def on_accept(self, func: Callable) -> None:
        """Calls `func` when a candidate is accepted without improving anything."""
        self._on_outcome[Outcome.ACCEPT] = func

    def on_reject(self, func: Callable) -> None:
        """Calls `func` when a candidate is rejected."""
        self._on_outcome[Outcome.REJECT] = func

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_engine"] = self._engine.state_bytes()
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state = dict(state)
        state["_engine"] = _core.AlnsEngine.from_bytes(state["_engine"])
        self.__dict__.update(state)
