"""SOR on scipy matrices, the heat-equation instances, and the bandit tuning loop."""

from __future__ import annotations

import math
import typing

import numpy as np
from river import bandit as river_bandit

from rapidriver import _core
from rapidriver.bandit import ChebCB

__all__ = [
    "SORTuner",
    "SolveResult",
    "TuningResult",
    "heat_sequence",
    "shifted_laplacian_sequence",
    "sor",
    "tune_sor",
]


class SolveResult(typing.NamedTuple):
    x: np.ndarray
    iterations: int
    residual: float
    converged: bool


class TuningResult(typing.NamedTuple):
    """Per instance: the omega chosen, the iterations it took, and the running total."""

    omegas: np.ndarray
    iterations: np.ndarray
    cumulative_cost: np.ndarray


def _matrix(A) -> _core.CsrMatrix:
    import scipy.sparse as sp

    if isinstance(A, _core.CsrMatrix):
        return A
    if not sp.issparse(A):
        raise TypeError(f"`A` must be a scipy.sparse matrix, got {type(A).__name__}")
    A = sp.csr_matrix(A)
    A.sum_duplicates()
    return _core.CsrMatrix(
        A.shape,
        A.indptr.astype(np.int64),
        A.indices.astype(np.int64),
        A.data.astype(np.float64),
    )


def sor(
    A,
    b: np.ndarray,
    omega: float,
    tol: float = 1e-8,
    max_iter: int = 10_000,
    x0: np.ndarray | None = None,
    symmetric: bool = False,
) -> SolveResult:
    """Solve `A x = b` by successive over-relaxation (in Rust, GIL released).

    Stops when the relative residual `||b - A x|| / ||b||` is at most `tol` or after
    `max_iter` sweeps. `omega = 1` is Gauss-Seidel; `symmetric` sweeps forward then backward
    (SSOR). `A` is a square scipy sparse matrix with a non-zero diagonal.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> from rapidriver import solvers
    >>> A = sp.csr_matrix(np.array([[4.0, 1.0], [1.0, 3.0]]))
    >>> result = solvers.sor(A, np.array([1.0, 2.0]), omega=1.0, tol=1e-12)
    >>> np.round(result.x * 11, 6).tolist(), result.converged
    ([1.0, 7.0], True)
    """
    matrix = _matrix(A)
    b = np.ascontiguousarray(b, dtype=np.float64)
    x0 = np.zeros(matrix.n) if x0 is None else np.ascontiguousarray(x0, dtype=np.float64)
    return SolveResult(*matrix.solve(b, x0, float(omega), float(tol), max_iter, symmetric))


def heat_sequence(
    n_systems: int,
    grid: int = 12,
    diffusion: tuple[float, float] = (0.2, 20.0),
    period: int = 250,
    seed: int = 0,
) -> typing.Iterator[tuple[typing.Any, np.ndarray, float]]:
    """Implicit Euler steps of the 2D heat equation on a `grid x grid` mesh, as `(A, b, c)`.

    `A = I + c L` (5-point Laplacian, Dirichlet boundaries) with a diffusion number `c` that
    oscillates on a log scale between `diffusion[0]` and `diffusion[1]` with the given
    `period` (plus a little noise); `b` is a seeded random right-hand side. The best SOR omega
    grows with `c`, so `c` is the context a contextual tuner can use.

    Examples
    --------
    >>> from rapidriver import solvers
    >>> A, b, c = next(solvers.heat_sequence(5, grid=4, seed=1))
    >>> A.shape, b.shape, round(c, 3)
    ((16, 16), (16,), 2.035)
    """
    import scipy.sparse as sp

    if n_systems < 0 or grid < 1 or period < 1:
        raise ValueError("`n_systems` must be >= 0, `grid` and `period` >= 1")
    lo, hi = diffusion
    if not (0 < lo <= hi and math.isfinite(hi)):
        raise ValueError(f"`diffusion` must be 0 < low <= high, got {diffusion!r}")
    rng = np.random.default_rng(seed)
    n = grid * grid
    for t in range(n_systems):
        phase = 0.5 + 0.5 * math.sin(2 * math.pi * t / period)
        c = float(lo * (hi / lo) ** phase * math.exp(0.05 * rng.standard_normal()))
        indptr, indices, data = _core.heat_step_csr(grid, c)
        yield sp.csr_matrix((data, indices, indptr), shape=(n, n)), rng.standard_normal(n), c


def shifted_laplacian_sequence(
    n_systems: int,
    grid: int = 10,
    shift_low: float = -0.15,
    shift_width: float = 0.6,
    shift_beta: tuple[float, float] = (0.5, 1.5),
    seed: int = 0,
) -> typing.Iterator[tuple[typing.Any, np.ndarray, float]]:
    """The diagonal-shift instances of "Learning to Relax", as `(A, b, c)`.

    `A = L + c I` with `L` the 5-point Laplacian of a `grid x grid` mesh (diagonal 4, the
    paper's `delsq(numgrid('S', 12))` for `grid=10`) and i.i.d. shifts
    `c = shift_low + shift_width * Beta(*shift_beta)` (the paper's high-variance setting by
    default); `b` is standard normal, clipped to [-3, 3]. The best omega falls as `c` grows, so
    `c` is the context of a contextual tuner such as `bandit.ChebCB(low, low + width)`.

    Examples
    --------
    >>> from rapidriver import solvers
    >>> A, b, c = next(solvers.shifted_laplacian_sequence(3, grid=4, seed=0))
    >>> A.shape, bool(A[0, 0] == 4 + c), -0.15 <= c <= 0.45
    ((16, 16), True, True)
    """
    import scipy.sparse as sp

    if n_systems < 0 or grid < 1:
        raise ValueError("`n_systems` must be >= 0 and `grid` >= 1")
    a, b_ = shift_beta
    if not (a > 0 and b_ > 0 and math.isfinite(a) and math.isfinite(b_)):
        raise ValueError(f"`shift_beta` must be two positive numbers, got {shift_beta!r}")
    if not (math.isfinite(shift_low) and math.isfinite(shift_width) and shift_width >= 0):
        raise ValueError("`shift_low` must be finite and `shift_width` finite and >= 0")
    rng = np.random.default_rng(seed)
    n = grid * grid
    for _ in range(n_systems):
        c = float(shift_low + shift_width * rng.beta(a, b_))
        indptr, indices, data = _core.shifted_laplacian_csr(grid, c)
        rhs = np.clip(rng.standard_normal(n), -3.0, 3.0)
        yield sp.csr_matrix((data, indices, indptr), shape=(n, n)), rhs, c


