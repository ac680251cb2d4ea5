"""Many expectations from one sample: ISCV (rapidriver.sampling) against plain Monte Carlo,
SALib's Saltelli estimator, OpenTURNS' Sobol' algorithms and a numpy version of the same method.

Run from the project root after `maturin develop --release`::

    python benches/bench_sampling.py           # the paper's repetitions (a few minutes)
    python benches/bench_sampling.py --quick   # a few repetitions (seconds)

Cases (arXiv 2212.00568, budget 2e4 model runs unless said):

- Gaussian moments: X ~ N(0, 1), phi_j = x^(2j), j = 1..10, weights 1/I_j^2; summed relative
  variance over repetitions (exact plain MC: 3.126; the paper prints an empirical 12.78).
- Cantilever-beam Sobol' indices (d = 6): summed variance of the six first-order (and total)
  indices. Every method gets the same number of model runs; a pick-freeze point costs d + 2 = 8.
  Also at 1.6e5 runs = 2e4 of our points. The paper's 2e4 counts points of the 2d = 12
  dimensional pick-freeze integrand (one call of their vector function = d + 1 = 7 model runs:
  f(x) and the six f(y_i)), estimating d + 2 expectations (E[f(x) f(y_i)], E[f], E[f^2]) with
  one full-covariance Gaussian proposal in 12-dimensional standard-normal space, 200
  repetitions; their MC baseline (re-written here in numpy) is the plain pick-freeze estimator
  at 2e4 points = 1.4e5 runs. Case "paper's 2e4 points" gives our ISCV those same 1.4e5 runs.
- 100 input distributions on the beam's mean deflection (Gaussian copula over w, t, L, the
  parameters drawn by Latin hypercube as in the authors' code): separate MC, IS from the mixture
  of the 100 laws, and ISCV.
- Overhead: CPU seconds spent outside the model, ours against a numpy/scipy implementation of
  the same algorithm written here, step for step (same pilot, sign split, CE fits, recycling,
  alpha by the same active-set Newton method, closed-form beta regression, stopping rule, best
  proposal and final sample in batches); one core (threadpoolctl), a warm-up run, the numpy
  version forced to ours' number of adaptive batches, median over seeds. Only this case:
  ``python benches/bench_sampling.py --overhead [--seeds 11]`` (updates the stored rows).

Results: `benches/results/sampling.json` and `sampling.md`.
"""

from __future__ import annotations

import argparse
import json
import math
import pathlib
import platform
import time
import warnings

import numpy as np

from rapidriver.sampling import (
    GaussianCopula,
    Independent,
    LogNormal,
    Normal,
    estimate_expectations,
    importance_sampling,
    monte_carlo,
    sobol_indices,
)

RESULTS = pathlib.Path(__file__).parent / "results"
BEAM_PARAMS = [(556.8, 0.08), (453.6, 0.08), (200.0, 0.06)]
BEAM_NORMAL = [(0.062, 0.0062), (0.0987, 0.00987), (4.29, 0.429)]


def beam(x: np.ndarray) -> np.ndarray:
    fx, fy, e, w, t, length = x.T
    e = 1e9 * e
    return 4 * length**3 / (e * w * t) * np.sqrt((fx / w**2) ** 2 + (fy / t**2) ** 2)


def beam_law():
    return Independent(
        [LogNormal.from_mean_cov(m, c) for m, c in BEAM_PARAMS]
        + [Normal(m, s) for m, s in BEAM_NORMAL]
    )


def beam_from_standard(z: np.ndarray) -> np.ndarray:
    """The beam law's inverse transform in numpy (for the baselines and the numpy ISCV)."""
    x = np.empty_like(z)
    for i, (m, c) in enumerate(BEAM_PARAMS):
        s2 = math.log1p(c * c)
        x[:, i] = np.exp(math.log(m) - s2 / 2 + math.sqrt(s2) * z[:, i])
    for i, (m, s) in enumerate(BEAM_NORMAL):
        x[:, 3 + i] = m + s * z[:, 3 + i]
    return x


class Timed:
    """Wraps a model and adds up the CPU seconds (``time.process_time``) spent inside it."""

    def __init__(self, fn):
        self.fn = fn
        self.seconds = 0.0
        self.calls = 0

    def __call__(self, x):
        t = time.process_time()
        y = self.fn(x)
        self.seconds += time.process_time() - t
        self.calls += 1
        return y


def _cpu_outside(fn, model, *args):
    """CPU seconds of ``fn(timed_model, *args)`` minus those inside the model, the result and
    the number of model calls."""
    timed = Timed(model)
    t = time.process_time()
    out = fn(timed, *args)
    return time.process_time() - t - timed.seconds, out, timed.calls



