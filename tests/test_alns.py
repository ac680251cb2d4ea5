"""rapidriver.alns: hand-worked schedules, side by side with the alns package on the same
inputs, the engine's semantics, bad input, reproducibility and pickling, and solution quality
against alns on a TSP and a 0/1 knapsack over 10 seeds."""

from __future__ import annotations

import pickle
import time
import traceback

import alns as ref
import alns.accept as ref_accept
import alns.select as ref_select
import alns.stop as ref_stop
import numpy as np
import pytest

from rapidriver import bandit
from rapidriver.alns import ALNS, Outcome, accept, select, stop
from rapidriver.alns.examples import Knapsack, Tsp


class S:
    """A state that is just its objective."""

    def __init__(self, v):
        self.v = v

    def objective(self):
        return self.v


class Ctx(S):
    def get_context(self):
        return np.array([1.0, self.v % 2])


def triples(n, seed):
    """A random sequence of (best, current, candidate) objectives with best <= current."""
    rng = np.random.default_rng(seed)
    out = []
    best = 100.0
    for _ in range(n):
        curr = best + rng.uniform(0, 20)
        cand = curr + rng.normal(0, 8)
        out.append((best, curr, cand))
        best = min(best, cand)
    return out


# ---------------------------------------------------------------------------------------------
# Acceptance: hand-worked values, and the same decisions as alns on the same inputs.


def test_simulated_annealing_temperatures_by_hand():
    sa = accept.SimulatedAnnealing(10, 2, 0.5)
    rng = np.random.default_rng(0)
    temps = []
    for _ in range(4):
        sa(rng, S(0), S(1), S(1))
        temps.append(sa.temperature)
    assert temps == [5.0, 2.5, 2.0, 2.0]
    lin = accept.SimulatedAnnealing(5, 1, 1.5, method="linear")
    for want in [3.5, 2.0, 1.0, 1.0]:
        lin(rng, S(0), S(0), S(0))
        assert lin.temperature == want


def test_simulated_annealing_autofit_matches_alns():
    for method in ["linear", "exponential"]:
        ours = accept.SimulatedAnnealing.autofit(1000, 0.05, 0.5, 100, method=method)
        theirs = ref_accept.SimulatedAnnealing.autofit(1000, 0.05, 0.5, 100, method=method)
        assert ours.start_temperature == pytest.approx(theirs.start_temperature, rel=1e-12)
        assert ours.step == pytest.approx(theirs.step, rel=1e-12)
        assert ours.end_temperature == theirs.end_temperature == 1
        assert ours.method == method


def test_simulated_annealing_acceptance_rate():
    # At T = 1 a candidate worse by 1 is accepted with probability exp(-1).
    sa = accept.SimulatedAnnealing(1, 1, 1)
    rng = np.random.default_rng(3)
    n = 4000
    rate = sum(sa(rng, S(0), S(0), S(1)) for _ in range(n)) / n
    assert abs(rate - np.exp(-1)) < 0.03
    assert all(sa(rng, S(0), S(1), S(0.5)) for _ in range(100))


def test_record_to_record_travel_thresholds_by_hand():
    rrt = accept.RecordToRecordTravel(4, 1, 1.5)
    rng = np.random.default_rng(0)
    assert rrt(rng, S(10), S(20), S(13)) and rrt.threshold == 2.5
    assert not rrt(rng, S(10), S(20), S(13)) and rrt.threshold == 1.0
    ta = accept.ThresholdAccepting(1, 0.25, 0.5, method="exponential")
    assert ta(rng, S(0), S(10), S(11)) and ta.threshold == 0.5
    assert not ta(rng, S(0), S(10), S(10.75))
    fit = accept.RecordToRecordTravel.autofit(100, 0.2, 0.05, 10)
    assert (fit.start_threshold, fit.end_threshold) == (20.0, 5.0)
    assert fit.step == pytest.approx(1.5)