def _features(context: float) -> dict[str, float]:
    # A scalar context as features a linear contextual policy can use: the log-diffusion and
    # its square, so that the best arm may move non-monotonically.
    z = math.log(context) if context > 0 else 0.0
    return {"bias": 1.0, "z": z, "z2": z * z}


class SORTuner:
    """Solve a sequence of systems with SOR, a bandit choosing omega for each one.

    The policy (any `rapidriver.bandit` policy) picks among `omegas`. A contextual one receives
    the context: `ChebCB` the scalar itself (`{"context": c}`), linear ones (`LinUCBDisjoint`,
    `LinTS`) the features `1, log c, (log c)^2`; its reward is `1 - iterations / max_iter`, so fewer
    iterations are better and rewards stay in [0, 1]. With `warm_start`, each solve starts from
    the previous solution.

    Examples
    --------
    >>> from rapidriver import bandit, solvers
    >>> tuner = solvers.SORTuner(bandit.TsallisInf(seed=0), omegas=[1.0, 1.5, 1.8], max_iter=500)
    >>> for A, b, c in solvers.heat_sequence(50, grid=8, seed=0):
    ...     result = tuner.solve(A, b)
    >>> len(tuner.history), all(it > 0 for _, it in tuner.history)
    (50, True)
    """

    def __init__(
        self,
        policy,
        omegas: typing.Sequence[float],
        tol: float = 1e-8,
        max_iter: int = 1000,
        symmetric: bool = False,
        warm_start: bool = False,
    ):
        omegas = [float(w) for w in omegas]
        if not omegas:
            raise ValueError("`omegas` must not be empty")
        bad = [w for w in omegas if not 0.0 < w < 2.0]
        if bad:
            raise ValueError(f"`omegas` must lie in (0, 2), got {bad}")
        if not isinstance(policy, river_bandit.base.Policy):
            raise TypeError(f"`policy` must be a bandit policy, got {type(policy).__name__}")
        if max_iter < 1:
            raise ValueError(f"`max_iter` must be at least 1, got {max_iter}")
        self.policy = policy
        self.omegas = omegas
        self.tol = tol
        self.max_iter = max_iter
        self.symmetric = symmetric
        self.warm_start = warm_start
        self.history: list[tuple[float, int]] = []
        self._x: np.ndarray | None = None

    @property
    def _contextual(self) -> bool:
        return isinstance(self.policy, river_bandit.base.ContextualPolicy)

    def solve(self, A, b: np.ndarray, context: float | None = None) -> SolveResult:
        """Choose omega, solve, and teach the policy the iteration count."""
        matrix = _matrix(A)
        if self._contextual:
            if context is None:
                raise ValueError("a contextual policy needs a `context` for each system")
            features = (
                {"context": float(context)}
                if isinstance(self.policy, ChebCB)
                else _features(float(context))
            )
            omega = self.policy.pull(self.omegas, features)
        else:
            omega = self.policy.pull(self.omegas)
        x0 = (
            self._x
            if (self.warm_start and self._x is not None and len(self._x) == matrix.n)
            else None
        )
        result = sor(matrix, b, omega, self.tol, self.max_iter, x0, self.symmetric)
        reward = 1.0 - result.iterations / self.max_iter
        if self._contextual:
            self.policy.update(omega, features, reward)
        else:
            self.policy.update(omega, reward)
        self._x = result.x
        self.history.append((omega, result.iterations))
        return result


def tune_sor(
    systems: typing.Iterable,
    policy,
    omegas: typing.Sequence[float],
    tol: float = 1e-8,
    max_iter: int = 1000,
    context: bool | None = None,
    symmetric: bool = False,
    warm_start: bool = False,
) -> TuningResult:
    """Run a whole sequence of `(A, b)` or `(A, b, context)` systems through a `SORTuner`.

    Returns the chosen omega, the iterations and the cumulative iterations per instance.
    `context=False` ignores a third element even when present.

    Examples
    --------
    >>> from rapidriver import bandit, solvers
    >>> result = solvers.tune_sor(solvers.heat_sequence(100, grid=8, seed=0),
    ...                           bandit.TsallisInf(seed=0), omegas=[1.0, 1.4, 1.7])
    >>> int(result.cumulative_cost[-1]) == int(result.iterations.sum())
    True
    """
    tuner = SORTuner(policy, omegas, tol, max_iter, symmetric, warm_start)
    for system in systems:
        A, b, *rest = system
        c = rest[0] if rest and context is not False else None
        tuner.solve(A, b, c)
    chosen = np.array([w for w, _ in tuner.history], dtype=np.float64)
    iterations = np.array([it for _, it in tuner.history], dtype=np.int64)
    return TuningResult(chosen, iterations, np.cumsum(iterations))