# ----------------------------------------------------------------------------- numpy ISCV
#
# The same algorithm as rapidriver's Rust core (rust/core/src/sampling/iscv.rs), for one
# standard-normal input law and the Gaussian (full covariance) family, step for step: pilot
# batch, sign split, CE fits from all samples with recycling weights f / h (h the equal mixture
# of the proposals used), alpha by the same active-set Newton method on the simplex (simplex.rs),
# beta by the same closed-form regression, the stopping rule, the best proposal (the pilot
# included) and the final sample in batches of the same size. Storage is preallocated (no
# re-concatenation per batch); every density is computed once, as in Rust.

ALPHA_FLOOR = 1e-10
COV_JITTER = 1e-6


def _std_logpdf(U):
    return -0.5 * np.einsum("ij,ij->i", U, U) - 0.5 * U.shape[1] * math.log(2 * math.pi)


def _mvn_logpdf(U, mean, linv, log_norm):
    """Log-density through the inverse Cholesky factor (as in Rust)."""
    y = (U - mean) @ linv.T
    return log_norm - 0.5 * np.einsum("ij,ij->i", y, y)


def _gauss(mean, cov):
    """(mean, L, L^-1, log normaliser), or None if cov is not positive definite."""
    try:
        chol = np.linalg.cholesky(cov)
    except np.linalg.LinAlgError:
        return None
    d = len(mean)
    from scipy.linalg import solve_triangular

    linv = solve_triangular(chol, np.eye(d), lower=True)
    log_norm = -0.5 * d * math.log(2 * math.pi) - np.log(np.diag(chol)).sum()
    return mean, chol, linv, log_norm


def _comp_logpdfs(comps, U):
    return np.column_stack([_mvn_logpdf(U, c[0], c[2], c[3]) for c in comps])


def _mix_log_rows(LG, alpha):
    """ln g_alpha per row and the ratios g_j / g_alpha (Rust's mix_log_rows)."""
    m = LG.max(1)
    shift = np.where(np.isfinite(m), m, 0.0)
    E = np.exp(LG - shift[:, None])
    s = E @ alpha
    return m + np.log(s), E / s[:, None]


def _project(v, floor):
    """Euclidean projection onto {x >= floor, sum x = 1} (sort-based, as in Rust)."""
    mass = 1.0 - floor * len(v)
    s = np.sort(v - floor)[::-1]
    t = (np.cumsum(s) - mass) / np.arange(1, len(v) + 1)
    ok = np.flatnonzero(s - t > 0)
    theta = t[ok[-1]] if len(ok) else 0.0
    return np.maximum(v - floor - theta, 0.0) + floor


def _spd_solve(H, B):
    top = np.diag(H).max()
    if not (top > 0 and np.isfinite(top)):
        return None
    from scipy.linalg import cho_factor, cho_solve

    ridge = 1e-12 * top
    for _ in range(4):
        try:
            return cho_solve(cho_factor(H + ridge * np.eye(len(H)), lower=True), B)
        except np.linalg.LinAlgError:
            ridge *= 1e3
    return None