DETERMINISTIC = [
    (lambda m: m.HillClimbing(), "hill climbing"),
    (lambda m: m.RecordToRecordTravel(10, 1, 0.3), "rrt linear"),
    (lambda m: m.RecordToRecordTravel(10, 1, 0.9, "exponential", cmp_best=False), "ta"),
    (lambda m: m.GreatDeluge(1.5, 0.1), "great deluge"),
    (lambda m: m.NonLinearGreatDeluge(1.5, 0.05, 0.2, 0.05), "non-linear great deluge"),
    (lambda m: m.LateAcceptanceHillClimbing(5), "lahc"),
    (lambda m: m.LateAcceptanceHillClimbing(3, greedy=True, better_history=True), "lahc+"),
    (lambda m: m.LateAcceptanceHillClimbing(0), "lahc 0"),
    (lambda m: m.MovingAverageThreshold(0.4, 6), "mat"),
]


@pytest.mark.parametrize(("make", "name"), DETERMINISTIC, ids=[d[1] for d in DETERMINISTIC])
def test_deterministic_criteria_decide_as_alns(make, name):
    ours, theirs = make(accept), make(ref_accept)
    rng = np.random.default_rng(0)
    got = [ours(rng, S(b), S(c), S(x)) for b, c, x in triples(300, 1)]
    want = [bool(theirs(rng, S(b), S(c), S(x))) for b, c, x in triples(300, 1)]
    assert got == want
    assert 0 < sum(got) < len(got) or name == "hill climbing"
    if hasattr(theirs, "_threshold"):
        assert ours.threshold == pytest.approx(theirs._threshold, rel=1e-9)
    if hasattr(theirs, "_history"):
        assert ours.history == pytest.approx(list(theirs._history), rel=1e-12)


def test_lahc_history_by_hand():
    la = accept.LateAcceptanceHillClimbing(2)
    rng = np.random.default_rng(0)
    assert not la(rng, S(0), S(10), S(11))
    assert la.history == [10]
    assert not la(rng, S(0), S(12), S(11))  # oldest 10
    assert la(rng, S(0), S(11), S(9))
    assert la.history == [12, 11]
    assert la(rng, S(0), S(9), S(11.5))  # oldest 12, although worse than current
    assert la.history == [11, 9]


def test_random_accept_probabilities_by_hand():
    ra = accept.RandomAccept(1, 0, 0.25)
    rng = np.random.default_rng(0)
    probs = []
    for _ in range(5):
        ra(rng, S(0), S(0), S(5))
        probs.append(ra.prob)
    assert probs == [0.75, 0.5, 0.25, 0.0, 0.0]
    assert not ra(rng, S(0), S(0), S(5))
    assert ra(rng, S(0), S(5), S(0))


def test_great_deluge_levels_by_hand():
    gd = accept.GreatDeluge(2, 0.5)
    rng = np.random.default_rng(0)
    assert gd(rng, S(10), S(30), S(12)) and gd.threshold == 16
    assert not gd(rng, S(10), S(30), S(18)) and gd.threshold == 17


@pytest.mark.parametrize(
    "make",
    [
        lambda: accept.SimulatedAnnealing(0, 1, 0.5),
        lambda: accept.SimulatedAnnealing(1, 2, 0.5),
        lambda: accept.SimulatedAnnealing(2, 1, 1.5),
        lambda: accept.SimulatedAnnealing(2, 1, 0.5, method="cubic"),
        lambda: accept.SimulatedAnnealing.autofit(1, 1.5, 0.5, 10),
        lambda: accept.RecordToRecordTravel(1, 2, 0.1),
        lambda: accept.RecordToRecordTravel(-1, 0, 0.1),
        lambda: accept.RandomAccept(0.2, 0.5, 0.1),
        lambda: accept.GreatDeluge(1.0, 0.5),
        lambda: accept.NonLinearGreatDeluge(2, 0.5, 0, 1),
        lambda: accept.LateAcceptanceHillClimbing(-1),
        lambda: accept.MovingAverageThreshold(1.5, 3),
        lambda: accept.MovingAverageThreshold(0.5, 0),
    ],
)
def test_bad_criterion_parameters_raise_value_error(make):
    with pytest.raises(ValueError):
        make()


