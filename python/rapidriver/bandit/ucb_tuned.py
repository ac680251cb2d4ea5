from __future__ import annotations

from rapidriver.bandit.base import RustPolicy

__all__ = ["UCBTuned"]


class UCBTuned(RustPolicy):
    r"""UCB1-Tuned: UCB whose exploration bonus adapts to each arm's reward variance.

    Index $\bar{x}_j + \sqrt{\frac{\ln n}{n_j} \min(\frac14, V_j)}$ with
    $V_j = \hat\sigma^2_j + \sqrt{2 \ln n / n_j}$. Not in river.

    Parameters
    ----------
    burn_in
        Each arm is pulled until it has received `burn_in` rewards.
    seed
        Random number generator seed (ties are broken at random).

    Examples
    --------
    >>> from rapidriver import bandit
    >>> policy = bandit.UCBTuned(seed=0)
    >>> result = bandit.simulate(policy, bandit.BernoulliEnv([0.3, 0.7]), 1000, seed=0)
    >>> policy.ranking[0]
    1

    References
    ----------
    [^1]: Auer, P., Cesa-Bianchi, N., & Fischer, P. (2002). Finite-time analysis of the
        multiarmed bandit problem. Machine Learning, 47, 235-256 (section 4).
    """

    _KIND = "ucb_tuned"

    def __init__(self, burn_in: int = 0, seed: int | None = None):
        self.burn_in = burn_in
        self.seed = seed
        self._build()
