"""Input distributions for :mod:`rapidriver.sampling`.

Each law is held in Rust; the Python classes store their parameters and forward vectorised
sampling, log-density and the isoprobabilistic transform (to and from standard-normal space).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from rapidriver import _core

__all__ = [
    "Distribution",
    "Exponential",
    "GaussianCopula",
    "Gumbel",
    "Independent",
    "LogNormal",
    "Normal",
    "Uniform",
]


class Distribution:
    """Base class: a law over ``R^d`` backed by a Rust object.

    Examples
    --------
    >>> from rapidriver.sampling import Normal
    >>> Normal(1.0, 2.0).sample(3, seed=0).shape
    (3, 1)
    """

    _inner: _core.Distribution

    @property
    def dim(self) -> int:
        """Number of input variables."""
        return self._inner.dim

    def sample(self, n: int, seed: int | None = None) -> np.ndarray:
        """``n`` points, shape ``(n, dim)``, from a generator seeded with ``seed``."""
        return self._inner.sample(n, seed)

    def log_pdf(self, x: np.ndarray) -> np.ndarray:
        """Log-density at each row of ``x`` (``-inf`` outside the support)."""
        return self._inner.log_pdf(_rows(x, self.dim, "x"))

    def to_standard(self, x: np.ndarray) -> np.ndarray:
        """The isoprobabilistic transform: standard-normal images of the rows of ``x``."""
        return self._inner.to_standard(_rows(x, self.dim, "x"))

    def from_standard(self, u: np.ndarray) -> np.ndarray:
        """The inverse transform: physical points of the standard-normal rows ``u``."""
        return self._inner.from_standard(_rows(u, self.dim, "u"))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Distribution) and self._inner == other._inner

    def __hash__(self) -> int:
        return hash(repr(self._inner))

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.startswith("_"))
        return f"{type(self).__name__}({params})"


def _rows(x: np.ndarray, d: int, name: str) -> np.ndarray:
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim == 1 and d == 1:
        arr = arr[:, None]
    elif arr.ndim == 1 and arr.shape[0] == d:
        arr = arr[None, :]
    if arr.ndim != 2 or arr.shape[1] != d:
        raise ValueError(f"`{name}` must have shape (n, {d}), got {np.shape(x)}")
    return np.ascontiguousarray(arr)


class Normal(Distribution):
    """Normal law with mean ``mu`` and standard deviation ``sigma``.

    Examples
    --------
    >>> from rapidriver.sampling import Normal
    >>> float(Normal(0.0, 1.0).to_standard([[1.5]])[0, 0])
    1.5
    """

    def __init__(self, mu: float = 0.0, sigma: float = 1.0):
        self.mu = mu
        self.sigma = sigma
        self._inner = _core.Distribution.normal(float(mu), float(sigma))


class LogNormal(Distribution):
    """``exp(N(mu, sigma^2))``; :meth:`from_mean_cov` builds it from its mean and coefficient
    of variation.

    Examples
    --------
    >>> from rapidriver.sampling import LogNormal
    >>> law = LogNormal.from_mean_cov(200.0, 0.06)
    >>> round(float(law.sample(200_000, seed=1).mean()), 0)
    200.0
    """

    def __init__(self, mu: float = 0.0, sigma: float = 1.0):
        self.mu = mu
        self.sigma = sigma
        self._inner = _core.Distribution.lognormal(float(mu), float(sigma))

    @classmethod
    def from_mean_cov(cls, mean: float, cov: float) -> LogNormal:
        """The lognormal law with mean ``mean`` and coefficient of variation ``cov``."""
        if not (np.isfinite(mean) and mean > 0):
            raise ValueError(f"invalid parameter `mean`: must be a finite number > 0, got {mean}")
        if not (np.isfinite(cov) and cov > 0):
            raise ValueError(f"invalid parameter `cov`: must be a finite number > 0, got {cov}")
        s2 = float(np.log1p(cov * cov))
        return cls(float(np.log(mean)) - 0.5 * s2, float(np.sqrt(s2)))


class Uniform(Distribution):
    """Uniform law on ``[a, b]``.

    Examples
    --------
    >>> from rapidriver.sampling import Uniform
    >>> bool((Uniform(-1, 1).sample(100, seed=0) <= 1).all())
    True
    """

    def __init__(self, a: float = 0.0, b: float = 1.0):
        self.a = a
        self.b = b
        self._inner = _core.Distribution.uniform(float(a), float(b))


class Exponential(Distribution):
    """Exponential law with rate ``rate`` (mean ``1 / rate``).

    Examples
    --------
    >>> from rapidriver.sampling import Exponential
    >>> round(float(Exponential(2.0).log_pdf([[0.0]])[0]), 6)
    0.693147
    """

    def __init__(self, rate: float = 1.0):
        self.rate = rate
        self._inner = _core.Distribution.exponential(float(rate))


class Gumbel(Distribution):
    """Gumbel (maximum) law with location ``loc`` and scale ``scale``.

    Examples
    --------
    >>> from rapidriver.sampling import Gumbel
    >>> Gumbel(1.0, 0.5).dim
    1
    """

    def __init__(self, loc: float = 0.0, scale: float = 1.0):
        self.loc = loc
        self.scale = scale
        self._inner = _core.Distribution.gumbel(float(loc), float(scale))


class Independent(Distribution):
    """The joint law of independent parts (each one- or multi-dimensional).

    Examples
    --------
    >>> from rapidriver.sampling import Independent, Normal, Uniform
    >>> Independent([Normal(0, 1), Uniform(0, 2)]).dim
    2
    """

    def __init__(self, marginals: Sequence[Distribution]):
        self.marginals = list(marginals)
        _check_laws(self.marginals, "marginals")
        self._inner = _core.Distribution.independent([m._inner for m in self.marginals])


class GaussianCopula(Distribution):
    """One-dimensional marginals coupled by a Gaussian copula with correlation matrix
    ``correlation`` (of the normal scores).

    Examples
    --------
    >>> from rapidriver.sampling import GaussianCopula, Normal
    >>> law = GaussianCopula([Normal(0, 1), Normal(0, 1)], [[1.0, 0.5], [0.5, 1.0]])
    >>> x = law.sample(50_000, seed=0)
    >>> round(float(np.corrcoef(x.T)[0, 1]), 1)
    0.5
    """

    def __init__(self, marginals: Sequence[Distribution], correlation):
        self.marginals = list(marginals)
        self.correlation = np.asarray(correlation, dtype=np.float64)
        _check_laws(self.marginals, "marginals")
        self._inner = _core.Distribution.gaussian_copula(
            [m._inner for m in self.marginals], np.ascontiguousarray(self.correlation)
        )


def _check_laws(laws: Sequence[object], name: str) -> None:
    for law in laws:
        if not isinstance(law, Distribution):
            raise TypeError(
                f"`{name}` must hold rapidriver.sampling distributions, got {type(law).__name__}"
            )