def simplex_minimize(G, a, start, floor=ALPHA_FLOOR):
    """Rust's simplex::minimize in numpy: min sum_i a_i / (G alpha)_i over the floored simplex
    by the active-set Newton method with the projected path, then backtracking."""
    x = _project(np.asarray(start, dtype=float), floor)
    j = len(x)
    pos = a > 0
    if j <= 1 or not pos.any():
        return x
    G, a = G[pos], a[pos]  # rows with a_i = 0 add nothing to F, its gradient or Hessian
    mix = G @ x
    fx = (a / mix).sum()
    if not np.isfinite(fx):
        return x
    free = x > floor + 1e-12
    for _ in range(100):
        c = a / (mix * mix)
        grad = -(c @ G)
        s = 2.0 * c / mix
        h_idx = np.flatnonzero(free)
        Gf = G[:, h_idx]
        H = (Gf * s[:, None]).T @ Gf
        mu = -grad[free].sum() / max(free.sum(), 1)
        tol = 1e-9 * max(abs(mu), 1e-300)
        rel = ~free & (grad + mu < -tol)
        released = bool(rel.any())
        free |= rel
        step = None
        while True:
            idx = np.flatnonzero(free)
            p = len(idx)
            if p <= 1:
                break
            if not np.array_equal(idx, h_idx):
                Gf = G[:, idx]
                H = (Gf * s[:, None]).T @ Gf
                h_idx = idx
            sol = _spd_solve(H, np.column_stack([grad[idx], np.ones(p)]))
            if sol is None:
                break
            hg, h1 = sol[:, 0], sol[:, 1]
            den = h1.sum()
            if not (den > 0 and np.isfinite(den)):
                break
            dv = -(hg + (-hg.sum() / den) * h1)
            blocked = idx[(dv < 0) & (x[idx] <= floor + 1e-12)]
            if not len(blocked):
                step = dv
                break
            free[blocked] = False
        if step is None:
            break
        d = step
        slope = grad[idx] @ d
        if not slope < 0 or (-slope <= 1e-9 * fx and not released):
            break
        moved, ft, t = False, fx, 1.0
        for _ in range(8):
            y = x.copy()
            y[idx] += t * d
            y = _project(y, floor)
            my = G @ y
            fy = (a / my).sum()
            lin = grad @ (y - x)
            if np.isfinite(fy) and lin < 0 and fy <= fx + 1e-4 * lin:
                free[y <= floor + 1e-12] = False
                x, mix, ft, moved = y, my, fy, True
                break
            t *= 0.5
        t_max = math.inf
        if not moved:
            neg = np.flatnonzero(d < 0)
            blocking = None
            if len(neg):
                tt = (x[idx[neg]] - floor) / -d[neg]
                b = int(np.argmin(tt))
                t_max, blocking = tt[b], idx[neg[b]]
            dmix = G[:, idx] @ d
            t = min(t_max, 1.0)
            accepted = None
            for _ in range(40):
                v = mix + t * dmix
                f_t = math.inf if (v <= 0).any() else (a / v).sum()
                if np.isfinite(f_t) and f_t <= fx + 1e-4 * t * slope:
                    accepted = f_t
                    break
                t *= 0.5
            if accepted is None:
                break
            x[idx] = np.maximum(x[idx] + t * d, floor)
            if t >= t_max and blocking is not None:
                x[blocking] = floor
                free[blocking] = False
            mix = mix + t * dmix
            ft = accepted
        gain = fx - ft
        fx = ft
        if gain <= 1e-10 * fx and not released and t < t_max:
            break
    return _project(x, floor)


def _control(yt, Zt):
    """OLS slopes with an intercept for one or two control variates (Rust's closed form)."""
    p = Zt.shape[1]
    Zc = Zt - Zt.mean(0)
    yc = yt - yt.mean()
    S = Zc.T @ Zc
    sy = Zc.T @ yc
    if p == 1:
        return np.array([sy[0] / S[0, 0]]) if S[0, 0] > 1e-300 else np.zeros(1)
    det = S[0, 0] * S[1, 1] - S[0, 1] * S[1, 0]
    if det != 0 and abs(det) > 1e-12 * abs(S[0, 0] * S[1, 1]):
        return np.array([S[1, 1] * sy[0] - S[0, 1] * sy[1],
                         S[0, 0] * sy[1] - S[1, 0] * sy[0]]) / det
    if S[0, 0] > 1e-300:
        return np.array([sy[0] / S[0, 0], 0.0])
    return np.zeros(2)


def _draw(rng, alpha, comps, n, d):
    """n points from the Gaussian mixture sum_j alpha_j N(m_j, L_j L_j^T)."""
    which = rng.choice(len(alpha), size=n, p=alpha)
    U = np.empty((n, d))
    for j in np.unique(which):
        idx = which == j
        m, chol = comps[j][0], comps[j][1]
        U[idx] = m + rng.standard_normal((idx.sum(), d)) @ chol.T
    return U


