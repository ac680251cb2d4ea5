"""``Balans``: bandit-driven adaptive large neighbourhood search for MIPs, on HiGHS.

The search (Cai et al. 2025, "Balans: Multi-Armed Bandits-based Adaptive Large Neighborhood
Search for Mixed-Integer Programming Problem") starts from the solver's first feasible point
(by default improved by the solver on the whole model for a quarter of the budget, ``warmup``),
solves the LP relaxation once, and then repeats: a bandit picks a destroy operator, the
operator fixes part of the incumbent (its rule runs in Rust), and the solver solves the
smaller sub-MIP, warm-started from the incumbent and cut off at its objective. Differences
from the ``balans`` package, on purpose:

- the whole call honours its time budget: the first solution, the LP and every sub-MIP share
  one deadline, each sub-MIP's time limit is capped by what is left, and no sub-MIP starts
  when too little is left to be useful; on Linux each HiGHS sub-MIP runs in a forked worker
  process that is killed if it stalls past its slice (HiGHS can, with no callback to stop it
  in-process), keeping the points it found (``isolate``, :mod:`rapidriver.mip._isolate`);
- every random choice (operator rules, the bandit, the solver's seed) derives from ``seed``;
- bounds are changed on the solver's model in place and restored exactly (only integer
  columns are ever fixed), instead of adding and deleting equality rows;
- the search stops early when the incumbent meets the dual bound;
- optionally (``reward="time-aware"``) the bandit's reward discounts an outcome by the share
  of its time slice the sub-MIP used, so that neighbourhoods that burn time without improving
  lose the bandit's favour (with it, a run depends on measured times, so the same seed gives
  the same run only up to timing).
"""

from __future__ import annotations

import math
import os
import sys
import time
import typing

import numpy as np

from rapidriver.alns.select import OperatorSelectionScheme
from rapidriver.mip import _engine
from rapidriver.mip.operators import DEFAULT_DESTROY, Neighbourhood, Operator, Repair, parse

__all__ = ["REWARDS", "SELECTORS", "Balans", "IterationRecord", "SolveResult",
           "TimeAwareSelector", "make_selector"]

#: Selector names :class:`Balans` accepts (built at solve time for the operators that apply).
SELECTORS = ("softmax", "ucb", "epsilon_greedy", "random", "roulette")


#: Rewards :class:`Balans` accepts: Balans' outcome scores, or those scores discounted by the
#: share of its time slice the sub-MIP used (see :class:`TimeAwareSelector`).
REWARDS = ("balans", "time-aware")

#: Balans' scores for a new best, a better, an accepted and a rejected candidate.
SCORES = (8.0, 4.0, 2.0, 1.0)


def make_selector(name: str, num_destroy: int, num_repair: int, seed: int,
                  reward: str = "balans") -> typing.Any:
    """The operator selection scheme called ``name`` (see :data:`SELECTORS`): a
    ``MABSelector`` over a ``rapidriver.bandit`` policy with Balans' rewards 8/4/2/1 for
    best/better/accepted/rejected (Softmax with Balans' tau 1.36, UCB1, epsilon-greedy 0.15,
    uniform random), or alns' roulette wheel (decay 0.8). With ``reward="time-aware"`` the
    bandit is a :class:`TimeAwareSelector` instead (not for the roulette wheel)."""
    from rapidriver import bandit

    if reward not in REWARDS:
        raise ValueError(f"`reward` must be one of {REWARDS}, got {reward!r}")
    scores = list(SCORES)
    if name == "roulette":
        if reward != "balans":
            raise ValueError("`reward='time-aware'` needs a bandit selector, not 'roulette'")
        return _engine.RouletteWheel(scores, 0.8, num_destroy, num_repair)
    policies = {
        "softmax": lambda: bandit.Softmax(tau=1.359686, seed=seed),
        "ucb": lambda: bandit.UCB(delta=1.0, seed=seed),
        "epsilon_greedy": lambda: bandit.EpsilonGreedy(epsilon=0.15, seed=seed),
        "random": lambda: bandit.RandomPolicy(seed=seed),
    }
    if name not in policies:
        raise ValueError(f"`selector` must be a scheme or one of {SELECTORS}, got {name!r}")
    if reward == "time-aware":
        return TimeAwareSelector(scores, num_destroy, num_repair, policies[name]())
    return _engine.MABSelector(scores, num_destroy, num_repair, policies[name](), seed=seed)


