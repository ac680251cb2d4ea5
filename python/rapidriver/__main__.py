"""Command line: `rapidriver demo [NAME]` (or `python -m rapidriver demo`), and
`rapidriver solve INSTANCE.mps` / `rapidriver plot HISTORY.json` (see `rapidriver.mip.cli`).

Each demo is a function registered in `DEMOS`; `rapidriver demo` with no name runs them all,
in order, on embedded defaults; `rapidriver demo NAME` runs one.
"""

from __future__ import annotations

import argparse
import sys
import time
import typing

import numpy as np

__all__ = ["main", "DEMOS"]


def _progress(iterable, total: int, desc: str):
    from tqdm import tqdm

    return tqdm(iterable, total=total, desc=desc, leave=False, file=sys.stderr)


def demo_bandits(n_steps: int = 100_000, seed: int = 0) -> list[dict[str, typing.Any]]:
    """Every policy on one seeded 10-arm Bernoulli bandit: cumulative regret and speed.

    Each policy runs the whole horizon through the per-call Python API (`pull`/`update`), the
    way a river user drives it; decisions per second are measured on that path.
    """
    from rapidriver import bandit

    rng = np.random.default_rng(seed)
    probs = np.sort(rng.uniform(0.05, 0.95, size=10))
    best = probs.max()
    policies = {
        "EpsilonGreedy(0.1)": bandit.EpsilonGreedy(epsilon=0.1, seed=seed),
        "UCB(1)": bandit.UCB(delta=1.0, seed=seed),
        "UCBTuned": bandit.UCBTuned(seed=seed),
        "KLUCB": bandit.KLUCB(seed=seed),
        "ThompsonSampling": bandit.ThompsonSampling(seed=seed),
        "GaussianThompsonSampling": bandit.GaussianThompsonSampling(sigma=0.5, seed=seed),
        "BayesUCB": bandit.BayesUCB(seed=seed),
        "Exp3(0.1)": bandit.Exp3(gamma=0.1, seed=seed),
        "Exp3IX": bandit.Exp3IX(seed=seed),
        "Softmax(0.05)": bandit.Softmax(tau=0.05, seed=seed),
        "DiscountedUCB": bandit.DiscountedUCB(seed=seed),
        "SlidingWindowUCB": bandit.SlidingWindowUCB(seed=seed),
        "DiscountedThompsonSampling": bandit.DiscountedThompsonSampling(seed=seed),
        "RandomPolicy": bandit.RandomPolicy(seed=seed),
    }
    arms = list(range(10))
    draws = np.random.default_rng(seed + 1).random(n_steps).tolist()
    rows = []
    for name, policy in _progress(policies.items(), len(policies), "policies"):
        pull, update = policy.pull, policy.update
        regret = 0.0
        start = time.perf_counter()
        for u in draws:
            arm = pull(arms)
            update(arm, 1.0 if u < probs[arm] else 0.0)
            regret += best - probs[arm]
        elapsed = time.perf_counter() - start
        rows.append({"policy": name, "regret": regret, "decisions_per_s": n_steps / elapsed})
    print(f"10-arm Bernoulli bandit, {n_steps:,} steps, seed {seed}")
    print(f"{'policy':<28} {'cumulative regret':>18} {'decisions/s':>14}")
    for row in rows:
        print(f"{row['policy']:<28} {row['regret']:>18.1f} {row['decisions_per_s']:>14,.0f}")
    return rows


