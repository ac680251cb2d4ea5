"""The sub-MIP solver on HiGHS (highspy): neighbourhoods applied to the model in place, undone
exactly after each solve.

Bounds are changed with ``changeColsBounds`` and put back to the values read at the start;
local branching adds one row and proximity search one row and one column, deleted again after
the solve, and the objective that proximity search and the random objective replace is
restored coefficient by coefficient. Only integer columns are ever bounded.
"""

from __future__ import annotations

import math
import os
import time
import typing

import numpy as np

from rapidriver.mip._highs_io import new_highs

__all__ = ["HighsModel", "SubResult"]


class SubResult(typing.NamedTuple):
    """What one solve gave: a point (or None), its original objective (minimisation form),
    the solver's status name and the solver's dual bound (minimisation form)."""

    x: np.ndarray | None
    objective: float
    status: str
    dual_bound: float


def _has_integers(lp) -> bool:
    import highspy

    return any(v != highspy.HighsVarType.kContinuous for v in lp.integrality_)


class HighsModel:
    """A MIP read from a file (or a ``highspy.Highs`` given by the user, used in place).

    Objectives are reported in minimisation form (``sign * value``, ``sign = -1`` for a
    maximisation), as the search minimises.
    """

    name = "highs"

    def __init__(self, source: typing.Any, seed: int = 0):
        import highspy

        if isinstance(source, highspy.Highs):
            self.h = source
            self.h.setOptionValue("output_flag", False)
        else:
            path = os.fspath(source)
            if not os.path.isfile(path):
                raise FileNotFoundError(f"no such model file: {path}")
            self.h = new_highs()
            status = self.h.readModel(path)
            if status == highspy.HighsStatus.kError or self.h.getNumCol() == 0:
                raise ValueError(f"could not read a model from {path} (not an MPS/LP file?)")
        h = self.h
        h.setOptionValue("random_seed", int(seed) % 2_147_483_647)
        h.setOptionValue("threads", 1)
        lp = h.getLp()
        self.n_cols = lp.num_col_
        self.n_rows = lp.num_row_
        self.names = list(lp.col_names_) or [f"x{j}" for j in range(self.n_cols)]
        if len(self.names) != self.n_cols:
            self.names = [f"x{j}" for j in range(self.n_cols)]
        self.cost = np.array(lp.col_cost_, dtype=np.float64)
        self.lb = np.array(lp.col_lower_, dtype=np.float64)
        self.ub = np.array(lp.col_upper_, dtype=np.float64)
        self.offset = float(lp.offset_)
        self.sense = -1.0 if lp.sense_ == highspy.ObjSense.kMaximize else 1.0
        self._sense_enum = lp.sense_
        integrality = list(lp.integrality_) or [highspy.HighsVarType.kContinuous] * self.n_cols
        self.is_int = np.array(
            [v != highspy.HighsVarType.kContinuous for v in integrality], dtype=bool
        )
        self._all = np.arange(self.n_cols, dtype=np.int32)

    # -- evaluation -------------------------------------------------------------------
    def objective(self, x: np.ndarray) -> float:
        """The original objective of ``x`` in minimisation form."""
        return self.sense * (float(self.cost @ x) + self.offset)

    def _options(self, time_limit: float, first: bool = False, cutoff: float = math.inf):
        h = self.h
        h.setOptionValue("time_limit", max(float(time_limit), 1e-3))
        h.setOptionValue("mip_max_improving_sols", 1 if first else 2_147_483_647)
        # HiGHS reads objective_bound in minimisation form (as we do) whatever the sense:
        # the MIP search prunes everything not better; +inf is no cutoff.
        h.setOptionValue("objective_bound", cutoff if math.isfinite(cutoff) else math.inf)

    def _reset_options(self) -> None:
        self._options(math.inf)
        self.h.setOptionValue("time_limit", math.inf)

    def _result(self, transformed: bool) -> SubResult:
        import highspy

        h = self.h
        info = h.getInfo()
        status = h.modelStatusToString(h.getModelStatus())
        x = None
        if info.primal_solution_status == 2:  # kSolutionStatusFeasible
            x = np.array(h.getSolution().col_value[: self.n_cols], dtype=np.float64)
        dual = info.mip_dual_bound if _has_integers(h.getLp()) else info.objective_function_value
        dual = -math.inf if transformed or not math.isfinite(dual) else self.sense * dual
        if h.getModelStatus() == highspy.HighsModelStatus.kOptimal and x is None:
            status = "Optimal without solution"
        obj = self.objective(x) if x is not None else math.inf
        return SubResult(x, obj, status, dual)

    # -- one-off solves ---------------------------------------------------------------
    def lp_relaxation(self, time_limit: float) -> SubResult:
        """The LP relaxation, solved on a copy (the model is not touched)."""
        import highspy

        lp = self.h.getLp()
        relax = new_highs()
        relax.setOptionValue("time_limit", max(float(time_limit), 1e-3))
        lp.integrality_ = []
        relax.passModel(lp)
        relax.run()
        status = relax.getModelStatus()
        info = relax.getInfo()
        name = relax.modelStatusToString(status)
        if status == highspy.HighsModelStatus.kOptimal:
            x = np.array(relax.getSolution().col_value, dtype=np.float64)
            return SubResult(x, self.sense * info.objective_function_value, name,
                             self.sense * info.objective_function_value)
        if status in (highspy.HighsModelStatus.kInfeasible,):
            raise ValueError("the model is infeasible (its LP relaxation is infeasible)")
        if status in (highspy.HighsModelStatus.kUnbounded,
                      highspy.HighsModelStatus.kUnboundedOrInfeasible):
            raise ValueError("the model is unbounded (its LP relaxation is unbounded)")
        return SubResult(None, math.inf, name, -math.inf)

    def first_solution(
        self,
        time_limit: float,
        start: np.ndarray | None = None,
        warmup: float = 0.0,
        on_improve: typing.Callable[[float, float], None] | None = None,
    ) -> SubResult:
        """The solver's first feasible point (warm-started from ``start`` if given). With
        ``warmup > 0`` the solver goes on improving it on the whole model for ``warmup``
        seconds (its own time limit, so the warm-up ends on time however rarely HiGHS would
        call back), and, if it has no point by then, solves again until its first one.
        ``on_improve(when, objective)`` is called at every improving point, with the
        ``time.perf_counter()`` of its discovery and its objective (minimisation form)."""
        h = self.h
        t0 = time.perf_counter()

        def improving(e: typing.Any) -> None:
            if on_improve is not None:
                on_improve(time.perf_counter(), self.sense * e.data_out.objective_function_value)

        h.cbMipImprovingSolution.subscribe(improving)
        try:
            if warmup > 0:
                self._options(min(time_limit, warmup))
                if start is not None:
                    self._set_start(start)
                h.run()
                left = time_limit - (time.perf_counter() - t0)
                if h.getInfo().primal_solution_status == 2 or left <= 1e-3:
                    warmup = -1.0  # done: a point, or no time for a second solve
                else:
                    time_limit = left
            if warmup >= 0:
                self._options(time_limit, first=True)
                if start is not None:
                    self._set_start(start)
                h.run()
        finally:
            h.cbMipImprovingSolution.unsubscribe(improving)
        out = self._result(transformed=False)
        self._reset_options()
        self.h.clearSolver()
        return out

    def _set_start(self, x: np.ndarray) -> None:
        import highspy

        sol = highspy.HighsSolution()
        sol.col_value = [float(v) for v in x]
        sol.value_valid = True
        self.h.setSolution(sol)

    # -- the sub-MIP ------------------------------------------------------------------
    def solve_sub(
        self,
        time_limit: float,
        start: np.ndarray,
        cutoff: float = math.inf,
        bounds: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
        row: tuple[np.ndarray, np.ndarray, float] | None = None,
        objective: np.ndarray | None = None,
        proximity: tuple[np.ndarray, float, float, float] | None = None,
    ) -> SubResult:
        """Solves the model restricted by ``bounds`` (index, lb, ub), with an extra ``row``
        (index, coef, rhs: ``coef @ x[index] <= rhs``), a replacement ``objective`` (one
        coefficient per column, minimised), or ``proximity`` data (objective, offset, cutoff
        on the original objective, big M); then undoes every change."""
        import highspy

        h = self.h
        inf = highspy.kHighsInf
        transformed = objective is not None or proximity is not None
        added_rows = added_cols = 0
        try:
            if bounds is not None and len(bounds[0]):
                idx = bounds[0].astype(np.int32)
                h.changeColsBounds(len(idx), idx, bounds[1], bounds[2])
            if row is not None:
                idx = row[0].astype(np.int32)
                h.addRow(-inf, float(row[2]), len(idx), idx, row[1].astype(np.float64))
                added_rows = 1
            if objective is not None:
                h.changeColsCost(self.n_cols, self._all, np.asarray(objective, np.float64))
                h.changeObjectiveSense(highspy.ObjSense.kMinimize)
                cutoff = math.inf
            if proximity is not None:
                dist, _offset, prox_cutoff, big_m = proximity
                # sign * (cost @ x + offset) - z <= cutoff, z >= 0 priced at big M.
                nz = np.flatnonzero(self.cost).astype(np.int32)
                h.addCol(float(big_m), 0.0, inf, 0, np.zeros(0, np.int32), np.zeros(0))
                added_cols = 1
                z = np.int32(self.n_cols)
                h.addRow(-inf, float(prox_cutoff - self.sense * self.offset), len(nz) + 1,
                         np.append(nz, z).astype(np.int32),
                         np.append(self.sense * self.cost[nz], -1.0))
                added_rows += 1
                h.changeColsCost(self.n_cols, self._all, np.asarray(dist, np.float64))
                h.changeObjectiveSense(highspy.ObjSense.kMinimize)
                cutoff = math.inf
                start = np.append(start, 0.0)
            self._options(time_limit, cutoff=cutoff if not transformed else math.inf)
            self._set_start(start)
            h.run()
            out = self._result(transformed)
            if out.x is not None and transformed:
                out = out._replace(objective=self.objective(out.x))
            return out
        finally:
            self._undo(bounds, added_rows, added_cols, transformed)

    def _undo(self, bounds, added_rows: int, added_cols: int, transformed: bool) -> None:
        h = self.h
        if added_rows:
            first = self.n_rows
            h.deleteRows(added_rows, np.arange(first, first + added_rows, dtype=np.int32))
        if added_cols:
            first = self.n_cols
            h.deleteCols(added_cols, np.arange(first, first + added_cols, dtype=np.int32))
        if bounds is not None and len(bounds[0]):
            idx = bounds[0].astype(np.int64)
            h.changeColsBounds(len(idx), idx.astype(np.int32), self.lb[idx], self.ub[idx])
        if transformed:
            h.changeColsCost(self.n_cols, self._all, self.cost)
            h.changeObjectiveSense(self._sense_enum)
        self._reset_options()
        h.clearSolver()

    def fingerprint(self) -> tuple:
        """Everything that defines the model, to check that it is exactly the original."""
        lp = self.h.getLp()
        a = lp.a_matrix_
        return (
            lp.num_col_, lp.num_row_, tuple(lp.col_cost_), tuple(lp.col_lower_),
            tuple(lp.col_upper_), tuple(lp.row_lower_), tuple(lp.row_upper_),
            tuple(a.start_), tuple(a.index_), tuple(a.value_), tuple(int(v) for v in
                                                                      lp.integrality_),
            int(lp.sense_), lp.offset_,
        )
