"""Per-decision cost (pull + update) of bandit policies: river, MABWiser and rapidriver.

Run from the project root after `pip install ".[bench]"` (a release build)::

    python benches/bench_bandits.py            # 10^5 rounds, 10 and 100 arms
    python benches/bench_bandits.py --quick    # a smoke run

For each policy that river or MABWiser also has, and for 10 and 100 Bernoulli arms, it times:

- ``river``: ``river.bandit`` driven per step (``pull`` then ``update``);
- ``mabwiser-step``: MABWiser ``predict`` then ``partial_fit`` per step;
- ``mabwiser-batch``: MABWiser deciding a batch of ``--batch`` arms from the current state, then
  one ``partial_fit`` for the whole batch;
- ``ours-call``: rapidriver driven per step, exactly like river;
- ``ours-many``: rapidriver ``pull_many`` for a batch, then one ``update_many``;
- ``ours-simulate``: ``rapidriver.bandit.simulate``, the whole run in Rust.

Every path sees the same arm means; rewards are drawn from one seeded uniform stream. The
per-step MABWiser path costs about 80 µs per decision, so it runs ``--slow-rounds`` rounds
(the per-decision cost is what is compared). Results go to ``benches/results/bandits.json``
and a markdown table of speed-ups over river (and over MABWiser where river lacks the policy)
is printed and written to ``benches/results/bandits.md``.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import platform
import time
import typing

import numpy as np

RESULTS = pathlib.Path(__file__).parent / "results"


def _policies(seed: int) -> dict[str, dict[str, typing.Callable[[], typing.Any] | None]]:
    """Factories for each policy, per library; None where a library lacks it."""
    from mabwiser.mab import LearningPolicy
    from river import bandit as rb

    from rapidriver import bandit as ob

    return {
        "EpsilonGreedy(0.1)": {
            "river": lambda: rb.EpsilonGreedy(epsilon=0.1, seed=seed),
            "mabwiser": lambda: LearningPolicy.EpsilonGreedy(epsilon=0.1),
            "ours": lambda: ob.EpsilonGreedy(epsilon=0.1, seed=seed),
        },
        "UCB(1)": {
            "river": lambda: rb.UCB(delta=1.0, seed=seed),
            "mabwiser": lambda: LearningPolicy.UCB1(alpha=1.0),
            "ours": lambda: ob.UCB(delta=1.0, seed=seed),
        },
        "ThompsonSampling": {
            "river": lambda: rb.ThompsonSampling(reward_obj=_beta_prior(), seed=seed),
            "mabwiser": lambda: LearningPolicy.ThompsonSampling(),
            "ours": lambda: ob.ThompsonSampling(seed=seed),
        },
        "Exp3(0.1)": {
            "river": lambda: rb.Exp3(gamma=0.1, seed=seed),
            "mabwiser": None,
            "ours": lambda: ob.Exp3(gamma=0.1, seed=seed),
        },
        "BayesUCB": {
            "river": lambda: rb.BayesUCB(seed=seed),
            "mabwiser": None,
            "ours": lambda: ob.BayesUCB(seed=seed),
        },
        "Softmax(0.1)": {
            "river": None,
            "mabwiser": lambda: LearningPolicy.Softmax(tau=0.1),
            "ours": lambda: ob.Softmax(tau=0.1, seed=seed),
        },
    }


def _beta_prior():
    from river import proba

    return proba.Beta()


def _per_call(policy, arms: list, probs: np.ndarray, draws: list[float]) -> tuple[float, int]:
    """Seconds spent and rounds completed (river's Exp3 can overflow before the end)."""
    pull, update = policy.pull, policy.update
    means = probs.tolist()  # a list: indexing it costs less harness time than numpy
    done = 0
    start = time.perf_counter()
    try:
        for u in draws:
            arm = pull(arms)
            update(arm, 1.0 if u < means[arm] else 0.0)
            done += 1
    except (ValueError, OverflowError, ZeroDivisionError):
        pass
    return time.perf_counter() - start, done


def _ours_many(policy, arms: list, probs: np.ndarray, draws: np.ndarray, batch: int) -> float:
    start = time.perf_counter()
    for lo in range(0, len(draws), batch):
        u = draws[lo : lo + batch]
        positions = policy.pull_many(arms, len(u))
        rewards = (u < probs[positions]).astype(np.float64)
        policy.update_many(arms, positions, rewards)
    return time.perf_counter() - start


def _ours_simulate(policy, probs: np.ndarray, n: int, seed: int) -> float:
    from rapidriver import bandit

    env = bandit.BernoulliEnv(probs.tolist())
    start = time.perf_counter()
    bandit.simulate(policy, env, n_steps=n, seed=seed)
    return time.perf_counter() - start


def _mabwiser(
    learning_policy, arms: list, probs: np.ndarray, draws: np.ndarray, batch: int, seed: int
) -> float:
    from mabwiser.mab import MAB

    mab = MAB(arms, learning_policy, seed=seed)
    # MABWiser needs a first fit before it predicts; one reward per arm, outside the timing.
    mab.fit(arms, (draws[: len(arms)] < probs).astype(float).tolist())
    start = time.perf_counter()
    if batch == 1:
        for u in draws.tolist():
            arm = mab.predict()
            mab.partial_fit([arm], [1.0 if u < probs[arm] else 0.0])
    else:
        for lo in range(0, len(draws), batch):
            u = draws[lo : lo + batch]
            decisions = np.array([mab.predict() for _ in range(len(u))])
            mab.partial_fit(decisions, (u < probs[decisions]).astype(float))
    return time.perf_counter() - start


def run(rounds: int, slow_rounds: int, batch: int, arm_counts: list[int], seed: int) -> list[dict]:
    rows = []
    for k in arm_counts:
        rng = np.random.default_rng(seed)
        probs = np.sort(rng.uniform(0.05, 0.95, size=k))
        draws = np.random.default_rng(seed + 1).random(rounds)
        arms = list(range(k))
        for name, libs in _policies(seed).items():
            timings: dict[str, float] = {}
            notes = []
            if libs["river"] is not None:
                spent, done = _per_call(libs["river"](), arms, probs, draws.tolist())
                timings["river"] = spent / max(done, 1)
                if done < rounds:
                    notes.append(f"river failed after {done} rounds (timed up to there)")
            if libs["mabwiser"] is not None:
                lp = libs["mabwiser"]
                timings["mabwiser-step"] = (
                    _mabwiser(lp(), arms, probs, draws[:slow_rounds], 1, seed) / slow_rounds
                )
                timings["mabwiser-batch"] = (
                    _mabwiser(lp(), arms, probs, draws, batch, seed) / rounds
                )
            ours = libs["ours"]
            spent, done = _per_call(ours(), arms, probs, draws.tolist())
            assert done == rounds, f"ours failed after {done} rounds"
            timings["ours-call"] = spent / rounds
            timings["ours-many"] = _ours_many(ours(), arms, probs, draws, batch) / rounds
            timings["ours-simulate"] = _ours_simulate(ours(), probs, rounds, seed) / rounds
            row = {
                "policy": name,
                "arms": k,
                "rounds": rounds,
                "us_per_decision": {p: t * 1e6 for p, t in timings.items()},
                "notes": notes,
            }
            baseline = "river" if "river" in timings else "mabwiser-step"
            row["baseline"] = baseline
            row["speedup"] = {
                p: timings[baseline] / timings[p] for p in timings if p.startswith("ours")
            }
            rows.append(row)
            print(_line(row), flush=True)
    return rows


def _line(row: dict) -> str:
    us = row["us_per_decision"]
    cost = ", ".join(f"{p} {t:.3g} µs" for p, t in us.items())
    return f"{row['policy']:<20} k={row['arms']:<4} {cost}"


def table(rows: list[dict]) -> str:
    paths = ["river", "mabwiser-step", "mabwiser-batch", "ours-call", "ours-many", "ours-simulate"]
    head = "| policy | arms | " + " | ".join(f"{p} (µs)" for p in paths)
    head += " | baseline | × per call | × pull_many | × simulate |"
    lines = [head, "|" + "---|" * (len(paths) + 6)]
    for row in rows:
        us = row["us_per_decision"]
        cells = [f"{us[p]:.3g}" if p in us else "—" for p in paths]
        sp = row["speedup"]
        lines.append(
            f"| {row['policy']} | {row['arms']} | "
            + " | ".join(cells)
            + f" | {row['baseline']} | {sp['ours-call']:.0f}× | {sp['ours-many']:.0f}×"
            + f" | {sp['ours-simulate']:.0f}× |"
        )
    notes = [f"- {r['policy']}, {r['arms']} arms: {n}" for r in rows for n in r["notes"]]
    return "\n".join(lines + ([""] + notes if notes else []))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=100_000)
    parser.add_argument(
        "--slow-rounds",
        type=int,
        default=20_000,
        help="rounds for the per-step MABWiser path (about 80 µs each)",
    )
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--arms", type=int, nargs="+", default=[10, 100])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="a smoke run: 2,000 rounds")
    parser.add_argument("--out", type=pathlib.Path, default=RESULTS / "bandits.json")
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds, args.slow_rounds = 2_000, 500
    rows = run(args.rounds, min(args.slow_rounds, args.rounds), args.batch, args.arms, args.seed)
    md = table(rows)
    print()
    print(md)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    meta = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "batch": args.batch,
        "slow_rounds": args.slow_rounds,
    }
    args.out.write_text(json.dumps({"meta": meta, "rows": rows}, indent=2))
    args.out.with_suffix(".md").write_text(md + "\n")


if __name__ == "__main__":
    main()
