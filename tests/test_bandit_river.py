"""Agreement with river's own policies, and river's bugs that ours do not have."""

import math
import random

import gymnasium  # noqa: F401  (river.bandit.evaluate needs it)
import numpy as np
import pytest
from river import bandit as rb
from river import proba

from rapidriver import bandit


def irrational_reward(arm: int, t: int) -> float:
    # Rewards in [0, 1] that never tie between arms.
    return (math.sin(1.0 + 7.3 * arm + 0.37 * t) + 1.0) / 2.0


def test_ucb_decisions_and_bounds_equal_rivers():
    arms = list(range(6))
    ours, theirs = bandit.UCB(delta=0.8, burn_in=1, seed=1), rb.UCB(delta=0.8, burn_in=1, seed=1)
    for t in range(3000):
        a, b = ours.pull(arms), theirs.pull(arms)
        assert a == b, t
        if t >= len(arms):
            expected = [
                theirs._rewards[arm].get()
                + 0.8 * math.sqrt(2 * math.log(theirs._n) / theirs._counts[arm])
                for arm in arms
            ]
            assert np.allclose(list(ours.scores(arms).values()), expected, rtol=0, atol=1e-9)
        r = irrational_reward(a, t)
        ours.update(a, r)
        theirs.update(b, r)
    assert ours.ranking == theirs.ranking
    assert ours._n == theirs._n


def test_greedy_decisions_equal_rivers():
    arms = ["a", "b", "c", "d"]
    ours = bandit.EpsilonGreedy(epsilon=0.0, burn_in=2, seed=3)
    theirs = rb.EpsilonGreedy(epsilon=0.0, burn_in=2, seed=3)
    for t in range(2000):
        a, b = ours.pull(arms), theirs.pull(arms)
        assert a == b, t
        r = irrational_reward(arms.index(a), t) ** 2
        ours.update(a, r)
        theirs.update(b, r)
    assert ours.ranking == theirs.ranking


def test_exp3_probabilities_equal_rivers():
    arms = [10, 20, 30, 40, 50]
    ours, theirs = bandit.Exp3(gamma=0.1, seed=5), rb.Exp3(gamma=0.1, seed=5)
    for t in range(3000):
        chosen = theirs.pull(arms)
        ours.pull(arms)  # sets our probabilities; both then learn from river's choice
        expected = [theirs._probabilities[a] for a in arms]
        assert np.allclose(list(ours.scores(arms).values()), expected, rtol=0, atol=1e-9)
        r = irrational_reward(arms.index(chosen), t)
        ours.update(chosen, r)
        theirs.update(chosen, r)


