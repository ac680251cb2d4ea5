"""Many expectations of one model from one sample: adaptive importance sampling with control
variates (ISCV), and plain Monte Carlo and importance sampling with the same interface.

Targets are ``I_k = E_{f_k}[phi_k(X)]``: the columns ``phi_k`` of ``funcs`` under one input law,
or one function under several laws ``f_k``, or K columns under K laws. ``funcs`` is called once
per batch on an ``(n, d)`` array and returns ``(n,)`` or ``(n, K)``; everything else (weights,
cross-entropy fits, EM, the mixture weights, the regressions, the stopping rule) runs in Rust.

Functions that change sign: the published algorithm assumes ``phi >= 0``. Here every target
whose function takes both signs on the pilot batch gets two mixture components, fitted by
cross-entropy to ``phi^+ f`` and ``phi^- f``, and two control variates; if both components were
exact, ``f phi = I^+ g^+ - I^- g^-`` and the estimator would have zero variance.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

import numpy as np

from rapidriver import _core
from rapidriver.sampling.distributions import Distribution

__all__ = ["ExpectationResult", "estimate_expectations", "importance_sampling", "monte_carlo"]


@dataclasses.dataclass
class ExpectationResult:
    """Estimates of the K targets.

    Attributes
    ----------
    estimates, std_errors : np.ndarray
        The estimates and their standard errors, shape ``(K,)``.
    covariance : np.ndarray
        Covariance matrix of the estimates, ``(K, K)``.
    runs_adaptation, runs_final : int
        Model runs spent adapting the proposal, and on the final (fresh) sample.
    history : list of dict
        Per adaptation step: ``runs`` spent so far, mixture weights ``alpha``, per-target
        per-sample ``variances`` and the ``predicted`` final weighted variance.
    split : list of bool
        Per target, whether its function changed sign and was split into two parts.
    """

    estimates: np.ndarray
    std_errors: np.ndarray
    covariance: np.ndarray
    runs_adaptation: int
    runs_final: int
    history: list[dict]
    split: list[bool]

    @property
    def runs(self) -> int:
        """All model runs spent."""
        return self.runs_adaptation + self.runs_final


def _laws(inputs) -> list[Distribution]:
    laws = [inputs] if isinstance(inputs, Distribution) else list(inputs)
    if not laws:
        raise ValueError("`inputs` must not be empty")
    for law in laws:
        if not isinstance(law, Distribution):
            raise TypeError(
                "`inputs` must be a rapidriver.sampling distribution or a list of them, "
                f"got {type(law).__name__}"
            )
    return laws


def _as_float(y, name: str) -> np.ndarray:
    """The model's output as a float64 array, or a TypeError naming the model argument."""
    try:
        return np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise TypeError(f"`{name}` must return numbers, got {type(y).__name__}") from err


def _outputs(y, n: int) -> np.ndarray:
    arr = _as_float(y, "funcs")
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[0] != n:
        raise ValueError(f"`funcs` must return shape ({n},) or ({n}, K), got {np.shape(y)}")
    return np.ascontiguousarray(arr)


def _drive(run, model: Callable[[np.ndarray], object], progress: bool, shape) -> None:
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=run.budget, desc="model runs", unit="run", leave=False)
    try:
        while (x := run.ask()) is not None:
            y = model(x)
            run.tell(shape(y, x.shape[0]))
            if bar is not None:
                bar.update(run.runs - bar.n)
    finally:
        if bar is not None:
            bar.close()


def _run(method, funcs, inputs, budget, weights, progress, **kw) -> ExpectationResult:
    if not callable(funcs):
        raise TypeError(f"`funcs` must be callable, got {type(funcs).__name__}")
    laws = _laws(inputs)
    w = None if weights is None else np.ascontiguousarray(weights, dtype=np.float64).ravel()
    est = _core.Estimator([law._inner for law in laws], budget, method, w, **kw)
    _drive(est, funcs, progress, _outputs)
    return ExpectationResult(**est.outcome())