def test_non_linear_great_deluge_zero_objective():
    nl = accept.NonLinearGreatDeluge(2, 0.1, 0.5, 1)
    with pytest.raises(ValueError, match="non-zero"):
        nl(np.random.default_rng(0), S(0), S(1), S(1))


# ---------------------------------------------------------------------------------------------
# Selection.


def test_roulette_wheel_weights_by_hand_and_as_alns():
    outcomes = [(0, 1, Outcome.BEST), (0, 0, Outcome.REJECT), (1, 1, Outcome.ACCEPT)]
    ours = select.RouletteWheel([4, 3, 2, 1], 0.5, 2, 2)
    theirs = ref_select.RouletteWheel([4, 3, 2, 1], 0.5, 2, 2)
    for d, r, o in outcomes:
        ours.update(None, d, r, o)
        theirs.update(None, d, r, o)
    assert ours.destroy_weights.tolist() == [1.75, 1.5]
    assert ours.repair_weights.tolist() == [1.0, 2.25]
    assert ours.destroy_weights.tolist() == theirs.destroy_weights.tolist()
    assert ours.repair_weights.tolist() == theirs.repair_weights.tolist()


def test_roulette_wheel_draws_follow_weights_and_coupling():
    wheel = select.RouletteWheel([8, 0, 0, 0], 0.0, 2, 2, op_coupling=[[1, 1], [0, 1]])
    wheel.update(None, 0, 0, Outcome.BEST)  # destroy 0 and repair 0 -> 8, others stay 1
    rng = np.random.default_rng(0)
    picks = [wheel(rng, None, None) for _ in range(3000)]
    d0 = sum(p[0] == 0 for p in picks) / len(picks)
    assert abs(d0 - 8 / 9) < 0.03
    assert (1, 0) not in picks  # forbidden by the coupling
    r0_given_d0 = sum(p == (0, 0) for p in picks) / sum(p[0] == 0 for p in picks)
    assert abs(r0_given_d0 - 8 / 9) < 0.03


def test_segmented_roulette_wheel_as_alns():
    outcomes = [Outcome.BEST, Outcome.REJECT, Outcome.BETTER, Outcome.ACCEPT, Outcome.REJECT]
    ours = select.SegmentedRouletteWheel([4, 3, 2, 1], 0.5, 2, 1, 1)
    theirs = ref_select.SegmentedRouletteWheel([4, 3, 2, 1], 0.5, 2, 1, 1)
    rng = np.random.default_rng(0)
    for o in outcomes:
        assert ours(rng, None, None) == (0, 0)
        theirs(rng, None, None)
        ours.update(None, 0, 0, o)
        theirs.update(None, 0, 0, o)
        assert ours.destroy_weights.tolist() == pytest.approx(theirs.destroy_weights.tolist())
    assert ours.destroy_weights.tolist() == [3.25]  # 0.5 * 2.5 + 0.5 * (3 + 1)


def test_alpha_ucb_plays_as_alns():
    ours = select.AlphaUCB([5, 2, 1, 0.5], 0.3, 2, 3, op_coupling=[[1, 0, 1], [1, 1, 1]])
    theirs = ref_select.AlphaUCB([5, 2, 1, 0.5], 0.3, 2, 3, op_coupling=[[1, 0, 1], [1, 1, 1]])
    rng = np.random.default_rng(0)
    outcome_of = {(0, 0): 3, (0, 2): 2, (1, 0): 0, (1, 1): 3, (1, 2): 1}
    for t in range(60):
        pair = ours(rng, None, None)
        assert pair == tuple(int(x) for x in theirs(rng, None, None)), t
        o = Outcome(outcome_of[pair] if t % 7 else 3)
        ours.update(None, *pair, o)
        theirs.update(None, *pair, o)
    assert ours.values.ravel().tolist() == pytest.approx(theirs._values().ravel().tolist())


