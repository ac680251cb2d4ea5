"""The river-facing API: arms, cloning, pickling, fast paths, and bad input."""

import copy
import math
import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from river import bandit as rb
from river import stats

from rapidriver import bandit

CONTEXT_FREE = [
    lambda: bandit.EpsilonGreedy(epsilon=0.2, seed=1),
    lambda: bandit.UCB(delta=1, seed=1),
    lambda: bandit.UCBTuned(seed=1),
    lambda: bandit.KLUCB(seed=1),
    lambda: bandit.ThompsonSampling(seed=1),
    lambda: bandit.GaussianThompsonSampling(seed=1),
    lambda: bandit.BayesUCB(seed=1),
    lambda: bandit.Exp3(gamma=0.2, seed=1),
    lambda: bandit.Exp3IX(seed=1),
    lambda: bandit.Softmax(tau=0.2, seed=1),
    lambda: bandit.RandomPolicy(seed=1),
    lambda: bandit.DiscountedUCB(seed=1),
    lambda: bandit.SlidingWindowUCB(window=50, seed=1),
    lambda: bandit.DiscountedThompsonSampling(seed=1),
]
CONTEXTUAL = [
    lambda: bandit.LinUCBDisjoint(seed=1),
    lambda: bandit.LinTS(seed=1),
    lambda: bandit.ChebCB(low=-2.0, high=2.0, seed=1),
]
UNIT_REWARD = (
    bandit.KLUCB,
    bandit.ThompsonSampling,
    bandit.BayesUCB,
    bandit.Exp3,
    bandit.Exp3IX,
    bandit.DiscountedThompsonSampling,
)


def play(policy, arms, n, seed=0):
    rng = np.random.default_rng(seed)
    choices = []
    for _ in range(n):
        arm = policy.pull(arms)
        choices.append(arm)
        policy.update(arm, float(rng.random() < 0.3 + 0.1 * (hash(str(arm)) % 5)))
    return choices


def play_ctx(policy, arms, n, seed=0):
    rng = np.random.default_rng(seed)
    choices = []
    for _ in range(n):
        x = {"a": float(rng.normal()), "b": float(rng.normal())}
        arm = policy.pull(arms, x)
        choices.append(arm)
        policy.update(arm, x, x["a"] if arm == arms[0] else -x["a"])
    return choices


@pytest.mark.parametrize("make", CONTEXT_FREE)
def test_is_a_river_policy_with_rivers_params(make):
    policy = make()
    assert isinstance(policy, rb.base.Policy)
    params = policy._get_params()
    assert params["seed"] == 1 and params["burn_in"] == 0
    clone = policy.clone()
    assert type(clone) is type(policy) and clone._get_params() == params


@pytest.mark.parametrize("make", CONTEXTUAL)
def test_contextual_policies_are_river_contextual_policies(make):
    assert isinstance(make(), rb.base.ContextualPolicy)


@pytest.mark.parametrize("make", CONTEXT_FREE)
def test_pickle_and_clone_give_identical_decisions(make):
    arms = ["a", "b", 3, 4]
    policy = make()
    play(policy, arms, 200)
    restored = pickle.loads(pickle.dumps(policy))
    copied = copy.deepcopy(policy)
    assert pickle.dumps(restored._core) == pickle.dumps(policy._core)
    assert restored.ranking == policy.ranking and restored._n == policy._n
    rest = play(policy, arms, 200, seed=9)
    assert play(restored, arms, 200, seed=9) == rest
    assert play(copied, arms, 200, seed=9) == rest
    # A clone is fresh but seeded the same: it replays the original from the start.
    fresh, clone = make(), policy.clone()
    assert clone._n == 0
    assert play(fresh, arms, 300, seed=4) == play(clone, arms, 300, seed=4)


@pytest.mark.parametrize("make", CONTEXTUAL)
def test_contextual_pickle_continues_identically(make):
    policy = make()
    play_ctx(policy, ["l", "r"], 100)
    restored = pickle.loads(pickle.dumps(policy))
    assert play_ctx(restored, ["l", "r"], 100, seed=3) == play_ctx(policy, ["l", "r"], 100, seed=3)


