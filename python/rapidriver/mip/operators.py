"""Destroy operators (neighbourhoods) and the repair operator of the MIP search.

Each destroy operator is a small callable object with the ``alns`` operator contract
``op(state, rng, **kwargs) -> state``: it asks the Rust core (``rapidriver._core``) which
integer columns to fix or narrow, and returns the state with that neighbourhood pending; the
one repair operator, :class:`Repair`, solves the sub-MIP and returns the new state. The
randomness of the rules comes from the search's own seeded generator (the ``rng`` argument
of the engine is not used), so a run is reproducible from the seed of :class:`Balans`.

``delta`` is the share of candidate columns left free (destroyed), as in Balans: mutation
frees ``delta`` of the integer columns; RINS frees ``delta`` of those where incumbent and LP
differ; RENS narrows ``delta`` of the LP-fractional ones; local branching lets at most a
random ``k`` in ``[5%, delta]`` of the binaries flip; proximity search asks for an
improvement of ``delta`` times the incumbent's objective.

Example
-------
>>> from rapidriver.mip import operators
>>> [op.name for op in operators.parse(["mutation_25", "rins_50", "local_branching_10"])]
['mutation_25', 'rins_50', 'local_branching_10']
"""

from __future__ import annotations

import re
import typing

import numpy as np

__all__ = [
    "Crossover",
    "DEFAULT_DESTROY",
    "Dins",
    "LocalBranching",
    "Mutation",
    "Neighbourhood",
    "Operator",
    "Proximity",
    "RandomObjective",
    "Rens",
    "Repair",
    "Rins",
    "parse",
]


class Neighbourhood(typing.NamedTuple):
    """A pending sub-MIP: bound changes, an extra row, a replacement objective or proximity
    data (see ``HighsModel.solve_sub``), and whether it gets the longer time limit."""

    bounds: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
    row: tuple[np.ndarray, np.ndarray, float] | None = None
    objective: np.ndarray | None = None
    proximity: tuple[np.ndarray, float, float, float] | None = None
    long: bool = False

    def frees_nothing(self, n_int: int) -> bool:
        """True when every integer column is fixed and nothing else changes the model."""
        if self.row is not None or self.objective is not None or self.proximity is not None:
            return False
        if self.bounds is None:
            return False
        index, lb, ub = self.bounds
        return len(index) == n_int and bool(np.all(lb == ub))


class Operator:
    """Base of the destroy operators: ``name``, the data it needs, and ``neighbourhood``."""

    name = "operator"
    needs_lp = False
    needs_binaries = False
    #: Whether the search may adapt this operator's neighbourhood size (its ``delta``).
    scalable = False

    def neighbourhood(self, search: typing.Any, x: np.ndarray, obj: float) -> Neighbourhood:
        raise NotImplementedError

    def __call__(self, state: typing.Any, rng: typing.Any, **kwargs: typing.Any) -> typing.Any:
        return state.destroyed(self, self.neighbourhood(state.search, state.x, state.obj))

    @property
    def __name__(self) -> str:  # the engine logs operators by __name__
        return self.name

    def __repr__(self) -> str:
        return f"<{self.name}>"


def _pct(delta: float) -> str:
    return f"{round(delta * 100):02d}"


class _Fraction(Operator):
    """An operator whose neighbourhood size is a share ``delta``; the search may scale it
    (``Balans(adapt_size=True)``): the share used is ``search.share(self)``."""

    kind = ""
    scalable = True

    def __init__(self, delta: float):
        if isinstance(delta, bool) or not isinstance(delta, (int, float)):
            raise TypeError(f"`delta` must be a number, got {type(delta).__name__}")
        if not 0.0 <= delta <= 1.0:
            raise ValueError(f"`delta` must be in [0, 1], got {delta}")
        self.delta = float(delta)
        self.name = f"{self.kind}_{_pct(self.delta)}"


class Mutation(_Fraction):
    """Random fixing: frees a random ``delta`` share of the integer columns."""

    kind = "mutation"

    def neighbourhood(self, search, x, obj):
        return Neighbourhood(bounds=search.rules.mutation(x, search.share(self)))


class Rins(_Fraction):
    """RINS: fixes where incumbent and LP agree; frees ``delta`` of the others."""

    kind = "rins"
    needs_lp = True

    def neighbourhood(self, search, x, obj):
        return Neighbourhood(bounds=search.rules.rins(x, search.lp, search.share(self)))


