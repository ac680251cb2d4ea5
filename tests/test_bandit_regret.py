"""Statistical behaviour with fixed seeds: regret against random play, growth, drift."""

import numpy as np
import pytest

from rapidriver import bandit

PROBS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.65, 0.7, 0.75, 0.8]
SEEDS = range(3)


def mean_regret(make, env, n_steps):
    return float(np.mean([bandit.simulate(make(), env, n_steps, seed=s).regret[-1] for s in SEEDS]))


# (policy, largest allowed share of random play's regret): margins about twice what these
# seeds give, so that a broken policy (linear regret) cannot pass.
BERNOULLI = [
    (lambda: bandit.EpsilonGreedy(epsilon=0.1, seed=1), 0.2),
    (lambda: bandit.UCB(delta=1, seed=1), 0.25),
    (lambda: bandit.UCBTuned(seed=1), 0.08),
    (lambda: bandit.KLUCB(seed=1), 0.1),
    (lambda: bandit.ThompsonSampling(seed=1), 0.08),
    (lambda: bandit.GaussianThompsonSampling(sigma=0.5, seed=1), 0.1),
    (lambda: bandit.BayesUCB(seed=1), 0.06),
    (lambda: bandit.Exp3(gamma=0.1, seed=1), 0.35),
    (lambda: bandit.Exp3IX(seed=1), 0.25),
    (lambda: bandit.TsallisInf(seed=1), 0.12),
    (lambda: bandit.Softmax(tau=0.05, seed=1), 0.3),
    (lambda: bandit.DiscountedUCB(seed=1), 0.6),
    (lambda: bandit.SlidingWindowUCB(seed=1), 0.4),
    (lambda: bandit.DiscountedThompsonSampling(seed=1), 0.55),
]


@pytest.fixture(scope="module")
def random_bernoulli_regret():
    return mean_regret(lambda: bandit.RandomPolicy(seed=1), bandit.BernoulliEnv(PROBS), 10_000)


def test_random_play_regret_is_the_mean_gap(random_bernoulli_regret):
    gap = max(PROBS) - np.mean(PROBS)
    assert random_bernoulli_regret == pytest.approx(10_000 * gap, rel=0.03)


@pytest.mark.parametrize(("make", "share"), BERNOULLI)
def test_beats_random_on_bernoulli(make, share, random_bernoulli_regret):
    regret = mean_regret(make, bandit.BernoulliEnv(PROBS), 10_000)
    assert regret < share * random_bernoulli_regret


@pytest.mark.parametrize(
    ("make", "share"),
    [
        (lambda: bandit.EpsilonGreedy(epsilon=0.1, seed=1), 0.2),
        (lambda: bandit.UCB(delta=1, seed=1), 0.05),
        (lambda: bandit.UCBTuned(seed=1), 0.02),
        (lambda: bandit.GaussianThompsonSampling(seed=1), 0.02),
        (lambda: bandit.Softmax(tau=0.1, seed=1), 0.05),
        (lambda: bandit.SlidingWindowUCB(seed=1), 0.1),
    ],
)
def test_beats_random_on_gaussian(make, share):
    env = bandit.GaussianEnv([0.0, 0.2, 0.4, 0.6, 1.0], stds=[1.0] * 5)
    random = mean_regret(lambda: bandit.RandomPolicy(seed=1), env, 10_000)
    assert random == pytest.approx(10_000 * 0.56, rel=0.03)
    assert mean_regret(make, env, 10_000) < share * random


@pytest.mark.parametrize(
    "make",
    [
        lambda: bandit.UCB(delta=1, seed=1),
        lambda: bandit.UCBTuned(seed=1),
        lambda: bandit.KLUCB(seed=1),
        lambda: bandit.ThompsonSampling(seed=1),
    ],
)
def test_ucb_family_regret_grows_sublinearly(make):
    env = bandit.BernoulliEnv(PROBS)
    short, long = mean_regret(make, env, 10_000), mean_regret(make, env, 100_000)
    # Ten times the horizon: linear regret would grow tenfold, logarithmic about 1.25-fold.
    assert long < 3.0 * short


DRIFT = bandit.BernoulliEnv(
    [0.8, 0.5, 0.3], changes=[(2_000, [0.2, 0.5, 0.3]), (5_000, [0.2, 0.5, 0.9])]
)


@pytest.mark.parametrize(
    ("drifting", "stationary", "factor"),
    [
        (lambda: bandit.DiscountedUCB(seed=1), lambda: bandit.UCB(delta=1, seed=1), 0.9),
        (lambda: bandit.SlidingWindowUCB(seed=1), lambda: bandit.UCB(delta=1, seed=1), 0.7),
        (
            lambda: bandit.DiscountedThompsonSampling(seed=1),
            lambda: bandit.ThompsonSampling(seed=1),
            0.5,
        ),
    ],
)
def test_drifting_policies_beat_stationary_ones_after_changes(drifting, stationary, factor):
    assert mean_regret(drifting, DRIFT, 8_000) < factor * mean_regret(stationary, DRIFT, 8_000)


@pytest.mark.parametrize(
    "make", [lambda: bandit.LinUCBDisjoint(seed=0), lambda: bandit.LinTS(seed=0)]
)
def test_contextual_policies_learn_a_linear_problem(make):
    rng = np.random.default_rng(0)
    weights = {"a": np.array([1.0, -1.0, 0.5]), "b": np.array([-1.0, 1.0, 0.5]), "c": np.zeros(3)}
    arms = list(weights)
    policy, regret, random_regret = make(), 0.0, 0.0
    for _ in range(3_000):
        x = rng.normal(size=3)
        means = {arm: float(w @ x) for arm, w in weights.items()}
        best = max(means.values())
        arm = policy.pull(arms, {"x0": x[0], "x1": x[1], "x2": x[2]})
        policy.update(arm, {"x0": x[0], "x1": x[1], "x2": x[2]}, means[arm] + rng.normal(0, 0.1))
        regret += best - means[arm]
        random_regret += best - np.mean(list(means.values()))
    assert regret < 0.05 * random_regret
