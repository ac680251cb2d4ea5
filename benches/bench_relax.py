"""The SOR tuning loop: rapidriver against the same loop in Python (scipy SOR, Python bandit).

Run from the project root after `pip install ".[bench]"` (a release build)::

    python benches/bench_relax.py           # 1,000 systems on a 12x12 grid
    python benches/bench_relax.py --quick   # 200 systems on an 8x8 grid

Both loops solve the same heat-equation sequence (`rapidriver.solvers.heat_sequence`) with UCB
(delta 0.3) choosing omega among 1.0, 1.1, ..., 1.9 from the iteration counts. The Python loop
runs SOR as `x <- (D + w L)^-1 (w b - (w U + (w - 1) D) x)` with scipy's sparse triangular
solve, and UCB in plain Python. Reported: wall time and speed-up, total iterations, and the
ratio of each tuner's cost to the best fixed and the instance-optimal omega (computed once over
the grid). "Learning to Relax" reports that its bandits come within a few percent of the best
fixed omega on similar sequences.

A second table compares our tuners' costs (total iterations over the best fixed and the
instance-optimal omega) on the heat sequence and on the paper's diagonal-shift instances
(`solvers.shifted_laplacian_sequence`, i.i.d. shifts -0.15 + 0.6 Beta(0.5, 1.5)): UCB,
Tsallis-INF with raw and with self-normalised costs, LinUCB and ChebCB on the context. The paper's
plots (5,000 shifted systems, 20 omegas) show Tsallis-INF approaching the best fixed omega and
ChebCB close to the instance-optimal one. Results: `benches/results/relax.json` and `relax.md`.
"""

from __future__ import annotations

import argparse
import json
import math
import pathlib
import platform
import time

import numpy as np

RESULTS = pathlib.Path(__file__).parent / "results"
OMEGAS = [1.0, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7, 1.8, 1.9]


def python_sor(A, b, omega, tol, max_iter):
    import scipy.sparse as sp
    import scipy.sparse.linalg as spla

    D = sp.diags(A.diagonal())
    lower = sp.tril(A, k=-1)
    upper = sp.triu(A, k=1)
    M = (D + omega * lower).tocsr()
    N = (omega * upper + (omega - 1.0) * D).tocsr()
    x = np.zeros(len(b))
    norm_b = np.linalg.norm(b)
    it = 0
    while np.linalg.norm(b - A @ x) / norm_b > tol and it < max_iter:
        x = spla.spsolve_triangular(M, omega * b - N @ x, lower=True)
        it += 1
    return it


class PythonUCB:
    def __init__(self, n_arms, delta):
        self.counts = [0] * n_arms
        self.means = [0.0] * n_arms
        self.delta = delta
        self.t = 0

    def pull(self):
        for i, c in enumerate(self.counts):
            if c == 0:
                return i
        log_t = math.log(self.t)
        scores = [
            m + self.delta * math.sqrt(2 * log_t / c)
            for m, c in zip(self.means, self.counts, strict=True)
        ]
        return max(range(len(scores)), key=scores.__getitem__)

    def update(self, arm, reward):
        self.t += 1
        self.counts[arm] += 1
        self.means[arm] += (reward - self.means[arm]) / self.counts[arm]


def tuner_rows(family, systems, policies, tol, max_iter):
    """Cost of each policy's tuning run against the best fixed and instance-optimal omega."""
    from rapidriver import solvers

    table = np.array(
        [
            [solvers.sor(A, b, w, tol=tol, max_iter=max_iter).iterations for w in OMEGAS]
            for A, b, _ in systems
        ]
    )
    best_fixed = int(table.sum(axis=0).min())
    instance_optimal = int(table.min(axis=1).sum())
    rows = []
    for name, policy in policies.items():
        total = int(solvers.tune_sor(systems, policy, OMEGAS, tol, max_iter).cumulative_cost[-1])
        rows.append(
            {
                "family": family,
                "n_systems": len(systems),
                "policy": name,
                "iterations": total,
                "best_fixed": best_fixed,
                "instance_optimal": instance_optimal,
                "gauss_seidel": int(table[:, 0].sum()),
                "ratio_best_fixed": total / best_fixed,
                "ratio_instance_optimal": total / instance_optimal,
            }
        )
    return rows


