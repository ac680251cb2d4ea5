"""The ALNS engine: rapidriver.alns against the alns package, at equal iterations.

Run from the project root after `pip install ".[test]"` and a release build::

    python benches/bench_alns.py           # full run
    python benches/bench_alns.py --quick   # a few seconds

Two parts, both in one process, best of three repeats:

1. Engine overhead: no-op destroy and repair operators on a one-number state, hill climbing,
   a fixed number of iterations, so that the engine (selection, acceptance, stopping,
   statistics) is all that is measured. Selectors: RouletteWheel; MABSelector over MABWiser's
   UCB1 and LinUCB for alns, over rapidriver.bandit's UCB and LinUCBDisjoint for ours (the
   contextual ones read a 2-feature context from the state). Ours runs the same Python
   operators, and also Rust-native no-op operators (no Python in the loop).
2. Solution quality on a Euclidean TSP (random, path and worst removal, greedy insertion;
   `rapidriver.alns.examples.Tsp`), roulette wheel and simulated annealing, the same number of
   iterations for both engines over several seeds: mean best tour length and time per
   iteration; ours also with the core's Rust TSP operators.

Results: `benches/results/alns.json` (one record per case and implementation: n, seconds,
microseconds per iteration, mean objective, speed-up over alns) and `alns.md`.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import platform
import time

import numpy as np

RESULTS = pathlib.Path(__file__).parent / "results"


class Tiny:
    """A one-number state with a 2-feature context."""

    __slots__ = ("x",)

    def __init__(self, x: float):
        self.x = x

    def objective(self) -> float:
        return self.x

    def get_context(self) -> np.ndarray:
        return np.array([1.0, 0.5])


def noop(state, rng):
    return state


def best_of(fn, repeats: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def record(case: str, impl: str, n: int, seconds: float, base: float, **extra) -> dict:
    """One result row; `base` is alns' seconds per iteration on the same case."""
    row = {
        "case": case,
        "implementation": impl,
        "n": n,
        "seconds": seconds,
        "per_iter_us": seconds / n * 1e6,
        "objective": None,
        "speedup_vs_alns": base / (seconds / n),
    }
    row.update(extra)
    return row


def overhead_cases(n_alns: dict[str, int], n_ours: int, repeats: int) -> list[dict]:
    import alns as ref
    from alns.accept import HillClimbing as RefHC
    from alns.select import MABSelector as RefMAB
    from alns.select import RouletteWheel as RefRW
    from alns.stop import MaxIterations as RefMax
    from mabwiser.mab import LearningPolicy

    from rapidriver import _core, bandit
    from rapidriver.alns import ALNS, accept, select, stop

    def ref_select(case):
        if case == "roulette":
            return RefRW([3, 2, 1, 0.5], 0.8, 1, 2)
        policy = LearningPolicy.UCB1(alpha=1.0) if case == "mab-ucb1" else LearningPolicy.LinUCB()
        return RefMAB([5, 2, 1, 0.5], 1, 2, policy, seed=0)

    def our_select(case):
        if case == "roulette":
            return select.RouletteWheel([3, 2, 1, 0.5], 0.8, 1, 2)
        policy = bandit.UCB(delta=1.0) if case == "mab-ucb1" else bandit.LinUCBDisjoint()
        return select.MABSelector([5, 2, 1, 0.5], 1, 2, policy, seed=0)

    rows = []
    for case in ["roulette", "mab-ucb1", "mab-linucb"]:
        n = n_alns[case]

        def run_ref(n=n, case=case):
            engine = ref.ALNS(np.random.default_rng(0))
            engine.add_destroy_operator(noop)
            engine.add_repair_operator(noop, "noop_a")
            engine.add_repair_operator(noop, "noop_b")
            return engine.iterate(Tiny(1.0), ref_select(case), RefHC(), RefMax(n))

        def run_ours(case=case):
            engine = ALNS(0)
            engine.add_destroy_operator(noop)
            engine.add_repair_operator(noop, "noop_a")
            engine.add_repair_operator(noop, "noop_b")
            return engine.iterate(
                Tiny(1.0), our_select(case), accept.HillClimbing(), stop.MaxIterations(n_ours)
            )

        def run_native(case=case):
            return _core.alns_run_native(
                "trivial",
                {"num_destroy": 1, "num_repair": 2},
                our_select(case)._core,
                accept.HillClimbing()._core,
                stop.MaxIterations(n_ours)._core,
                0,
            )

        t_ref, _ = best_of(run_ref, repeats)
        t_ours, _ = best_of(run_ours, repeats)
        t_native, _ = best_of(run_native, repeats)
        base = t_ref / n
        for impl, t, m in [
            ("alns", t_ref, n),
            ("rapidriver (Python operators)", t_ours, n_ours),
            ("rapidriver (Rust operators)", t_native, n_ours),
        ]:
            rows.append(record(f"overhead/{case}", impl, m, t, base))
    return rows


