"""MIP search at equal wall-clock budget: plain HiGHS, plain SCIP, the `balans` package and
rapidriver.mip.Balans (on HiGHS), on the generated families of `rapidriver.mip.instances`.

Run from the project root (``pip install ".[bench,scip]"`` for SCIP and balans)::

    python benches/bench_mip.py             # 60 s per run, 3 seeds, paper-sized instances
    python benches/bench_mip.py --quick     # 10 s per run, 2 seeds
    python benches/bench_mip.py --implementations HiGHS "ours (HiGHS, time-aware)" --quick
    python benches/bench_mip.py --merge results/a.json results/b.json --output mip
    python benches/bench_mip.py --noise results/mip.json --families set_cover

``--implementations`` runs a subset (or the measured variants of ours: time-aware reward,
warm-up shares, a shorter sub-MIP slice); ``--merge`` joins runs at one budget, recomputing the
best known, gaps and integrals over all of them. Tables give mean and standard deviation over
seeds.

For every family and seed one instance is generated (the seed is also every solver's seed),
and each implementation runs once within the budget, single-threaded. Reported per run: the
objective, the primal gap to the best objective any implementation found on that instance,
``|best - obj| / max(|best|, |obj|)`` (1 without a solution), the primal integral (Berthold
2013: the primal gap integrated over the budget, divided by the budget, so 0 is "optimal from
the first instant" and 1 is "no solution throughout"), the wall time and the overrun of the
budget. A run that overruns its budget (the balans package finishes the sub-MIP that is
running at its deadline) is scored on what it had found by the budget (plus 1%).
Results: ``benches/results/mip.json`` and ``mip.md`` (``mip_quick.*`` for ``--quick``).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import pathlib
import platform
import tempfile
import time
import typing

RESULTS = pathlib.Path(__file__).parent / "results"
FAMILIES = ["set_cover", "combinatorial_auction", "capacitated_facility_location",
            "maximum_independent_set", "minimum_vertex_cover"]
MAXIMISE = {"combinatorial_auction", "maximum_independent_set"}

Trajectory = list[tuple[float, float]]  # (seconds, incumbent objective)


def run_highs(path: str, budget: float, seed: int) -> tuple[Trajectory, float]:
    from rapidriver.mip._highs_io import new_highs

    # The clock starts before the file is read, as ours (and SCIP's) does: a user's budget
    # covers reading the model too.
    t0 = time.perf_counter()
    h = new_highs()
    h.readModel(path)
    h.setOptionValue("time_limit", max(budget - (time.perf_counter() - t0), 1e-3))
    h.setOptionValue("random_seed", seed)
    traj: Trajectory = []
    h.cbMipImprovingSolution.subscribe(
        lambda e: traj.append((time.perf_counter() - t0, e.data_out.objective_function_value)))
    h.run()
    wall = time.perf_counter() - t0
    info = h.getInfo()
    if info.primal_solution_status == 2 and (not traj or
                                             traj[-1][1] != info.objective_function_value):
        traj.append((wall, info.objective_function_value))
    return traj, wall


def run_scip(path: str, budget: float, seed: int) -> tuple[Trajectory, float]:
    import pyscipopt

    t0 = time.perf_counter()
    m = pyscipopt.Model()
    m.hideOutput()
    m.readProblem(path)
    m.setParam("limits/time", budget)
    m.setParam("randomization/randomseedshift", seed)
    m.setParam("parallel/maxnthreads", 1)
    m.optimize()
    wall = time.perf_counter() - t0
    sign = 1.0 if m.getObjectiveSense() == "minimize" else -1.0
    sols = sorted((m.getSolTime(s), m.getSolObjVal(s)) for s in m.getSols())
    traj: Trajectory = []
    for t, v in sols:
        if not traj or sign * v < sign * traj[-1][1] - 1e-9:
            traj.append((t, v))
    return traj, wall


def run_balans_package(path: str, budget: float, seed: int) -> tuple[Trajectory, float]:
    from alns.stop import MaxRuntime
    from balans.solver import Balans as PackageBalans

    # Its default configuration; below 10 s budgets its first-solution limit must shrink.
    extra = {} if budget >= 10 else {"timelimit_first_solution": budget / 2}
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        # Its seed must be > 0 (it draws the engine's seed from [0, seed)): 1283 is its default.
        result = PackageBalans(stop=MaxRuntime(budget), seed=1283 + seed, **extra).solve(path)
    wall = time.perf_counter() - t0
    if result is None:
        return [], wall
    objs = list(result.statistics.objectives)
    runtimes = list(result.statistics.runtimes)
    start = wall - sum(runtimes)  # the ALNS loop began after the first solution
    times = [start]
    for r in runtimes:
        times.append(times[-1] + r)
    return list(zip(times, objs, strict=False)), wall


def run_ours(path: str, budget: float, seed: int, solver: str = "highs", **options):
    from alns.stop import MaxRuntime

    from rapidriver.mip import Balans

    t0 = time.perf_counter()
    result = Balans(stop=MaxRuntime(budget), seed=seed, solver=solver, **options).solve(path)
    wall = time.perf_counter() - t0
    traj = [(r.time, r.incumbent) for r in result.history]
    return traj, wall


IMPLEMENTATIONS: dict[str, typing.Callable[..., tuple[Trajectory, float]]] = {
    "HiGHS": run_highs,
    "SCIP": run_scip,
    "balans (SCIP)": run_balans_package,
    "ours (HiGHS)": run_ours,
    "ours (SCIP)": lambda path, budget, seed: run_ours(path, budget, seed, solver="scip"),
}
# Variants of ours, run only when named with --implementations (to measure an option).
VARIANTS: dict[str, typing.Callable[..., tuple[Trajectory, float]]] = {
    "ours (HiGHS, balans reward)":
        lambda path, budget, seed: run_ours(path, budget, seed, reward="balans"),
    "ours (HiGHS, time-aware)":
        lambda path, budget, seed: run_ours(path, budget, seed, reward="time-aware"),
    "ours (HiGHS, warmup 0)":
        lambda path, budget, seed: run_ours(path, budget, seed, warmup=0.0),
    "ours (HiGHS, warmup 0.1)":
        lambda path, budget, seed: run_ours(path, budget, seed, warmup=0.1),
    "ours (HiGHS, warmup 0.25)":
        lambda path, budget, seed: run_ours(path, budget, seed, warmup=0.25),
    "ours (HiGHS, fixed sizes)":
        lambda path, budget, seed: run_ours(path, budget, seed, adapt_size=False),
    "ours (HiGHS, slice /20)":
        lambda path, budget, seed: run_ours(path, budget, seed,
                                            iteration_time_limit=max(0.2, budget / 20)),
}


def best_so_far(traj: Trajectory, maximise: bool) -> Trajectory:
    out: Trajectory = []
    for t, v in sorted(traj):
        if v is None or not math.isfinite(v):
            continue
        if not out or (v > out[-1][1] if maximise else v < out[-1][1]):
            out.append((t, v))
    return out


def primal_gap(value: float | None, best: float) -> float:
    if value is None:
        return 1.0
    if value == best:
        return 0.0
    if value * best < 0:
        return 1.0
    return abs(best - value) / max(abs(best), abs(value))


def primal_integral(traj: Trajectory, best: float, budget: float) -> float:
    total, last_t, last_gap = 0.0, 0.0, 1.0
    for t, v in traj:
        t = min(max(t, 0.0), budget)
        total += (t - last_t) * last_gap
        last_t, last_gap = t, primal_gap(v, best)
    total += (budget - last_t) * last_gap
    return total / budget


def available(name: str) -> bool:
    try:
        if name in ("SCIP", "ours (SCIP)"):
            import pyscipopt  # noqa: F401
        elif name.startswith("balans"):
            import balans  # noqa: F401
        import highspy  # noqa: F401
    except ImportError:
        return False
    return True


def replot(json_path: pathlib.Path) -> None:
    """Redraws the incumbent plot of a results file (``--replot``)."""
    data = json.loads(json_path.read_text())
    families = list(dict.fromkeys(r["case"] for r in data["records"]))
    plot(data["records"], families, data["budget_s"],
         json_path.with_name(json_path.stem + "_incumbent.png"))


def score(records: list[dict], budget: float) -> None:
    """Fills in each record's objective, best known, primal gap and primal integral, the best
    known being the best any record of the same family and seed found within the budget."""
    best: dict[tuple[str, int], float] = {}
    for r in records:
        maximise = r["case"] in MAXIMISE
        # What a run found after its budget (balans overruns) does not count.
        traj = [p for p in best_so_far(r["trajectory"], maximise) if p[0] <= budget * 1.01]
        r["_in_time"] = traj
        if traj:
            key, v = (r["case"], r["seed"]), traj[-1][1]
            old = best.get(key)
            best[key] = v if old is None else (max if maximise else min)(old, v)
    for r in records:
        traj = r.pop("_in_time")
        b = best.get((r["case"], r["seed"]), math.nan)
        full = r["trajectory"]
        r["objective"] = traj[-1][1] if traj else None
        r["best_known"] = b
        r["objective_after_overrun"] = full[-1][1] if full else None
        r["primal_gap"] = primal_gap(r["objective"], b)
        r["primal_integral"] = primal_integral(traj, b, budget)


def merge(paths: list[pathlib.Path], stem: str) -> None:
    """Merges the records of several runs at one budget (``--merge``): the best known, gaps and
    integrals are recomputed over all of them, per family and seed."""
    runs = [json.loads(p.read_text()) for p in paths]
    budgets = {d["budget_s"] for d in runs}
    if len(budgets) != 1:
        raise SystemExit(f"--merge needs runs at one budget, got {sorted(budgets)}")
    budget = budgets.pop()
    records = [r for d in runs for r in d["records"]]
    score(records, budget)
    families = [f for f in FAMILIES if any(r["case"] == f for r in records)]
    impls = list(dict.fromkeys(r["implementation"] for r in records))
    seeds = sorted({r["seed"] for r in records})
    write(records, impls, families, budget, seeds, stem, quick=False)


def noise(against: pathlib.Path, families: list[str], horizon: float, repeats: int,
          stem: str) -> None:
    """How much the primal integral moves between identical runs (``--noise``): plain HiGHS,
    same instance and seed, ``repeats`` times for ``horizon`` seconds; each run's first
    ``horizon`` seconds are scored as a share of the results file's budget, against its best
    known. The spread is the timing noise of HiGHS's presolve and first heuristics, which ours
    runs too (its warm-up is HiGHS on the whole model)."""
    import statistics

    from rapidriver.mip import instances

    data = json.loads(against.read_text())
    budget = data["budget_s"]
    best = {(r["case"], r["seed"]): r["best_known"] for r in data["records"]}
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for family, seed in sorted(k for k in best if k[0] in families):
            path = instances.generate(family, f"{tmp}/{family}_{seed}.mps", seed=seed)
            parts = []
            for _ in range(repeats):
                traj, _wall = run_highs(path, horizon, seed)
                traj = best_so_far(traj, family in MAXIMISE)
                # The integral over [0, horizon] only, in units of the whole budget.
                parts.append(primal_integral(traj, best[family, seed], horizon) * horizon / budget)
            rows.append({"case": family, "seed": seed, "horizon_s": horizon,
                         "integral_parts": parts, "min": min(parts), "max": max(parts),
                         "sd": statistics.stdev(parts) if len(parts) > 1 else 0.0})
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{stem}.json").write_text(json.dumps(
        {"budget_s": budget, "against": against.name, "repeats": repeats, "rows": rows},
        indent=1))
    md = (f"Plain HiGHS run {repeats} times on the same instance and seed: its first {horizon:g} s "
          f"scored as part of the {budget:g} s primal integral (best known from {against.name}). "
          "The spread is timing noise only.\n\n"
          "| family | seed | min | max | standard deviation |\n|---|---|---|---|---|\n")
    md += "".join(f"| {r['case']} | {r['seed']} | {r['min']:.4f} | {r['max']:.4f} | "
                  f"{r['sd']:.4f} |\n" for r in rows)
    (RESULTS / f"{stem}.md").write_text(md)
    print(md)


def write(records, impls, families, budget, seeds, stem, quick) -> None:
    summary = summarise(records, impls, families)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{stem}.json").write_text(json.dumps({
        "budget_s": budget, "seeds": seeds, "quick": quick,
        "machine": platform.machine(), "python": platform.python_version(),
        "summary": summary, "records": records}, indent=1))
    md = markdown(summary, budget, seeds)
    (RESULTS / f"{stem}.md").write_text(md)
    print(md)
    plot(records, families, budget, RESULTS / f"{stem}_incumbent.png")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replot", type=pathlib.Path, default=None,
                        help="only redraw the plot of this results JSON")
    parser.add_argument("--merge", type=pathlib.Path, nargs="+", default=None,
                        help="only merge these results JSONs (one budget) into --output")
    parser.add_argument("--noise", type=pathlib.Path, default=None, metavar="RESULTS_JSON",
                        help="only measure the run-to-run spread of plain HiGHS's integral "
                        "over --horizon s, against this results file's best known")
    parser.add_argument("--horizon", type=float, default=8.0)
    parser.add_argument("--repeats", type=int, default=6)
    parser.add_argument("--quick", action="store_true", help="10 s budgets, 2 seeds")
    parser.add_argument("--budget", type=float, default=None)
    parser.add_argument("--seeds", type=int, default=None)
    parser.add_argument("--families", nargs="+", default=FAMILIES, choices=FAMILIES)
    parser.add_argument("--implementations", nargs="+", default=list(IMPLEMENTATIONS),
                        choices=[*IMPLEMENTATIONS, *VARIANTS], metavar="NAME",
                        help="implementations to run (default: the five of the matrix; "
                        f"variants: {', '.join(VARIANTS)})")
    parser.add_argument("--seed-offset", type=int, default=0,
                        help="first seed (to run seeds in several passes)")
    parser.add_argument("--output", default=None,
                        help="results stem under benches/results (default mip / mip_quick)")
    args = parser.parse_args()
    if args.replot is not None:
        replot(args.replot)
        return
    if args.merge is not None:
        merge(args.merge, args.output or "mip")
        return
    if args.noise is not None:
        noise(args.noise, args.families, args.horizon, args.repeats, args.output or "mip_noise")
        return
    budget = args.budget or (10.0 if args.quick else 60.0)
    n_seeds = args.seeds or (2 if args.quick else 3)
    from rapidriver.mip import instances

    every = {**IMPLEMENTATIONS, **VARIANTS}
    impls = {k: every[k] for k in args.implementations if available(k)}
    records = []
    with tempfile.TemporaryDirectory() as tmp:
        for family in args.families:
            maximise = family in MAXIMISE
            for seed in range(args.seed_offset, args.seed_offset + n_seeds):
                path = instances.generate(family, f"{tmp}/{family}_{seed}.mps", seed=seed)
                runs = {}
                errors = {}
                for name, fn in impls.items():
                    t0 = time.perf_counter()
                    try:
                        traj, wall = fn(path, budget, seed)
                    except Exception as exc:  # a crash counts as a run without a solution
                        traj, wall = [], time.perf_counter() - t0
                        errors[name] = f"{type(exc).__name__}: {exc}"
                        print(f"  {name} failed: {errors[name][:200]}", flush=True)
                    runs[name] = (best_so_far(traj, maximise), wall)
                    final = runs[name][0][-1][1] if runs[name][0] else None
                    print(f"{family:<30} seed {seed} {name:<14} objective {final!s:>14} "
                          f"wall {wall:6.2f}s", flush=True)
                records += [{"case": family, "implementation": name, "seed": seed,
                             "budget_s": budget, "seconds": wall,
                             "overrun_pct": 100.0 * (wall / budget - 1.0),
                             "trajectory": full, "error": errors.get(name)}
                            for name, (full, wall) in runs.items()]
    score(records, budget)
    stem = args.output or ("mip_quick" if args.quick else "mip")
    seeds = list(range(args.seed_offset, args.seed_offset + n_seeds))
    write(records, list(impls), args.families, budget, seeds, stem, args.quick)


def plot(records, families, budget, path) -> None:
    """Incumbent over time on seed 0 of every family, one panel each (needs matplotlib)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    fig, axes = plt.subplots(1, len(families), figsize=(4.2 * len(families), 3.6))
    axes = [axes] if len(families) == 1 else list(axes)
    names = list(dict.fromkeys(r["implementation"] for r in records))
    colour = {name: f"C{k}" for k, name in enumerate(names)}  # one colour per implementation
    for ax, family in zip(axes, families, strict=True):
        for r in records:
            if r["case"] != family or r["seed"] != 0 or not r["trajectory"]:
                continue
            traj = [p for p in r["trajectory"] if p[0] <= budget * 1.01]
            if not traj:
                continue
            times = [t for t, _ in traj] + [budget]
            values = [v for _, v in traj] + [traj[-1][1]]
            ax.step(times, values, where="post", label=r["implementation"],
                    color=colour[r["implementation"]])
        ax.set_title(family.replace("_", " "), fontsize=10)
        ax.set_xlabel("seconds")
        ax.grid(alpha=0.3)
        # Zoom on the region where the implementations differ.
        finals = [r["objective"] for r in records
                  if r["case"] == family and r["seed"] == 0 and r["objective"] is not None]
        if finals:
            lo, hi = min(finals), max(finals)
            pad = max(hi - lo, 1e-6 * max(abs(hi), 1.0))
            ax.set_ylim(lo - 0.5 * pad, hi + 1.5 * pad)
    axes[0].set_ylabel("incumbent objective")
    handles = [plt.Line2D([], [], color=colour[n], label=n) for n in names]
    axes[-1].legend(handles=handles, fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _mean_sd(values: list[float]) -> tuple[float, float]:
    m = sum(values) / len(values)
    if len(values) < 2:
        return m, 0.0
    return m, math.sqrt(sum((v - m) ** 2 for v in values) / (len(values) - 1))


def summarise(records, impls, families):
    """Per family and implementation: means and sample standard deviations over its seeds, and
    the ratio of its mean primal integral to plain HiGHS's on the same seeds."""
    out = []
    for family in families:
        for name in impls:
            rows = [r for r in records if r["case"] == family and r["implementation"] == name]
            if not rows:
                continue
            objs = [r["objective"] for r in rows]
            gap, gap_sd = _mean_sd([r["primal_gap"] for r in rows])
            integral, integral_sd = _mean_sd([r["primal_integral"] for r in rows])
            seeds = sorted(r["seed"] for r in rows)
            base = [r["primal_integral"] for r in records if r["case"] == family
                    and r["implementation"] == "HiGHS" and r["seed"] in seeds]
            ratio = (integral / (sum(base) / len(base))
                     if len(base) == len(seeds) and sum(base) > 0 else None)
            out.append({"case": family, "implementation": name, "seeds": seeds,
                        "objective": (sum(objs) / len(objs)) if None not in objs else None,
                        "primal_gap": gap, "primal_gap_sd": gap_sd,
                        "primal_integral": integral, "primal_integral_sd": integral_sd,
                        "integral_ratio_to_highs": ratio,
                        "max_overrun_pct": max(r["overrun_pct"] for r in rows),
                        "failed_runs": sum(r["error"] is not None for r in rows)})
    return out


def markdown(summary, budget, seeds):
    lines = [
        f"Budget {budget:g} s per run, seeds {', '.join(map(str, seeds))} (instance and solver "
        "seed; the seeds column says which an implementation ran), one thread. Mean objective, "
        "mean ± standard deviation over seeds of the primal gap to the best found by any "
        "implementation and of the primal integral (gap integrated over the budget / budget; "
        "lower is better), the integral's ratio to plain HiGHS on the same seeds, and the "
        "worst overrun of the budget.",
        "",
        "| family | implementation | seeds | objective | primal gap | primal integral | "
        "integral / HiGHS | worst overrun |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for s in summary:
        obj = f"{s['objective']:,.1f}" if s["objective"] is not None else "none"
        ratio = s["integral_ratio_to_highs"]
        ratio_text = f"{ratio:.2f}" if ratio is not None else "-"
        line = (f"| {s['case']} | {s['implementation']} | {len(s['seeds'])} | {obj} | "
                f"{s['primal_gap']:.4f} ± {s['primal_gap_sd']:.4f} | "
                f"{s['primal_integral']:.4f} ± {s['primal_integral_sd']:.4f} | {ratio_text} | "
                f"{s['max_overrun_pct']:+.1f}% |")
        if s["failed_runs"]:
            line += f" ({s['failed_runs']} crashed)"
        lines.append(line)
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