def test_mab_selector_with_our_bandits_learns_the_best_pair():
    # Pair (1, 0) always gives a new best, every other pair is rejected.
    for policy in [
        bandit.UCB(delta=1.0),
        bandit.EpsilonGreedy(epsilon=0.1, seed=0),
        bandit.ThompsonSampling(seed=0),
    ]:
        scores = [1, 1, 0, 0] if isinstance(policy, bandit.ThompsonSampling) else [5, 2, 1, 0]
        mab = select.MABSelector(scores, 2, 2, policy, seed=3)
        picks = []
        for _ in range(300):
            pair = mab(None, None, None)
            picks.append(pair)
            mab.update(None, *pair, Outcome.BEST if pair == (1, 0) else Outcome.REJECT)
        assert sum(p == (1, 0) for p in picks[-100:]) >= 85, type(policy).__name__
        assert mab.counts[(1, 0)] == sum(p == (1, 0) for p in picks)


def test_mab_selector_contextual_and_mabwiser_policies():
    from mabwiser.mab import LearningPolicy

    lin = select.MABSelector([1, 0, 0, 0], 1, 2, bandit.LinUCBDisjoint(), seed=0)
    # Repair 0 is best in context [1, 0], repair 1 in context [1, 1].
    for t in range(200):
        state = Ctx(t)
        pair = lin(None, state, state)
        good = (0, 0) if t % 2 == 0 else (0, 1)
        lin.update(state, *pair, Outcome.BEST if pair == good else Outcome.REJECT)
    assert lin(None, Ctx(10), Ctx(10)) == (0, 0)
    assert lin(None, Ctx(11), Ctx(11)) == (0, 1)
    with pytest.raises(TypeError, match="get_context"):
        lin(None, S(1), S(1))
    eg = select.MABSelector([5, 2, 1, 0], 2, 1, LearningPolicy.EpsilonGreedy(epsilon=0.2))
    assert eg(None, None, None) in [(0, 0), (1, 0)]
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        select.MABSelector([8, 4, 2, 1], 2, 1, bandit.ThompsonSampling())
    with pytest.raises(TypeError):
        select.MABSelector([5, 2, 1, 0], 2, 1, "ucb")
    assert select.BALANS_SCORES["binary"][0] == [1, 1, 0, 0]


@pytest.mark.parametrize(
    "make",
    [
        lambda: select.RouletteWheel([1, 1, 1], 0.5, 1, 1),
        lambda: select.RouletteWheel([1, -1, 1, 1], 0.5, 1, 1),
        lambda: select.RouletteWheel([1, 1, 1, 1], 1.5, 1, 1),
        lambda: select.RouletteWheel([1, 1, 1, 1], 0.5, 0, 1),
        lambda: select.RouletteWheel([1, 1, 1, 1], 0.5, 2, 2, op_coupling=[[1, 1], [0, 0]]),
        lambda: select.RandomSelect(2, 2, op_coupling=[[1, 1, 1]]),
        lambda: select.SegmentedRouletteWheel([1, 1, 1, 1], 0.5, 0, 1, 1),
        lambda: select.AlphaUCB([1, 1, 1, 1], 2.0, 1, 1),
    ],
)
def test_bad_selection_parameters_raise_value_error(make):
    with pytest.raises(ValueError):
        make()


# ---------------------------------------------------------------------------------------------
# Stopping.


