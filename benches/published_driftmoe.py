"""Run the published DriftMoE implementation, unchanged, for `bench_moe.py --published`.

This script runs under the published code's own environment, not rapidriver's: a Python with
its requirements (`capymoa==0.10.0 torch==2.0.0 river==0.21.0 numpy==1.23.5
scikit-learn==1.4.1.post1`, and a Java runtime for capymoa's MOA) and a checkout of
https://github.com/miguel-ceadar/drift-moe given as `--code`. It only imports and calls that
code (`driftmoe.data_loader.DataLoader`, `driftmoe.moe_model.MoEModel`); nothing of it is
copied here.

Two commands, each printing one JSON line on its last line of output:

    python published_driftmoe.py dump --code DIR --dataset led_g --n 1000000 --seed 42 --out P
        # the published loader's stream as P_X.npy (float64) and P_y.npy (int64)
    python published_driftmoe.py run --code DIR --dataset led_g --mode joint_data --n 1000000
        # the published training loop; accuracy (%) at the end and after 300k, seconds

The published loop is timed as a user runs it: stream generation (MOA, through JPype) and the
loop itself, after the model and stream are built.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import re
import sys
import time

# capymoa's schema sizes for the published datasets (its driftmoe/config.py `dataset_configs`).
DIMS = {"led_g": (24, 10), "led_a": (24, 10), "sea_a": (3, 2), "sea_g": (3, 2)}


def dump(args: argparse.Namespace) -> dict:
    import numpy as np
    from driftmoe.data_loader import DataLoader

    loader = DataLoader(args.dataset, seed=args.seed)
    loader.restart()
    d = len(loader.next_instance().x)
    loader.restart()  # the published loop draws one instance and restarts, as here
    X = np.empty((args.n, d), dtype=np.float64)
    y = np.empty(args.n, dtype=np.int64)
    start = time.perf_counter()
    for i in range(args.n):
        inst = loader.next_instance()
        X[i] = inst.x
        y[i] = inst.y_index
    seconds = time.perf_counter() - start
    np.save(f"{args.out}_X.npy", X)
    np.save(f"{args.out}_y.npy", y)
    return {"n": args.n, "generation_seconds": seconds}


def run(args: argparse.Namespace) -> dict:
    import torch
    from driftmoe.moe_model import MoEModel

    torch.set_num_threads(1)  # the figures are for one core
    d, k = DIMS[args.dataset]
    cfg = argparse.Namespace(
        mode=args.mode, dataset=args.dataset, total_samples=args.n, input_dim=d,
        num_classes=k, n_experts=12, top_k=3, hidden_dim=256, lr_router=2e-3,
        batch_size=256, print_every=100_000, cv_folds=1, label_delay=0, seed=args.seed,
        seeds=[args.seed],
    )  # fmt: skip
    model = MoEModel(cfg, args.seed)
    train = {"joint_data": model.train_joint_data, "joint_task": model.train_joint_task}
    # Keep what the published loop prints, to read its accuracy after 300k samples.
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        start = time.perf_counter()
        accuracy, _, _ = train[args.mode](tracker=None)
        seconds = time.perf_counter() - start
    at_300k = None
    for line in printed.getvalue().splitlines():
        m = re.match(r"\[300,000 samples\].*acc=([0-9.]+)", line)
        if m:
            at_300k = float(m.group(1))
    return {
        "accuracy": float(accuracy),
        "accuracy_300k": at_300k,
        "seconds": seconds,
        "samples_per_s": args.n / seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["dump", "run"])
    parser.add_argument("--code", required=True, help="checkout of miguel-ceadar/drift-moe")
    parser.add_argument("--dataset", required=True, choices=sorted(DIMS))
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--mode", default="joint_data", choices=["joint_data", "joint_task"])
    parser.add_argument("--out", help="prefix of the .npy files (dump)")
    args = parser.parse_args()
    sys.path.insert(0, args.code)
    result = dump(args) if args.command == "dump" else run(args)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