def test_pickles_of_equal_policies_are_equal_bytes():
    a, b = bandit.UCB(delta=1, seed=7), bandit.UCB(delta=1, seed=7)
    play(a, ["x", "y", "z"], 100)
    play(b, ["x", "y", "z"], 100)
    assert pickle.dumps(a) == pickle.dumps(b)


def test_arms_may_be_any_hashable_and_appear_at_any_time():
    policy = bandit.UCB(delta=1, seed=0)
    assert policy.pull(range(3)) in (0, 1, 2)
    for arm in (0, 1, 2):
        policy.update(arm, 0.1)
    assert policy.pull([0, 1, 2, "new"]) == "new"  # an unplayed arm has an infinite bound
    policy.update("new", 0.9)
    assert policy.ranking[0] == "new"
    assert policy.pull(("new",)) == "new"
    assert policy.pull([np.int64(1)]) == 1
    assert dict(policy._counts) == {0: 1, 1: 1, 2: 1, "new": 1}


def test_pull_returns_the_object_offered():
    policy = bandit.EpsilonGreedy(epsilon=0.0, seed=0)
    policy.pull([1])
    policy.update(1, 1.0)
    arm = policy.pull([np.int64(1), 2])
    assert type(arm) is np.int64


def test_burn_in_pulls_each_arm_in_order():
    policy = bandit.ThompsonSampling(burn_in=2, seed=0)
    seen = []
    for _ in range(6):
        arm = policy.pull(["a", "b", "c"])
        seen.append(arm)
        policy.update(arm, 0.0)
    assert seen == ["a", "a", "b", "b", "c", "c"]


def test_reward_hooks_defaults_only():
    with pytest.raises(ValueError, match="reward_obj"):
        bandit.UCB(delta=1, reward_obj=stats.Var())
    with pytest.raises(ValueError, match="reward_scaler"):
        bandit.UCB(delta=1, reward_scaler=object())
    # river's default reward object is accepted (river's clone() passes it back).
    assert bandit.UCB(delta=1, reward_obj=stats.Mean()).pull([1]) == 1


@pytest.mark.parametrize(
    ("make", "name"),
    [
        (lambda: bandit.EpsilonGreedy(epsilon=-0.1), "epsilon"),
        (lambda: bandit.EpsilonGreedy(epsilon=1.5), "epsilon"),
        (lambda: bandit.EpsilonGreedy(epsilon=0.1, decay=-1), "decay"),
        (lambda: bandit.UCB(delta=-1), "delta"),
        (lambda: bandit.UCB(delta=float("nan")), "delta"),
        (lambda: bandit.Exp3(gamma=-0.1), "gamma"),
        (lambda: bandit.Exp3(gamma=2), "gamma"),
        (lambda: bandit.Softmax(tau=0), "tau"),
        (lambda: bandit.DiscountedUCB(gamma=0), "gamma"),
        (lambda: bandit.SlidingWindowUCB(window=0), "window"),
        (lambda: bandit.LinUCBDisjoint(alpha=0), "alpha"),
        (lambda: bandit.LinTS(v=-1), "v"),
        (lambda: bandit.ChebCB(low=1.0, high=0.0), "high"),
        (lambda: bandit.ChebCB(gamma=0.0), "gamma"),
        (lambda: bandit.ChebCB(ridge=-1.0), "ridge"),
        (lambda: bandit.ChebCB(degree=-1), "degree"),
        (lambda: bandit.GaussianThompsonSampling(sigma=0), "sigma"),
        (lambda: bandit.UCB(delta=1, burn_in=-1), "burn_in"),
    ],
)
def test_invalid_hyperparameters_raise_value_error_naming_them(make, name):
    with pytest.raises(ValueError, match=name):
        make()


@pytest.mark.parametrize(
    ("make", "name"),
    [
        (lambda: bandit.UCB(delta="1"), "delta"),
        (lambda: bandit.UCB(delta=1, seed="x"), "seed"),
        (lambda: bandit.SlidingWindowUCB(window=2.5), "window"),
    ],
)
def test_wrong_types_raise_type_error(make, name):
    with pytest.raises(TypeError, match=name):
        make()


