from __future__ import annotations

from rapidriver.bandit.base import RustPolicy

__all__ = ["Exp3IX"]


class Exp3IX(RustPolicy):
    r"""Exp3-IX: exponential weights with implicit exploration, for adversarial rewards.

    Losses $1 - r$ are estimated as $(1 - r) / (p_i + \gamma)$, which keeps the estimates'
    variance low and gives high-probability regret bounds. Without `eta`, the anytime rate
    $\eta_t = \sqrt{2 \ln k / (k t)}$ and $\gamma_t = \eta_t / 2$ are used. Rewards must lie in
    [0, 1]. Not in river.

    Parameters
    ----------
    eta
        Learning rate (> 0), or `None` for the anytime schedule.
    gamma
        Implicit-exploration parameter (>= 0), or `None` for `eta / 2`.
    burn_in
        Each arm is pulled until it has received `burn_in` rewards.
    seed
        Random number generator seed for reproducibility.

    Examples
    --------
    >>> from rapidriver import bandit
    >>> policy = bandit.Exp3IX(seed=0)
    >>> result = bandit.simulate(policy, bandit.BernoulliEnv([0.2, 0.8]), 2000, seed=0)
    >>> policy.ranking[0]
    1

    References
    ----------
    [^1]: Neu, G. (2015). Explore no more: Improved high-probability regret bounds for
        non-stochastic bandits. NeurIPS.
    """

    _KIND = "exp3_ix"

    def __init__(
        self,
        eta: float | None = None,
        gamma: float | None = None,
        burn_in: int = 0,
        seed: int | None = None,
    ):
        self.eta = eta
        self.gamma = gamma
        self.burn_in = burn_in
        self.seed = seed
        self._build()

    def _core_params(self):
        return {"eta": self.eta, "gamma": self.gamma}
