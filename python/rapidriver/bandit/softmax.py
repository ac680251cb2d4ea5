from __future__ import annotations

from rapidriver.bandit.base import RustPolicy

__all__ = ["Softmax"]


class Softmax(RustPolicy):
    r"""Softmax (Boltzmann) exploration.

    Arm $i$ is drawn with probability proportional to $\exp(\bar{x}_i / \tau_t)$, with
    temperature $\tau_t = \tau e^{-\text{decay} \cdot n}$ (floored at 1e-6). Not in river.

    Parameters
    ----------
    tau
        Initial temperature (> 0): high explores, low exploits.
    decay
        Decay rate of the temperature (>= 0).
    burn_in
        Each arm is pulled until it has received `burn_in` rewards.
    seed
        Random number generator seed for reproducibility.

    Examples
    --------
    >>> from rapidriver import bandit
    >>> policy = bandit.Softmax(tau=0.1, seed=0)
    >>> result = bandit.simulate(policy, bandit.BernoulliEnv([0.2, 0.8]), 1000, seed=0)
    >>> policy.ranking[0]
    1

    References
    ----------
    [^1]: Sutton, R. S. & Barto, A. G. (2018). Reinforcement Learning: An Introduction, 2.8.
    [^2]: Cesa-Bianchi, N., Gentile, C., Lugosi, G. & Neu, G. (2017). Boltzmann exploration
        done right. NeurIPS.
    """

    _KIND = "softmax"

    def __init__(
        self, tau: float = 0.1, decay: float = 0.0, burn_in: int = 0, seed: int | None = None
    ):
        self.tau = tau
        self.decay = decay
        self.burn_in = burn_in
        self.seed = seed
        self._build()

    def _core_params(self):
        return {"tau": self.tau, "decay": self.decay}