@pytest.mark.parametrize("make", CONTEXT_FREE)
def test_bad_calls_raise_and_leave_state_unchanged(make, state):
    policy = make()
    arms = ["a", "b", "c"]
    play(policy, arms, 50)
    before = state(policy)
    with pytest.raises(ValueError, match="arm_ids"):
        policy.pull([])
    with pytest.raises(KeyError, match="unknown arm"):
        policy.update("never-offered", 0.5)
    for bad in (float("nan"), float("inf"), -float("inf")):
        with pytest.raises(ValueError, match="reward"):
            policy.update("a", bad)
    with pytest.raises(TypeError, match="reward"):
        policy.update("a", "high")
    with pytest.raises(TypeError):
        policy.pull([["unhashable"]])
    with pytest.raises(TypeError, match="arm_ids"):
        policy.pull("ab")
    with pytest.raises(TypeError, match="not contextual"):
        policy.pull(arms, {"x": 1.0})
    if isinstance(policy, UNIT_REWARD):
        for bad in (-0.5, 1.5):
            with pytest.raises(ValueError, match=r"\[0, 1\]"):
                policy.update("a", bad)
    with pytest.raises(ValueError, match="positions"):
        policy.update_many(arms, np.array([0, 5]), np.array([0.1, 0.2]))
    with pytest.raises(ValueError, match="reward"):
        policy.update_many(arms, np.array([0, 1]), np.array([0.1, np.nan]))
    with pytest.raises(ValueError, match="rewards"):
        policy.update_many(arms, np.array([0, 1]), np.array([0.1]))
    assert state(policy) == before


@pytest.mark.parametrize("make", CONTEXTUAL)
def test_bad_contexts_raise_and_leave_state_unchanged(make, state):
    policy = make()
    play_ctx(policy, ["l", "r"], 30)
    before = state(policy)
    with pytest.raises(ValueError, match="context"):
        policy.pull(["l", "r"], {"a": float("nan")})
    with pytest.raises(ValueError, match="context"):
        policy.update("l", {"a": float("inf")}, 1.0)
    with pytest.raises(TypeError, match="context"):
        policy.pull(["l", "r"], {"a": "text"})
    with pytest.raises(TypeError, match="context"):
        policy.pull(["l", "r"], np.array([1.0, 2.0]))  # dicts were used so far
    with pytest.raises(ValueError, match="reward"):
        policy.update("l", {"a": 1.0}, float("nan"))
    with pytest.raises(KeyError):
        policy.update("zz", {"a": 1.0}, 1.0)
    assert state(policy) == before


def test_array_contexts_have_a_fixed_dimension(state):
    policy = bandit.LinUCBDisjoint(seed=0)
    x = np.array([1.0, 0.5, -0.2])
    policy.update(policy.pull([0, 1], x), x, 1.0)
    before = state(policy)
    with pytest.raises(ValueError, match="dimension"):
        policy.pull([0, 1], np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match="dimension"):
        policy.update(0, [1.0, 2.0, 3.0, 4.0], 1.0)
    with pytest.raises(TypeError, match="context"):
        policy.pull([0, 1], {"a": 1.0})
    assert state(policy) == before


def test_update_many_equals_a_loop_of_updates(state):
    arms = ["a", "b", "c", "d"]
    rng = np.random.default_rng(0)
    positions = rng.integers(0, 4, size=500)
    rewards = rng.random(500)
    for make in CONTEXT_FREE:
        batched, looped = make(), make()
        batched.pull(arms)
        looped.pull(arms)
        batched.update_many(arms, positions, rewards)
        for p, r in zip(positions, rewards, strict=True):
            looped.update(arms[p], float(r))
        assert state(batched) == state(looped)


def test_pull_many_draws_from_the_current_state():
    policy = bandit.EpsilonGreedy(epsilon=0.2, seed=0)
    arms = [0, 1, 2, 3, 4]
    policy.pull(arms)
    for arm in arms:
        policy.update(arm, 1.0 if arm == 3 else 0.0)
    positions = policy.pull_many(arms, 10_000)
    assert positions.dtype == np.int64 and positions.shape == (10_000,)
    share = np.bincount(positions, minlength=5) / 10_000
    # Greedy picks arm 3 with probability 0.8 + 0.2 / 5 = 0.84; each other arm 0.04.
    assert abs(share[3] - 0.84) < 0.02 and np.all(np.abs(np.delete(share, 3) - 0.04) < 0.01)
    assert policy._n == 5  # pulling learns nothing


