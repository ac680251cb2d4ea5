"""rapidriver.mip's adapted neighbourhood sizes (hand-worked steps of the rule in Rust, the
search following it per operator, a solve with it) and the vertex-cover weight parameter of
the generators."""

from __future__ import annotations

import math
import time
import types

import numpy as np
import pytest

highspy = pytest.importorskip("highspy")

from rapidriver._core import mip_adapt_size  # noqa: E402
from rapidriver.alns.stop import MaxIterations  # noqa: E402
from rapidriver.mip import Balans, instances, operators  # noqa: E402
from rapidriver.mip.balans import _Search, _size_outcome  # noqa: E402
from rapidriver.mip.operators import Neighbourhood  # noqa: E402


@pytest.mark.parametrize(("scale", "outcome", "expected"), [
    (1.0, "improved", 1.0),     # an improvement keeps the size
    (1.0, "exhausted", 1.5),    # nothing better in it: 1 * 1.5
    (1.5, "exhausted", 2.0),    # 2.25 capped at 2
    (1.5, "timed_out", 1.0),    # too large: 1.5 / 1.5
    (0.25, "timed_out", 0.2),   # 0.1667 floored at 0.2
])
def test_adapt_size_hand_worked(scale, outcome, expected):
    assert mip_adapt_size(scale, outcome) == expected


@pytest.mark.parametrize(("args", "match"), [
    ((1.0, "better"), "outcome"),
    ((0.0, "improved"), "scale"),
    ((3.0, "improved"), "scale"),
    ((1.0, "improved", 1.0), "factor"),
    ((1.0, "improved", 1.5, 1.2, 2.0), "low"),
    ((math.nan, "exhausted"), "scale"),
])
def test_adapt_size_rejects_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        mip_adapt_size(*args)


@pytest.mark.parametrize(("improved", "status", "used", "limit", "expected"), [
    (True, "Time limit reached", 2.0, 2.0, "improved"),
    (False, "Time limit reached", 2.0, 2.0, "timed_out"),
    (False, "killed (over time)", 2.6, 2.0, "timed_out"),
    (False, "Optimal", 2.0, 2.0, "timed_out"),  # proved only at its limit: too large
    (False, "Optimal", 0.3, 2.0, "exhausted"),
    (False, "Infeasible", 0.1, 2.0, "exhausted"),  # nothing beats the cutoff
    (False, "Interrupted by user", 0.5, 2.0, None),
])
def test_size_outcome_of_a_sub_mip(improved, status, used, limit, expected):
    assert _size_outcome(improved, status, used, limit) == expected


def _search(adapt_size: bool) -> _Search:
    model = types.SimpleNamespace(is_int=np.ones(10, dtype=bool), sense=1.0)
    return _Search(model, None, None, -math.inf, 0.0, math.inf, 1.0, 1.0, 1000.0, None,
                   adapt_size=adapt_size)


def test_search_scales_each_operator_by_its_own_sub_mips():
    search = _search(adapt_size=True)
    mutation, rins, dins = operators.Mutation(0.4), operators.Rins(0.5), operators.Dins()
    assert search.share(mutation) == 0.4
    search.adapt(mutation, False, "Optimal", 0.1, 1.0)           # too small: x1.5
    assert search.share(mutation) == pytest.approx(0.6)
    search.adapt(mutation, False, "Optimal", 0.1, 1.0)           # x1.5 again: 0.9
    assert search.share(mutation) == pytest.approx(0.8)          # 2.0 cap: 0.4 * 2
    search.adapt(mutation, True, "Time limit reached", 1.0, 1.0)  # improved: kept
    assert search.share(mutation) == pytest.approx(0.8)
    search.adapt(mutation, False, "Time limit reached", 1.0, 1.0)  # too large: /1.5
    assert search.share(mutation) == pytest.approx(0.4 * 2 / 1.5)
    assert search.share(rins) == 0.5                             # untouched by mutation's
    search.adapt(rins, False, "Time limit reached", 1.0, 1.0)
    assert search.share(rins) == pytest.approx(0.5 / 1.5)
    search.adapt(dins, False, "Optimal", 0.1, 1.0)               # no share: nothing kept
    assert "dins" not in search.scale
    # A share never exceeds 1.
    big = operators.Mutation(0.8)
    search.adapt(big, False, "Optimal", 0.1, 1.0)
    assert search.share(big) == 1.0


