"""Prequential accuracy and throughput of Hoeffding trees: river against rapidriver.

Run from the project root after `pip install ".[bench]"` (a release build)::

    python benches/bench_trees.py           # the issue's stream sizes
    python benches/bench_trees.py --quick   # a tenth of them

Each stream is drawn once into memory (not timed), then every model runs test-then-train
over the same samples:

- ``river-HT``: ``river.tree.HoeffdingTreeClassifier``, default parameters;
- ``river-HAT``: ``river.tree.HoeffdingAdaptiveTreeClassifier`` (ADWIN-monitored subtrees);
- ``ours-dict``: ``rapidriver.tree.HoeffdingTreeClassifier`` through ``predict_one``/``learn_one``;
- ``ours-numpy``: the same model through ``rapidriver.evaluate.prequential`` on a float array
  (the whole loop in Rust with the GIL released);
- ``ours-HAT``: ``rapidriver.tree.HoeffdingAdaptiveTreeClassifier`` (same seed as river's HAT,
  so the same tree) through the dict path.

Results go to ``benches/results/trees.json`` and a markdown table (samples per second,
accuracy, speed-up over river's HT) to ``benches/results/trees.md``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import pathlib
import platform
import time

import numpy as np

RESULTS = pathlib.Path(__file__).parent / "results"


def streams(scale: float) -> dict[str, tuple]:
    from river.datasets import synth

    return {
        "SEA": (synth.SEA(seed=42), int(100_000 * scale)),
        "LED (irrelevant features)": (
            synth.LED(seed=42, noise_percentage=0.1, irrelevant_features=True),
            int(50_000 * scale),
        ),
        "RandomRBF (drift)": (
            synth.RandomRBFDrift(
                seed_model=42, seed_sample=42, n_classes=4, n_features=10, change_speed=1e-4
            ),
            int(100_000 * scale),
        ),
        "Agrawal": (synth.Agrawal(seed=42), int(100_000 * scale)),
    }


def run_dict(model, data: list) -> tuple[float, float]:
    """Test-then-train over (x, y) pairs: accuracy and samples per second."""
    correct = 0
    predict, learn = model.predict_one, model.learn_one
    start = time.perf_counter()
    for x, y in data:
        correct += predict(x) == y
        learn(x, y)
    elapsed = time.perf_counter() - start
    return correct / len(data), len(data) / elapsed


def run_numpy(model, X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    from rapidriver import evaluate

    start = time.perf_counter()
    curve = evaluate.prequential(model, X, y)
    elapsed = time.perf_counter() - start
    return float(curve[-1]), len(y) / elapsed


def main(argv: list[str] | None = None) -> None:
    from river import tree as river_tree

    from rapidriver import tree

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of each stream")
    parser.add_argument("--out", type=pathlib.Path, default=RESULTS / "trees.json")
    args = parser.parse_args(argv)
    scale = 0.1 if args.quick else 1.0

    rows = []
    for name, (stream, n) in streams(scale).items():
        data = list(itertools.islice(stream, n))
        features = list(data[0][0])
        X = np.array([[x[f] for f in features] for x, _ in data], dtype=np.float64)
        y = np.array([label for _, label in data])
        models = {
            "river-HT": (run_dict, river_tree.HoeffdingTreeClassifier, (data,)),
            "river-HAT": (
                run_dict,
                lambda: river_tree.HoeffdingAdaptiveTreeClassifier(seed=42),
                (data,),
            ),
            "ours-dict": (run_dict, tree.HoeffdingTreeClassifier, (data,)),
            "ours-numpy": (run_numpy, tree.HoeffdingTreeClassifier, (X, y)),
            "ours-HAT": (
                run_dict,
                lambda: tree.HoeffdingAdaptiveTreeClassifier(seed=42),
                (data,),
            ),
        }
        row = {"stream": name, "n": n, "accuracy": {}, "samples_per_s": {}}
        for model_name, (run, make, inputs) in models.items():
            acc, speed = run(make(), *inputs)
            row["accuracy"][model_name] = acc
            row["samples_per_s"][model_name] = speed
            print(
                f"{name:<28} {model_name:<11} acc {acc:.4f}  {speed:>12,.0f} samples/s", flush=True
            )
        base = row["samples_per_s"]["river-HT"]
        row["speedup_vs_river_ht"] = {m: s / base for m, s in row["samples_per_s"].items()}
        row["ours_hat_speedup_vs_river_hat"] = (
            row["samples_per_s"]["ours-HAT"] / row["samples_per_s"]["river-HAT"]
        )
        rows.append(row)

    md = table(rows)
    print()
    print(md)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    meta = {"python": platform.python_version(), "machine": platform.machine(), "scale": scale}
    args.out.write_text(json.dumps({"meta": meta, "rows": rows}, indent=2))
    args.out.with_suffix(".md").write_text(md + "\n")


def table(rows: list[dict]) -> str:
    models = ["river-HT", "river-HAT", "ours-dict", "ours-numpy", "ours-HAT"]
    head = "| stream | n | " + " | ".join(f"{m} acc" for m in models)
    head += " | " + " | ".join(f"{m} samples/s" for m in models)
    head += " | ours-dict × | ours-numpy × | ours-HAT × river-HAT |"
    lines = [head, "|" + "---|" * (2 + 2 * len(models) + 3)]
    for r in rows:
        acc = " | ".join(f"{r['accuracy'][m]:.4f}" for m in models)
        speed = " | ".join(f"{r['samples_per_s'][m]:,.0f}" for m in models)
        sp = r["speedup_vs_river_ht"]
        lines.append(
            f"| {r['stream']} | {r['n']:,} | {acc} | {speed} "
            f"| {sp['ours-dict']:.1f}× | {sp['ours-numpy']:.1f}× "
            f"| {r['ours_hat_speedup_vs_river_hat']:.1f}× |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
