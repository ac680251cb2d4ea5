"""ALNS on problems whose operators are written in Rust: the whole run happens in the core, with
the GIL released and no Python call per iteration.

The Euclidean TSP and the 0/1 knapsack here have the operators of
`rapidriver.alns.examples.Tsp` and `examples.Knapsack` (random, path and worst removal of
`degree` of the cities, greedy insertion in random order; random removal of `degree` of the
packed items, greedy or random insertion), implemented in `rust/core/src/alns/problems.rs`.
The built-in selection, acceptance and stopping objects of `rapidriver.alns` drive them and keep
their state afterwards, as in `ALNS.iterate`.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from rapidriver import _core
from rapidriver.alns.result import Result
from rapidriver.alns.statistics import Statistics

__all__ = [
    "KNAPSACK_DESTROY",
    "KNAPSACK_REPAIR",
    "TSP_DESTROY",
    "TSP_REPAIR",
    "solve_knapsack",
    "solve_tsp",
]

#: The names of the Rust TSP operators, in the order a selection scheme numbers them.
TSP_DESTROY = ["random_removal", "path_removal", "worst_removal"]
TSP_REPAIR = ["greedy_repair"]
KNAPSACK_DESTROY = ["random_removal"]
KNAPSACK_REPAIR = ["greedy_repair", "random_repair"]


def _core_of(obj: Any, name: str, kind: type) -> Any:
    core = getattr(obj, "_core", None)
    if not isinstance(core, kind):
        raise TypeError(f"`{name}` must be one of rapidriver.alns' own, got {type(obj).__name__}")
    return core


def solve_tsp(
    coords: Any,
    op_select: Any,
    accept: Any,
    stop: Any,
    degree: float = 0.25,
    seed: int | None = None,
) -> Result:
    """Runs ALNS with the Rust TSP operators from the tour in index order.

    Parameters
    ----------
    coords
        An (n, 2) array of city coordinates (n >= 3).
    op_select
        A `rapidriver.alns.select` scheme for 3 destroy and 1 repair operators (`TSP_DESTROY`,
        `TSP_REPAIR`).
    accept
        A `rapidriver.alns.accept` criterion.
    stop
        A `rapidriver.alns.stop` criterion.
    degree
        The fraction of the cities each destroy operator removes, in (0, 1).
    seed
        Seed of the run's generator.

    Returns
    -------
    Result
        ``best_state`` is the best tour (a list of city indices); the statistics are as in
        `ALNS.iterate`.

    Examples
    --------
    >>> import numpy as np
    >>> from rapidriver.alns.accept import HillClimbing
    >>> from rapidriver.alns.native import solve_tsp
    >>> from rapidriver.alns.select import RouletteWheel
    >>> from rapidriver.alns.stop import MaxIterations
    >>> angles = np.linspace(0, 2 * np.pi, 12, endpoint=False)
    >>> circle = np.c_[np.cos(angles), np.sin(angles)][np.random.default_rng(0).permutation(12)]
    >>> result = solve_tsp(100 * circle, RouletteWheel([25, 5, 1, 0], 0.8, 3, 1), HillClimbing(),
    ...                    MaxIterations(300), seed=0)
    >>> bool(abs(result.statistics.objectives.min() - 2400 * np.sin(np.pi / 12)) < 1e-9)
    True
    """
    points = np.asarray(coords, dtype=float)
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(f"`coords` must be an (n, 2) array, got shape {points.shape}")
    params = {"coords": [tuple(p) for p in points.tolist()], "degree": degree}
    return _run("tsp", params, op_select, accept, stop, seed, TSP_DESTROY, TSP_REPAIR)


def solve_knapsack(
    values: Any,
    weights: Any,
    capacity: float,
    op_select: Any,
    accept: Any,
    stop: Any,
    degree: float = 0.25,
    seed: int | None = None,
) -> Result:
    """Runs ALNS with the Rust 0/1 knapsack operators from the empty knapsack.

    Parameters
    ----------
    values
        Item values (finite).
    weights
        Item weights (positive), as many as values.
    capacity
        The knapsack's capacity (>= 0).
    op_select, accept, stop, seed
        As for `solve_tsp`; the scheme is for 1 destroy and 2 repair operators
        (`KNAPSACK_DESTROY`, `KNAPSACK_REPAIR`).
    degree
        The fraction of the packed items the destroy operator removes, in (0, 1).

    Returns
    -------
    Result
        ``best_state`` is the list of packed items; objectives are minus the packed value.

    Examples
    --------
    >>> from rapidriver.alns.accept import HillClimbing
    >>> from rapidriver.alns.native import solve_knapsack
    >>> from rapidriver.alns.select import RandomSelect
    >>> from rapidriver.alns.stop import MaxIterations
    >>> result = solve_knapsack([6, 5, 5], [3, 2, 2], 4, RandomSelect(1, 2), HillClimbing(),
    ...                         MaxIterations(50), degree=0.5, seed=0)
    >>> result.best_state, result.statistics.objectives.min()
    ([1, 2], np.float64(-10.0))
    """
    params = {
        "values": np.asarray(values, dtype=float).tolist(),
        "weights": np.asarray(weights, dtype=float).tolist(),
        "capacity": capacity,
        "degree": degree,
    }
    return _run(
        "knapsack", params, op_select, accept, stop, seed, KNAPSACK_DESTROY, KNAPSACK_REPAIR
    )


def _run(
    kind: str,
    params: dict[str, Any],
    op_select: Any,
    accept: Any,
    stop: Any,
    seed: int | None,
    destroy_names: list[str],
    repair_names: list[str],
) -> Result:
    start = time.perf_counter()
    _, best, record = _core.alns_run_native(
        kind,
        params,
        _core_of(op_select, "op_select", _core.AlnsSelect),
        _core_of(accept, "accept", _core.AlnsAccept),
        _core_of(stop, "stop", _core.AlnsStop),
        seed,
    )
    return Result(best, Statistics._from_core(start, record, destroy_names, repair_names))
