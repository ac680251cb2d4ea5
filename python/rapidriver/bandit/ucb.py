from __future__ import annotations

from rapidriver.bandit.base import RustPolicy

__all__ = ["UCB"]


class UCB(RustPolicy):
    r"""Upper Confidence Bound (UCB) bandit policy, a drop-in replacement for river's.

    Pulls the arm with the largest $\bar{x}_i + \delta \sqrt{2 \ln n / n_i}$; arms without a
    reward come first, ties are broken at random.

    Parameters
    ----------
    delta
        The confidence level (>= 0). Setting this to 1 leads to UCB1.
    reward_obj
        Only `None` (the mean reward, computed in Rust) is supported.
    reward_scaler
        Only `None` is supported: scale rewards before calling `update`.
    burn_in
        Each arm is pulled until it has received `burn_in` rewards.
    seed
        Random number generator seed for reproducibility.

    Examples
    --------
    >>> from rapidriver import bandit
    >>> policy = bandit.UCB(delta=1.0, seed=42)
    >>> arms = ["red", "green", "blue"]
    >>> for arm, reward in [("red", 0.0), ("green", 1.0), ("blue", 0.5)]:
    ...     policy.update(policy.pull([arm]), reward)
    >>> policy.pull(arms)
    'green'
    >>> policy.ranking
    ['green', 'blue', 'red']

    References
    ----------
    [^1]: Lai, T. L., & Robbins, H. (1985). Asymptotically efficient adaptive allocation rules.
    [^2]: Auer, P., Cesa-Bianchi, N., & Fischer, P. (2002). Finite-time analysis of the
        multiarmed bandit problem. Machine Learning, 47, 235-256.
    """

    _KIND = "ucb"

    def __init__(
        self,
        delta: float,
        reward_obj=None,
        reward_scaler=None,
        burn_in: int = 0,
        seed: int | None = None,
    ):
        self.delta = delta
        self.reward_obj = reward_obj
        self.reward_scaler = reward_scaler
        self.burn_in = burn_in
        self.seed = seed
        self._build()

    def _core_params(self):
        return {"delta": self.delta}

    @classmethod
    def _unit_test_params(cls):
        yield {"delta": 1}
