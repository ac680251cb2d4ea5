from __future__ import annotations

from rapidriver.bandit.base import RustPolicy

__all__ = ["RandomPolicy"]


class RandomPolicy(RustPolicy):
    """Pulls a uniformly random arm: the baseline, a drop-in replacement for river's.

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
    >>> policy = bandit.RandomPolicy(seed=0)
    >>> result = bandit.simulate(policy, bandit.BernoulliEnv([0.0, 1.0]), 1000, seed=0)
    >>> 400 < policy._counts[1] < 600
    True
    """

    _KIND = "random"

    def __init__(self, reward_obj=None, burn_in: int = 0, seed: int | None = None):
        self.reward_obj = reward_obj
        self.reward_scaler = None
        self.burn_in = burn_in
        self.seed = seed
        self._build()
