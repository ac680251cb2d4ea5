from __future__ import annotations

from rapidriver.bandit.base import RustPolicy

__all__ = ["GaussianThompsonSampling"]


class GaussianThompsonSampling(RustPolicy):
    r"""Thompson sampling with Normal posteriors on each arm's mean, for real-valued rewards.

    Prior $N(\mu_0, 1/\tau_0)$ on each mean and known reward noise $\sigma$: after $n$ rewards
    summing to $s$ the posterior precision is $\tau_0 + n/\sigma^2$ and its mean
    $(\tau_0 \mu_0 + s/\sigma^2) / (\tau_0 + n/\sigma^2)$. With the defaults this is Agrawal &
    Goyal's $N(s/(n+1), 1/(n+1))$. Not in river.

    Parameters
    ----------
    mu_0
        Prior mean of every arm.
    tau_0
        Prior precision (> 0).
    sigma
        Standard deviation of the reward noise (> 0).
    burn_in
        Each arm is pulled until it has received `burn_in` rewards.
    seed
        Random number generator seed for reproducibility.

    Examples
    --------
    >>> from rapidriver import bandit
    >>> policy = bandit.GaussianThompsonSampling(seed=0)
    >>> env = bandit.GaussianEnv([0.0, 1.0, 0.5])
    >>> result = bandit.simulate(policy, env, 2000, seed=0)
    >>> policy.ranking[0]
    1

    References
    ----------
    [^1]: Agrawal, S. & Goyal, N. (2013). Further optimal regret bounds for Thompson sampling.
        AISTATS.
    """

    _KIND = "gaussian_thompson"

    def __init__(
        self,
        mu_0: float = 0.0,
        tau_0: float = 1.0,
        sigma: float = 1.0,
        burn_in: int = 0,
        seed: int | None = None,
    ):
        self.mu_0 = mu_0
        self.tau_0 = tau_0
        self.sigma = sigma
        self.burn_in = burn_in
        self.seed = seed
        self._build()

    def _core_params(self):
        return {"mu_0": self.mu_0, "tau_0": self.tau_0, "sigma": self.sigma}