def tsp_cases(n_cities: int, iters: int, seeds: int, repeats: int) -> list[dict]:
    import alns as ref
    import alns.accept as ref_accept
    import alns.select as ref_select
    import alns.stop as ref_stop

    from rapidriver import _core
    from rapidriver.alns import ALNS, accept, select, stop
    from rapidriver.alns.examples import Tsp

    tsp = Tsp.random(n_cities, seed=0)
    init = tsp.initial().objective()
    sa = (0.02 * init, 1.0, (1.0 / (0.02 * init)) ** (1.0 / iters))

    def python_runs(lib, acc, sel, stp):
        out = []
        for seed in range(seeds):
            engine = lib(np.random.default_rng(seed))
            tsp.register(engine)
            res = engine.iterate(
                tsp.initial(), sel.RouletteWheel([25, 5, 1, 0], 0.8, 3, 1),
                acc.SimulatedAnnealing(*sa), stp.MaxIterations(iters),
            )
            out.append(res.best_state.objective())
        return out

    def native_runs():
        out = []
        for seed in range(seeds):
            best, _, _ = _core.alns_run_native(
                "tsp",
                {"coords": [tuple(c) for c in tsp.coords], "degree": 0.25},
                select.RouletteWheel([25, 5, 1, 0], 0.8, 3, 1)._core,
                accept.SimulatedAnnealing(*sa)._core,
                stop.MaxIterations(iters)._core,
                seed,
            )
            out.append(best)
        return out

    t_ref, obj_ref = best_of(lambda: python_runs(ref.ALNS, ref_accept, ref_select, ref_stop), 1)
    t_ours, obj_ours = best_of(lambda: python_runs(ALNS, accept, select, stop), 1)
    t_native, obj_native = best_of(native_runs, repeats)
    total = iters * seeds
    base = t_ref / total
    case = f"tsp{n_cities}/{iters} iterations x {seeds} seeds"
    rows = []
    for impl, t, objs in [
        ("alns", t_ref, obj_ref),
        ("rapidriver (Python operators)", t_ours, obj_ours),
        ("rapidriver (Rust operators)", t_native, obj_native),
    ]:
        rows.append(
            record(
                case, impl, total, t, base,
                objective=float(np.mean(objs)),
                objective_sd=float(np.std(objs, ddof=1)) if seeds > 1 else 0.0,
                initial_objective=init,
            )
        )
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", type=pathlib.Path, default=RESULTS / "alns.json")
    args = parser.parse_args(argv)
    if args.quick:
        n_alns = {"roulette": 2000, "mab-ucb1": 300, "mab-linucb": 60}
        n_ours, repeats = 20_000, 2
        tsp = (30, 200, 3)
    else:
        n_alns = {"roulette": 20_000, "mab-ucb1": 2000, "mab-linucb": 400}
        n_ours, repeats = 200_000, 3
        tsp = (50, 1000, 10)
    rows = overhead_cases(n_alns, n_ours, repeats) + tsp_cases(*tsp, repeats)

    lines = [
        "| case | implementation | iterations | µs / iteration | speed-up vs alns "
        "| mean best objective |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        obj = "" if r["objective"] is None else f"{r['objective']:.1f} ± {r['objective_sd']:.1f}"
        lines.append(
            f"| {r['case']} | {r['implementation']} | {r['n']:,} | {r['per_iter_us']:.2f} "
            f"| {r['speedup_vs_alns']:.0f}× | {obj} |"
        )
    md = "\n".join(lines)
    print(md)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    meta = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "quick": args.quick,
    }
    args.out.write_text(json.dumps({"meta": meta, "rows": rows}, indent=2))
    args.out.with_suffix(".md").write_text(md + "\n")


if __name__ == "__main__":
    main()