def numpy_iscv(funcs, d, budget, weights, seed, n_adapt=None):
    """The ISCV algorithm of rapidriver in numpy/scipy, for one standard-normal input law.

    ``n_adapt``, when given, forces that many adaptive batches (the stopping rule is still
    evaluated); returns the estimates and the number of adaptive batches the stopping rule
    itself would have run (``None`` when it did not stop within the forced batches). The
    estimates come with their standard errors (from the final sample's covariance, as ours).
    """
    rng = np.random.default_rng(seed)
    n = budget // 10
    cap = budget // 2
    n_max = cap // n
    U = np.empty((n_max * n, d))
    U[:n] = rng.standard_normal((n, d))
    Y0 = np.asarray(funcs(U[:n]), dtype=float).reshape(n, -1)
    K = Y0.shape[1]
    Y = np.empty((n_max * n, K))
    Y[:n] = Y0
    logf = np.empty(n_max * n)
    logf[:n] = _std_logpdf(U[:n])
    S = np.empty((n_max, n_max * n))  # stage s's log-density at every sample
    S[0, :n] = logf[:n]
    n_st, runs = 1, n
    parts = []
    for k in range(K):
        if (Y0[:, k] > 0).any() or not (Y0[:, k] < 0).any():
            parts.append((k, 1.0))
        if (Y0[:, k] < 0).any():
            parts.append((k, -1.0))
    tgt = np.array([k for k, _ in parts])
    sgn = np.array([s for _, s in parts])
    groups = [np.flatnonzero(tgt == k) for k in range(K)]
    integ = np.maximum(sgn * Y0[:, tgt], 0).mean(0)
    beta = sgn * integ
    alpha = np.sqrt(weights[tgt]) * integ
    alpha = alpha / alpha.sum() if alpha.sum() > 0 else np.full(len(parts), 1 / len(parts))
    prev = (weights * Y0.var(0, ddof=1)).sum() / (budget - n)
    best = (prev, None, None, None)
    comps = [_gauss(np.zeros(d), np.eye(d))] * len(parts)
    natural = None
    steps = 0
    stages = [None]  # (alpha, comps) of every mixture stage; None: the input law
    while runs + n <= cap and (n_adapt is None or steps < n_adapt):
        m = runs
        Um, Ym, lfm = U[:m], Y[:m], logf[:m]
        Sm = S[:n_st, :m]
        mx = Sm.max(0)
        logh = mx + np.log(np.exp(Sm - mx).sum(0)) - math.log(n_st)
        rl = np.exp(lfm - logh)
        new = []
        for j, (k, s) in enumerate(parts):
            w = rl * np.maximum(s * Ym[:, k], 0)
            tot = w.sum()
            g = None
            if tot > 0 and np.isfinite(tot):
                mu = (w @ Um) / tot
                C = Um - mu
                cov = (C.T * w) @ C / tot + COV_JITTER * np.eye(d)
                g = _gauss(mu, cov)
            new.append(g if g is not None else comps[j])
        comps = new
        LG = _comp_logpdfs(comps, Um)
        M = np.maximum(np.maximum(LG.max(1), lfm), logh)
        G = np.exp(LG - M[:, None])
        psi = np.exp(lfm - M)[:, None] * Ym
        for k in range(K):
            psi[:, k] -= G[:, groups[k]] @ beta[groups[k]]
        hs = np.exp(logh - M)
        A = np.where(hs > 0, (psi * psi) @ weights / hs, 0.0)
        sc = A.sum()
        if sc > 0 and np.isfinite(sc):
            A = A / sc
        alpha = simplex_minimize(G, A, alpha)
        gs = G @ alpha
        S[n_st, :m] = M + np.log(gs)  # the new stage at the old samples
        stages.append((alpha, comps))
        # The new batch, from the new stage.
        Ub = _draw(rng, alpha, comps, n, d)
        Yb = np.asarray(funcs(Ub), dtype=float).reshape(n, -1)
        runs += n
        steps += 1
        lfb = _std_logpdf(Ub)
        lga, Z = _mix_log_rows(_comp_logpdfs(comps, Ub), alpha)
        ratio = np.exp(lfb - lga)[:, None] * Yb
        new_beta = np.zeros(len(parts))
        var = np.zeros(K)
        for k in range(K):
            idx = groups[k]
            b = _control(ratio[:, k], Z[:, idx])
            new_beta[idx] = b
            var[k] = (ratio[:, k] - Z[:, idx] @ b).var(ddof=1)
        pred = (weights * var).sum() / (budget - runs)
        # Every older stage's density at the new samples; the batch's own came with it.
        S[0, m:runs] = lfb
        for i in range(1, n_st):
            a_i, c_i = stages[i]
            S[i, m:runs] = _mix_log_rows(_comp_logpdfs(c_i, Ub), a_i)[0]
        S[n_st, m:runs] = lga
        n_st += 1
        U[m:runs], Y[m:runs], logf[m:runs] = Ub, Yb, lfb
        if pred < best[0]:
            best = (pred, alpha, comps, new_beta)
        improving = pred < prev
        prev, beta = pred, new_beta
        if not improving:
            if natural is None:
                natural = steps
            if n_adapt is None:
                break
    if natural is None and runs + n > cap:
        natural = steps
    _, alpha, comps, beta = best
    # The final values are kept (as ours keeps them) for the standard errors: the covariance
    # of the K estimates, which ours returns with them (and the Sobol' delta method uses).
    V_all = np.empty((budget - runs, K))
    count = 0
    while runs < budget:
        nb = min(n, budget - runs)
        if alpha is None:
            Uf = rng.standard_normal((nb, d))
            V = np.asarray(funcs(Uf), dtype=float).reshape(nb, -1)
        else:
            Uf = _draw(rng, alpha, comps, nb, d)
            Yf = np.asarray(funcs(Uf), dtype=float).reshape(nb, -1)
            lga, Z = _mix_log_rows(_comp_logpdfs(comps, Uf), alpha)
            V = np.exp(_std_logpdf(Uf) - lga)[:, None] * Yf
            for k in range(K):
                V[:, k] -= Z[:, groups[k]] @ beta[groups[k]]
        V_all[count:count + nb] = V
        count += nb
        runs += nb
    offset = np.zeros(K) if beta is None else np.bincount(tgt, beta, minlength=K)
    cov = np.cov(V_all, rowvar=False).reshape(K, K) / count
    return (V_all.mean(0) + offset, np.sqrt(np.diag(cov))), natural


