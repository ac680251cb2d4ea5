from __future__ import annotations

from river import proba

from rapidriver.bandit.base import RustPolicy

__all__ = ["ThompsonSampling"]


class ThompsonSampling(RustPolicy):
    """Thompson sampling with Beta posteriors, a drop-in replacement for river's.

    Each arm's posterior is Beta(alpha + successes, beta + failures); a reward r in [0, 1]
    adds r to the successes and 1 - r to the failures (for 0/1 rewards this is river's update).
    Unlike river 0.26, `ThompsonSampling()` works with no arguments (a Beta(1, 1) prior).
    For Gaussian rewards use `GaussianThompsonSampling`.

    Parameters
    ----------
    reward_obj
        `None` for a Beta(1, 1) prior, or a `river.proba.Beta` whose `alpha` and `beta` are the
        prior of every arm. Other distributions raise `ValueError`.
    burn_in
        Each arm is pulled until it has received `burn_in` rewards.
    seed
        Random number generator seed for reproducibility.

    Examples
    --------
    >>> from rapidriver import bandit
    >>> policy = bandit.ThompsonSampling(seed=3)
    >>> result = bandit.simulate(policy, bandit.BernoulliEnv([0.4, 0.6]), 3000, seed=0)
    >>> policy.ranking[0]
    1

    References
    ----------
    [^1]: Chapelle, O. & Li, L. (2011). An empirical evaluation of Thompson sampling. NeurIPS.
    """

    _KIND = "thompson"

    def __init__(self, reward_obj=None, burn_in: int = 0, seed: int | None = None):
        self.reward_obj = reward_obj
        self.reward_scaler = None
        self.burn_in = burn_in
        self.seed = seed
        if reward_obj is not None and not isinstance(reward_obj, proba.Beta):
            raise ValueError(
                f"reward_obj={reward_obj!r} is not supported: ThompsonSampling keeps Beta "
                "posteriors; pass None or river.proba.Beta(alpha, beta), or use "
                "GaussianThompsonSampling for real-valued rewards."
            )
        self._build()

    def _core_params(self):
        prior = self.reward_obj if self.reward_obj is not None else proba.Beta()
        return {"alpha": float(prior.alpha), "beta": float(prior.beta)}

    @classmethod
    def _unit_test_params(cls):
        yield {"reward_obj": proba.Beta()}