def demo_trees(n_samples: int = 20_000, seed: int = 0) -> list[dict[str, typing.Any]]:
    """river's Hoeffding tree and ours, test-then-train on the same synthetic streams.

    Prints prequential accuracy and samples per second for river's tree and for ours through
    the dict path (`predict_one`/`learn_one`) and the numpy path (`evaluate.prequential`).
    """
    import itertools

    from river import tree as river_tree
    from river.datasets import synth

    from rapidriver import evaluate, tree

    streams = {
        "SEA": synth.SEA(seed=seed),
        "Agrawal": synth.Agrawal(seed=seed),
        "Hyperplane": synth.Hyperplane(seed=seed, n_features=10),
    }
    rows = []
    for name, stream in _progress(streams.items(), len(streams), "streams"):
        data = list(itertools.islice(stream, n_samples))
        X = np.array([list(x.values()) for x, _ in data], dtype=np.float64)
        y = np.array([label for _, label in data])
        for label, model in (
            ("river", river_tree.HoeffdingTreeClassifier()),
            ("rapidriver (dict)", tree.HoeffdingTreeClassifier()),
        ):
            correct = 0
            start = time.perf_counter()
            for x, target in data:
                correct += model.predict_one(x) == target
                model.learn_one(x, target)
            elapsed = time.perf_counter() - start
            rows.append(
                {
                    "stream": name,
                    "model": label,
                    "accuracy": correct / len(data),
                    "samples_per_s": len(data) / elapsed,
                }
            )
        start = time.perf_counter()
        curve = evaluate.prequential(tree.HoeffdingTreeClassifier(), X, y)
        elapsed = time.perf_counter() - start
        rows.append(
            {
                "stream": name,
                "model": "rapidriver (numpy)",
                "accuracy": float(curve[-1]),
                "samples_per_s": len(data) / elapsed,
            }
        )
    print(f"Hoeffding trees, test-then-train, {n_samples:,} samples per stream, seed {seed}")
    print(f"{'stream':<12} {'model':<20} {'accuracy':>9} {'samples/s':>12}")
    for row in rows:
        print(
            f"{row['stream']:<12} {row['model']:<20} {row['accuracy']:>9.4f} "
            f"{row['samples_per_s']:>12,.0f}"
        )
    return rows


def demo_moe(n_samples: int = 20_000, seed: int = 0) -> list[dict[str, typing.Any]]:
    """DriftMoE (both modes) beside river's Hoeffding adaptive tree on SEA with abrupt drifts.

    The stream (concepts change at a quarter, half and three quarters) comes from
    `rapidriver.datasets`, sample for sample river's generators.
    """
    import itertools

    from river import tree as river_tree

    from rapidriver import datasets, evaluate, moe

    def nested(variants):
        stream = datasets.SEA(variant=variants[-1], noise=0.1, seed=seed + variants[-1])
        for v in reversed(variants[:-1]):
            stream = datasets.ConceptDriftStream(
                datasets.SEA(variant=v, noise=0.1, seed=seed + v),
                stream,
                position=n_samples // 4,
                width=50,
                seed=seed + v,
            )
        return stream

    stream = nested([0, 1, 2, 3])
    X, y = stream.arrays(n_samples)
    rows = []
    for name, model in (
        ("DriftMoE (MoE-Data)", moe.DriftMoEClassifier(mode="data", seed=seed)),
        ("DriftMoE (MoE-Task)", moe.DriftMoEClassifier(mode="task", seed=seed)),
    ):
        start = time.perf_counter()
        curve = evaluate.prequential(model, X, y)
        elapsed = time.perf_counter() - start
        rows.append(
            {"model": name, "accuracy": float(curve[-1]), "samples_per_s": n_samples / elapsed}
        )
    hat = river_tree.HoeffdingAdaptiveTreeClassifier(seed=seed)
    correct = 0
    start = time.perf_counter()
    for x, target in _progress(itertools.islice(stream, n_samples), n_samples, "river HAT"):
        correct += hat.predict_one(x) == target
        hat.learn_one(x, target)
    elapsed = time.perf_counter() - start
    rows.append(
        {
            "model": "river HAT",
            "accuracy": correct / n_samples,
            "samples_per_s": n_samples / elapsed,
        }
    )
    print(f"SEA with abrupt drifts and 10% noise, {n_samples:,} samples, seed {seed}")
    print(f"{'model':<22} {'accuracy':>9} {'samples/s':>12}")
    for row in rows:
        print(f"{row['model']:<22} {row['accuracy']:>9.4f} {row['samples_per_s']:>12,.0f}")
    return rows