def sobol_integrands(model, d):
    """Numpy version of the Saltelli-form integrands over (z, z') in R^(2d), with our pick-freeze
    design: both halves mapped to the beam's inputs, then the d + 2 model points per sample."""

    def funcs(Z):
        n = len(Z)
        x1, x2 = beam_from_standard(Z[:, :d]), beam_from_standard(Z[:, d:])
        pts = np.empty((n, d + 2, d))
        pts[:, 0], pts[:, 1:] = x1, x2[:, None, :]
        ar = np.arange(d)
        pts[:, 2 + ar, ar] = x1
        f = model(pts.reshape(-1, d)).reshape(n, d + 2)
        fx, fx2, fy = f[:, 0:1], f[:, 1:2], f[:, 2:]
        return np.hstack([fx * (fy - fx2), 0.5 * (fx2 - fy) ** 2, 0.5 * (fx - fx2) ** 2])

    return funcs


# ----------------------------------------------------------------------------- cases


def case_moments(reps, budget, records):
    truth = np.array([np.prod(np.arange(1, 2 * j, 2)) for j in range(1, 11)], dtype=float)
    w = 1 / truth**2
    powers = np.arange(2, 21, 2)
    exact_mc = (
        np.array([np.prod(np.arange(1, 4 * j, 2)) for j in range(1, 11)]) / truth**2 - 1
    ).sum() / budget
    out = {}
    for name, fn in [
        ("plain MC", lambda s: monte_carlo(lambda x: x**powers, Normal(), budget, seed=s)),
        (
            "ISCV (ours)",
            lambda s: estimate_expectations(lambda x: x**powers, Normal(), budget, w, seed=s),
        ),
    ]:
        t = time.perf_counter()
        est = np.array([fn(s).estimates for s in range(reps)])
        sec = time.perf_counter() - t
        out[name] = float((est.var(0, ddof=1) / truth**2).sum())
        records.append(
            dict(case="gaussian moments", implementation=name, n=budget, reps=reps,
                 seconds=sec, per_item=sec / reps, quality=out[name])
        )
    records.append(
        dict(case="gaussian moments", implementation="plain MC (exact)", n=budget, reps=0,
             seconds=0.0, per_item=0.0, quality=exact_mc)
    )
    for r in records[-3:]:
        r["ratio"] = exact_mc / r["quality"]
    return out


def _salib_first(budget, seed, d, problem):
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    n = budget // (d + 2)
    n_pow = 2 ** int(math.log2(n))  # SALib's Sobol' sequence wants a power of two
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        X = sobol_sample.sample(problem, n_pow, calc_second_order=False, seed=seed)
        z = __import__("scipy.stats", fromlist=["norm"]).norm.ppf(X)
        y = beam(beam_from_standard(z))
        res = sobol_analyze.analyze(problem, y, calc_second_order=False, seed=seed)
    return res["S1"], res["ST"], len(y)


def _ot(budget, seed, algo):
    import openturns as ot

    ot.RandomGenerator.SetSeed(seed)
    d = 6
    law = ot.JointDistribution([ot.Normal()] * d)
    n = budget // (d + 2)
    exp = ot.SobolIndicesExperiment(law, n, False)
    X = np.array(exp.generate())
    y = beam(beam_from_standard(X)).reshape(-1, 1)
    a = algo(ot.Sample(X), ot.Sample(y), n)
    return np.array(a.getFirstOrderIndices()), np.array(a.getTotalOrderIndices()), len(y)