class TimeAwareSelector(OperatorSelectionScheme):
    """Operator selection by a bandit whose reward is the outcome's score discounted by the
    share of its time slice the sub-MIP used: ``score * (1 - weight * min(used / slice, 1))``
    (computed in Rust, ``rapidriver._core.mip_time_aware_reward``). With the default weight
    0.5 a sub-MIP that burns its whole slice without improving (accepted, 2) scores like a
    rejection (1), and one that finds a new best at the end of its slice still gets 4.

    The candidate states passed to :meth:`update` carry ``used`` and ``slice`` (seconds);
    states without them (an empty neighbourhood, no time left) get the plain score.

    Parameters
    ----------
    scores
        Four scores: new best, better, accepted, rejected.
    num_destroy, num_repair
        Operator counts; each (destroy, repair) pair is an arm, numbered row-major.
    policy
        A ``rapidriver.bandit`` policy (seed it for a reproducible run).
    weight
        The part of a score that a whole slice costs, in [0, 1].

    Example
    -------
    >>> from rapidriver import bandit
    >>> from rapidriver.alns import Outcome
    >>> select = TimeAwareSelector([8, 4, 2, 1], 2, 1, bandit.Softmax(tau=1.36, seed=0))
    >>> select.reward(Outcome.ACCEPT, used=3.0, slice=3.0)
    1.0
    """

    def __init__(self, scores: typing.Sequence[float], num_destroy: int, num_repair: int,
                 policy: typing.Any, weight: float = 0.5):
        super().__init__(num_destroy, num_repair)
        self.scores = [float(v) for v in scores]
        if len(self.scores) != 4 or any(not v >= 0 for v in self.scores):
            raise ValueError(f"`scores` must be four numbers >= 0, got {list(scores)!r}")
        if not 0.0 <= weight <= 1.0:
            raise ValueError(f"`weight` must be in [0, 1], got {weight!r}")
        self.policy, self.weight = policy, float(weight)
        self._arms = list(range(num_destroy * num_repair))

    def reward(self, outcome: typing.Any, used: float, slice: float) -> float:
        """The reward of ``outcome`` after a sub-MIP of ``used`` seconds out of ``slice``
        (``slice == 0``: no sub-MIP ran, the plain score)."""
        from rapidriver._core import mip_time_aware_reward

        score = self.scores[int(outcome)]
        if slice == 0:
            return score
        return mip_time_aware_reward(score, used, slice, self.weight)

    def __call__(self, rng: typing.Any, best: typing.Any, curr: typing.Any) -> tuple[int, int]:
        arm = int(self.policy.pull(self._arms))
        return divmod(arm, self.num_repair)

    def update(self, candidate: typing.Any, d_idx: int, r_idx: int, outcome: typing.Any) -> None:
        reward = self.reward(outcome, getattr(candidate, "used", 0.0),
                             getattr(candidate, "slice", 0.0))
        self.policy.update(d_idx * self.num_repair + r_idx, reward)

_OUTCOMES = ("best", "better", "accept", "reject")


class IterationRecord(typing.NamedTuple):
    """One row of the history: seconds since the start, the operator, the outcome (``best``,
    ``better``, ``accept``, ``reject``, or ``start``), the sub-MIP's solver status, the
    incumbent (best objective so far, in the model's sense) and the dual bound."""

    time: float
    operator: str
    outcome: str
    status: str
    incumbent: float
    dual_bound: float


class SolveResult(typing.NamedTuple):
    """What :meth:`Balans.solve` returns."""

    solution: dict[str, float]
    objective: float
    status: str
    history: list[IterationRecord]
    dual_bound: float
    runtime: float
    iterations: int

    @property
    def gap(self) -> float:
        """Relative gap between the objective and the dual bound (``inf`` if unknown)."""
        return _gap(self.objective, self.dual_bound)

    def to_json(self) -> dict[str, typing.Any]:
        """A JSON-ready dict (the CLI's history file)."""
        return {
            "objective": self.objective,
            "status": self.status,
            "dual_bound": _finite(self.dual_bound),
            "runtime": self.runtime,
            "iterations": self.iterations,
            "history": [
                {**r._asdict(), "incumbent": _finite(r.incumbent),
                 "dual_bound": _finite(r.dual_bound)}
                for r in self.history
            ],
        }