def test_linucb_upper_bounds_equal_rivers():
    rng = random.Random(0)
    arms = ["x", "y", "z"]
    ours, theirs = bandit.LinUCBDisjoint(seed=0), rb.LinUCBDisjoint(seed=0)
    names = ["f1", "f2", "f3", "f4"]
    for t in range(400):
        # Features come and go, appear late, in any order.
        n_feats = min(len(names), 1 + t // 50)
        chosen_names = rng.sample(names[:n_feats], rng.randint(1, n_feats))
        context = {f: rng.uniform(-1, 1) for f in chosen_names}
        expected = []
        for arm in arms:
            dist = theirs._bayes_lin_regs[arm].predict_one(context, with_dist=True)
            expected.append(dist.mu + dist.sigma)
        got = list(ours.scores(arms, context).values())
        assert np.allclose(got, expected, rtol=0, atol=1e-9), t
        if sorted(expected)[-1] - sorted(expected)[-2] > 1e-9:  # ties are broken at random
            assert ours.pull(arms, context) == arms[int(np.argmax(expected))]
        chosen = arms[t % 3]
        reward = context.get("f1", 0.0) * (1 if chosen == "x" else -1) + 0.1 * rng.random()
        ours.update(chosen, context, reward)
        theirs.update(chosen, context, reward)


def test_bayes_ucb_index_equals_rivers():
    arms = [0, 1, 2]
    ours, theirs = bandit.BayesUCB(seed=0), rb.BayesUCB(seed=0)
    rng = random.Random(1)
    for t in range(300):
        expected = [float(theirs.compute_index(a)) for a in arms]
        assert np.allclose(list(ours.scores(arms).values()), expected, rtol=0, atol=1e-9), t
        arm = t % 3
        reward = float(rng.random() < [0.2, 0.5, 0.7][arm])
        ours.update(ours.pull([arm]), reward)
        theirs.update(arm, reward)


def test_river_evaluate_runs_ours_next_to_rivers():
    env = gymnasium.make("river_bandits/KArmedTestbed-v0", max_episode_steps=300)
    policies = [rb.RandomPolicy(seed=1), bandit.UCB(delta=1, seed=1), rb.UCB(delta=1, seed=1)]
    trace = list(rb.evaluate(policies, env, n_episodes=4, seed=42))
    assert len(trace) == 3 * 4 * 300
    totals = [0.0, 0.0, 0.0]
    for step in trace:
        totals[step["policy_idx"]] += step["reward"]
    # Ours learns as river's UCB does, and both beat random play.
    assert totals[1] > totals[0] and totals[2] > totals[0]
    assert abs(totals[1] - totals[2]) < 0.25 * abs(totals[2] - totals[0]) + 50


def test_river_evaluate_offline_replays_ours():
    rng = random.Random(0)
    arms = ["a", "b", "c"]
    history = []
    for _ in range(3000):
        logged = rng.choice(arms)
        reward = float(rng.random() < {"a": 0.1, "b": 0.8, "c": 0.3}[logged])
        history.append((arms, {"u": rng.random()}, logged, reward))
    total, n_matched = rb.evaluate_offline(bandit.UCB(delta=1, seed=0), iter(history))
    random_total, _ = rb.evaluate_offline(bandit.RandomPolicy(seed=0), iter(history))
    assert n_matched > 500
    assert total.get() / n_matched > 0.6 > random_total.get() / 1000
    ctx_total, ctx_n = rb.evaluate_offline(bandit.LinUCBDisjoint(seed=0), iter(history))
    assert ctx_n > 300 and ctx_total.get() / ctx_n > 0.5


def test_river_exp3_overflows_where_ours_does_not():
    arms = [0, 1]
    theirs, ours = rb.Exp3(gamma=0.1, seed=0), bandit.Exp3(gamma=0.1, seed=0)
    broke_at = None
    for t in range(200_000):
        arm = theirs.pull(arms)
        try:
            theirs.update(arm, 1.0 if arm == 0 else 0.0)
        except OverflowError:
            broke_at = t
            break
        if any(math.isinf(w) or math.isnan(w) for w in theirs._weights.values()):
            broke_at = t
            break
    assert broke_at is not None and broke_at < 200_000
    for _ in range(300_000):
        arm = ours.pull(arms)
        ours.update(arm, 1.0 if arm == 0 else 0.0)
    probs = ours.scores(arms)
    assert probs[0] == pytest.approx(0.95, abs=1e-9) and probs[1] == pytest.approx(0.05, abs=1e-9)


def test_river_thompson_needs_arguments_ours_does_not():
    with pytest.raises(TypeError, match="seed"):
        rb.ThompsonSampling().pull([0, 1])
    policy = bandit.ThompsonSampling(seed=0)
    assert policy.pull([0, 1]) in (0, 1)
    # A Beta reward object sets the prior, as in river.
    prior = bandit.ThompsonSampling(reward_obj=proba.Beta(3, 1), seed=0)
    assert prior.scores([0]) == {0: 0.75}


def test_river_repr_fails_before_updates_ours_does_not():
    with pytest.raises(ValueError):
        repr(rb.UCB(delta=1))
    text = repr(bandit.UCB(delta=1))
    assert "Arm ID" in text and "Pulls" in text


def test_repr_matches_rivers_after_updates():
    ours, theirs = bandit.UCB(delta=1, seed=0), rb.UCB(delta=1, seed=0)
    for arm, reward in [(2, 0.5), (0, 0.25), (1, 1.0), (2, 0.0)]:
        ours.pull([arm])
        ours.update(arm, reward)
        theirs.update(arm, reward)
    assert repr(ours) == repr(theirs)
