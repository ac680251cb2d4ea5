"""The sub-MIP solver on SCIP (pyscipopt, optional): the same contract as ``HighsModel``.

SCIP only accepts changes to the original problem outside of solving, so every sub-MIP ends
with ``freeTransform()`` before its changes are undone: bounds go back to the values read at
the start, the local-branching or proximity row is deleted, the slack column of proximity
search is deleted, and a replaced objective is restored coefficient by coefficient. The
incumbent is handed over as a solution of the original problem, and the objective limit
(``setObjlimit``) cuts off everything that is not better.
"""

from __future__ import annotations

import math
import os
import typing

import numpy as np

from rapidriver.mip._highs import SubResult

__all__ = ["ScipModel"]


class ScipModel:
    """A MIP read from a file (or a ``pyscipopt.Model`` given by the user, used in place)."""

    name = "scip"

    def __init__(self, source: typing.Any, seed: int = 0):
        import pyscipopt

        if isinstance(source, pyscipopt.Model):
            self.m = source
        else:
            path = os.fspath(source)
            if not os.path.isfile(path):
                raise FileNotFoundError(f"no such model file: {path}")
            self.m = pyscipopt.Model()
            self.m.hideOutput()
            try:
                self.m.readProblem(path)
            except Exception as exc:  # SCIP raises a bare Exception on a read error
                raise ValueError(f"could not read a model from {path} ({exc})") from None
        m = self.m
        m.hideOutput()
        m.setParam("randomization/randomseedshift", int(seed) % 2_147_483_647)
        m.setParam("parallel/maxnthreads", 1)
        self.vars = m.getVars()
        if not self.vars:
            raise ValueError("could not read a model (no variables)")
        self.n_cols = len(self.vars)
        self.names = [v.name for v in self.vars]
        self.cost = np.array([v.getObj() for v in self.vars], dtype=np.float64)
        self.lb = np.array([v.getLbOriginal() for v in self.vars], dtype=np.float64)
        self.ub = np.array([v.getUbOriginal() for v in self.vars], dtype=np.float64)
        self.lb[self.lb <= -m.infinity()] = -math.inf
        self.ub[self.ub >= m.infinity()] = math.inf
        self.offset = float(m.getObjoffset())
        self.sense = -1.0 if m.getObjectiveSense() == "maximize" else 1.0
        self.is_int = np.array([v.vtype() in ("BINARY", "INTEGER", "IMPLINT")
                                for v in self.vars], dtype=bool)
        self.n_rows = len(m.getConss())

    def objective(self, x: np.ndarray) -> float:
        return self.sense * (float(self.cost @ x) + self.offset)

    def _limits(self, time_limit: float, solutions: int = -1) -> None:
        self.m.setParam("limits/time", min(max(float(time_limit), 1e-3), 1e20))
        self.m.setParam("limits/solutions", solutions)

    def _point(self) -> np.ndarray | None:
        m = self.m
        if m.getNSols() == 0:
            return None
        sol = m.getBestSol()
        return np.array([m.getSolVal(sol, v) for v in self.vars], dtype=np.float64)

    def _dual(self) -> float:
        try:
            d = self.m.getDualbound()
        except Exception:  # no bound in this stage
            return -math.inf
        return self.sense * d if math.isfinite(d) and abs(d) < self.m.infinity() else -math.inf

    def lp_relaxation(self, time_limit: float) -> SubResult:
        import pyscipopt

        relax = pyscipopt.Model(sourceModel=self.m, origcopy=True)
        relax.hideOutput()
        for v in relax.getVars():
            if v.vtype() != "CONTINUOUS":
                relax.chgVarType(v, "C")
        relax.setParam("limits/time", max(float(time_limit), 1e-3))
        relax.setPresolve(pyscipopt.SCIP_PARAMSETTING.OFF)
        relax.optimize()
        status = relax.getStatus()
        if status == "optimal":
            by_name = {v.name: v for v in relax.getVars()}
            sol = relax.getBestSol()
            x = np.array([relax.getSolVal(sol, by_name[n]) for n in self.names])
            obj = self.sense * relax.getObjVal()
            return SubResult(x, obj, status, obj)
        if status == "infeasible":
            raise ValueError("the model is infeasible (its LP relaxation is infeasible)")
        if status in ("unbounded", "inforunbd"):
            raise ValueError("the model is unbounded (its LP relaxation is unbounded)")
        return SubResult(None, math.inf, status, -math.inf)

    def first_solution(self, time_limit: float, start: np.ndarray | None = None,
                       warmup: float = 0.0,
                       on_improve: typing.Callable[[float, float], None] | None = None,
                       ) -> SubResult:
        """As ``HighsModel.first_solution``: with ``warmup > 0`` SCIP runs on the whole model
        for ``warmup`` seconds, then (without a point yet) on to its first feasible point."""
        import time

        m = self.m
        t0 = time.perf_counter()
        if warmup > 0:
            self._limits(min(warmup, time_limit))
        else:
            self._limits(time_limit, solutions=1)
        if start is not None:
            self._set_start(start)
        m.optimize()
        if warmup > 0 and m.getNSols() == 0 and m.getStatus() == "timelimit":
            self._limits(time_limit - (time.perf_counter() - t0), solutions=1)
            m.optimize()  # SCIP resumes where the time limit stopped it
        if on_improve is not None:
            best = math.inf
            for when, obj in sorted((m.getSolTime(q), self.sense * m.getSolObjVal(q))
                                    for q in m.getSols()):
                if obj < best - 1e-9:
                    best = obj
                    on_improve(t0 + when, obj)
        x, status, dual = self._point(), m.getStatus(), self._dual()
        m.freeTransform()
        self._limits(math.inf)
        if status == "infeasible":
            status = "Infeasible"
        return SubResult(x, self.objective(x) if x is not None else math.inf, status, dual)

    def _set_start(self, x: np.ndarray) -> None:
        m = self.m
        sol = m.createSol()  # a complete point of the original problem
        for v, val in zip(self.vars, x, strict=False):
            m.setSolVal(sol, v, float(val))
        try:
            m.addSol(sol, free=True)
        except Exception:  # SCIP refuses a start it cannot store: go without
            m.freeSol(sol)

    def solve_sub(self, time_limit, start, cutoff=math.inf, bounds=None, row=None,
                  objective=None, proximity=None) -> SubResult:
        from pyscipopt import quicksum

        m = self.m
        transformed = objective is not None or proximity is not None
        added: list[typing.Any] = []
        z = None
        try:
            if bounds is not None:
                for j, lo, hi in zip(*bounds, strict=True):
                    v = self.vars[int(j)]
                    m.chgVarLb(v, float(lo))
                    m.chgVarUb(v, float(hi))
            if row is not None:
                idx, coef, rhs = row
                added.append(m.addCons(quicksum(float(c) * self.vars[int(j)]
                                                for j, c in zip(idx, coef, strict=True))
                                       <= float(rhs)))
            if objective is not None:
                m.setObjective(quicksum(float(c) * v for v, c in zip(self.vars, objective,
                                                                     strict=True)
                                        if c != 0.0), "minimize")
            if proximity is not None:
                dist, _offset, prox_cutoff, big_m = proximity
                z = m.addVar("rapidriver_proximity_slack", vtype="C", lb=0.0)
                orig = quicksum(float(self.sense * c) * v for v, c in zip(self.vars, self.cost,
                                                                          strict=True)
                                if c != 0.0)
                added.append(m.addCons(orig - z <= float(prox_cutoff - self.sense * self.offset)))
                m.setObjective(quicksum(float(c) * v for v, c in zip(self.vars, dist,
                                                                     strict=True)
                                        if c != 0.0) + float(big_m) * z, "minimize")
            self._limits(time_limit)
            if not transformed and math.isfinite(cutoff):
                m.setObjlimit(self.sense * cutoff)
            if z is None:
                self._set_start(start)
            m.optimize()
            x = self._point()
            if x is not None and z is not None:
                x = x[: self.n_cols]
            status = m.getStatus()
            dual = -math.inf if transformed else self._dual()
            obj = self.objective(x) if x is not None else math.inf
            return SubResult(x, obj, status, dual)
        finally:
            m.freeTransform()
            for cons in added:
                m.delCons(cons)
            if z is not None:
                m.delVar(z)
            if bounds is not None:
                for j in bounds[0]:
                    v = self.vars[int(j)]
                    m.chgVarLb(v, float(self.lb[j]))
                    m.chgVarUb(v, float(self.ub[j]))
            if transformed:
                m.setObjective(quicksum(float(c) * v for v, c in zip(self.vars, self.cost,
                                                                     strict=True)
                                        if c != 0.0),
                               "maximize" if self.sense < 0 else "minimize")
                if self.offset:
                    m.addObjoffset(self.offset - m.getObjoffset())
            m.setObjlimit(self.sense * m.infinity())
            self._limits(math.inf)

    def fingerprint(self) -> tuple:
        m = self.m
        vs = m.getVars()
        conss = m.getConss()
        return (
            len(vs), len(conss), tuple(v.name for v in vs), tuple(v.getObj() for v in vs),
            tuple(v.getLbOriginal() for v in vs), tuple(v.getUbOriginal() for v in vs),
            tuple(v.vtype() for v in vs), m.getObjectiveSense(), m.getObjoffset(),
            tuple(c.name for c in conss),
        )