def demo_relax(n_systems: int = 1000, seed: int = 0) -> dict[str, float]:
    """Choosing SOR's omega across a sequence of heat-equation systems ("Learning to Relax").

    Prints the total iterations of Gauss-Seidel (omega = 1), the best fixed omega in hindsight,
    the instance-optimal omega, and each bandit, with the cumulative cost at quarter points.
    """
    from rapidriver import bandit, solvers

    omegas = [1.0, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7, 1.8, 1.9]
    max_iter = 150
    systems = list(solvers.heat_sequence(n_systems, grid=8, seed=seed))
    table = np.array(
        [
            [solvers.sor(A, b, w, tol=1e-8, max_iter=max_iter).iterations for w in omegas]
            for A, b, _ in _progress(systems, len(systems), "omega grid")
        ]
    )
    best = int(table.sum(axis=0).argmin())
    curves = {
        "Gauss-Seidel (omega 1)": np.cumsum(table[:, 0]),
        f"best fixed omega ({omegas[best]})": np.cumsum(table[:, best]),
        "instance-optimal omega": np.cumsum(table.min(axis=1)),
    }
    policies = {
        "Tsallis-INF": bandit.TsallisInf(seed=seed),
        "Tsallis-INF, self-normalised": bandit.TsallisInf(adaptive_scale=True, seed=seed),
        "UCB(0.3)": bandit.UCB(delta=0.3, seed=seed),
        "Exp3-IX": bandit.Exp3IX(seed=seed),
        "LinUCB on the context": bandit.LinUCBDisjoint(alpha=0.3, seed=seed),
        "ChebCB on the context": bandit.ChebCB(low=0.15, high=25.0, seed=seed),
    }
    for name, policy in _progress(policies.items(), len(policies), "bandits"):
        result = solvers.tune_sor(systems, policy, omegas, max_iter=max_iter)
        curves[name] = result.cumulative_cost
    quarters = [n_systems // 4, n_systems // 2, 3 * n_systems // 4, n_systems]
    print(
        f"SOR on {n_systems:,} heat-equation systems (8x8 grid), omega in {omegas[0]}..{omegas[-1]}"
    )
    header = " ".join(f"{f'@{q:,}':>9}" for q in quarters)
    print(f"{'method':<30} {header}   cumulative iterations")
    for name, curve in curves.items():
        cells = " ".join(f"{int(curve[q - 1]):>9,}" for q in quarters)
        print(f"{name:<30} {cells}")
    return {name: float(curve[-1]) for name, curve in curves.items()}


def demo_alns(n_cities: int = 50, iterations: int = 2000, seed: int = 0) -> dict[str, float]:
    """ALNS on a seeded Euclidean TSP: Python operators on our engine, the same operators in
    Rust (no Python per iteration), and the `alns` package when it is installed."""
    from rapidriver.alns import ALNS, accept, select, stop
    from rapidriver.alns.examples import Tsp, TspState
    from rapidriver.alns.native import solve_tsp

    problem = Tsp.random(n_cities, seed=seed)
    initial = problem.initial()

    def schemes(select_mod, accept_mod, stop_mod):
        return (
            select_mod.RouletteWheel([25, 5, 1, 0], 0.8, 3, 1),
            accept_mod.SimulatedAnnealing.autofit(initial.objective(), 0.05, 0.5, iterations),
            stop_mod.MaxIterations(iterations),
        )

    rows = {}

    def timed(name, run):
        start = time.perf_counter()
        result = run()
        seconds = time.perf_counter() - start
        best = result.best_state
        if not hasattr(best, "objective"):  # a native run returns the best tour itself
            best = TspState(list(best), [], problem.dist)
        rows[name] = (best.objective(), seconds)

    def ours_python():
        engine = ALNS(seed)
        problem.register(engine)
        return engine.iterate(initial, *schemes(select, accept, stop))

    timed("rapidriver, Python operators", ours_python)
    timed(
        "rapidriver, Rust operators",
        lambda: solve_tsp(problem.coords, *schemes(select, accept, stop), seed=seed),
    )
    try:
        import alns as reference
        import alns.accept as ref_accept
        import alns.select as ref_select
        import alns.stop as ref_stop
    except ImportError:
        reference = None
    if reference is not None:

        def theirs():
            engine = reference.ALNS(np.random.default_rng(seed))
            problem.register(engine)
            return engine.iterate(initial, *schemes(ref_select, ref_accept, ref_stop))

        timed("alns package, Python operators", theirs)
    print(
        f"ALNS on a {n_cities}-city TSP, {iterations:,} iterations (roulette wheel, simulated "
        f"annealing), initial tour {initial.objective():.1f}"
    )
    print(f"{'engine':<34} {'best tour':>10} {'seconds':>9} {'µs/iteration':>13}")
    for name, (best, seconds) in rows.items():
        print(f"{name:<34} {best:>10.1f} {seconds:>9.3f} {seconds / iterations * 1e6:>13.1f}")
    return {name: best for name, (best, _) in rows.items()}


def demo_sampling(budget: int = 20_000, repetitions: int = 20, seed: int = 0) -> dict[str, float]:
    """Ten Gaussian moments E[X^2j] from one adaptively chosen sample (ISCV) against plain Monte
    Carlo at the same number of model runs: the summed relative variance over repetitions."""
    from rapidriver.sampling import Normal, estimate_expectations, monte_carlo

    powers = np.arange(2, 21, 2)
    truth = np.array([np.prod(np.arange(1, 2 * j, 2)) for j in range(1, 11)], dtype=float)
    weights = 1 / truth**2
    estimates = {"plain Monte Carlo": [], "ISCV (adaptive IS + control variates)": []}
    start = time.perf_counter()
    for r in range(repetitions):
        s = seed + r
        estimates["plain Monte Carlo"].append(
            monte_carlo(lambda x: x**powers, Normal(), budget, seed=s).estimates
        )
        estimates["ISCV (adaptive IS + control variates)"].append(
            estimate_expectations(lambda x: x**powers, Normal(), budget, weights, seed=s).estimates
        )
    seconds = time.perf_counter() - start
    print(
        f"E[X^2j], j = 1..10, X ~ N(0, 1): {budget:,} model runs, {repetitions} repetitions "
        f"({seconds:.1f} s)"
    )
    out = {}
    for name, est in estimates.items():
        est = np.array(est)
        out[name] = float((est.var(axis=0, ddof=1) / truth**2).sum())
        worst = float(np.abs(est.mean(axis=0) / truth - 1).max())
        print(f"{name:<40} summed relative variance {out[name]:.3g}, worst mean error {worst:.1%}")
    # Plain MC's variance is known exactly: Var(X^2j) = E[X^4j] - E[X^2j]^2 per run (its
    # empirical value over a few repetitions is far from it: the estimator is heavy-tailed).
    fourth = np.array([np.prod(np.arange(1, 4 * j, 2)) for j in range(1, 11)], dtype=float)
    exact = float((fourth / truth**2 - 1).sum() / budget)
    out["plain Monte Carlo (exact)"] = exact
    print(f"{'plain Monte Carlo, exact':<40} summed relative variance {exact:.3g}")
    return out


DEMOS: dict[str, typing.Callable[..., typing.Any]] = {
    "bandits": demo_bandits,
    "trees": demo_trees,
    "moe": demo_moe,
    "relax": demo_relax,
    "alns": demo_alns,
    "sampling": demo_sampling,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="rapidriver", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="run a demo on embedded defaults")
    demo.add_argument("name", nargs="?", default="all", choices=["all", *sorted(DEMOS)])
    demo.add_argument("--seed", type=int, default=0)
    from rapidriver.mip import cli as mip_cli

    mip_cli.add_subcommands(sub)
    args = parser.parse_args(argv)
    if args.command == "solve":
        return mip_cli.solve(args)
    if args.command == "plot":
        return mip_cli.plot(args)
    if args.command == "demo":
        names = list(DEMOS) if args.name == "all" else [args.name]
        for i, name in enumerate(names):
            if i:
                print()
            DEMOS[name](seed=args.seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
