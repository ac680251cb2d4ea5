"""rapidriver.mip's time-aware reward: hand-worked values of the discount (in Rust), the
selector that feeds it to a bandit, and a solve with it."""

from __future__ import annotations

import math
import sys
import typing

import pytest

highspy = pytest.importorskip("highspy")

from rapidriver import bandit  # noqa: E402
from rapidriver._core import mip_time_aware_reward  # noqa: E402
from rapidriver.alns import Outcome  # noqa: E402
from rapidriver.alns.stop import MaxIterations, MaxRuntime  # noqa: E402
from rapidriver.mip import Balans, instances  # noqa: E402
from rapidriver.mip.balans import SCORES, TimeAwareSelector, make_selector  # noqa: E402


@pytest.mark.parametrize(("score", "used", "slice_", "weight", "expected"), [
    (8.0, 0.0, 2.0, 0.5, 8.0),    # instant: the full Balans score
    (2.0, 2.0, 2.0, 0.5, 1.0),    # a fruitless whole slice scores like a rejection
    (8.0, 0.5, 2.0, 0.5, 7.0),    # 8 * (1 - 0.5 * 0.25)
    (4.0, 3.0, 4.0, 0.5, 2.5),    # 4 * (1 - 0.5 * 0.75)
    (4.0, 5.0, 2.0, 0.5, 2.0),    # an overshoot counts as the whole slice
    (2.0, 1.0, 1.0, 0.0, 2.0),    # weight 0 is Balans' reward
    (2.0, 0.25, 1.0, 1.0, 1.5),   # 2 * (1 - 0.25)
])
def test_time_aware_reward_hand_worked(score, used, slice_, weight, expected):
    assert mip_time_aware_reward(score, used, slice_, weight) == expected


def test_time_aware_reward_default_weight_is_one_half():
    assert mip_time_aware_reward(4.0, 1.0, 1.0) == 2.0


@pytest.mark.parametrize(("args", "name"), [
    ((-1.0, 0.0, 1.0, 0.5), "score"),
    ((1.0, -0.1, 1.0, 0.5), "used"),
    ((1.0, math.nan, 1.0, 0.5), "used"),
    ((1.0, 0.5, 0.0, 0.5), "slice"),
    ((1.0, 0.5, math.inf, 0.5), "slice"),
    ((1.0, 0.5, 1.0, 1.5), "weight"),
])
def test_time_aware_reward_rejects_bad_input(args, name):
    with pytest.raises(ValueError, match=name):
        mip_time_aware_reward(*args)


class _Recorder:
    """A policy stand-in that records what it is told and always plays arm 1."""

    def __init__(self):
        self.updates = []

    def pull(self, arm_ids):
        return arm_ids[1]

    def update(self, arm, reward):
        self.updates.append((arm, reward))


class _Candidate:
    def __init__(self, used, slice_):
        self.used, self.slice = used, slice_


def test_selector_feeds_the_discounted_reward_to_its_arm():
    policy = _Recorder()
    select = TimeAwareSelector(SCORES, 2, 3, policy)  # arms numbered d * 3 + r
    assert select(None, None, None) == (0, 1)
    select.update(_Candidate(1.0, 1.0), 1, 2, Outcome.ACCEPT)   # 2 * 0.5
    select.update(_Candidate(0.5, 2.0), 0, 1, Outcome.BEST)     # 8 * 0.875
    select.update(_Candidate(0.0, 0.0), 1, 0, Outcome.BETTER)   # no sub-MIP: plain 4
    select.update(object(), 0, 0, Outcome.REJECT)               # no timing at all: plain 1
    assert policy.updates == [(5, 1.0), (1, 7.0), (3, 4.0), (0, 1.0)]


def test_selector_rejects_bad_scores_and_weight():
    with pytest.raises(ValueError, match="scores"):
        TimeAwareSelector([8, 4, 2], 1, 1, _Recorder())
    with pytest.raises(ValueError, match="weight"):
        TimeAwareSelector(SCORES, 1, 1, _Recorder(), weight=2.0)


def test_a_bandit_learns_to_avoid_the_slow_fruitless_arm():
    # Arm 0 gives up at once (accept: 2), arm 1 burns its slice for nothing (accept: 1):
    # with Balans' reward they tie, with the time-aware one Softmax prefers arm 0.
    select = TimeAwareSelector(SCORES, 2, 1, bandit.Softmax(tau=0.5, seed=0))
    plays = []
    for _ in range(300):
        d, r = select(None, None, None)
        plays.append(d)
        select.update(_Candidate(0.01 if d == 0 else 1.0, 1.0), d, r, Outcome.ACCEPT)
    assert select.policy.ranking[0] == 0
    # p(arm 0) = e^(1.99/0.5) / (e^(1.99/0.5) + e^(1/0.5)) = 0.88 once both means are known.
    assert plays[100:].count(0) > 150


def test_make_selector_and_balans_check_the_reward():
    assert isinstance(make_selector("ucb", 3, 1, 0, "time-aware"), TimeAwareSelector)
    with pytest.raises(ValueError, match="reward"):
        make_selector("softmax", 3, 1, 0, "bogus")
    with pytest.raises(ValueError, match="reward"):
        Balans(reward="bogus")
    with pytest.raises(ValueError, match="roulette"):
        Balans(selector="roulette", reward="time-aware")
    with pytest.raises(ValueError, match="reward"):
        Balans(selector=TimeAwareSelector(SCORES, 1, 1, _Recorder()), reward="time-aware")


