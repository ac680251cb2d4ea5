"""ChebCB: a contextual bandit over one scalar context."""

from __future__ import annotations

from rapidriver.bandit.base import RustContextualPolicy

__all__ = ["ChebCB"]


class ChebCB(RustContextualPolicy):
    r"""ChebCB, the contextual bandit of "Learning to Relax" for a scalar context.

    Each arm regresses its loss $1 - r$ on the Chebyshev polynomials $T_0, \dots, T_d$ of the
    context mapped from `[low, high]` onto `[-1, 1]` (values outside are clamped), by ridge
    regression kept current with rank-one updates in Rust. Arms are drawn by inverse-gap
    weighting (SquareCB): the arm with the smallest predicted loss keeps most of the mass, any
    other arm gets $1 / (K + \gamma_t \Delta_i)$ with $\Delta_i$ its predicted gap in units of
    the mean loss so far and $\gamma_t = \gamma\, t \sqrt{K / (1 + R_t)}$, $R_t$ the squared
    prediction error accumulated so far. The paper fits each arm by box-constrained least
    squares; ridge regression needs no quadratic program per round. The context is a dict with
    one numeric feature (the first feature the policy saw is the one it reads). Not in river.

    Parameters
    ----------
    low, high
        The interval of the context (`low < high`).
    degree
        Highest Chebyshev polynomial (the paper uses 5, i.e. six coefficients per arm).
    gamma
        Exploitation strength (> 0): larger values trust the regression sooner.
    ridge
        Prior precision of each arm's coefficients (> 0).
    burn_in
        Each arm is pulled until it has received `burn_in` rewards.
    seed
        Random number generator seed for reproducibility.

    Examples
    --------
    >>> from rapidriver import bandit
    >>> policy = bandit.ChebCB(low=0.0, high=1.0, seed=0)
    >>> arms = ["left", "right"]
    >>> for t in range(400):
    ...     c = (t * 0.37) % 1.0
    ...     arm = policy.pull(arms, {"c": c})
    ...     policy.update(arm, {"c": c}, 1.0 if (arm == "right") == (c > 0.5) else 0.0)
    >>> policy.pull(arms, {"c": 0.9}), policy.pull(arms, {"c": 0.1})
    ('right', 'left')

    References
    ----------
    [^1]: Khodak, M., Chow, E., Balcan, M.-F. & Talwalkar, A. (2024). Learning to relax:
        setting solver parameters across a sequence of linear system instances. ICLR.
    [^2]: Foster, D. & Rakhlin, A. (2020). Beyond UCB: optimal and efficient contextual
        bandits with regression oracles. ICML.
    """

    _KIND = "cheb_cb"

    def __init__(
        self,
        low: float = 0.0,
        high: float = 1.0,
        degree: int = 5,
        gamma: float = 10.0,
        ridge: float = 1e-3,
        burn_in: int = 0,
        seed: int | None = None,
    ):
        self.low = low
        self.high = high
        self.degree = degree
        self.gamma = gamma
        self.ridge = ridge
        self.burn_in = burn_in
        self.seed = seed
        self._build()

    def _core_params(self):
        return {
            "low": self.low,
            "high": self.high,
            "degree": self.degree,
            "gamma": self.gamma,
            "ridge": self.ridge,
        }