def main(argv: list[str] | None = None) -> None:
    from rapidriver import bandit, solvers

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--grid", type=int, default=12)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", type=pathlib.Path, default=RESULTS / "relax.json")
    args = parser.parse_args(argv)
    if args.quick:
        args.n, args.grid = 200, 8
    tol, max_iter = 1e-8, 400
    systems = list(solvers.heat_sequence(args.n, grid=args.grid, seed=0))

    table = np.array(
        [
            [solvers.sor(A, b, w, tol=tol, max_iter=max_iter).iterations for w in OMEGAS]
            for A, b, _ in systems
        ]
    )
    best_fixed = int(table.sum(axis=0).min())
    instance_optimal = int(table.min(axis=1).sum())
    gauss_seidel = int(table[:, 0].sum())

    start = time.perf_counter()
    ours = solvers.tune_sor(systems, bandit.UCB(delta=0.3, seed=0), OMEGAS, tol, max_iter)
    ours_time = time.perf_counter() - start

    ucb = PythonUCB(len(OMEGAS), 0.3)
    py_iterations = 0
    start = time.perf_counter()
    for A, b, _ in systems:
        arm = ucb.pull()
        it = python_sor(A, b, OMEGAS[arm], tol, max_iter)
        ucb.update(arm, 1.0 - it / max_iter)
        py_iterations += it
    py_time = time.perf_counter() - start

    ours_total = int(ours.cumulative_cost[-1])
    row = {
        "n_systems": args.n,
        "grid": args.grid,
        "seconds": {"ours": ours_time, "python": py_time},
        "speedup": py_time / ours_time,
        "iterations": {
            "ours-ucb": ours_total,
            "python-ucb": py_iterations,
            "gauss-seidel": gauss_seidel,
            "best-fixed": best_fixed,
            "instance-optimal": instance_optimal,
        },
        "cost_ratio": {
            "ours-ucb/best-fixed": ours_total / best_fixed,
            "ours-ucb/instance-optimal": ours_total / instance_optimal,
            "python-ucb/best-fixed": py_iterations / best_fixed,
        },
    }
    md = "\n".join(
        [
            "| systems | grid | ours (s) | Python+scipy (s) | speed-up | ours iters | Python iters "
            "| Gauss-Seidel | best fixed | instance-opt | ours / best fixed | ours / inst-opt |",
            "|" + "---|" * 12,
            f"| {args.n:,} | {args.grid} | {ours_time:.2f} | {py_time:.2f} | "
            f"{row['speedup']:.0f}× | {ours_total:,} | {py_iterations:,} | {gauss_seidel:,} | "
            f"{best_fixed:,} | {instance_optimal:,} | "
            f"{row['cost_ratio']['ours-ucb/best-fixed']:.3f} | "
            f"{row['cost_ratio']['ours-ucb/instance-optimal']:.3f} |",
        ]
    )
    def policies(low, high):
        return {
            "UCB(0.3)": bandit.UCB(delta=0.3, seed=0),
            "Tsallis-INF": bandit.TsallisInf(seed=0),
            "Tsallis-INF (self-normalised)": bandit.TsallisInf(adaptive_scale=True, seed=0),
            "LinUCB (1, log c, log² c)": bandit.LinUCBDisjoint(alpha=0.3, seed=0),
            "ChebCB": bandit.ChebCB(low=low, high=high, seed=0),
        }

    shifted = list(solvers.shifted_laplacian_sequence(args.n, grid=args.grid - 2, seed=0))
    tuners = tuner_rows("heat", systems, policies(0.15, 25.0), tol, max_iter)
    tuners += tuner_rows(
        "shifted Laplacian", shifted, policies(-0.15, 0.45), tol, 4 * max_iter
    )
    md += "\n\n" + "\n".join(
        [
            "| family | systems | policy | iterations | best fixed | instance-opt "
            "| / best fixed | / instance-opt |",
            "|" + "---|" * 8,
            *(
                f"| {r['family']} | {r['n_systems']:,} | {r['policy']} | {r['iterations']:,} "
                f"| {r['best_fixed']:,} | {r['instance_optimal']:,} "
                f"| {r['ratio_best_fixed']:.3f} | {r['ratio_instance_optimal']:.3f} |"
                for r in tuners
            ),
        ]
    )
    print(md)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    meta = {"python": platform.python_version(), "machine": platform.machine()}
    args.out.write_text(json.dumps({"meta": meta, "rows": [row], "tuners": tuners}, indent=2))
    args.out.with_suffix(".md").write_text(md + "\n")


if __name__ == "__main__":
    main()