def _finite(v: float) -> float | None:
    return v if math.isfinite(v) else None


def _gap(primal: float, dual: float) -> float:
    if not (math.isfinite(primal) and math.isfinite(dual)):
        return math.inf
    return abs(primal - dual) / max(abs(primal), 1e-9)


class _State:
    """An ALNS state: the incumbent point, its objective (minimisation form) and, between
    destroy and repair, the pending neighbourhood."""

    __slots__ = ("search", "x", "obj", "pending", "operator", "used", "slice")

    def __init__(self, search: _Search, x: np.ndarray, obj: float,
                 pending: Neighbourhood | None = None, operator: Operator | None = None):
        self.search, self.x, self.obj = search, x, obj
        self.pending, self.operator = pending, operator
        # Seconds the repairing sub-MIP took and its time limit (0: no sub-MIP ran).
        self.used = self.slice = 0.0

    def objective(self) -> float:
        return self.obj

    def destroyed(self, operator: Operator, pending: Neighbourhood) -> _State:
        return _State(self.search, self.x, self.obj, pending, operator)


class _Search:
    """The shared context of one solve: model, rules, LP, deadline, incumbents, history."""

    def __init__(self, model: typing.Any, rules: typing.Any, lp: np.ndarray | None,
                 dual_bound: float, t0: float, deadline: float, iteration_limit: float,
                 long_limit: float, big_m: float, progress: typing.Callable | None,
                 adapt_size: bool = False):
        self.model, self.rules, self.lp = model, rules, lp
        self.dual_bound, self.t0, self.deadline = dual_bound, t0, deadline
        self.iteration_limit, self.long_limit, self.big_m = iteration_limit, long_limit, big_m
        self.progress = progress
        self.adapt_size = adapt_size
        # Each scalable operator's size multiplier (by name), 1 until its sub-MIPs move it.
        self.scale: dict[str, float] = {}
        self.n_int = int(model.is_int.sum())
        self.best_x: np.ndarray | None = None
        self.best_obj = math.inf
        self.previous: np.ndarray | None = None
        self.history: list[IterationRecord] = []
        self._status = ""
        self._operator = ""

    def left(self) -> float:
        return self.deadline - time.perf_counter()

    def share(self, op: Operator) -> float:
        """The share of columns ``op`` frees now: its ``delta`` times its size multiplier."""
        return min(1.0, op.delta * self.scale.get(op.name, 1.0))

    def adapt(self, op: Operator | None, improved: bool, status: str, used: float,
              limit: float) -> None:
        """Moves ``op``'s size multiplier by what its sub-MIP did (``rapidriver._core.
        mip_adapt_size``): unchanged if it improved, up if it proved its neighbourhood holds
        nothing better before its limit, down if it ran out of time without improving."""
        if not self.adapt_size or op is None or not op.scalable:
            return
        from rapidriver._core import mip_adapt_size

        kind = _size_outcome(improved, status, used, limit)
        if kind is not None:
            self.scale[op.name] = mip_adapt_size(self.scale.get(op.name, 1.0), kind)

    def record(self, outcome: str) -> None:
        rec = IterationRecord(
            time.perf_counter() - self.t0, self._operator, outcome, self._status,
            self.model.sense * self.best_obj, self.model.sense * self.dual_bound,
        )
        self.history.append(rec)
        if self.progress is not None:
            self.progress(rec, _gap(self.best_obj, self.dual_bound))

    def offer(self, x: np.ndarray, obj: float) -> None:
        if obj < self.best_obj - 1e-9:
            if self.best_x is not None:
                self.previous = self.best_x
            self.best_x, self.best_obj = x, obj

    def repair(self, state: _State) -> _State:
        pending, op = state.pending, state.operator
        self._operator = op.name if op is not None else "?"
        base = _State(self, state.x, state.obj)
        if pending is None or pending.frees_nothing(self.n_int):
            self._status = "empty neighbourhood"
            return base
        limit = min(self.long_limit if pending.long else self.iteration_limit,
                    self.left() - _margin(self))
        if limit < 0.01:
            self._status = "no time left"
            return base
        started = time.perf_counter()
        out = self.model.solve_sub(
            limit, state.x, cutoff=state.obj, bounds=pending.bounds, row=pending.row,
            objective=pending.objective, proximity=pending.proximity,
        )
        self._status = out.status
        result = base
        improved = out.x is not None and out.objective < state.obj - 1e-9
        if improved:
            self.offer(out.x, out.objective)
            result = _State(self, out.x, out.objective)
        result.used, result.slice = time.perf_counter() - started, limit
        self.adapt(op, improved, out.status, result.used, limit)
        return result

    def done(self) -> bool:
        return self.left() <= _margin(self) + 0.01 or _gap(self.best_obj, self.dual_bound) < 1e-9