def test_stopping_criteria_by_hand():
    it = stop.MaxIterations(2)
    assert [it(None, S(0), S(0)) for _ in range(3)] == [False, False, True]
    ni = stop.NoImprovement(2)
    assert [ni(None, S(b), S(b)) for b in [5, 5, 4, 4, 4]] == [False] * 4 + [True]
    either = stop.MaxIterations(1) | stop.MaxIterations(3)
    assert [either(None, S(0), S(0)) for _ in range(2)] == [False, True]
    both = stop.AllOf(stop.MaxIterations(1), stop.MaxIterations(3))
    assert [both(None, S(0), S(0)) for _ in range(4)] == [False, False, False, True]
    with pytest.raises(ValueError):
        stop.MaxIterations(-1)
    with pytest.raises(ValueError):
        stop.MaxRuntime(-1)
    with pytest.raises(TypeError):
        stop.AnyOf(stop.MaxIterations(1), ref_stop.MaxIterations(1))


def test_max_runtime_never_starts_an_iteration_it_cannot_afford():
    def slow(state, rng):
        time.sleep(0.004)
        return state

    alns = ALNS(0)
    alns.add_destroy_operator(slow)
    alns.add_repair_operator(lambda s, rng: s, name="keep")
    limit = stop.MaxRuntime(0.1)
    res = alns.iterate(S(0), select.RandomSelect(1, 1), accept.HillClimbing(), limit)
    total = res.statistics.total_runtime
    longest = res.statistics.runtimes.max()
    assert 0.1 - 2 * longest <= total <= 0.1 + 0.25 * longest
    assert limit.overrun is not None and limit.overrun <= 0.25 * longest


# ---------------------------------------------------------------------------------------------
# The engine.


def countdown_alns(seed=0):
    def minus_one(state, rng, **kwargs):
        return S(state.v - 1)

    def keep(state, rng, **kwargs):
        return state

    alns = ALNS(seed)
    alns.add_destroy_operator(minus_one)
    alns.add_repair_operator(keep)
    return alns


def test_engine_semantics_statistics_and_callbacks():
    alns = countdown_alns()
    seen = []
    alns.on_best(lambda cand, rng, **kw: seen.append((cand.v, kw)))
    res = alns.iterate(
        S(10), select.RouletteWheel([4, 3, 2, 1], 0.5, 1, 1), accept.HillClimbing(),
        stop.MaxIterations(5), tag=1,
    )
    assert res.best_state.v == 5
    assert res.statistics.objectives.tolist() == [10, 9, 8, 7, 6, 5]
    assert res.statistics.destroy_operator_counts["minus_one"] == [5, 0, 0, 0]
    assert res.statistics.repair_operator_counts["keep"] == [5, 0, 0, 0]
    assert len(res.statistics.runtimes) == 5
    assert res.statistics.total_runtime == pytest.approx(res.statistics.runtimes.sum())
    assert seen == [(v, {"tag": 1}) for v in [9, 8, 7, 6, 5]]


def test_outcomes_and_counts_match_alns_on_a_fixed_walk():
    # Deterministic operators and criterion: both engines see the same candidates.
    steps = [3, -2, 1, -4, 2, 2, -1, -3, 5, -2]

    def make(lib, accept_mod, select_mod, stop_mod):
        walk = iter(steps * 3)

        def step(state, rng):
            return S(state.v + next(walk))

        engine = lib(np.random.default_rng(0))
        engine.add_destroy_operator(step)
        engine.add_repair_operator(lambda s, rng: s, name="keep")
        return engine.iterate(
            S(0), select_mod.RouletteWheel([4, 3, 2, 1], 0.5, 1, 1),
            accept_mod.RecordToRecordTravel(3, 0, 0.2), stop_mod.MaxIterations(25),
        )

    ours = make(ALNS, accept, select, stop)
    theirs = make(ref.ALNS, ref_accept, ref_select, ref_stop)
    assert ours.statistics.objectives.tolist() == theirs.statistics.objectives.tolist()
    assert dict(ours.statistics.destroy_operator_counts) == dict(
        theirs.statistics.destroy_operator_counts
    )
    assert ours.best_state.v == theirs.best_state.v


