"""rapidriver.tree.HoeffdingAdaptiveTreeClassifier against river's, and its own guarantees."""

from __future__ import annotations

import itertools
import math
import pickle

import pytest
from river import checks
from river import drift as river_drift
from river import tree as river_tree
from river.datasets import synth

from rapidriver import drift, tree

STREAMS = {
    "SEA": lambda: synth.SEA(seed=42),
    "SEA-drift": lambda: synth.ConceptDriftStream(
        stream=synth.SEA(seed=42, variant=0),
        drift_stream=synth.SEA(seed=42, variant=2),
        position=3000,
        width=200,
        seed=1,
    ),
    "Agrawal-drift": lambda: synth.ConceptDriftStream(
        stream=synth.Agrawal(classification_function=0, seed=3),
        drift_stream=synth.Agrawal(classification_function=4, seed=3),
        position=2500,
        width=100,
        seed=2,
    ),
    "RBF-drift": lambda: synth.RandomRBFDrift(
        seed_model=42, seed_sample=42, n_classes=3, n_features=6, change_speed=1e-3
    ),
}

PARAMS = [
    {"seed": 1},
    {"seed": 3, "grace_period": 50},
    {"seed": 2, "bootstrap_sampling": False, "leaf_prediction": "mc"},
    {"seed": 4, "grace_period": 100, "drift_window_threshold": 100, "switch_significance": 0.1},
]


def prequential(model, stream, n):
    preds = []
    for x, y in itertools.islice(stream, n):
        preds.append(model.predict_proba_one(x))
        model.learn_one(x, y)
    return preds


def same_probabilities(ours, theirs):
    assert len(ours) == len(theirs)
    for p_ours, p_theirs in zip(ours, theirs, strict=True):
        for k in set(p_ours) | set(p_theirs):
            assert p_ours.get(k, 0.0) == pytest.approx(p_theirs.get(k, 0.0), abs=1e-9)


@pytest.mark.parametrize("params", PARAMS, ids=lambda p: ",".join(f"{k}={v}" for k, v in p.items()))
@pytest.mark.parametrize("name", list(STREAMS))
def test_exactly_rivers_tree(name, params):
    """Same bootstrap draws, same alternates, same switches: the same probabilities."""
    theirs = river_tree.HoeffdingAdaptiveTreeClassifier(**params)
    ours = tree.HoeffdingAdaptiveTreeClassifier(**params)
    proba_theirs = prequential(theirs, STREAMS[name](), 6000)
    proba_ours = prequential(ours, STREAMS[name](), 6000)
    same_probabilities(proba_ours, proba_theirs)
    assert ours.summary == theirs.summary


def test_drifting_streams_grow_and_switch_alternates():
    totals = {"grown": 0, "switched": 0}
    for params in PARAMS:
        for name in ("SEA-drift", "Agrawal-drift", "RBF-drift"):
            model = tree.HoeffdingAdaptiveTreeClassifier(**params)
            prequential(model, STREAMS[name](), 6000)
            totals["grown"] += model.n_alternate_trees
            totals["switched"] += model.n_switch_alternate_trees
    assert totals["grown"] > 0 and totals["switched"] > 0


def test_recovers_after_drift_better_than_the_plain_tree():
    def accuracy_after(model, start, n):
        correct = 0
        for i, (x, y) in enumerate(itertools.islice(STREAMS["Agrawal-drift"](), n)):
            if i >= start:
                correct += model.predict_one(x) == y
            model.learn_one(x, y)
        return correct / (n - start)

    adaptive = accuracy_after(tree.HoeffdingAdaptiveTreeClassifier(seed=1), 5000, 10_000)
    plain = accuracy_after(tree.HoeffdingTreeClassifier(), 5000, 10_000)
    assert adaptive > plain + 0.02


def test_other_detectors_are_accepted():
    ours = tree.HoeffdingAdaptiveTreeClassifier(seed=1, drift_detector=drift.ADWIN(delta=0.01))
    theirs = river_tree.HoeffdingAdaptiveTreeClassifier(
        seed=1, drift_detector=river_drift.ADWIN(delta=0.01)
    )
    same_probabilities(
        prequential(ours, STREAMS["SEA-drift"](), 3000),
        prequential(theirs, STREAMS["SEA-drift"](), 3000),
    )
    ph = tree.HoeffdingAdaptiveTreeClassifier(seed=1, drift_detector=drift.PageHinkley())
    prequential(ph, STREAMS["SEA-drift"](), 2000)
    assert ph.n_nodes >= 1
    with pytest.raises(ValueError, match="drift_detector"):
        tree.HoeffdingAdaptiveTreeClassifier(drift_detector=river_drift.PageHinkley())


@pytest.mark.parametrize("params", list(tree.HoeffdingAdaptiveTreeClassifier._unit_test_params()))
def test_river_check_estimator(params):
    checks.check_estimator(tree.HoeffdingAdaptiveTreeClassifier(**params))


def test_pickle_and_seed_reproduce_the_draws():
    data = list(itertools.islice(STREAMS["SEA-drift"](), 5000))
    model = tree.HoeffdingAdaptiveTreeClassifier(seed=7, grace_period=50)
    for x, y in data[:2500]:
        model.learn_one(x, y)
    restored = pickle.loads(pickle.dumps(model))
    assert pickle.dumps(restored) == pickle.dumps(model)
    for x, y in data[2500:]:
        model.learn_one(x, y)
        restored.learn_one(x, y)
    assert pickle.dumps(restored) == pickle.dumps(model)
    # Without a seed, two trees draw differently, but each is reproducible once built.
    a = tree.HoeffdingAdaptiveTreeClassifier(grace_period=50)
    b = pickle.loads(pickle.dumps(a))
    for x, y in data[:2000]:
        a.learn_one(x, y)
        b.learn_one(x, y)
    assert pickle.dumps(a) == pickle.dumps(b)


@pytest.mark.parametrize(
    "x, y, error, name",
    [
        ({"a": math.nan}, True, ValueError, "a"),
        ({"a": 1.0}, [1], TypeError, "y"),
        ({"a": 1.0}, None, ValueError, "y"),
    ],
)
def test_bad_input_is_rejected_and_changes_nothing(x, y, error, name):
    model = tree.HoeffdingAdaptiveTreeClassifier(seed=1, grace_period=20)
    for xi, yi in synth.SEA(seed=2).take(300):
        model.learn_one({"a": xi[0], "b": xi[1]}, yi)
    before = pickle.dumps(model)
    with pytest.raises(error, match=name):
        model.learn_one(x, y)
    assert pickle.dumps(model) == before


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"drift_window_threshold": 0}, "drift_window_threshold"),
        ({"switch_significance": 1.5}, "switch_significance"),
        ({"seed": -1}, "seed"),
        ({"grace_period": 0}, "grace_period"),
    ],
)
def test_invalid_parameters_name_themselves(kwargs, name):
    with pytest.raises(ValueError, match=name):
        tree.HoeffdingAdaptiveTreeClassifier(**kwargs)