def test_merge_pools_counts_and_means():
    a, b = bandit.UCB(delta=1, seed=0), bandit.UCB(delta=1, seed=1)
    a.pull(["x", "y"])
    b.pull(["y", "z"])
    a.update("x", 1.0)
    a.update("y", 0.0)
    b.update("y", 1.0)
    b.update("z", 0.5)
    b.update("y", 1.0)
    a.merge(b)
    assert dict(a._counts) == {"x": 1, "y": 3, "z": 1} and a._n == 5
    assert a.ranking == ["x", "y", "z"]
    assert a.scores(["y"])["y"] == pytest.approx(2 / 3 + math.sqrt(2 * math.log(5) / 3))
    with pytest.raises(TypeError):
        a.merge(bandit.Exp3(gamma=0.1))


def test_simulate_is_reproducible_and_consistent():
    env = bandit.BernoulliEnv([0.2, 0.5, 0.7])
    r1 = bandit.simulate(bandit.ThompsonSampling(seed=3), env, 5000, seed=11)
    r2 = bandit.simulate(bandit.ThompsonSampling(seed=3), env, 5000, seed=11)
    assert np.array_equal(r1.choices, r2.choices) and np.array_equal(r1.rewards, r2.rewards)
    gaps = np.array([0.5, 0.2, 0.0])[r1.choices]
    assert np.allclose(r1.regret, np.cumsum(gaps))
    assert set(np.unique(r1.rewards)) <= {0.0, 1.0}
    with pytest.raises(ValueError, match="env"):
        bandit.simulate(bandit.Exp3(gamma=0.1), bandit.GaussianEnv([0.0, 1.0]), 10)
    with pytest.raises(ValueError, match="means"):
        bandit.simulate(bandit.UCB(delta=1), bandit.BernoulliEnv([0.5, 1.5]), 10)
    with pytest.raises(TypeError, match="env"):
        bandit.simulate(bandit.UCB(delta=1), [0.5], 10)
    with pytest.raises(ValueError, match="context"):
        bandit.simulate(bandit.LinUCBDisjoint(), env, 10)


# --- Random sequences of valid and invalid calls --------------------------------------------

ARM_POOL = ["a", "b", "c", 1, 2]
call = st.one_of(
    st.tuples(st.just("pull"), st.lists(st.sampled_from(ARM_POOL), min_size=0, max_size=4)),
    st.tuples(
        st.just("update"),
        st.sampled_from(ARM_POOL + ["ghost"]),
        st.one_of(
            st.floats(min_value=0, max_value=1),
            st.sampled_from([float("nan"), float("inf"), -0.5, 1.5, "x"]),
        ),
    ),
)


@pytest.mark.parametrize("make", CONTEXT_FREE)
@settings(max_examples=25, deadline=None)
@given(calls=st.lists(call, max_size=40))
def test_random_call_sequences_never_corrupt_state(make, calls):
    policy, twin = make(), make()
    offered = set()
    for c in calls:
        before = pickle.dumps(policy._core)
        try:
            if c[0] == "pull":
                arm = policy.pull(c[1])
            else:
                policy.update(c[1], c[2])
        except (ValueError, TypeError, KeyError):
            assert pickle.dumps(policy._core) == before
            continue
        # The call was accepted: it must have been valid, and the twin replays it.
        if c[0] == "pull":
            assert c[1] and arm in c[1]
            offered.update(c[1])
            assert twin.pull(c[1]) == arm
        else:
            assert c[1] in offered and isinstance(c[2], float) and math.isfinite(c[2])
            assert 0 <= c[2] <= 1 or not isinstance(policy, UNIT_REWARD)
            twin.update(c[1], c[2])
    assert pickle.dumps(policy._core) == pickle.dumps(twin._core)
