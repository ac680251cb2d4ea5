from __future__ import annotations

from rapidriver.bandit.base import RustContextualPolicy

__all__ = ["LinTS"]


class LinTS(RustContextualPolicy):
    r"""Linear Thompson sampling, disjoint per arm like `LinUCBDisjoint`.

    Each arm keeps the same Bayesian linear regression as `LinUCBDisjoint`; at each pull it
    draws weights $\theta \sim N(m, v^2 S)$ and the arm with the largest $x \cdot \theta$ wins.
    Not in river.

    Parameters
    ----------
    alpha
        Prior precision of the weights (> 0).
    beta
        Noise precision (> 0).
    v
        Scale of the posterior spread (> 0): larger explores more.
    burn_in
        Each arm is pulled until it has received `burn_in` rewards.
    seed
        Random number generator seed for reproducibility.

    Examples
    --------
    >>> from rapidriver import bandit
    >>> policy = bandit.LinTS(seed=0)
    >>> arms = ["sun", "rain"]
    >>> for t in range(300):
    ...     x = {"warm": float(t % 2), "bias": 1.0}
    ...     arm = policy.pull(arms, x)
    ...     policy.update(arm, x, 1.0 if (arm == "sun") == (x["warm"] == 1.0) else 0.0)
    >>> policy.pull(arms, {"warm": 1.0, "bias": 1.0}), policy.pull(arms, {"warm": 0.0, "bias": 1.0})
    ('sun', 'rain')

    References
    ----------
    [^1]: Agrawal, S. & Goyal, N. (2013). Thompson sampling for contextual bandits with linear
        payoffs. ICML.
    """

    _KIND = "lin_ts"

    def __init__(
        self,
        alpha: float = 1.0,
        beta: float = 1.0,
        v: float = 1.0,
        burn_in: int = 0,
        seed: int | None = None,
    ):
        self.alpha = alpha
        self.beta = beta
        self.v = v
        self.burn_in = burn_in
        self.seed = seed
        self._build()

    def _core_params(self):
        return {"alpha": self.alpha, "beta": self.beta, "v": self.v}
