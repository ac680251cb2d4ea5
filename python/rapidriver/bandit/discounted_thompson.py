from __future__ import annotations

from rapidriver.bandit.base import RustPolicy

__all__ = ["DiscountedThompsonSampling"]


class DiscountedThompsonSampling(RustPolicy):
    """Discounted Thompson sampling, for rewards in [0, 1] whose means change over time.

    Beta posteriors whose success and failure counts all decay by `gamma` at every step, so
    that the posterior of an arm that changed is soon wide again. Not in river.

    Parameters
    ----------
    gamma
        Discount factor in (0, 1]; 1 is stationary Thompson sampling.
    alpha
        Prior successes (> 0).
    beta
        Prior failures (> 0).
    burn_in
        Each arm is pulled until it has received `burn_in` rewards.
    seed
        Random number generator seed for reproducibility.

    Examples
    --------
    >>> from rapidriver import bandit
    >>> env = bandit.BernoulliEnv([0.8, 0.5], changes=[(1000, [0.2, 0.5])])
    >>> policy = bandit.DiscountedThompsonSampling(gamma=0.98, seed=0)
    >>> result = bandit.simulate(policy, env, 3000, seed=0)
    >>> int((result.choices[-500:] == 1).sum()) > 400
    True

    References
    ----------
    [^1]: Raj, V. & Kalyani, S. (2017). Taming non-stationary bandits: A Bayesian approach.
        arXiv:1707.09727.
    """

    _KIND = "discounted_thompson"

    def __init__(
        self,
        gamma: float = 0.99,
        alpha: float = 1.0,
        beta: float = 1.0,
        burn_in: int = 0,
        seed: int | None = None,
    ):
        self.gamma = gamma
        self.alpha = alpha
        self.beta = beta
        self.burn_in = burn_in
        self.seed = seed
        self._build()

    def _core_params(self):
        return {"gamma": self.gamma, "alpha": self.alpha, "beta": self.beta}