def test_alns_own_criteria_and_custom_schemes_run_in_our_engine():
    alns = countdown_alns()
    res = alns.iterate(
        S(10), ref_select.RouletteWheel([4, 3, 2, 1], 0.5, 1, 1), ref_accept.HillClimbing(),
        ref_stop.MaxIterations(4),
    )
    assert res.best_state.v == 6
    assert res.statistics.destroy_operator_counts["minus_one"] == [4, 0, 0, 0]


def test_same_seed_same_run_and_seeds_differ():
    def run(seed):
        tsp = Tsp.random(10, seed=1)
        alns = ALNS(seed)
        tsp.register(alns)
        res = alns.iterate(
            tsp.initial(), select.RouletteWheel([25, 5, 1, 0], 0.8, 3, 1),
            accept.SimulatedAnnealing(20, 1, 0.95), stop.MaxIterations(60),
        )
        return res.statistics.objectives.tolist()

    assert run(5) == run(5)
    assert run(5) != run(6)
    gen = ALNS(np.random.default_rng(3))
    assert isinstance(gen._rng, np.random.Generator)


def test_no_operators_and_mismatched_selector():
    alns = ALNS(0)
    args = (S(0), select.RandomSelect(1, 1), accept.HillClimbing(), stop.MaxIterations(1))
    with pytest.raises(ValueError, match="Missing destroy or repair"):
        alns.iterate(*args)
    alns = countdown_alns()
    with pytest.raises(ValueError, match="op_select"):
        alns.iterate(S(0), select.RandomSelect(2, 1), accept.HillClimbing(), stop.MaxIterations(1))
    with pytest.raises(TypeError, match="accept"):
        alns.iterate(S(0), select.RandomSelect(1, 1), 3, stop.MaxIterations(1))
    with pytest.raises(TypeError, match="callable"):
        alns.add_destroy_operator(5, name="five")
    with pytest.raises(TypeError, match="rng"):
        ALNS("seed")


def test_raising_operator_reaches_the_caller_with_its_traceback_and_the_best_so_far():
    calls = {"n": 0}

    def flaky(state, rng):
        calls["n"] += 1
        if calls["n"] == 4:
            raise KeyError("operator failed")
        return S(state.v - 1)

    alns = ALNS(0)
    alns.add_destroy_operator(flaky)
    alns.add_repair_operator(lambda s, rng: s, name="keep")
    with pytest.raises(KeyError, match="operator failed") as info:
        alns.iterate(S(10), select.RandomSelect(1, 1), accept.HillClimbing(),
                     stop.MaxIterations(10))
    frames = [f.name for f in traceback.extract_tb(info.value.__traceback__)]
    assert "flaky" in frames
    assert info.value.result.best_state.v == 7
    assert info.value.result.statistics.objectives.tolist() == [10, 9, 8, 7]


def test_non_state_and_nan_objective_are_clear_errors():
    alns = ALNS(0)
    alns.add_destroy_operator(lambda s, rng: s, name="keep")
    alns.add_repair_operator(lambda s, rng: None, name="broken")
    parts = (select.RandomSelect(1, 1), accept.HillClimbing(), stop.MaxIterations(3))
    with pytest.raises(TypeError, match="broken.*returned None"):
        alns.iterate(S(1), *parts)
    alns = ALNS(0)
    alns.add_destroy_operator(lambda s, rng: s, name="keep")
    alns.add_repair_operator(lambda s, rng: 5, name="number")
    with pytest.raises(TypeError, match="objective"):
        alns.iterate(S(1), *parts)
    alns = ALNS(0)
    alns.add_destroy_operator(lambda s, rng: S(float("nan")), name="nan")
    alns.add_repair_operator(lambda s, rng: s, name="keep")
    with pytest.raises(ValueError, match="NaN") as info:
        alns.iterate(S(1), *parts)
    assert info.value.result.best_state.v == 1
    with pytest.raises(ValueError, match="NaN"):
        countdown_alns().iterate(S(float("nan")), *parts)


