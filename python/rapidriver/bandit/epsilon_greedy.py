from __future__ import annotations

from rapidriver.bandit.base import RustPolicy

__all__ = ["EpsilonGreedy"]


class EpsilonGreedy(RustPolicy):
    r"""$\varepsilon$-greedy bandit policy, a drop-in replacement for river's.

    With probability $\varepsilon e^{-\text{decay} \cdot n}$ a uniformly random arm is pulled,
    otherwise the first arm (in the order given) with the highest mean reward.

    Parameters
    ----------
    epsilon
        The probability of exploring, in [0, 1].
    decay
        The decay rate of epsilon (>= 0).
    reward_obj
        Only `None` (the mean reward, computed in Rust) is supported.
    burn_in
        Each arm is pulled until it has received `burn_in` rewards.
    seed
        Random number generator seed for reproducibility.

    Examples
    --------
    >>> from rapidriver import bandit
    >>> policy = bandit.EpsilonGreedy(epsilon=0.1, seed=1)
    >>> result = bandit.simulate(policy, bandit.BernoulliEnv([0.2, 0.5, 0.8]), 2000, seed=0)
    >>> policy.ranking[0]
    2

    References
    ----------
    [^1]: Sutton, R. S. & Barto, A. G. (2018). Reinforcement Learning: An Introduction, 2.2.
    """

    _KIND = "epsilon_greedy"

    def __init__(
        self,
        epsilon: float,
        decay: float = 0.0,
        reward_obj=None,
        burn_in: int = 0,
        seed: int | None = None,
    ):
        self.epsilon = epsilon
        self.decay = decay
        self.reward_obj = reward_obj
        self.reward_scaler = None
        self.burn_in = burn_in
        self.seed = seed
        self._build()

    def _core_params(self):
        return {"epsilon": self.epsilon, "decay": self.decay}

    @property
    def current_epsilon(self) -> float:
        """The value of epsilon after factoring in the decay rate."""
        import math

        return self.epsilon * math.exp(-self._n * self.decay) if self.decay else self.epsilon

    @classmethod
    def _unit_test_params(cls):
        yield {"epsilon": 0.2}