def _size_outcome(improved: bool, status: str, used: float, limit: float) -> str | None:
    """What a sub-MIP did for its neighbourhood's size: ``"improved"``, ``"exhausted"``
    (optimal or infeasible under the cutoff, so nothing better is in it), ``"timed_out"``
    (its time limit, or killed past it, without improving), or None (anything else, e.g. an
    interrupted solve, leaves the size alone)."""
    if improved:
        return "improved"
    text = status.lower()
    if "time limit" in text or "killed" in text or used >= limit:
        return "timed_out"
    if text.startswith("optimal") or text == "infeasible":
        return "exhausted"
    return None


def _margin(search: _Search) -> float:
    """Time kept back from the deadline for the solver's overshoot and our bookkeeping."""
    return min(0.4, 0.006 * (search.deadline - search.t0) + 0.02)


def _fresh(obj: typing.Any) -> typing.Any:
    """A deep copy of a selection/acceptance/stopping object (the object itself if it cannot
    be copied)."""
    import copy

    try:
        return copy.deepcopy(obj)
    except Exception:
        return obj


class _Stop:
    """Stops at the deadline, at a closed gap, or when the user's criterion says so."""

    def __init__(self, search: _Search, user: typing.Any | None):
        self.search, self.user = search, user

    def __call__(self, rng: typing.Any, best: typing.Any, current: typing.Any) -> bool:
        if self.search.done():
            return True
        return bool(self.user(rng, best, current)) if self.user is not None else False