def case_sobol(reps, budget, records, tag):
    import openturns as ot

    law = beam_law()
    d = 6
    problem = {"num_vars": d, "names": [f"x{i}" for i in range(d)],
               "bounds": [[0.0, 1.0]] * d}
    methods = {
        "pick-freeze MC (ours)": lambda s: _ours(law, budget, "pick-freeze", s),
        "Saltelli MC (ours)": lambda s: _ours(law, budget, "saltelli", s),
        "SALib Saltelli (QMC)": lambda s: _salib_first(budget, s, d, problem),
        "OpenTURNS Saltelli": lambda s: _ot(budget, s, ot.SaltelliSensitivityAlgorithm),
        "OpenTURNS Jansen": lambda s: _ot(budget, s, ot.JansenSensitivityAlgorithm),
        "OpenTURNS Martinez": lambda s: _ot(budget, s, ot.MartinezSensitivityAlgorithm),
        "ISCV (ours)": lambda s: _ours(law, budget, "iscv", s),
    }
    out = {}
    for name, fn in methods.items():
        t = time.perf_counter()
        res = [fn(s) for s in range(reps)]
        sec = time.perf_counter() - t
        first = np.array([r[0] for r in res])
        total = np.array([r[1] for r in res])
        out[name] = (float(first.var(0, ddof=1).sum()), float(total.var(0, ddof=1).sum()))
        records.append(
            dict(case=f"beam Sobol' {tag}", implementation=name, n=int(res[0][2]), reps=reps,
                 seconds=sec, per_item=sec / reps, quality=out[name][0],
                 quality_total=out[name][1])
        )
    base = out["pick-freeze MC (ours)"][0]
    for r in records[-len(methods):]:
        r["ratio"] = base / r["quality"]
    return out


def paper_pick_freeze(n, seed, d=6):
    """The authors' Monte Carlo baseline (their ``compute_sobol_MC``), in numpy: n points, each
    costing d + 1 runs, ``S_i = (mean(f(x) f(y_i)) - mean(f)^2) / var(f)`` over f(x) only."""
    rng = np.random.default_rng(seed)
    z1, z2 = rng.standard_normal((n, d)), rng.standard_normal((n, d))
    y = beam(beam_from_standard(z1))
    m, v = y.mean(), y.var(ddof=1)
    first = np.empty(d)
    for i in range(d):
        zi = z2.copy()
        zi[:, i] = z1[:, i]
        first[i] = ((y * beam(beam_from_standard(zi))).mean() - m * m) / v
    return first, n * (d + 1)


def case_sobol_paper(reps, records, points=20_000, d=6):
    """The paper's definition: 2e4 points of the 2d-dimensional pick-freeze integrand. Its MC
    baseline spends d + 1 runs a point; ours gets the same model runs, (d + 1) * 2e4."""
    law = beam_law()
    runs = points * (d + 1)
    rows = {
        "paper's pick-freeze MC (numpy)": lambda s: paper_pick_freeze(points, s, d),
        "ISCV (ours), same runs": lambda s: _ours(law, runs, "iscv", s)[0::2],
        "ISCV first order only (ours), same runs": lambda s: _first_only(law, runs, s),
    }
    out = {}
    for name, fn in rows.items():
        t = time.perf_counter()
        res = [fn(s) for s in range(reps)]
        sec = time.perf_counter() - t
        first = np.array([r[0] for r in res])
        out[name] = float(first.var(0, ddof=1).sum())
        records.append(
            dict(case="beam Sobol' paper's 2e4 points", implementation=name, n=int(res[0][1]),
                 reps=reps, seconds=sec, per_item=sec / reps, quality=out[name])
        )
    base = out["paper's pick-freeze MC (numpy)"]
    for r in records[-len(rows):]:
        r["ratio"] = base / r["quality"]
    return out


def _first_only(law, budget, seed):
    r = sobol_indices(beam, law, budget, method="iscv", seed=seed, order="first")
    return r.first, r.runs


def _ours(law, budget, method, seed):
    r = sobol_indices(beam, law, budget, method=method, seed=seed)
    return r.first, r.total, r.runs


def lhs(n, lo, hi, rng):
    d = len(lo)
    u = (np.argsort(rng.random((n, d)), axis=0) + rng.random((n, d))) / n
    return np.asarray(lo) + u * (np.asarray(hi) - np.asarray(lo))


