from __future__ import annotations

from rapidriver.bandit.base import RustPolicy

__all__ = ["BayesUCB"]


class BayesUCB(RustPolicy):
    """Bayes-UCB with Beta posteriors, a drop-in replacement for river's.

    The index of an arm is the $1 - 1/(n+1)$ quantile of its Beta(1 + successes, 1 + failures)
    posterior, with $n$ the total number of rewards; ties are broken at random. Rewards must
    lie in [0, 1].

    Parameters
    ----------
    reward_obj
        Only `None` (the mean reward, computed in Rust) is supported.
    burn_in
        Each arm is pulled until it has received `burn_in` rewards.
    seed
        Random number generator seed for reproducibility.

    Examples
    --------
    >>> from rapidriver import bandit
    >>> policy = bandit.BayesUCB(seed=0)
    >>> result = bandit.simulate(policy, bandit.BernoulliEnv([0.2, 0.7]), 1000, seed=0)
    >>> policy.ranking[0]
    1

    References
    ----------
    [^1]: Kaufmann, E., Cappé, O. & Garivier, A. (2012). On Bayesian upper confidence bounds for
        bandit problems. AISTATS.
    """

    _KIND = "bayes_ucb"

    def __init__(self, reward_obj=None, burn_in: int = 0, seed: int | None = None):
        self.reward_obj = reward_obj
        self.reward_scaler = None
        self.burn_in = burn_in
        self.seed = seed
        self._build()
