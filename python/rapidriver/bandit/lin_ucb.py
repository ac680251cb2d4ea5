from __future__ import annotations

from rapidriver.bandit.base import RustContextualPolicy

__all__ = ["LinUCBDisjoint"]


class LinUCBDisjoint(RustContextualPolicy):
    """LinUCB, disjoint variant, a drop-in replacement for river's.

    Each arm has a Bayesian linear regression of its reward on the context (prior precision
    `alpha`, noise precision `beta`); the arm with the largest mean plus standard deviation of
    its predictive distribution is pulled. The covariance is kept up to date with rank-one
    (Sherman-Morrison) updates in Rust. With `alpha != 1` the prior covariance is `I / alpha`
    throughout (river keeps `I / alpha` as covariance but `I / alpha` as precision too, which
    only agree for `alpha = 1`).

    Parameters
    ----------
    alpha
        Prior precision of the weights (> 0).
    beta
        Noise precision (> 0).
    smoothing
        Exponential forgetting in (0, 1) of past observations, or `None`.
    reward_obj
        Only `None` (the mean reward, computed in Rust) is supported.
    burn_in
        Each arm is pulled until it has received `burn_in` rewards.
    seed
        Random number generator seed (ties are broken at random).

    Examples
    --------
    >>> from rapidriver import bandit
    >>> policy = bandit.LinUCBDisjoint(seed=0)
    >>> for _ in range(50):
    ...     policy.update("sun", {"warm": 1.0}, 1.0)  # doctest: +SKIP
    >>> arms = ["sun", "rain"]
    >>> for t in range(200):
    ...     x = {"warm": float(t % 2)}
    ...     arm = policy.pull(arms, x)
    ...     policy.update(arm, x, 1.0 if (arm == "sun") == (x["warm"] == 1.0) else 0.0)
    >>> policy.pull(arms, {"warm": 1.0}), policy.pull(arms, {"warm": 0.0})
    ('sun', 'rain')

    References
    ----------
    [^1]: Li, L., Chu, W., Langford, J. & Schapire, R. E. (2010). A contextual-bandit approach
        to personalized news article recommendation. WWW.
    """

    _KIND = "lin_ucb"

    def __init__(
        self,
        alpha: float = 1.0,
        beta: float = 1.0,
        smoothing: float | None = None,
        reward_obj=None,
        burn_in: int = 0,
        seed: int | None = None,
    ):
        self.alpha = alpha
        self.beta = beta
        self.smoothing = smoothing
        self.reward_obj = reward_obj
        self.reward_scaler = None
        self.burn_in = burn_in
        self.seed = seed
        self._build()

    def _core_params(self):
        return {"alpha": self.alpha, "beta": self.beta, "smoothing": self.smoothing}