class Rens(_Fraction):
    """RENS: narrows ``delta`` of the LP-fractional integer columns to floor/ceil."""

    kind = "rens"
    needs_lp = True

    def neighbourhood(self, search, x, obj):
        return Neighbourhood(bounds=search.rules.rens(x, search.lp, search.share(self)))


class LocalBranching(_Fraction):
    """Local branching: at most ``k`` binaries flip, ``k`` random in ``[5%, delta]``."""

    kind = "local_branching"
    needs_binaries = True

    def neighbourhood(self, search, x, obj):
        return Neighbourhood(row=search.rules.local_branching(x, search.share(self)), long=True)


class Proximity(Operator):
    """Proximity search: minimise the Hamming distance to the incumbent over the binaries
    subject to an objective at least ``delta * |objective|`` better (softened by a slack
    priced at ``big_m``)."""

    needs_binaries = True

    def __init__(self, delta: float = 0.005):
        if isinstance(delta, bool) or not isinstance(delta, (int, float)) or delta < 0:
            raise ValueError(f"`delta` must be a number >= 0, got {delta!r}")
        self.delta = float(delta)
        self.name = f"proximity_{round(self.delta * 1000):03d}"

    def neighbourhood(self, search, x, obj):
        dist, offset, cutoff = search.rules.proximity(x, obj, self.delta)
        return Neighbourhood(proximity=(dist, offset, cutoff, search.big_m))


class Dins(Operator):
    """DINS: integer columns at least 0.5 from the LP may move, no further from it."""

    name = "dins"
    needs_lp = True

    def neighbourhood(self, search, x, obj):
        return Neighbourhood(bounds=search.rules.dins(x, search.lp))


class Crossover(Operator):
    """Crossover: fixes where the incumbent and the previous incumbent agree (the rounded LP
    optimum stands in before there is a previous incumbent)."""

    name = "crossover"
    needs_lp = True

    def neighbourhood(self, search, x, obj):
        other = search.previous if search.previous is not None else np.round(search.lp)
        return Neighbourhood(bounds=search.rules.crossover(x, other))


class RandomObjective(Operator):
    """Random objective: the whole model under random coefficients in ``[-1, 1)``."""

    name = "random_objective"

    def neighbourhood(self, search, x, obj):
        return Neighbourhood(objective=search.rules.random_objective())


class Repair:
    """Solves the pending sub-MIP (the only repair operator)."""

    name = "repair"

    def __call__(self, state: typing.Any, rng: typing.Any, **kwargs: typing.Any) -> typing.Any:
        return state.search.repair(state)

    @property
    def __name__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return "<repair>"


_PATTERN = re.compile(r"^(mutation|rins|rens|local_branching|proximity)_(\d+)$")


def parse(names: typing.Iterable[str | Operator]) -> list[Operator]:
    """Operators from names such as ``mutation_50``, ``rins_40``, ``local_branching_10``,
    ``proximity_005`` (thousandths), ``dins``, ``crossover``, ``random_objective``;
    operator objects pass through."""
    ops: list[Operator] = []
    for item in names:
        if isinstance(item, Operator):
            ops.append(item)
            continue
        if not isinstance(item, str):
            raise TypeError(f"a destroy operator must be a name or an Operator, got {item!r}")
        key = item.strip().lower()
        simple = {"dins": Dins, "crossover": Crossover, "random_objective": RandomObjective}
        if key in simple:
            ops.append(simple[key]())
            continue
        m = _PATTERN.match(key)
        if m is None:
            raise ValueError(
                f"unknown destroy operator {item!r}; use e.g. mutation_50, rins_40, rens_40, "
                "local_branching_10, proximity_005, dins, crossover, random_objective"
            )
        kind, digits = m.group(1), m.group(2)
        if kind == "proximity":
            ops.append(Proximity(int(digits) / 1000))
        else:
            cls = {"mutation": Mutation, "rins": Rins, "rens": Rens,
                   "local_branching": LocalBranching}[kind]
            ops.append(cls(int(digits) / 100))
    return ops


#: Balans' default portfolio (its ``configs/default.json``).
DEFAULT_DESTROY = (
    "crossover", "mutation_50", "rins_40", "rens_40", "rens_50", "proximity_005",
    "local_branching_10", "local_branching_20", "local_branching_30", "local_branching_50",
)