def test_criteria_keep_their_state_across_runs_like_alns():
    alns = countdown_alns()
    it = stop.MaxIterations(3)
    sa = accept.SimulatedAnnealing(8, 1, 0.5)
    alns.iterate(S(10), select.RandomSelect(1, 1), sa, it)
    assert sa.temperature == 1.0  # 8 -> 4 -> 2 -> 1
    res = alns.iterate(S(10), select.RandomSelect(1, 1), sa, it)
    assert len(res.statistics.objectives) == 1  # the used-up MaxIterations stops at once


def test_pickling_restores_the_same_state():
    wheel = select.RouletteWheel([4, 3, 2, 1], 0.5, 2, 1)
    wheel.update(None, 1, 0, Outcome.BEST)
    sa = accept.SimulatedAnnealing(10, 1, 0.5)
    sa(np.random.default_rng(0), S(0), S(0), S(0))
    lahc = accept.LateAcceptanceHillClimbing(3)
    for v in [5, 4, 6]:
        lahc(None, S(0), S(v), S(v))
    mab = select.MABSelector([5, 2, 1, 0], 2, 1, bandit.UCB(delta=1.0), seed=0)
    mab.update(None, 0, 0, Outcome.BEST)
    ni = stop.NoImprovement(3)
    ni(None, S(1), S(1))
    for obj in [wheel, sa, lahc, mab, ni]:
        copy = pickle.loads(pickle.dumps(obj))
        assert copy._core.state_bytes() == obj._core.state_bytes()
    assert pickle.loads(pickle.dumps(wheel)).destroy_weights.tolist() == [1.0, 2.5]
    assert pickle.loads(pickle.dumps(sa)).temperature == 5.0
    assert pickle.loads(pickle.dumps(lahc)).history == [5, 4, 6]

    def run(engine):
        return engine.iterate(
            S(10), select.RouletteWheel([4, 3, 2, 1], 0.5, 1, 1),
            accept.RandomAccept(0.5, 0, 0.01), stop.MaxIterations(20),
        ).statistics.objectives.tolist()

    engine = ALNS(4)
    engine.add_destroy_operator(_plus_or_minus)
    engine.add_repair_operator(_keep)
    twin = pickle.loads(pickle.dumps(engine))
    assert run(twin) == run(engine)


def _plus_or_minus(state, rng):
    return S(state.v + float(rng.choice([-1.0, 1.0])))


def _keep(state, rng):
    return state


# ---------------------------------------------------------------------------------------------
# Solution quality against alns, at equal iterations, over 10 seeds.


def _best_objectives(lib, accept_mod, select_mod, stop_mod, problem, n_d, n_r, iters, sa):
    out = []
    for seed in range(10):
        engine = lib(np.random.default_rng(seed))
        problem.register(engine)
        init = problem.initial()
        crit = accept_mod.SimulatedAnnealing(*sa)
        res = engine.iterate(
            init, select_mod.RouletteWheel([25, 5, 1, 0], 0.8, n_d, n_r), crit,
            stop_mod.MaxIterations(iters),
        )
        out.append(res.best_state.objective())
    return np.array(out)


def test_tsp_quality_matches_alns():
    tsp = Tsp.random(20, seed=7)
    init = tsp.initial().objective()
    sa = (0.02 * init, 0.5, 0.99)
    ours = _best_objectives(ALNS, accept, select, stop, tsp, 3, 1, 250, sa)
    theirs = _best_objectives(ref.ALNS, ref_accept, ref_select, ref_stop, tsp, 3, 1, 250, sa)
    assert ours.mean() < 0.5 * init and theirs.mean() < 0.5 * init
    # Same quality: the means differ by less than 2% and three standard errors.
    se = np.sqrt(ours.var(ddof=1) / 10 + theirs.var(ddof=1) / 10)
    assert abs(ours.mean() - theirs.mean()) < max(0.02 * theirs.mean(), 3 * se)