def beam_laws(n_laws):
    rng = np.random.default_rng(2022)
    lo = [525, 425, 175, 0.06, 0.09, 4, -0.6, 0, 0]
    hi = [575, 475, 225, 0.07, 0.1, 5, 0, 0.5, 0.5]
    laws = []
    while len(laws) < n_laws:
        for p in lhs(n_laws, lo, hi, rng):
            corr = np.eye(6)
            corr[3, 4] = corr[4, 3] = p[6]
            corr[3, 5] = corr[5, 3] = p[7]
            corr[4, 5] = corr[5, 4] = p[8]
            if np.linalg.eigvalsh(corr).min() <= 1e-3 or len(laws) == n_laws:
                continue
            marg = [LogNormal.from_mean_cov(p[0], 0.08), LogNormal.from_mean_cov(p[1], 0.08),
                    LogNormal.from_mean_cov(p[2], 0.06), Normal(p[3], 0.1 * p[3]),
                    Normal(p[4], 0.1 * p[4]), Normal(p[5], 0.1 * p[5])]
            laws.append(GaussianCopula(marg, corr))
    return laws


def case_many_laws(reps, budget, records, n_laws=100):
    laws = beam_laws(n_laws)
    methods = {
        "separate MC": lambda s: monte_carlo(beam, laws, budget, seed=s),
        "IS from the laws' mixture": lambda s: importance_sampling(beam, laws, budget, seed=s),
        "ISCV (ours)": lambda s: estimate_expectations(beam, laws, budget, seed=s),
    }
    out = {}
    for name, fn in methods.items():
        t = time.perf_counter()
        est = np.array([fn(s).estimates for s in range(reps)])
        sec = time.perf_counter() - t
        out[name] = float(est.var(0, ddof=1).sum())
        records.append(
            dict(case=f"beam mean, {n_laws} laws", implementation=name, n=budget, reps=reps,
                 seconds=sec, per_item=sec / reps, quality=out[name])
        )
    for r in records[-3:]:
        r["ratio"] = out["separate MC"] / r["quality"]
    return out


def case_overhead(reps, records):
    """CPU seconds outside the model, ours against the numpy implementation of the same
    algorithm: both on one core (numpy's BLAS held to one thread by threadpoolctl), a warm-up
    run of each first, the same number of adaptive batches on both sides (the numpy version is
    forced to run as many as ours did with the same seed; how often its own stopping rule would
    have agreed is recorded), the same model (only ``beam`` or ``x**powers`` is timed as model;
    the inverse transform and the pick-freeze design count as overhead on both sides). Median
    over ``reps`` seeds, with the range of the per-seed ratios."""
    from threadpoolctl import threadpool_limits

    truth = np.array([np.prod(np.arange(1, 2 * j, 2)) for j in range(1, 11)], dtype=float)
    w = 1 / truth**2
    powers = np.arange(2, 21, 2)
    law = beam_law()

    def moments(x):
        return x**powers

    def ours_moments(m, s):
        r = estimate_expectations(m, Normal(), 20_000, w, seed=s)
        return len(r.history) - 1

    def ours_sobol(m, s):
        r = sobol_indices(m, law, 20_000 * 8, method="iscv", seed=s)
        return len(r.expectations.history) - 1

    cases = [
        ("gaussian moments", 20_000, ours_moments, moments,
         lambda m, s, k: numpy_iscv(m, 1, 20_000, w, s, n_adapt=k), moments),
        ("beam Sobol' (2e4 points)", 20_000 * 8, ours_sobol, beam,
         lambda m, s, k: numpy_iscv(sobol_integrands(m, 6), 12, 20_000, np.ones(13), s,
                                    n_adapt=k), beam),
    ]
    with threadpool_limits(limits=1):
        for case, n, ours, model, ref, ref_model in cases:
            k0 = _cpu_outside(ours, model, 10_000)[1]  # warm-up runs
            _cpu_outside(ref, ref_model, 10_000, k0)
            mine, theirs, agree, batches = [], [], 0, []
            for s in range(reps):
                sec, k, calls = _cpu_outside(ours, model, s)
                sec_ref, (_, natural), calls_ref = _cpu_outside(ref, ref_model, s, k)
                if calls != calls_ref:
                    raise RuntimeError(f"{case}: {calls} model calls (ours) vs {calls_ref}")
                mine.append(sec)
                theirs.append(sec_ref)
                batches.append(k)
                agree += natural == k
            ratios = np.array(theirs) / np.array(mine)
            spread = dict(ratio_min=float(ratios.min()), ratio_max=float(ratios.max()),
                          ratio_median=float(np.median(ratios)),
                          adaptive_batches=sorted(set(batches)),
                          numpy_rule_agrees=f"{agree}/{reps}")
            med, med_ref = float(np.median(mine)), float(np.median(theirs))
            for name, sec, secs in (("ISCV (ours)", med, mine),
                                    ("ISCV (numpy/scipy)", med_ref, theirs)):
                records.append(dict(case=f"overhead: {case}", implementation=name, n=n,
                                    reps=reps, seconds=sec, per_item=sec / n,
                                    quality=float("nan"), ratio=med_ref / sec,
                                    seconds_min=float(min(secs)), seconds_max=float(max(secs)),
                                    **spread))
            print(f"{case}: ours {med:.4f} s [{min(mine):.4f}, {max(mine):.4f}], numpy "
                  f"{med_ref:.4f} s [{min(theirs):.4f}, {max(theirs):.4f}], ratio of medians "
                  f"{med_ref / med:.2f}x, per-seed {ratios.min():.2f}-{ratios.max():.2f}x, "
                  f"batches {sorted(set(batches))}, numpy rule agrees {agree}/{reps}",
                  flush=True)


