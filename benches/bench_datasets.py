"""Synthetic stream generation: river's generators against rapidriver.datasets.

Run from the project root after `pip install ".[bench]"` (a release build)::

    python benches/bench_datasets.py

For each generator, the same parameters and seeds draw `--n` samples from river (iterating its
dicts), from ours as dicts (iteration), and from ours as arrays (`arrays(n)`, in Rust). The
samples are identical (checked on the first 1,000). Results: `benches/results/datasets.json`
and `datasets.md` (samples per second and speed-ups over river).
"""

from __future__ import annotations

import argparse
import itertools
import json
import pathlib
import platform
import time

RESULTS = pathlib.Path(__file__).parent / "results"


def cases():
    from river.datasets import synth

    from rapidriver import datasets

    return {
        "SEA": (synth.SEA, datasets.SEA, {"variant": 1, "noise": 0.1, "seed": 1}),
        "LED (24 features)": (
            synth.LED,
            datasets.LED,
            {"seed": 1, "noise_percentage": 0.1, "irrelevant_features": True},
        ),
        "RandomRBFDrift": (
            synth.RandomRBFDrift,
            datasets.RandomRBFDrift,
            {"seed_model": 1, "seed_sample": 2, "n_classes": 5, "change_speed": 1e-3},
        ),
    }


def rate(n, fn):
    start = time.perf_counter()
    fn()
    return n / (time.perf_counter() - start)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200_000)
    parser.add_argument("--out", type=pathlib.Path, default=RESULTS / "datasets.json")
    args = parser.parse_args(argv)
    n = args.n
    rows = []
    for name, (theirs, ours, params) in cases().items():
        same = list(itertools.islice(theirs(**params), 1000)) == list(
            itertools.islice(ours(**params), 1000)
        )
        river_rate = rate(n, lambda t=theirs, p=params: list(itertools.islice(t(**p), n)))
        dict_rate = rate(n, lambda o=ours, p=params: list(itertools.islice(o(**p), n)))
        array_rate = rate(n, lambda o=ours, p=params: o(**p).arrays(n))
        rows.append(
            {
                "generator": name,
                "n": n,
                "same_samples": same,
                "samples_per_s": {
                    "river": river_rate,
                    "ours-dict": dict_rate,
                    "ours-arrays": array_rate,
                },
                "speedup": {
                    "ours-dict": dict_rate / river_rate,
                    "ours-arrays": array_rate / river_rate,
                },
            }
        )
    lines = [
        "| generator | same samples | river samples/s | ours dicts samples/s | "
        "ours arrays samples/s | × dicts | × arrays |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        s, x = r["samples_per_s"], r["speedup"]
        lines.append(
            f"| {r['generator']} | {'yes' if r['same_samples'] else 'NO'} | {s['river']:,.0f} | "
            f"{s['ours-dict']:,.0f} | {s['ours-arrays']:,.0f} | {x['ours-dict']:.1f}× | "
            f"{x['ours-arrays']:.0f}× |"
        )
    md = "\n".join(lines)
    print(md)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    meta = {"python": platform.python_version(), "machine": platform.machine()}
    args.out.write_text(json.dumps({"meta": meta, "rows": rows}, indent=2))
    args.out.with_suffix(".md").write_text(md + "\n")


if __name__ == "__main__":
    main()
