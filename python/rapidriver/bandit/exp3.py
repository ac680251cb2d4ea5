from __future__ import annotations

from rapidriver.bandit.base import RustPolicy

__all__ = ["Exp3"]


class Exp3(RustPolicy):
    r"""Exp3 bandit policy, a drop-in replacement for river's.

    Arm $i$ is drawn with probability $(1 - \gamma) w_i / \sum_j w_j + \gamma / k$, and a
    reward $r$ multiplies its weight by $\exp(\gamma \, (r / p_i) / K)$. Weights are kept as
    logarithms, so unlike river 0.26 (whose weights overflow after about 140,000 rounds) the
    probabilities stay exact. Rewards must lie in [0, 1].

    Parameters
    ----------
    gamma
        The egalitarianism factor in [0, 1]; 1 pulls uniformly at random.
    reward_obj
        Only `None` (the mean reward, computed in Rust) is supported.
    reward_scaler
        Only `None` is supported.
    burn_in
        Each arm is pulled until it has received `burn_in` rewards.
    seed
        Random number generator seed for reproducibility.

    Examples
    --------
    >>> from rapidriver import bandit
    >>> policy = bandit.Exp3(gamma=0.5, seed=1)
    >>> policy.scores(["a", "b"])
    {'a': 0.5, 'b': 0.5}

    References
    ----------
    [^1]: Auer, P., Cesa-Bianchi, N., Freund, Y. & Schapire, R. E. (2002). The nonstochastic
        multiarmed bandit problem. SIAM Journal on Computing, 32(1), 48-77.
    """

    _KIND = "exp3"

    def __init__(
        self,
        gamma: float,
        reward_obj=None,
        reward_scaler=None,
        burn_in: int = 0,
        seed: int | None = None,
    ):
        self.gamma = gamma
        self.reward_obj = reward_obj
        self.reward_scaler = reward_scaler
        self.burn_in = burn_in
        self.seed = seed
        self._build()

    def _core_params(self):
        return {"gamma": self.gamma}

    @classmethod
    def _unit_test_params(cls):
        for gamma in (0, 0.1, 0.5, 0.9, 1):
            yield {"gamma": gamma}