def write(records, quick):
    RESULTS.mkdir(exist_ok=True)
    meta = dict(quick=quick, python=platform.python_version(), machine=platform.machine())
    (RESULTS / "sampling.json").write_text(json.dumps(dict(meta=meta, records=records), indent=1))
    lines = [
        "| case | implementation | runs | reps | seconds | quality | ratio |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in records:
        q = r["quality"]
        qs = "" if q != q else f"{q:.3g}"
        if "quality_total" in r:
            qs += f" (total {r['quality_total']:.3g})"
        if "ratio_min" in r:
            qs = (f"{r['seconds_min']:.3g}-{r['seconds_max']:.3g} s; per-seed ratio "
                  f"{r['ratio_min']:.2f}-{r['ratio_max']:.2f}×")
        lines.append(
            f"| {r['case']} | {r['implementation']} | {r['n']:,} | {r['reps']} | "
            f"{r['seconds']:.3g} | {qs} | {r['ratio']:.3g}× |"
        )
    notes = [
        "",
        "quality: summed (relative, for the moments) variance over the repetitions; ratio: the "
        "baseline's variance over this one (moments: exact plain MC; Sobol': our pick-freeze "
        "MC, or the authors' pick-freeze MC for the paper's 2e4 points; 100 laws: separate "
        "MC), or for the overhead rows the numpy implementation's "
        "seconds outside the model over this one's. Overhead rows: median CPU seconds "
        "(time.process_time, the model's own CPU time subtracted) over the seeds, numpy's "
        "BLAS on one thread, after a warm-up run, the numpy version forced to the same "
        "number of adaptive batches as ours on each seed; quality column: the range over "
        "the seeds and of the per-seed ratios.",
    ]
    (RESULTS / "sampling.md").write_text("\n".join(lines + notes) + "\n")
    print("\n".join(lines))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="a few repetitions (seconds)")
    ap.add_argument("--paper-sobol", action="store_true",
                    help="rerun only the beam Sobol' case at the paper's budget definition and "
                         "update its rows in the stored results")
    ap.add_argument("--overhead", action="store_true",
                    help="rerun only the overhead case (CPU time, one core, same batches, "
                         "median over seeds) and update its rows in the stored results")
    ap.add_argument("--seeds", type=int, default=None,
                    help="seeds of the overhead case (default 11, quick 3)")
    args = ap.parse_args()
    q = args.quick
    n_over = args.seeds or (3 if q else 11)
    if args.overhead:
        stored = json.loads((RESULTS / "sampling.json").read_text())
        records = [r for r in stored["records"] if not r["case"].startswith("overhead")]
        case_overhead(n_over, records)
        write(records, stored["meta"]["quick"])
        return
    if args.paper_sobol:
        stored = json.loads((RESULTS / "sampling.json").read_text())
        records = [r for r in stored["records"] if r["case"] != "beam Sobol' paper's 2e4 points"]
        fresh: list[dict] = []
        case_sobol_paper(3 if q else 50, fresh)
        at = next(i for i, r in enumerate(records) if r["case"].startswith("beam mean"))
        write(records[:at] + fresh + records[at:], stored["meta"]["quick"])
        return
    records: list[dict] = []
    case_moments(5 if q else 50, 20_000, records)
    case_sobol(3 if q else 30, 20_000, records, "2e4 runs")
    if not q:
        case_sobol(20, 20_000 * 8, records, "2e4 points")
    case_sobol_paper(3 if q else 50, records)
    case_many_laws(2 if q else 20, 20_000, records, n_laws=20 if q else 100)
    case_overhead(n_over, records)
    write(records, q)


if __name__ == "__main__":
    main()
