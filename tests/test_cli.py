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


def test_alns_demo_improves_the_tour_like_alns(capsys):
    from rapidriver.__main__ import demo_alns

    bests = demo_alns(n_cities=30, iterations=600, seed=1)
    assert "µs/iteration" in capsys.readouterr().out
    rust = bests["rapidriver, Rust operators"]
    python = bests["rapidriver, Python operators"]
    # A 30-city index-order tour in the 100 x 100 square is about 1,500 long; ALNS gets
    # within reach of the optimum (~450).
    assert rust < 600 and python < 600
    if "alns package, Python operators" in bests:
        assert python < 1.15 * bests["alns package, Python operators"]


def test_sampling_demo_beats_plain_monte_carlo(capsys):
    from rapidriver.__main__ import demo_sampling

    variances = demo_sampling(budget=20_000, repetitions=5, seed=3)
    assert "summed relative variance" in capsys.readouterr().out
    ours = variances["ISCV (adaptive IS + control variates)"]
    assert ours * 1000 < variances["plain Monte Carlo (exact)"]
