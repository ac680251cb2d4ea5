"""The command line demo."""

import subprocess
import sys

from rapidriver.__main__ import demo_bandits, main


def test_bandit_demo_table_ranks_learners_above_random(capsys):
    rows = {row["policy"]: row for row in demo_bandits(n_steps=5_000, seed=0)}
    out = capsys.readouterr().out
    assert "cumulative regret" in out and "decisions/s" in out
    assert len(rows) == 14
    random = rows["RandomPolicy"]["regret"]
    for name in ("UCB(1)", "ThompsonSampling", "KLUCB", "UCBTuned"):
        assert rows[name]["regret"] < 0.3 * random
    assert all(row["decisions_per_s"] > 0 for row in rows.values())


def test_main_rejects_unknown_demo(capsys):
    try:
        main(["demo", "no-such-demo"])
    except SystemExit as exc:
        assert exc.code == 2
    else:
        raise AssertionError("argparse should reject the name")


def test_python_dash_m_entry_point():
    out = subprocess.run(
        [sys.executable, "-m", "rapidriver", "--help"], capture_output=True, text=True, check=True
    )
    assert "demo" in out.stdout


def test_tree_demo_matches_river_accuracy(capsys):
    from rapidriver.__main__ import demo_trees

    rows = demo_trees(n_samples=3_000, seed=1)
    assert "samples/s" in capsys.readouterr().out
    by_stream: dict[str, dict[str, float]] = {}
    for row in rows:
        by_stream.setdefault(row["stream"], {})[row["model"]] = row["accuracy"]
    assert len(by_stream) == 3
    for accuracies in by_stream.values():
        # The same tree three ways: river's, ours per dict, ours over an array.
        assert len(set(accuracies.values())) == 1
        assert accuracies["river"] > 0.6


def test_relax_demo_orders_the_baselines(capsys):
    from rapidriver.__main__ import demo_relax

    totals = demo_relax(n_systems=200, seed=2)
    assert "instance-optimal omega" in capsys.readouterr().out
    best = next(v for k, v in totals.items() if k.startswith("best fixed"))
    assert totals["instance-optimal omega"] <= best < totals["Gauss-Seidel (omega 1)"]
    assert totals["UCB(0.3)"] < totals["Gauss-Seidel (omega 1)"]


def test_moe_demo_learns_the_drifting_stream(capsys):
    from rapidriver.__main__ import demo_moe

    rows = demo_moe(n_samples=4_000, seed=1)
    assert "samples/s" in capsys.readouterr().out
    assert [row["model"] for row in rows] == [
        "DriftMoE (MoE-Data)",
        "DriftMoE (MoE-Task)",
        "river HAT",
    ]
    # 10% label noise caps accuracy near 0.9; all three should be well above chance.
    assert all(0.7 < row["accuracy"] < 0.92 for row in rows)