def test_knapsack_quality_matches_alns():
    ks = Knapsack.random(30, seed=2)
    sa = (20, 0.5, 0.98)
    ours = -_best_objectives(ALNS, accept, select, stop, ks, 1, 2, 200, sa)
    theirs = -_best_objectives(ref.ALNS, ref_accept, ref_select, ref_stop, ks, 1, 2, 200, sa)
    greedy = -ks.greedy_repair(ks.initial(), np.random.default_rng(0)).objective()
    assert ours.mean() >= 0.97 * greedy and theirs.mean() >= 0.97 * greedy
    se = np.sqrt(ours.var(ddof=1) / 10 + theirs.var(ddof=1) / 10)
    assert abs(ours.mean() - theirs.mean()) < max(0.01 * theirs.mean(), 3 * se)


def test_rust_native_tsp_operators_reach_the_python_quality():
    from rapidriver import _core

    tsp = Tsp.random(20, seed=7)
    coords = [tuple(c) for c in tsp.coords]
    init = tsp.initial().objective()

    def native(seed):
        return _core.alns_run_native(
            "tsp", {"coords": coords, "degree": 0.25},
            select.RouletteWheel([25, 5, 1, 0], 0.8, 3, 1)._core,
            accept.SimulatedAnnealing(0.02 * init, 0.5, 0.99)._core,
            stop.MaxIterations(250)._core, seed,
        )

    best, tour, record = native(1)
    assert native(1)[0] == best
    assert sorted(tour) == list(range(20))
    assert best == pytest.approx(tsp.initial().__class__(tour, [], tsp.dist).objective())
    assert len(record[0]) == 251
    natives = np.array([native(s)[0] for s in range(10)])
    pythons = _best_objectives(
        ALNS, accept, select, stop, tsp, 3, 1, 250, (0.02 * init, 0.5, 0.99)
    )
    assert abs(natives.mean() - pythons.mean()) < 0.03 * pythons.mean()
    with pytest.raises(ValueError, match="coords"):
        _core.alns_run_native(
            "tsp", {"coords": coords[:2], "degree": 0.25}, select.RandomSelect(3, 1)._core,
            accept.HillClimbing()._core, stop.MaxIterations(1)._core,
        )


def test_progress_bar_reports_the_iterations(capsys):
    alns = ALNS(0, progress=True)
    alns.add_destroy_operator(_plus_or_minus)
    alns.add_repair_operator(_keep)
    res = alns.iterate(S(0), select.RandomSelect(1, 1), accept.HillClimbing(),
                       stop.MaxIterations(300))
    err = capsys.readouterr().err
    assert "300/300" in err and "ALNS" in err
    assert len(res.statistics.objectives) == 301


def test_every_callback_fires_once_per_outcome_and_may_change_the_candidate():
    alns = ALNS(2)
    alns.add_destroy_operator(_plus_or_minus)
    alns.add_repair_operator(_keep)
    fired = {o: 0 for o in Outcome}
    for outcome, register in [
        (Outcome.BEST, alns.on_best), (Outcome.BETTER, alns.on_better),
        (Outcome.ACCEPT, alns.on_accept), (Outcome.REJECT, alns.on_reject),
    ]:
        register(lambda cand, rng, o=outcome: fired.__setitem__(o, fired[o] + 1))
    res = alns.iterate(S(0), select.RandomSelect(1, 1), accept.RandomAccept(0.5, 0.5, 0),
                       stop.MaxIterations(400))
    counts = res.statistics.destroy_operator_counts["_plus_or_minus"]
    assert [fired[o] for o in Outcome] == counts
    assert all(c > 0 for c in counts)

    # A callback that improves a new best in place: the engine re-reads its objective.
    def polish(cand, rng):
        cand.v -= 0.5

    alns = countdown_alns()
    alns.on_best(polish)
    res = alns.iterate(S(10), select.RandomSelect(1, 1), accept.HillClimbing(),
                       stop.MaxIterations(2))
    assert res.statistics.objectives.tolist() == [10, 8.5, 7.0]
    assert res.best_state.v == 7.0
