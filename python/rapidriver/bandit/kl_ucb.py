from __future__ import annotations

from rapidriver.bandit.base import RustPolicy

__all__ = ["KLUCB"]


class KLUCB(RustPolicy):
    r"""KL-UCB for rewards in [0, 1] (Bernoulli KL divergence).

    The index of arm $j$ is the largest $q \in [\bar{x}_j, 1]$ with
    $n_j \, \mathrm{kl}(\bar{x}_j, q) \le \ln t + c \ln \ln t$. Asymptotically optimal for
    Bernoulli rewards. Not in river. Rewards outside [0, 1] raise `ValueError`.

    Parameters
    ----------
    c
        Weight of the $\ln \ln t$ term (the paper's experiments use 0).
    burn_in
        Each arm is pulled until it has received `burn_in` rewards.
    seed
        Random number generator seed (ties are broken at random).

    Examples
    --------
    >>> from rapidriver import bandit
    >>> policy = bandit.KLUCB(seed=0)
    >>> result = bandit.simulate(policy, bandit.BernoulliEnv([0.1, 0.2, 0.9]), 1000, seed=0)
    >>> policy.ranking[0]
    2

    References
    ----------
    [^1]: Garivier, A. & Cappé, O. (2011). The KL-UCB algorithm for bounded stochastic bandits
        and beyond. COLT.
    """

    _KIND = "kl_ucb"

    def __init__(self, c: float = 0.0, burn_in: int = 0, seed: int | None = None):
        self.c = c
        self.burn_in = burn_in
        self.seed = seed
        self._build()

    def _core_params(self):
        return {"c": self.c}
