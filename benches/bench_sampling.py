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
- Overhead: seconds spent outside the model, ours against a numpy/scipy implementation of the
  same algorithm written here (same pilot, CE fits, sign split, recycling, alpha by scipy's
  SLSQP as in the authors' code, beta regression, stopping rule and final sample).

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
    """Wraps a model and adds up the seconds spent inside it."""

    def __init__(self, fn):
        self.fn = fn
        self.seconds = 0.0

    def __call__(self, x):
        t = time.perf_counter()
        y = self.fn(x)
        self.seconds += time.perf_counter() - t
        return y


# ----------------------------------------------------------------------------- numpy ISCV


def _mvn_logpdf(U, mean, chol):
    d = U.shape[1]
    from scipy.linalg import solve_triangular

    y = solve_triangular(chol, (U - mean).T, lower=True)
    return -0.5 * (y * y).sum(0) - np.log(np.diag(chol)).sum() - 0.5 * d * math.log(2 * math.pi)


def _logsumexp(a, axis):
    m = a.max(axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    return (m + np.log(np.exp(a - m).sum(axis=axis, keepdims=True))).squeeze(axis)


def _draw(rng, alpha, comps, n, d):
    """n points from the Gaussian mixture sum_j alpha_j N(m_j, C_j C_j^T)."""
    which = rng.choice(len(alpha), size=n, p=alpha)
    U = np.empty((n, d))
    for j, (m, c) in enumerate(comps):
        idx = which == j
        U[idx] = m + rng.standard_normal((idx.sum(), d)) @ c.T
    return U


def numpy_iscv(funcs, d, budget, weights, seed):
    """The same algorithm as rapidriver's, for one standard-normal input law, in numpy/scipy."""
    from scipy.optimize import Bounds, LinearConstraint, minimize

    rng = np.random.default_rng(seed)
    n = budget // 10
    U = rng.standard_normal((n, d))
    Y = np.asarray(funcs(U), dtype=float).reshape(n, -1)
    logf = -0.5 * (U * U).sum(1) - 0.5 * d * math.log(2 * math.pi)
    stages = [logf.copy()]
    K = Y.shape[1]
    parts = []
    for k in range(K):
        if (Y[:, k] > 0).any() or not (Y[:, k] < 0).any():
            parts.append((k, 1.0))
        if (Y[:, k] < 0).any():
            parts.append((k, -1.0))
    tgt = np.array([k for k, _ in parts])
    sgn = np.array([s for _, s in parts])
    integ = np.array([np.maximum(s * Y[:, k], 0).mean() for k, s in parts])
    beta = sgn * integ
    alpha = np.sqrt(weights[tgt]) * integ
    alpha = alpha / alpha.sum() if alpha.sum() > 0 else np.full(len(parts), 1 / len(parts))
    prev = (weights * Y.var(0, ddof=1)).sum() / (budget - n)
    best = None
    runs = n
    while runs + n <= budget // 2:
        logh = _logsumexp(np.array(stages), 0) - math.log(len(stages))
        comps = []
        for k, s in parts:
            w = np.exp(logf - logh) * np.maximum(s * Y[:, k], 0)
            mu = (w[:, None] * U).sum(0) / w.sum()
            C = U - mu
            cov = (w[:, None] * C).T @ C / w.sum() + 1e-6 * np.eye(d)
            comps.append((mu, np.linalg.cholesky(cov)))
        LG = np.array([_mvn_logpdf(U, m, c) for m, c in comps]).T
        M = np.maximum(np.maximum(LG.max(1), logf), logh)
        G = np.exp(LG - M[:, None])
        psi = np.exp(logf - M)[:, None] * Y
        np.subtract.at(psi.T, tgt, (beta * G).T)
        A = (weights * psi**2).sum(1) / np.exp(logh - M)
        A = A / A.sum()
        res = minimize(
            lambda a, A=A, G=G: (A / (G @ a)).sum(),
            alpha,
            jac=lambda a, A=A, G=G: -(G * (A / (G @ a) ** 2)[:, None]).sum(0),
            method="SLSQP",
            bounds=Bounds(1e-10, 1),
            constraints=[LinearConstraint(np.ones(len(alpha)), 1, 1)],
        )
        alpha = np.clip(res.x, 1e-10, None)
        alpha = alpha / alpha.sum()
        stage_old = _logsumexp(np.log(alpha) + LG, 1)
        # New batch from the mixture.
        Ub = _draw(rng, alpha, comps, n, d)
        Yb = np.asarray(funcs(Ub), dtype=float).reshape(n, -1)
        runs += n
        logfb = -0.5 * (Ub * Ub).sum(1) - 0.5 * d * math.log(2 * math.pi)
        LGb = np.array([_mvn_logpdf(Ub, m, c) for m, c in comps]).T
        lga = _logsumexp(np.log(alpha) + LGb, 1)
        ratio = np.exp(logfb - lga)[:, None] * Yb
        Z = np.exp(LGb - lga[:, None])
        new_beta = np.zeros(len(parts))
        var = np.zeros(K)
        for k in range(K):
            idx = np.flatnonzero(tgt == k)
            Zc = Z[:, idx] - Z[:, idx].mean(0)
            yc = ratio[:, k] - ratio[:, k].mean()
            b = np.linalg.lstsq(Zc, yc, rcond=None)[0]
            new_beta[idx] = b
            var[k] = (ratio[:, k] - Z[:, idx] @ b).var(ddof=1)
        pred = (weights * var).sum() / (budget - runs)
        # Recycling bookkeeping: every stage's density at the new samples.
        stages = [np.concatenate([s, _stage_at(i, Ub, logfb)]) for i, s in enumerate(stages)]
        stages.append(np.concatenate([stage_old, lga]))
        _STAGE_CACHE.append((alpha.copy(), comps))
        U, Y, logf = np.vstack([U, Ub]), np.vstack([Y, Yb]), np.concatenate([logf, logfb])
        if best is None or pred < best[0]:
            best = (pred, alpha.copy(), comps, new_beta.copy())
        improving = pred < prev
        prev, beta = pred, new_beta
        if not improving:
            break
    _STAGE_CACHE.clear()
    _, alpha, comps, beta = best
    nf = budget - runs
    Uf = _draw(rng, alpha, comps, nf, d)
    Yf = np.asarray(funcs(Uf), dtype=float).reshape(nf, -1)
    logff = -0.5 * (Uf * Uf).sum(1) - 0.5 * d * math.log(2 * math.pi)
    LGf = np.array([_mvn_logpdf(Uf, m, c) for m, c in comps]).T
    lga = _logsumexp(np.log(alpha) + LGf, 1)
    V = np.exp(logff - lga)[:, None] * Yf
    np.subtract.at(V.T, tgt, (beta * np.exp(LGf - lga[:, None])).T)
    return V.mean(0) + np.bincount(tgt, beta, minlength=K)


_STAGE_CACHE: list = []


def _stage_at(i, Ub, logfb):
    """Log-density of stage i (0: the input law; then the cached mixtures) at new samples."""
    if i == 0:
        return logfb
    alpha, comps = _STAGE_CACHE[i - 1]
    LG = np.array([_mvn_logpdf(Ub, m, c) for m, c in comps]).T
    return _logsumexp(np.log(alpha) + LG, 1)


def sobol_integrands(model_std, d):
    """Numpy version of the Saltelli-form integrands over (z, z') in R^(2d)."""

    def funcs(Z):
        n = len(Z)
        z1, z2 = Z[:, :d], Z[:, d:]
        pts = np.empty((n, d + 2, d))
        pts[:, 0], pts[:, 1] = z1, z2
        for i in range(d):
            pts[:, 2 + i] = z2
            pts[:, 2 + i, i] = z1[:, i]
        f = model_std(pts.reshape(-1, d)).reshape(n, d + 2)
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
    """Seconds outside the model: ours against the numpy implementation, best of `reps`."""
    truth = np.array([np.prod(np.arange(1, 2 * j, 2)) for j in range(1, 11)], dtype=float)
    w = 1 / truth**2
    powers = np.arange(2, 21, 2)
    law = beam_law()

    def beam_std(z):
        return beam(beam_from_standard(z))

    cases = [
        ("gaussian moments", 20_000,
         lambda m, s: estimate_expectations(m, Normal(), 20_000, w, seed=s),
         lambda m, s: numpy_iscv(m, 1, 20_000, w, s), lambda x: x**powers),
        ("beam Sobol' (2e4 points)", 20_000 * 8,
         lambda m, s: sobol_indices(m, law, 20_000 * 8, method="iscv", seed=s),
         lambda m, s: numpy_iscv(sobol_integrands(m, 6), 12, 20_000, np.ones(13), s),
         None),
    ]
    for case, n, ours, ref, model in cases:
        rows = {}
        for name, fn in (("ISCV (ours)", ours), ("ISCV (numpy/scipy)", ref)):
            best = math.inf
            for s in range(reps):
                timed = Timed(model if model is not None else
                              (beam if name == "ISCV (ours)" else beam_std))
                t = time.perf_counter()
                fn(timed, s)
                best = min(best, time.perf_counter() - t - timed.seconds)
            rows[name] = best
        for name, sec in rows.items():
            records.append(dict(case=f"overhead: {case}", implementation=name, n=n, reps=reps,
                                seconds=sec, per_item=sec / n, quality=float("nan"),
                                ratio=rows["ISCV (numpy/scipy)"] / sec))


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
        "seconds outside the model over this one's.",
    ]
    (RESULTS / "sampling.md").write_text("\n".join(lines + notes) + "\n")
    print("\n".join(lines))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="a few repetitions (seconds)")
    ap.add_argument("--paper-sobol", action="store_true",
                    help="rerun only the beam Sobol' case at the paper's budget definition and "
                         "update its rows in the stored results")
    args = ap.parse_args()
    q = args.quick
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
    case_overhead(1 if q else 5, records)
    write(records, q)


if __name__ == "__main__":
    main()
