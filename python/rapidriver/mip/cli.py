"""The ``rapidriver solve`` and ``rapidriver plot`` subcommands.

``solve`` runs :class:`~rapidriver.mip.Balans` on an MPS/LP file with a live progress line on
stderr, then writes the best solution (``.sol``: ``name value`` lines after an objective
comment) and the history (JSON). ``plot`` draws incumbent-over-time for one or more
histories to a PNG (matplotlib, an optional dependency: ``pip install rapidriver[plot]``).
Bad input ends with a one-line message and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import typing

from rapidriver.mip.balans import REWARDS, SELECTORS

__all__ = ["EXIT_BAD_INPUT", "EXIT_INFEASIBLE", "SELECTORS", "add_subcommands", "plot", "solve"]

#: Exit code for a missing/malformed file, bad options or a model without integers.
EXIT_BAD_INPUT = 2
#: Exit code for an infeasible or unbounded model.
EXIT_INFEASIBLE = 3



def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, got {text!r}") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a number > 0, got {text!r}")
    return value


def add_subcommands(sub: typing.Any) -> None:
    """Adds ``solve`` and ``plot`` to the ``rapidriver`` argument parser."""
    s = sub.add_parser("solve", help="solve an MPS/LP file with bandit-driven ALNS (Balans)")
    s.add_argument("instance", help="path to an .mps or .lp file")
    s.add_argument("--time-limit", type=_positive, default=60.0, help="seconds (default 60)")
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--solver", choices=["highs", "scip"], default="highs")
    s.add_argument("--selector", choices=SELECTORS, default="softmax")
    s.add_argument("--reward", choices=REWARDS, default="balans",
                   help="bandit reward: Balans' outcome scores, or discounted by the share of "
                   "the sub-MIP's time slice used (default balans)")
    s.add_argument("--warmup", type=float, default=0.25,
                   help="share of the budget the solver improves its first point before the "
                   "search (default 0.25)")
    s.add_argument("--destroy", nargs="+", default=None, metavar="OP",
                   help="destroy operators, e.g. mutation_50 rins_40 local_branching_10")
    s.add_argument("--sol", default=None, help="solution file (default INSTANCE stem + .sol)")
    s.add_argument("--history", default=None,
                   help="history JSON (default INSTANCE stem + .history.json)")
    s.add_argument("--no-isolate", action="store_true",
                   help="solve the HiGHS sub-MIPs in this process instead of a worker that is "
                   "killed at the deadline (isolation is the default on Linux)")
    s.add_argument("--fixed-sizes", action="store_true",
                   help="keep each operator's share fixed (Balans') instead of adapting it "
                   "to its sub-MIPs' outcomes (adapting is the default)")
    s.add_argument("--quiet", action="store_true", help="no progress line")
    p = sub.add_parser("plot", help="draw incumbent over time from history JSON files")
    p.add_argument("histories", nargs="+", help="history JSON files from `rapidriver solve`")
    p.add_argument("-o", "--output", default="incumbent.png", help="PNG path")
    p.add_argument("--labels", nargs="+", default=None, help="one label per history")
    p.add_argument("--title", default=None)


def _fail(message: str, code: int) -> int:
    print(f"rapidriver: error: {message}", file=sys.stderr)
    return code


def _stem(path: str) -> str:
    base, ext = os.path.splitext(path)
    if ext.lower() in (".gz", ".bz2"):
        base = os.path.splitext(base)[0]
    return os.path.basename(base)


def solve(args: argparse.Namespace) -> int:
    """Runs ``rapidriver solve``; returns the exit code."""
    from rapidriver.mip import Balans, _engine, operators

    if not os.path.isfile(args.instance):
        return _fail(f"no such model file: {args.instance}", EXIT_BAD_INPUT)
    try:
        ops = operators.parse(args.destroy) if args.destroy else list(
            operators.parse(operators.DEFAULT_DESTROY))
        solver = Balans(destroy_ops=ops, selector=args.selector,
                        stop=_engine.MaxRuntime(args.time_limit), solver=args.solver,
                        seed=args.seed, reward=args.reward, warmup=args.warmup,
                        isolate=False if args.no_isolate else None,
                        adapt_size=not args.fixed_sizes)
    except (TypeError, ValueError) as exc:
        return _fail(str(exc), EXIT_BAD_INPUT)
    live = not args.quiet and sys.stderr is not None

    def progress(rec: typing.Any, gap: float) -> None:
        if live:
            gap_text = f"{gap:8.3%}" if math.isfinite(gap) else "     inf"
            sys.stderr.write(f"\r[{rec.time:7.1f}s] incumbent {rec.incumbent:>14.6g}  gap "
                             f"{gap_text}  {rec.operator:<20} {rec.outcome:<7}")
            sys.stderr.flush()

    try:
        result = solver.solve(args.instance, progress=progress)
    except FileNotFoundError as exc:
        return _fail(str(exc), EXIT_BAD_INPUT)
    except ValueError as exc:
        text = str(exc)
        code = EXIT_INFEASIBLE if ("infeasible" in text or "unbounded" in text) else \
            EXIT_BAD_INPUT
        if live:
            sys.stderr.write("\n")
        return _fail(text, code)
    except ImportError as exc:
        return _fail(f"{exc} (the scip solver needs `pip install pyscipopt`)", EXIT_BAD_INPUT)
    if live:
        sys.stderr.write("\n")
    if not result.solution:
        return _fail(f"no feasible solution found within {args.time_limit:g} s",
                     EXIT_INFEASIBLE)
    stem = _stem(args.instance)
    sol_path = args.sol or f"{stem}.sol"
    hist_path = args.history or f"{stem}.history.json"
    with open(sol_path, "w") as f:
        f.write(f"# objective {result.objective!r}\n# status {result.status}\n")
        for name, value in result.solution.items():
            f.write(f"{name} {value + 0.0!r}\n")
    record = {"instance": args.instance, "solver": args.solver, "selector": args.selector,
              "seed": args.seed, "time_limit": args.time_limit, **result.to_json()}
    with open(hist_path, "w") as f:
        json.dump(record, f, indent=1)
    gap = result.gap
    gap_text = f"{gap:.3%}" if math.isfinite(gap) else "unknown"
    print(f"objective {result.objective:.10g}  status {result.status}  gap {gap_text}  "
          f"iterations {result.iterations}  time {result.runtime:.2f}s")
    print(f"wrote {sol_path} and {hist_path}")
    return 0


def plot(args: argparse.Namespace) -> int:
    """Runs ``rapidriver plot``; returns the exit code."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return _fail("plotting needs matplotlib: pip install matplotlib", EXIT_BAD_INPUT)
    if args.labels is not None and len(args.labels) != len(args.histories):
        return _fail(f"--labels needs {len(args.histories)} labels, got {len(args.labels)}",
                     EXIT_BAD_INPUT)
    runs = []
    for path in args.histories:
        try:
            with open(path) as f:
                data = json.load(f)
            points = [(r["time"], r["incumbent"]) for r in data["history"]
                      if r["incumbent"] is not None]
        except FileNotFoundError:
            return _fail(f"no such history file: {path}", EXIT_BAD_INPUT)
        except (json.JSONDecodeError, KeyError, TypeError):
            return _fail(f"{path} is not a history file from `rapidriver solve`",
                         EXIT_BAD_INPUT)
        if not points:
            return _fail(f"{path} has no incumbent to plot", EXIT_BAD_INPUT)
        end = float(data.get("runtime", points[-1][0]))
        runs.append((path, points, end))
    fig, ax = plt.subplots(figsize=(7, 4.2))
    for k, (path, points, end) in enumerate(runs):
        label = args.labels[k] if args.labels else _stem(path)
        times = [t for t, _ in points] + [max(end, points[-1][0])]
        values = [v for _, v in points] + [points[-1][1]]
        ax.step(times, values, where="post", label=label)
    ax.set_xlabel("seconds")
    ax.set_ylabel("incumbent objective")
    if args.title:
        ax.set_title(args.title)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(args.output, dpi=110)
    plt.close(fig)
    print(f"wrote {args.output}")
    return 0
