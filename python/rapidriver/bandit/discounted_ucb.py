from __future__ import annotations

from rapidriver.bandit.base import RustPolicy

__all__ = ["DiscountedUCB"]


class DiscountedUCB(RustPolicy):
    r"""Discounted UCB, for rewards whose means change over time.

    Counts and reward sums decay by `gamma` at every step, so old rewards fade; the index is
    $\bar{x}^\gamma_i + 2B\sqrt{\xi \ln n^\gamma / N^\gamma_i}$. Not in river.

    Parameters
    ----------
    gamma
        Discount factor in (0, 1]; 1 is a stationary UCB. The paper suggests
        $1 - \frac14\sqrt{\Upsilon / T}$ for $\Upsilon$ changes over a horizon $T$; the default
        0.999 suits a few changes over about 10^4 steps (0.99 forgets too fast to ever exploit
        gaps below about 0.3).
    xi
        Exploration weight (> 0).
    bound
        A bound B on the rewards' magnitude (> 0).
    burn_in
        Each arm is pulled until it has received `burn_in` rewards.
    seed
        Random number generator seed (ties are broken at random).

    Examples
    --------
    >>> from rapidriver import bandit
    >>> env = bandit.BernoulliEnv([0.8, 0.5], changes=[(1000, [0.2, 0.5])])
    >>> drifting = bandit.simulate(bandit.DiscountedUCB(gamma=0.99, seed=0), env, 3000, seed=0)
    >>> stationary = bandit.simulate(bandit.UCB(delta=1, seed=0), env, 3000, seed=0)
    >>> bool(drifting.regret[-1] < stationary.regret[-1])
    True

    References
    ----------
    [^1]: Garivier, A. & Moulines, E. (2011). On upper-confidence bound policies for switching
        bandit problems. ALT.
    """

    _KIND = "discounted_ucb"

    def __init__(
        self,
        gamma: float = 0.999,
        xi: float = 0.6,
        bound: float = 1.0,
        burn_in: int = 0,
        seed: int | None = None,
    ):
        self.gamma = gamma
        self.xi = xi
        self.bound = bound
        self.burn_in = burn_in
        self.seed = seed
        self._build()

    def _core_params(self):
        return {"gamma": self.gamma, "xi": self.xi, "bound": self.bound}