class _Spy(TimeAwareSelector):
    # A class attribute: Balans solves with a deep copy of the selector it is given.
    seen: typing.ClassVar[list] = []

    def update(self, candidate, d_idx, r_idx, outcome):
        self.seen.append((outcome, candidate.used, candidate.slice,
                          self.reward(outcome, candidate.used, candidate.slice)))
        super().update(candidate, d_idx, r_idx, outcome)


def test_a_solve_times_every_sub_mip_and_discounts_its_reward(tmp_path):
    path = instances.capacitated_facility_location(tmp_path / "cfl.mps", n_customers=15,
                                                   n_facilities=10, seed=3)
    ops = ["mutation_25", "mutation_75", "rins_50"]
    spy = _Spy(SCORES, len(ops), 1, bandit.Softmax(tau=1.36, seed=0))
    _Spy.seen.clear()
    result = Balans(destroy_ops=ops, selector=spy, stop=MaxIterations(6), time_limit=20,
                    iteration_time_limit=1.0, seed=0, warmup=0.0).solve(path)
    assert len(_Spy.seen) == result.iterations == 6
    for outcome, used, slice_, reward in _Spy.seen:
        assert 0.0 < slice_ <= 1.0 and used > 0.0
        score = SCORES[int(outcome)]
        assert reward == pytest.approx(score * (1 - 0.5 * min(used / slice_, 1.0)))


def test_a_time_aware_solve_finds_the_optimum(tmp_path):
    # Rewards depend on measured seconds, so runs are reproducible only up to timing: this
    # checks the result, not the path.
    path = instances.capacitated_facility_location(tmp_path / "cfl.mps", n_customers=15,
                                                   n_facilities=10, seed=3)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.readModel(str(path))
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    best = h.getInfo().objective_function_value
    result = Balans(stop=MaxRuntime(4), seed=2, reward="time-aware").solve(path)
    assert math.isclose(result.objective, best, rel_tol=1e-6)


# -- the warm-up of the first solution --------------------------------------------------------
def test_warmup_is_checked():
    for bad in (-0.1, 1.0, True, "0.1"):
        with pytest.raises(ValueError, match="warmup"):
            Balans(warmup=bad)


def test_the_history_keeps_every_point_the_first_phase_found(tmp_path):
    # Facility location: HiGHS improves its first point several times before it stalls.
    path = instances.capacitated_facility_location(tmp_path / "cfl.mps", n_customers=40,
                                                   n_facilities=20, seed=1)
    result = Balans(stop=MaxRuntime(3), seed=0, warmup=0.5).solve(path)
    start = [r for r in result.history if r.outcome == "start"]
    rest = result.history[len(start):]
    assert start == result.history[:len(start)]
    # Strictly improving (a minimisation), in time order, all within the half-budget warm-up
    # (plus the first point after it), and the search goes on from the last one.
    values = [r.incumbent for r in start]
    assert values == sorted(values, reverse=True) and len(set(values)) == len(values)
    times = [r.time for r in start]
    assert times == sorted(times) and times[-1] <= 3.0
    assert all(r.incumbent <= values[-1] + 1e-9 for r in rest)
    assert result.objective <= values[-1] + 1e-9


def test_warmup_zero_stops_at_the_first_feasible_point(tmp_path):
    from rapidriver.mip._highs import HighsModel

    path = instances.capacitated_facility_location(tmp_path / "cfl.mps", n_customers=40,
                                                   n_facilities=20, seed=1)
    seen = []
    first = HighsModel(path).first_solution(10.0, on_improve=lambda t, v: seen.append(v))
    assert first.x is not None and first.status == "Solution limit reached"
    assert seen and math.isclose(seen[-1], first.objective, rel_tol=1e-7)


# -- the command line -----------------------------------------------------------------------
def test_cli_takes_the_reward_and_warmup(tmp_path, capsys, monkeypatch):
    import json

    from rapidriver.__main__ import main

    monkeypatch.chdir(tmp_path)  # the default .sol goes to the working directory

    path = instances.capacitated_facility_location(tmp_path / "cfl.mps", n_customers=15,
                                                   n_facilities=10, seed=3)
    code = main(["solve", str(path), "--time-limit", "1.5", "--reward", "time-aware",
                 "--warmup", "0", "--quiet", "--history", str(tmp_path / "h.json"),
                 "--sol", str(tmp_path / "cfl.sol")])
    assert code == 0
    hist = json.loads((tmp_path / "h.json").read_text())
    assert hist["history"][0]["outcome"] == "start"
    code = main(["solve", str(path), "--warmup", "1.5", "--quiet"])
    assert code == 2 and "warmup" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["solve", str(path), "--reward", "bogus"])


def test_cli_no_isolate_solves_in_process(tmp_path, monkeypatch):
    import rapidriver.mip
    from rapidriver.__main__ import main

    made = []

    class Recording(rapidriver.mip.Balans):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            made.append(self.isolate)

    monkeypatch.setattr(rapidriver.mip, "Balans", Recording)
    path = instances.capacitated_facility_location(tmp_path / "cfl.mps", n_customers=15,
                                                   n_facilities=10, seed=3)
    for flags in (["--no-isolate"], []):
        code = main(["solve", str(path), "--time-limit", "1", "--quiet", *flags,
                     "--sol", str(tmp_path / "cfl.sol"), "--history", str(tmp_path / "h.json")])
        assert code == 0
    assert made == [False, sys.platform.startswith("linux")]