def estimate_expectations(
    funcs: Callable[[np.ndarray], np.ndarray],
    inputs: Distribution | Sequence[Distribution],
    budget: int,
    weights: Sequence[float] | np.ndarray | None = None,
    family: str = "gaussian",
    seed: int = 0,
    *,
    diag: bool = False,
    n_components: int = 2,
    progress: bool = False,
) -> ExpectationResult:
    """Estimate K expectations from one adaptive sample (Demange-Chryst, Bachoc, Morio 2023).

    The proposal is a mixture ``sum_j alpha_j g_j`` in the inputs' standard-normal space with
    one component per target (two for sign-changing targets). Batches of ``budget // 10`` runs
    adapt it (at most half the budget): cross-entropy fits of each ``g_j`` from all samples so far
    (recycled through the mixture of the proposals used), ``alpha`` minimising the weighted sum of
    estimated variances over the simplex, and the control coefficients ``beta`` by regression on
    the newest batch. Adaptation stops when the predicted final weighted variance
    ``sum_k w_k v_k / (runs left)`` stops decreasing; the remaining budget is then drawn fresh
    from the best proposal, so the estimates are unbiased.

    Parameters
    ----------
    funcs
        Vectorised model: ``(n, d)`` array to ``(n,)`` or ``(n, K)``.
    inputs
        One input law, or a list of K.
    budget
        Model runs to spend (at least ``10 * max(10, 2 (d + 1))``).
    weights
        Positive weights of the criterion ``sum_k w_k Var(I_k)``, e.g. ``1 / I_k^2`` for
        relative variances; default all ones.
    family
        ``"gaussian"`` (one Gaussian per component) or ``"mixture"`` (a Gaussian mixture of
        ``n_components`` fitted by weighted EM); ``diag`` restricts covariances to diagonals.
    seed
        Seed of the estimator's generator.
    progress
        Show a progress bar of the runs spent.

    Examples
    --------
    >>> import numpy as np
    >>> from rapidriver.sampling import Normal, estimate_expectations
    >>> res = estimate_expectations(lambda x: x**2, Normal(0, 1), budget=2000, seed=0)
    >>> bool(abs(res.estimates[0] - 1.0) < 4 * res.std_errors[0])
    True
    """
    return _run(
        "iscv",
        funcs,
        inputs,
        budget,
        weights,
        progress,
        family_name=family,
        n_components=n_components,
        diag=diag,
        seed=seed,
    )


def monte_carlo(
    funcs: Callable[[np.ndarray], np.ndarray],
    inputs: Distribution | Sequence[Distribution],
    budget: int,
    weights: Sequence[float] | np.ndarray | None = None,
    seed: int = 0,
    *,
    progress: bool = False,
) -> ExpectationResult:
    """Plain Monte Carlo with the interface of :func:`estimate_expectations`.

    With K input laws the budget is split evenly and each target uses its own law's sample.
    ``weights`` are checked but do not change the estimator.

    Examples
    --------
    >>> from rapidriver.sampling import Normal, monte_carlo
    >>> res = monte_carlo(lambda x: x[:, 0], Normal(3, 1), budget=10_000, seed=0)
    >>> bool(abs(res.estimates[0] - 3) < 0.05)
    True
    """
    return _run("mc", funcs, inputs, budget, weights, progress, seed=seed)


def importance_sampling(
    funcs: Callable[[np.ndarray], np.ndarray],
    inputs: Distribution | Sequence[Distribution],
    budget: int,
    weights: Sequence[float] | np.ndarray | None = None,
    proposal: Distribution | None = None,
    seed: int = 0,
    *,
    progress: bool = False,
) -> ExpectationResult:
    """Plain importance sampling from a fixed ``proposal`` (default: the equal mixture of the
    input laws), with the interface of :func:`estimate_expectations`.

    Examples
    --------
    >>> from rapidriver.sampling import Normal, importance_sampling
    >>> res = importance_sampling(lambda x: x[:, 0], Normal(1, 1), 20_000, proposal=Normal(0, 2))
    >>> bool(abs(res.estimates[0] - 1) < 0.1)
    True
    """
    if proposal is not None and not isinstance(proposal, Distribution):
        raise TypeError(f"`proposal` must be a distribution, got {type(proposal).__name__}")
    q = None if proposal is None else proposal._inner
    return _run("is", funcs, inputs, budget, weights, progress, proposal=q, seed=seed)
