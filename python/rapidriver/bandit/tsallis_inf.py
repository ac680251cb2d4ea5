"""Tsallis-INF."""

from __future__ import annotations

from rapidriver.bandit.base import RustPolicy


class TsallisInf(RustPolicy):
    r"""Tsallis-INF: online mirror descent with the 1/2-Tsallis entropy, for adversarial and
    stochastic rewards alike.

    Arm probabilities are $p_i = 4 / (\eta_t (\hat L_i - x))^2$, normalised over `x` by Newton's
    method, with $\eta_t = 2 / \sqrt{t}$; the losses $1 - r$ are estimated by importance
    weighting with the reduced-variance baseline 1/2. It is optimal in both regimes without
    knowing which one it is in; "Learning to Relax" uses it to choose a solver's relaxation
    parameter from iteration counts. Rewards must lie in [0, 1]. Not in river.

    With `adaptive_scale`, costs are self-normalised as "Learning to Relax" treats iteration
    counts: each loss is shifted by the smallest loss seen before it and the estimates are
    divided by the mean shifted loss, so losses that are small fractions of their cap (an
    iteration count over `max_iter`) move the weights as fast as unit-scale ones would. Use it
    whenever rewards are `1 - cost / cap` with costs far below the cap.

    Parameters
    ----------
    adaptive_scale
        Self-normalise the losses (see above).
    burn_in
        Each arm is pulled until it has received `burn_in` rewards.
    seed
        Random number generator seed for reproducibility.

    Examples
    --------
    >>> from rapidriver import bandit
    >>> policy = bandit.TsallisInf(seed=0)
    >>> result = bandit.simulate(policy, bandit.BernoulliEnv([0.2, 0.5, 0.8]), 3000, seed=0)
    >>> policy.ranking[0]
    2

    References
    ----------
    [^1]: Zimmert, J. & Seldin, Y. (2021). Tsallis-INF: An optimal algorithm for stochastic and
        adversarial bandits. JMLR 22(28).
    """

    _KIND = "tsallis_inf"

    def __init__(self, adaptive_scale: bool = False, burn_in: int = 0, seed: int | None = None):
        self.adaptive_scale = adaptive_scale
        self.burn_in = burn_in
        self.seed = seed
        self._build()

    def _core_params(self):
        return {"adaptive_scale": self.adaptive_scale}