class Balans:
    """Adaptive large neighbourhood search for mixed-integer programs, with a multi-armed
    bandit choosing the neighbourhood (Balans), on HiGHS.

    Parameters
    ----------
    destroy_ops
        Destroy operators: names (``"mutation_50"``, ``"rins_40"``, ``"rens_40"``,
        ``"local_branching_10"``, ``"proximity_005"``, ``"dins"``, ``"crossover"``,
        ``"random_objective"``) or :mod:`rapidriver.mip.operators` objects. Default: Balans'
        portfolio (:data:`~rapidriver.mip.operators.DEFAULT_DESTROY`). Operators that the
        model cannot use (local branching and proximity without binaries) are dropped.
    repair_ops
        Repair operators; default ``[Repair()]`` (the sub-MIP solve).
    selector
        An operator selection scheme of ``rapidriver.alns.select`` (or the ``alns``
        package's), or a name of :data:`SELECTORS` built for the operators that apply;
        default ``"softmax"``: ``MABSelector`` with a Softmax bandit (tau 1.36, Balans'
        default), rewards 8/4/2/1 for best/better/accept/reject.
    accept
        An acceptance criterion of ``rapidriver.alns.accept``; default ``HillClimbing()``.
    stop
        A stopping criterion of ``rapidriver.alns.stop``; a ``MaxRuntime`` sets the whole
        call's time budget. Default ``MaxRuntime(60)``.
    solver
        ``"highs"`` (embedded default).
    seed
        Seeds the operator rules, the bandit, the engine and the solver.
    time_limit
        Time budget in seconds when ``stop`` is not a ``MaxRuntime``.
    iteration_time_limit, local_branching_time_limit
        Caps on one sub-MIP (default: a tenth of the budget, at most 12 s and 15 s as in
        Balans' configuration).
    big_m
        Price of the slack in proximity search's objective cutoff.
    warmup
        Share of the budget (in [0, 1)) the solver spends improving its first point on the
        whole model before the search starts (it stops at its first feasible point after
        that); 0 starts the search from the first feasible point, as Balans does. Default
        0.25: on the quick benchmark it lowered the primal integral on four families of five
        (the fifth tied), against starting at once.
    reward
        How a named bandit selector is rewarded: ``"balans"`` (the outcome's score, 8/4/2/1)
        or ``"time-aware"`` (that score discounted by the share of its time slice the
        sub-MIP used, see :class:`TimeAwareSelector`, so the bandit learns to avoid
        neighbourhoods that burn time without improving).
    isolate
        Run each HiGHS sub-MIP in a forked worker process (:mod:`rapidriver.mip._isolate`)
        that is killed if the solve is not back by its slice plus 25% plus 0.25 s, or 0.1 s
        before the deadline, keeping the best point it streamed back: a HiGHS sub-MIP can
        stall far past its own time limit with no callback to interrupt it. Default: on
        Linux; ``False`` solves in-process (no effect with ``solver="scip"``).
    adapt_size
        Adapt each share-sized operator's neighbourhood (mutation, RINS, RENS, local
        branching) to its last sub-MIP, as adaptive LNS heuristics adapt fixing rates: the
        share it frees is its ``delta`` times a multiplier in ``[0.2, 2]`` (capped at 1)
        that starts at 1, stays after an improvement, grows by 1.5 after a sub-MIP that proved
        nothing better is in its neighbourhood before its limit (too small) and shrinks by
        1.5 after one that ran out of time without improving (too large). ``False`` keeps
        Balans' fixed shares.

    Example
    -------
    >>> import os, tempfile
    >>> from rapidriver.mip import Balans, instances
    >>> path = instances.set_cover(os.path.join(tempfile.mkdtemp(), "sc.mps"), n_rows=30,
    ...                            n_cols=40, seed=0)
    >>> result = Balans(time_limit=2, stop=None, seed=0).solve(path)
    >>> result.status in ("optimal", "time limit")
    True
    """

    def __init__(
        self,
        destroy_ops: typing.Sequence[str | Operator] | None = None,
        repair_ops: typing.Sequence[typing.Any] | None = None,
        selector: typing.Any = "softmax",
        accept: typing.Any | None = None,
        stop: typing.Any | None = "default",
        solver: str = "highs",
        seed: int = 0,
        time_limit: float | None = None,
        iteration_time_limit: float | None = None,
        local_branching_time_limit: float | None = None,
        big_m: float = 1000.0,
        reward: str = "balans",
        warmup: float = 0.25,
        isolate: bool | None = None,
        adapt_size: bool = True,
    ):
        self.destroy_ops = parse(DEFAULT_DESTROY if destroy_ops is None else destroy_ops)
        if not self.destroy_ops:
            raise ValueError("`destroy_ops` must not be empty")
        self.repair_ops = list(repair_ops) if repair_ops is not None else [Repair()]
        if not self.repair_ops:
            raise ValueError("`repair_ops` must not be empty")
        if solver not in ("highs", "scip"):
            raise ValueError(f"`solver` must be 'highs' or 'scip', got {solver!r}")
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
            raise TypeError(f"`seed` must be an int, got {type(seed).__name__}")
        if isinstance(selector, str) and selector not in SELECTORS:
            raise ValueError(f"`selector` must be a scheme or one of {SELECTORS}, "
                             f"got {selector!r}")
        if selector is None:
            selector = "softmax"
        if reward not in REWARDS:
            raise ValueError(f"`reward` must be one of {REWARDS}, got {reward!r}")
        if reward != "balans" and not isinstance(selector, str):
            raise ValueError("`reward` applies to a named selector; a selection scheme "
                             "object brings its own rewards")
        if reward != "balans" and selector == "roulette":
            raise ValueError("`reward='time-aware'` needs a bandit selector, not 'roulette'")
        self.reward = reward
        self.selector = selector
        self.accept = accept
        self.stop = _engine.MaxRuntime(60) if stop == "default" else stop
        # A MaxRuntime (ours or the alns package's) is the whole call's budget.
        budget = getattr(self.stop, "max_runtime", None)
        if budget is None:
            budget = math.inf if time_limit is None else time_limit
        if isinstance(budget, bool) or not isinstance(budget, (int, float)) or not budget > 0:
            raise ValueError(f"the time limit must be a number > 0, got {budget!r}")
        self.time_limit = float(budget)
        self.solver = solver
        self.seed = int(seed)
        finite = self.time_limit if math.isfinite(self.time_limit) else 600.0
        self.iteration_time_limit = (
            min(12.0, max(0.2, finite / 10)) if iteration_time_limit is None
            else float(iteration_time_limit))
        self.local_branching_time_limit = (
            min(15.0, max(0.25, finite / 8)) if local_branching_time_limit is None
            else float(local_branching_time_limit))
        self.big_m = float(big_m)
        if isinstance(warmup, bool) or not isinstance(warmup, (int, float)) \
                or not 0.0 <= warmup < 1.0:
            raise ValueError(f"`warmup` must be a share of the budget in [0, 1), got {warmup!r}")
        self.warmup = float(warmup)
        from rapidriver.mip._isolate import require_fork

        if isolate is None:
            isolate = sys.platform.startswith("linux")
        if not isinstance(isolate, (bool, np.bool_)):
            raise TypeError(f"`isolate` must be a bool, got {type(isolate).__name__}")
        if isolate:
            require_fork()
        self.isolate = bool(isolate)
        if not isinstance(adapt_size, (bool, np.bool_)):
            raise TypeError(f"`adapt_size` must be a bool, got {type(adapt_size).__name__}")
        self.adapt_size = bool(adapt_size)

    def _model(self, source: typing.Any) -> typing.Any:
        if self.solver == "scip":
            from rapidriver.mip._scip import ScipModel

            return ScipModel(source, seed=self.seed)
        from rapidriver.mip._highs import HighsModel

        return HighsModel(source, seed=self.seed)

    def solve(
        self,
        path_or_model: str | os.PathLike[str] | typing.Any,
        start: dict[str, float] | None = None,
        progress: typing.Callable[[IterationRecord, float], None] | None = None,
    ) -> SolveResult:
        """Solves the model in an MPS/LP file (or a ``highspy.Highs`` model, used in place
        and left exactly as given).

        Parameters
        ----------
        path_or_model
            A path to an MPS/LP file, or a ``highspy.Highs`` holding the model.
        start
            An optional MIP start, variable name -> value (missing names are free).
        progress
            Called after every iteration with the history record and the relative gap.

        Raises
        ------
        FileNotFoundError
            If the file does not exist.
        ValueError
            If the file cannot be read, the model has no integer variables, or it is
            infeasible or unbounded.
        """
        from rapidriver._core import MipNeighbourhoods

        t0 = time.perf_counter()
        deadline = t0 + self.time_limit
        model = self._model(path_or_model)
        rules = MipNeighbourhoods(model.is_int.tolist(), model.lb.tolist(), model.ub.tolist(),
                                  seed=self.seed)
        ops = [op for op in self.destroy_ops
               if not (op.needs_binaries and len(rules.binaries) == 0)]
        if not ops:
            raise ValueError("none of the destroy operators applies to this model "
                             "(local branching and proximity need binary variables)")

        def left() -> float:
            return deadline - time.perf_counter()

        x0 = None
        if start is not None:
            x0 = self._start_vector(model, start)
        # The first solution first (it starts the primal integral), then the LP once.
        improvements: list[tuple[float, float]] = []
        finite = self.time_limit if math.isfinite(self.time_limit) else 600.0
        first = model.first_solution(
            max(left(), 1e-3), x0, warmup=self.warmup * finite,
            on_improve=lambda when, obj: improvements.append((when - t0, obj)))
        first_time = time.perf_counter() - t0
        if first.x is None:
            relax = model.lp_relaxation(max(left(), 1e-3))  # says infeasible/unbounded
            if first.status.lower() == "infeasible":
                raise ValueError("the model is infeasible")
            return SolveResult({}, math.nan, "no solution", [],
                               model.sense * max(relax.dual_bound, first.dual_bound),
                               time.perf_counter() - t0, 0)
        relax = model.lp_relaxation(max(left(), 1e-3))
        lp = relax.x
        if lp is None:
            ops = [op for op in ops if not op.needs_lp]
            if not ops:
                raise ValueError("the LP relaxation was not solved in time and every "
                                 "operator needs it")
        dual = max(relax.dual_bound, first.dual_bound)
        worker = None
        if self.isolate and self.solver == "highs":
            from rapidriver.mip._isolate import IsolatedHighs

            worker = IsolatedHighs(model, seed=self.seed, deadline=deadline)
            worker.start()
        try:
            return self._search(model, worker or model, rules, ops, lp, dual, t0, deadline,
                                first, first_time, improvements, progress)
        finally:
            if worker is not None:
                worker.close()

    def _search(self, model, sub, rules, ops, lp, dual, t0, deadline, first, first_time,
                improvements, progress) -> SolveResult:
        search = _Search(sub, rules, lp, dual, t0, deadline, self.iteration_time_limit,
                         self.local_branching_time_limit, self.big_m, progress,
                         adapt_size=self.adapt_size)
        search.offer(first.x, first.objective)
        search._operator, search._status = "first solution", first.status
        search.record("start")
        # The first solution's time, not the LP's, is when the incumbent appeared; the points
        # the solver improved on before it are in the history too, at their own times.
        search.history[0] = search.history[0]._replace(
            time=min([first_time] + [t for t, obj in improvements
                                     if obj <= first.objective + 1e-9]))
        search.history[:0] = [
            IterationRecord(t, "first solution", "start", "improving", model.sense * obj,
                            model.sense * -math.inf)
            for t, obj in improvements if obj > first.objective + 1e-9]

        engine = _engine.ALNS(np.random.default_rng(self.seed))
        for op in ops:
            engine.add_destroy_operator(op, name=op.name)
        for op in self.repair_ops:
            engine.add_repair_operator(op, name=getattr(op, "name", None))
        for outcome in _OUTCOMES:
            getattr(engine, f"on_{outcome}")(self._recorder(search, outcome))
        # Fresh copies of the stateful schemes: every solve starts from the same state, so
        # solving twice with one Balans gives the same run.
        selector = _fresh(self.selector)
        if isinstance(selector, str):
            selector = make_selector(selector, len(ops), len(self.repair_ops), self.seed,
                                     self.reward)
        accept = _fresh(self.accept) or _engine.HillClimbing()
        user_stop = None if hasattr(self.stop, "max_runtime") else _fresh(self.stop)
        initial = _State(search, first.x, first.objective)
        iterations = 0
        if not search.done():
            result = engine.iterate(initial, selector, accept, _Stop(search, user_stop))
            iterations = len(result.statistics.objectives) - 1
        runtime = time.perf_counter() - t0
        closed = _gap(search.best_obj, search.dual_bound) < 1e-9
        status = "optimal" if closed else "time limit" if search.left() <= 0.1 else "stopped"
        x = search.best_x
        solution = {name: float(v) for name, v in zip(model.names, x, strict=True)}
        return SolveResult(solution, model.sense * search.best_obj, status, search.history,
                           model.sense * search.dual_bound, runtime, iterations)

    @staticmethod
    def _recorder(search: _Search, outcome: str) -> typing.Callable[..., None]:
        def on(state: typing.Any, rng: typing.Any, **kwargs: typing.Any) -> None:
            search.record(outcome)

        return on


    @staticmethod
    def _start_vector(model: typing.Any, start: dict[str, float]) -> np.ndarray:
        index = {name: j for j, name in enumerate(model.names)}
        x = np.clip(np.zeros(model.n_cols), model.lb, model.ub)
        for name, value in start.items():
            if name not in index:
                raise KeyError(f"`start` names an unknown variable: {name!r}")
            x[index[name]] = float(value)
        return x
