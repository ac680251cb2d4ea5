from __future__ import annotations

from rapidriver.bandit.base import RustPolicy

__all__ = ["SlidingWindowUCB"]


class SlidingWindowUCB(RustPolicy):
    r"""Sliding-window UCB, for rewards whose means change over time.

    Only the last `window` rewards count: the index is
    $\bar{x}^W_i + B\sqrt{\xi \ln \min(t, W) / N^W_i}$, and an arm with no reward in the window
    is explored again. Not in river.

    Parameters
    ----------
    window
        Number of most recent rewards kept (>= 1).
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
    >>> policy = bandit.SlidingWindowUCB(window=200, seed=0)
    >>> result = bandit.simulate(policy, env, 3000, seed=0)
    >>> int((result.choices[-500:] == 1).sum()) > 400
    True

    References
    ----------
    [^1]: Garivier, A. & Moulines, E. (2011). On upper-confidence bound policies for switching
        bandit problems. ALT.
    """

    _KIND = "sliding_window_ucb"

    def __init__(
        self,
        window: int = 1000,
        xi: float = 0.6,
        bound: float = 1.0,
        burn_in: int = 0,
        seed: int | None = None,
    ):
        self.window = window
        self.xi = xi
        self.bound = bound
        self.burn_in = burn_in
        self.seed = seed
        self._build()

    def _core_params(self):
        return {"window": self.window, "xi": self.xi, "bound": self.bound}
