"""rapidriver.mip: the time budget with sub-MIPs in a forked worker (``isolate=True``): the
budget is honoured, a stalled worker is killed and the run keeps its incumbent and the points
the worker streamed, and the isolated and in-process paths agree."""

from __future__ import annotations

import sys
import time

import pytest

highspy = pytest.importorskip("highspy")

from rapidriver.alns.stop import MaxIterations, MaxRuntime  # noqa: E402
from rapidriver.mip import Balans, _isolate, instances  # noqa: E402
from rapidriver.mip._highs import HighsModel  # noqa: E402
from rapidriver.mip._highs_io import new_highs  # noqa: E402

pytestmark = pytest.mark.skipif(not _isolate.fork_available(), reason="needs fork")


@pytest.fixture(scope="module")
def cfl(tmp_path_factory):
    # HiGHS's first point is not optimal here, and mutation sub-MIPs improve it at once.
    d = tmp_path_factory.mktemp("mip_budget")
    return instances.capacitated_facility_location(d / "cfl.mps", n_customers=15,
                                                   n_facilities=10, seed=3)


def test_isolate_is_the_default_on_linux_and_is_checked():
    assert Balans().isolate is sys.platform.startswith("linux")
    assert Balans(isolate=False).isolate is False
    with pytest.raises(TypeError, match="isolate"):
        Balans(isolate="yes")


def test_the_budget_is_honoured_with_the_worker(tmp_path):
    path = instances.set_cover(tmp_path / "sc.mps", n_rows=800, n_cols=400, seed=0)
    start = time.perf_counter()
    result = Balans(stop=MaxRuntime(4.0), seed=0, warmup=0.0, isolate=True).solve(path)
    wall = time.perf_counter() - start
    assert result.status == "time limit", result.status
    # The bench measures 1% at 60 s; a 4 s run on a loaded CI machine gets 3% for the
    # process's own scheduling delays.
    assert abs(wall / 4.0 - 1.0) <= 0.03, wall
    assert result.iterations >= 1


def test_isolated_and_in_process_give_the_same_run(cfl, optimum):
    kwargs = dict(stop=MaxIterations(10), time_limit=30, seed=4, warmup=0.0)
    a = Balans(isolate=False, **kwargs).solve(cfl)
    b = Balans(isolate=True, **kwargs).solve(cfl)
    assert b.iterations == a.iterations == 10
    assert [(r.operator, r.outcome, r.status, r.incumbent) for r in a.history] == \
        [(r.operator, r.outcome, r.status, r.incumbent) for r in b.history]
    # And both end at the optimum when given the iterations to get there.
    best = optimum(cfl)
    for isolate in (False, True):
        r = Balans(stop=MaxIterations(60), time_limit=30, seed=0, isolate=isolate).solve(cfl)
        assert r.objective == pytest.approx(best, rel=1e-6), isolate


def _stalling(original, seconds):
    """``solve_sub`` that solves, then hangs (as a stalled HiGHS does) before returning."""

    def solve_sub(self, *args, **kwargs):
        out = original(self, *args, **kwargs)
        time.sleep(seconds)
        return out

    return solve_sub


def _solve_stalled(path, monkeypatch, budget, **kwargs):
    """An isolated mutation_50 run on `path` whose every sub-MIP stalls for a minute after
    solving; returns the result and the wall-clock seconds. Only the forked worker calls
    HighsModel.solve_sub when isolated, so only it stalls."""
    monkeypatch.setattr(HighsModel, "solve_sub", _stalling(HighsModel.solve_sub, 60.0))
    start = time.perf_counter()
    result = Balans(stop=MaxRuntime(budget), warmup=0.0, destroy_ops=["mutation_50"],
                    isolate=True, **kwargs).solve(path)
    return result, time.perf_counter() - start


def test_a_stalled_worker_is_killed_and_the_streamed_points_are_kept(cfl, monkeypatch):
    result, wall = _solve_stalled(cfl, monkeypatch, 3.0, seed=4, iteration_time_limit=0.3)
    assert wall <= 3.0 * 1.03, wall
    killed = [r for r in result.history if r.status == _isolate.KILLED]
    # Each kill at 0.3 * 1.25 + 0.25 s after the start of its sub-MIP: several in 3 s.
    assert len(killed) >= 3
    assert all(r.status == _isolate.KILLED for r in result.history if r.operator == "mutation_50")
    # The killed sub-MIPs' streamed points improved the first point (a minimisation).
    start_obj = result.history[0].incumbent
    assert any(r.outcome == "best" for r in killed)
    assert result.objective < start_obj
    assert result.objective == pytest.approx(min(r.incumbent for r in result.history))
    assert result.solution and len(result.solution) == HighsModel(cfl).n_cols


def test_the_worker_is_killed_before_the_deadline_even_with_a_long_slice(cfl, monkeypatch):
    result, wall = _solve_stalled(cfl, monkeypatch, 2.0, seed=0, iteration_time_limit=30.0)
    assert 2.0 * 0.9 <= wall <= 2.0 * 1.03, wall
    # The 30 s slice never runs out: from the first kill on, each sub-MIP is killed at the
    # deadline's margin, or there is no time left to start one (which of the two comes last
    # depends on how long the last destroy step took).
    statuses = [r.status for r in result.history]
    assert _isolate.KILLED in statuses
    after = statuses[statuses.index(_isolate.KILLED) :]
    assert set(after) <= {_isolate.KILLED, "no time left"}, after
    assert result.status == "time limit"


def test_a_users_model_is_exactly_the_original_after_an_isolated_solve(cfl, monkeypatch):
    h = new_highs()
    h.readModel(str(cfl))
    before = HighsModel(h).fingerprint()
    Balans(stop=MaxIterations(12), time_limit=10, seed=0, isolate=True).solve(h)
    assert HighsModel(h).fingerprint() == before
    # Also when the worker is killed mid-solve.
    monkeypatch.setattr(HighsModel, "solve_sub", _stalling(HighsModel.solve_sub, 60.0))
    Balans(stop=MaxRuntime(1.5), seed=0, warmup=0.0, iteration_time_limit=0.2,
           isolate=True).solve(h)
    assert HighsModel(h).fingerprint() == before