def test_search_without_adaptation_keeps_the_shares():
    search = _search(adapt_size=False)
    mutation = operators.Mutation(0.4)
    search.adapt(mutation, False, "Optimal", 0.1, 1.0)
    assert search.share(mutation) == 0.4 and search.scale == {}


def test_mutation_frees_the_adapted_share():
    search = _search(adapt_size=True)
    from rapidriver._core import MipNeighbourhoods

    search.rules = MipNeighbourhoods([True] * 10, [0.0] * 10, [1.0] * 10, seed=0)
    mutation = operators.Mutation(0.2)
    x = np.zeros(10)

    def freed() -> int:
        hood: Neighbourhood = mutation.neighbourhood(search, x, 0.0)
        return 10 - len(hood.bounds[0])

    assert freed() == 2
    search.adapt(mutation, False, "Infeasible", 0.1, 1.0)  # 0.2 * 1.5 = 0.3
    assert freed() == 3


def test_solve_with_adapted_sizes_is_reproducible_and_optimal(tmp_path, optimum):
    path = instances.set_cover(tmp_path / "sc.mps", n_rows=60, n_cols=80, seed=3)
    runs = [Balans(destroy_ops=["mutation_30", "rins_30"], stop=MaxIterations(25),
                   time_limit=30, seed=4, isolate=False).solve(path) for _ in range(2)]
    assert [r.operator for r in runs[0].history] == [r.operator for r in runs[1].history]
    assert runs[0].objective == runs[1].objective
    assert runs[0].objective == pytest.approx(optimum(path))


def test_adapt_size_must_be_a_bool():
    with pytest.raises(TypeError, match="adapt_size"):
        Balans(adapt_size="yes")


# -- the vertex-cover weights ------------------------------------------------------------
def _costs(path) -> np.ndarray:
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.readModel(str(path))
    return np.array(h.getLp().col_cost_)


def test_vertex_cover_weights_scale_with_max_weight(tmp_path):
    one = _costs(instances.minimum_vertex_cover(tmp_path / "a.mps", n_nodes=40, affinity=2,
                                                seed=1))
    two = _costs(instances.minimum_vertex_cover(tmp_path / "b.mps", n_nodes=40, affinity=2,
                                                max_weight=2.0, seed=1))
    assert len(one) == 40 and np.all(one >= 0) and np.all(one <= 1.0)
    assert one.max() > 0.5  # uniform on [0, 1], not a narrower range
    assert np.all(two <= 2.0)
    np.testing.assert_allclose(two, 2 * one, atol=2e-4)  # same draws, four decimals


@pytest.mark.parametrize("bad", [0.0, -1.0, math.inf, True])
def test_vertex_cover_rejects_bad_max_weight(tmp_path, bad):
    with pytest.raises(ValueError, match="max_weight"):
        instances.minimum_vertex_cover(tmp_path / "c.mps", n_nodes=10, affinity=2,
                                       max_weight=bad)


def test_cli_fixed_sizes_reaches_balans(tmp_path, monkeypatch):
    import rapidriver.mip
    from rapidriver.__main__ import main

    made = []

    class Recording(rapidriver.mip.Balans):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            made.append(self.adapt_size)

    monkeypatch.setattr(rapidriver.mip, "Balans", Recording)
    path = instances.set_cover(tmp_path / "sc.mps", n_rows=30, n_cols=40, seed=1)
    for flags in (["--fixed-sizes"], []):
        code = main(["solve", str(path), "--time-limit", "1", "--quiet", "--no-isolate",
                     *flags, "--sol", str(tmp_path / "sc.sol"),
                     "--history", str(tmp_path / "h.json")])
        assert code == 0
    assert made == [False, True]


def test_warmup_ends_on_the_solvers_own_time_limit(tmp_path):
    # HiGHS calls its interrupt callback rarely on large models (it overshot a 15 s warm-up
    # to ~38 s on the paper-sized set cover); the warm-up is now HiGHS's own time limit.
    from rapidriver.mip._highs import HighsModel

    path = instances.set_cover(tmp_path / "sc.mps", n_rows=800, n_cols=400, seed=0)
    model = HighsModel(path, seed=0)
    seen = []
    start = time.perf_counter()
    out = model.first_solution(20.0, warmup=1.0, on_improve=lambda t, v: seen.append(v))
    wall = time.perf_counter() - start
    assert out.x is not None and seen and out.objective == pytest.approx(min(seen))
    assert out.status != "Optimal"  # not solved in 1 s: the warm-up was cut by its limit
    assert wall < 1.0 + 0.5, wall
